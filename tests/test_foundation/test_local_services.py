"""devservices: the PostgreSQL and Redis that `make run` and `make test` start from pip wheels."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import uuid

import psycopg
import pytest
import redis

from devservices import addresses
from devservices.servers import LocalServices

from .processes import ROOT, clean_env, run

# How long `make run`'s worker may take to answer a ping after the web server answers.
WORKER_START_SECONDS = 90


def _gone(pids: list[int], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(addresses._running(pid) for pid in pids):
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def services_dir():
    """Under var/, like the real ones: pytest's own temporary folders are closed to `nobody`,
    whom PostgreSQL runs as under root."""
    folder = ROOT / "var" / "test-services" / f"local-{uuid.uuid4().hex[:8]}"
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def embedded():
    root = ROOT / "var" / "test-services" / f"local-{uuid.uuid4().hex[:8]}"
    services = LocalServices(root, persistent=False)
    services.start()
    yield services
    services.stop()


def test_embedded_postgres_has_italian_full_text_search(embedded):
    with psycopg.connect(embedded.urls["DATABASE_URL"]) as connection:
        [vector] = connection.execute(
            "SELECT to_tsvector('italian', 'Le notizie più lette di Pisa')::text"
        ).fetchone()
    assert vector == "'lett':4 'notiz':2 'pis':6"


def test_embedded_postgres_skips_rows_another_transaction_locked(embedded):
    url = embedded.urls["DATABASE_URL"]
    with psycopg.connect(url, autocommit=True) as setup:
        setup.execute("CREATE TABLE claims (id int PRIMARY KEY)")
        setup.execute("INSERT INTO claims VALUES (1), (2)")
    with psycopg.connect(url) as first, psycopg.connect(url) as second:
        claimed = first.execute("SELECT id FROM claims WHERE id = 1 FOR UPDATE").fetchall()
        others = second.execute("SELECT id FROM claims ORDER BY id FOR UPDATE SKIP LOCKED")
        assert claimed == [(1,)]
        assert others.fetchall() == [(2,)]


def test_embedded_servers_listen_on_loopback_and_refuse_a_client_without_the_password(embedded):
    database, broker = embedded.urls["DATABASE_URL"], embedded.urls["REDIS_URL"]
    assert "@127.0.0.1:" in database and "@127.0.0.1:" in broker
    with psycopg.connect(database) as connection:
        assert connection.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
        assert connection.execute("SHOW unix_socket_directories").fetchone() == ("",)
    port = int(broker.rsplit(":", 1)[1].split("/")[0])
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(host="127.0.0.1", port=port).ping()
    client = redis.Redis.from_url(broker)
    assert client.config_get("bind") == {"bind": "127.0.0.1"}
    client.close()


def test_stopping_leaves_no_server_running_and_deletes_throwaway_data(services_dir):
    services = LocalServices(services_dir, persistent=False)
    services.start()
    pids = services.pids
    assert len(pids) == 2 and all(addresses._running(pid) for pid in pids)
    services.stop()
    assert _gone(pids, timeout=1)
    assert not services_dir.exists()


@pytest.mark.skipif(sys.platform != "linux", reason="parent-death signals are Linux-only")
@pytest.mark.skipif(os.geteuid() != 0, reason="only root runs PostgreSQL as `nobody`")
def test_a_checkout_in_a_folder_closed_to_nobody_still_gets_its_postgres(tmp_path):
    """As root, PostgreSQL runs as `nobody`; a checkout under a closed folder (pytest's own
    temporary folders, a root's home) gets its data and binaries where `nobody` can reach."""
    assert not tmp_path.parent.stat().st_mode & 0o001  # pytest-of-root is closed: the case
    services = LocalServices(tmp_path / "var", persistent=False)
    services.start(postgres=True, redis=False)
    try:
        assert services.postgres_root != services.root
        with psycopg.connect(services.urls["DATABASE_URL"]) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
    finally:
        pids = services.pids
        services.stop()
    assert _gone(pids)
    assert not services.postgres_root.exists()


def test_servers_die_with_the_process_that_started_them_even_on_sigkill(services_dir):
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from devservices.servers import LocalServices
        services = LocalServices(Path({str(services_dir)!r}), persistent=False)
        services.start()
        print(*services.pids, flush=True)
        time.sleep(600)
    """)
    starter = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        pids = [int(pid) for pid in starter.stdout.readline().split()]
        assert len(pids) == 2 and all(addresses._running(pid) for pid in pids)
    finally:
        starter.kill()
        starter.wait(10)
    if not _gone(pids):
        for pid in pids:  # don't leak them into the rest of the run
            os.kill(pid, signal.SIGKILL)
        pytest.fail(f"left running after SIGKILL of their parent: {pids}")


def test_settings_find_a_running_make_run_through_var_services_env(tmp_path):
    urls = {
        "DATABASE_URL": "postgresql://postgres:secret@127.0.0.1:54999/notiziario",
        "REDIS_URL": "redis://:secret@127.0.0.1:63999/0",
    }
    addresses.write(tmp_path, urls, [os.getpid()])
    assert (tmp_path / "services.env").stat().st_mode & 0o077 == 0
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['PORT'], settings.CELERY_BROKER_URL)"
    )
    result = run(
        ["-c", script],
        clean_env(VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings.dev"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["54999", urls["REDIS_URL"]]


def test_settings_ignore_var_services_env_once_its_servers_are_gone(tmp_path):
    finished = subprocess.run([sys.executable, "-c", "pass"])
    gone_pid = 2**22 + 17 if finished.returncode == 0 else 0  # above pid_max: never running
    addresses.write(tmp_path, {"DATABASE_URL": "postgresql://x@127.0.0.1:1/x"}, [gone_pid])
    assert addresses.read_live(tmp_path) == {}
    result = run(
        ["-c", "import django; django.setup()"],
        clean_env(VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings.dev"),
    )
    assert result.returncode != 0
    assert "DATABASE_URL is not set, and no `make run` is running in this checkout" in result.stderr


def test_an_explicit_url_wins_over_var_services_env(tmp_path):
    addresses.write(tmp_path, {"DATABASE_URL": "postgresql://x@127.0.0.1:54999/x"}, [os.getpid()])
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['PORT'])"
    )
    env = clean_env(
        VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL="postgresql://x@127.0.0.1:55111/x",
        REDIS_URL="redis://127.0.0.1:6399/0",
    )
    result = run(["-c", script], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "55111"


# `make run` end to end: one checkout's var/ shared by two runs, stopped two ways.


@pytest.fixture(scope="module")
def checkout_var():
    folder = ROOT / "var" / "test-services" / f"make-run-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _start_make_run(var_dir):
    from devservices.servers import free_port

    port = free_port()
    log = open(var_dir / f"run-{port}.log", "w")
    process = subprocess.Popen(
        [sys.executable, "scripts/run.py"],
        cwd=ROOT,
        env=clean_env(PORT=str(port), VAR_DIR=str(var_dir), WORKER_CONCURRENCY="1"),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    log_path = var_dir / f"run-{port}.log"
    while time.monotonic() < deadline:
        if "Notiziario is running" in log_path.read_text():
            return process, port, log_path
        if process.poll() is not None:
            break
        time.sleep(0.5)
    os.killpg(process.pid, signal.SIGKILL)
    pytest.fail(f"make run did not come up:\n{log_path.read_text()[-5000:]}")


def _from_the_same_checkout(var_dir, *args):
    return subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), args[0]), *args[1:]],
        cwd=ROOT,
        env=clean_env(VAR_DIR=str(var_dir)),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _stop_and_check_nothing_is_left(process, var_dir, signum):
    pids = [int(pid) for pid in addresses._read(addresses.path(var_dir))["SERVICE_PIDS"].split()]
    os.kill(process.pid, signum)
    assert process.wait(60) == 0
    assert _gone(pids, timeout=5), f"services left running: {pids}"
    assert not addresses.path(var_dir).exists()
    leftovers = subprocess.run(["pgrep", "-f", str(var_dir)], capture_output=True, text=True)
    assert leftovers.stdout == "", f"processes left running: {leftovers.stdout}"


def test_make_run_serves_from_its_postgres_and_other_commands_reach_it_until_ctrl_c(
    checkout_var,
):
    process, port, _log = _start_make_run(checkout_var)
    try:
        running = addresses.read_live(checkout_var)
        shell = _from_the_same_checkout(
            checkout_var,
            "python",
            "manage.py",
            "shell",
            "-c",
            "from django.db import connection; from wagtail.models import Page; "
            "print(connection.vendor, connection.settings_dict['PORT'], Page.objects.count())",
        )
        assert shell.returncode == 0, shell.stderr
        vendor, db_port, pages = shell.stdout.split()[-3:]
        assert vendor == "postgresql"
        assert f"127.0.0.1:{db_port}/" in running["DATABASE_URL"]
        assert int(pages) > 2  # the demo content make run loaded
        # The worker starts once the web server answers (Procfile): give it a bounded while.
        deadline = time.monotonic() + WORKER_START_SECONDS
        while True:
            ping = _from_the_same_checkout(
                checkout_var, "celery", "-A", "config", "inspect", "ping"
            )
            if ping.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert ping.returncode == 0, ping.stdout + ping.stderr
        assert "pong" in ping.stdout
        with psycopg.connect(running["DATABASE_URL"]) as connection:
            assert connection.execute("SELECT count(*) FROM wagtailcore_page").fetchone()[0] > 2
    except BaseException:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    _stop_and_check_nothing_is_left(process, checkout_var, signal.SIGINT)


def test_a_second_make_run_keeps_the_data_and_sigterm_stops_everything(checkout_var):
    process, port, _log = _start_make_run(checkout_var)
    try:
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=30) as response:
            assert response.status == 200
        assert (checkout_var / "services" / "postgres" / "PG_VERSION").exists()
    except BaseException:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    _stop_and_check_nothing_is_left(process, checkout_var, signal.SIGTERM)
