"""scripts/run.py (`make run`) refuses a port that is already taken, before touching anything."""

import http.server
import importlib.util
import socket
import subprocess
import threading
import time

from .processes import ROOT, clean_env, run


def test_make_run_on_a_port_in_use_says_so_and_stops(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(["scripts/run.py"], clean_env(PORT=str(port), VAR_DIR=str(tmp_path)))
    assert result.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert f"make run PORT={port + 1}" in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing migrated, nothing started


def test_make_run_with_a_port_that_is_not_a_number_says_so(tmp_path):
    result = run(["scripts/run.py"], clean_env(PORT="eighty", VAR_DIR=str(tmp_path)))
    assert result.returncode == 2
    assert "PORT must be a number" in result.stderr


def procfile_command(name: str) -> str:
    (line,) = [
        line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith(f"{name}:")
    ]
    return line.split(":", 1)[1].strip()


def fake_python(tmp_path, exit_statuses: list[int]) -> dict[str, str]:
    """A `python` on PATH that records RUN_MAIN and exits with the next status of the list."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    statuses = " ".join(str(status) for status in exit_statuses)
    script = bin_dir / "python"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "RUN_MAIN=$RUN_MAIN" >> "{tmp_path}/starts"\n'
        f'n=$(wc -l < "{tmp_path}/starts")\n'
        f"set -- {statuses}\n"
        'shift $((n - 1)); exit "$1"\n'
    )
    script.chmod(0o755)
    return {"PATH": f"{bin_dir}:/usr/bin:/bin", "WEB_BIND": "127.0.0.1:1"}


def test_the_web_process_starts_runserver_again_after_a_code_change(tmp_path):
    """Exit status 3 is Django's reloader asking for a restart; RUN_MAIN=true serves at once."""
    env = fake_python(tmp_path, [3, 3, 0])
    result = subprocess.run(
        ["sh", "-c", procfile_command("web")], env=env, capture_output=True, timeout=30
    )
    assert result.returncode == 0
    assert (tmp_path / "starts").read_text().splitlines() == ["RUN_MAIN=true"] * 3


def test_the_web_process_stops_with_runserver_s_own_failure(tmp_path):
    env = fake_python(tmp_path, [3, 1])
    result = subprocess.run(
        ["sh", "-c", procfile_command("web")], env=env, capture_output=True, timeout=30
    )
    assert result.returncode == 1
    assert len((tmp_path / "starts").read_text().splitlines()) == 2


def test_worker_and_beat_wait_for_the_web_server_before_starting():
    for name in ("worker", "beat"):
        assert procfile_command(name).startswith("python scripts/run.py --after-web && "), name


def load_run_script():
    spec = importlib.util.spec_from_file_location("run_script", ROOT / "scripts" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Health(http.server.BaseHTTPRequestHandler):
    answers: list[int] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        status = self.answers.pop(0) if self.answers else 200
        self.send_response(status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_after_web_returns_once_healthz_answers_200(monkeypatch):
    Health.answers = [503, 503]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("WEB_BIND", f"127.0.0.1:{server.server_address[1]}")
        started = time.monotonic()
        assert load_run_script().after_web(timeout=20) == 0
        assert time.monotonic() - started < 10
        assert Health.answers == []  # both 503s were seen, then the 200
    finally:
        server.shutdown()
        server.server_close()


def test_after_web_gives_up_when_the_time_is_up(monkeypatch, capsys):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("WEB_BIND", f"127.0.0.1:{port}")
    started = time.monotonic()
    assert load_run_script().after_web(timeout=1.5) == 0
    assert 1.5 <= time.monotonic() - started < 10
    assert "did not answer within 2 s; starting anyway" in capsys.readouterr().err
