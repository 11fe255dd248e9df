"""`make run`: prepare the database, then run web, worker and beat in the foreground.

Steps: check the port is free, start PostgreSQL and Redis of its own unless
DATABASE_URL / REDIS_URL are set (data in var/services/, addresses in
var/services.env for other commands), migrate, load the demo content, ensure an
admin account, then start the Procfile with honcho. Ctrl-C or SIGTERM stops every
process, the services last.

`scripts/run.py --after-web` (the Procfile's worker and beat lines) waits until the web
server answers on /healthz, at most AFTER_WEB_TIMEOUT seconds, then exits 0.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devservices import addresses  # noqa: E402
from devservices.servers import LocalServices, ServicesUnavailable  # noqa: E402

EMBEDDED_NAMES = {"DATABASE_URL": "PostgreSQL", "REDIS_URL": "Redis"}
EMBEDDED_HINT = (
    "  Other commands from this checkout use the same database and broker while this runs\n"
    "  (var/services.env): .venv/bin/python manage.py shell, .venv/bin/celery -A config inspect ping\n\n"
)


def port_problem(host: str, port: int) -> str | None:
    """Why the web server could not listen on host:port, or None if it can."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # runserver and gunicorn set SO_REUSEADDR too, so a port in TIME_WAIT counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (
                    f"Port {port} on {host} is already in use. Stop whatever is listening "
                    f"there, or choose another port: make run PORT={port + 1}"
                )
            return f"Cannot listen on {host}:{port}: {exc.strerror}."
    return None


def wait_until_listening(host: str, port: int, process: subprocess.Popen) -> bool:
    while process.poll() is None:
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.5)
    return False


AFTER_WEB_TIMEOUT = 300.0


def after_web(timeout: float = AFTER_WEB_TIMEOUT) -> int:
    """Wait for the web server's first 200 on /healthz (WEB_BIND), bounded; always 0.

    Started after it, the worker and beat do not compete with the web server for the CPU
    while it boots: on two cores that is seconds off the first answer. If it never
    answers they start anyway when the time is up (honcho stops everything if the web
    process exits).
    """
    import urllib.request

    host, _, port = (os.environ.get("WEB_BIND") or "127.0.0.1:8000").rpartition(":")
    host = "127.0.0.1" if host in {"", "0.0.0.0"} else host.strip("[]")
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}/healthz"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return 0
        except OSError:
            pass
        time.sleep(0.25)
    print(f"{url} did not answer within {timeout:.0f} s; starting anyway.", file=sys.stderr)
    return 0


def prepare_database() -> tuple[str, str]:
    """Migrate, load the demo, ensure an admin; return how to log in and the services in use."""
    import io

    import django
    from django.conf import settings
    from django.core.management import call_command, get_commands

    django.setup()
    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=1)
    migrated = time.monotonic()
    if "load_demo" in get_commands():
        call_command("load_demo")
    loaded = time.monotonic()
    login = io.StringIO()
    call_command("ensure_admin", stdout=login)
    print(login.getvalue(), end="")
    # bench/startup_time.py reads this line from the log for its breakdown.
    print(
        f"migrate: {migrated - started:.1f} s, demo content: {loaded - migrated:.1f} s", flush=True
    )

    from django.db import connections

    connections.close_all()
    database = settings.DATABASES["default"]
    broker = urlsplit(settings.CELERY_BROKER_URL)
    services = (
        f"PostgreSQL on {database['HOST']}:{database['PORT']}, "
        f"Redis on {broker.hostname}:{broker.port or 6379}"
    )
    return login.getvalue(), services


def main() -> int:
    # Ctrl-C works even when started as a background job, which inherits SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    host = os.environ.get("HOST") or "127.0.0.1"
    try:
        port = int(os.environ.get("PORT") or "8000")
    except ValueError:
        print(f"PORT must be a number, not {os.environ['PORT']!r}.", file=sys.stderr)
        return 2
    problem = port_problem(host, port)
    if problem:
        print(problem, file=sys.stderr)
        return 1

    site_url = f"http://{'localhost' if host in {'127.0.0.1', '0.0.0.0'} else host}:{port}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("SITE_URL", site_url)
    os.environ["WEB_BIND"] = f"{host}:{port}"
    os.environ["PYTHONUNBUFFERED"] = "1"
    # The Procfile's `python` and `celery` are this virtualenv's.
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    os.chdir(ROOT)
    var_dir = Path(os.environ.get("VAR_DIR") or ROOT / "var")
    var_dir.mkdir(parents=True, exist_ok=True)

    # Until honcho runs, SIGTERM and SIGHUP unwind like Ctrl-C, through the finally below.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    embedded = None
    try:
        embedded = start_services(var_dir)
        return serve(host, port, embedded)
    except KeyboardInterrupt:
        return 0
    except ServicesUnavailable as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        if embedded is not None:
            addresses.remove(var_dir, embedded.pids)
            embedded.stop()


def _interrupt(signum, _frame):
    raise KeyboardInterrupt


def start_services(var_dir: Path) -> LocalServices | None:
    """Start PostgreSQL and/or Redis for the URLs not set; tell other commands where they are."""
    wanted = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if not wanted:
        return None
    print("Starting " + " and ".join(EMBEDDED_NAMES[name] for name in wanted) + " …", flush=True)
    embedded = LocalServices(var_dir / "services", persistent=True)
    urls = embedded.start(postgres="DATABASE_URL" in wanted, redis="REDIS_URL" in wanted)
    os.environ.update(urls)
    addresses.write(var_dir, urls, embedded.pids)
    return embedded


def serve(host: str, port: int, embedded: LocalServices | None) -> int:
    login, services = prepare_database()

    # .env configures docker-compose; `make run` reads only the real environment.
    # honcho gets a process group of its own, so a Ctrl-C reaches it once, from
    # here, rather than twice (from the terminal and from here).
    honcho = subprocess.Popen(
        [sys.executable, "-m", "honcho", "start", "--env", os.devnull, "-f", "Procfile"],
        process_group=0,
    )
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda received, _frame: honcho.send_signal(received))

    if wait_until_listening(host, port, honcho):
        print(
            "\n"
            f"  Notiziario is running ({services})\n"
            f"  Site:  {os.environ['SITE_URL']}/\n"
            f"  Admin: {os.environ['SITE_URL']}/admin/\n"
            f"  API:   {os.environ['SITE_URL']}/api/v2/pages/\n\n"
            f"{login}\n"
            f"{EMBEDDED_HINT if embedded else ''}"
            "  Press Ctrl-C to stop the web server, the worker and beat"
            f"{' and the services' if embedded else ''}.\n",
            flush=True,
        )
    returncode = honcho.wait()
    # 130/143: stopped by Ctrl-C or SIGTERM, which is how this command is meant to end.
    return 0 if returncode in {130, 143, -signal.SIGINT, -signal.SIGTERM} else returncode


if __name__ == "__main__":
    sys.exit(after_web() if sys.argv[1:] == ["--after-web"] else main())
