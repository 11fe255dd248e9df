"""`make run`: prepare the database, then run web, worker and beat in the foreground.

Steps: check the port is free, migrate, load the demo content, ensure an admin
account, then start the Procfile with honcho. Ctrl-C stops every process.
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

ROOT = Path(__file__).resolve().parents[1]


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


def prepare_database() -> tuple[str, str]:
    """Migrate, load the demo, ensure an admin; return how to log in and the services in use."""
    import io

    import django
    from django.conf import settings
    from django.core.management import call_command, get_commands

    django.setup()
    call_command("migrate", interactive=False, verbosity=1)
    if "load_demo" in get_commands():
        call_command("load_demo")
    login = io.StringIO()
    call_command("ensure_admin", stdout=login)
    print(login.getvalue(), end="")

    from django.db import connections

    connections.close_all()
    database = settings.DATABASES["default"]
    broker = settings.CELERY_BROKER_URL.split("://")[0]
    where = database["NAME"] if "sqlite" in database["ENGINE"] else database["HOST"]
    services = f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {where}; broker: {broker}"
    return login.getvalue(), services


def main() -> int:
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
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    # SQLite cannot create the folder its database file lives in.
    Path(os.environ.get("VAR_DIR") or ROOT / "var").mkdir(parents=True, exist_ok=True)

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
            "  Press Ctrl-C to stop the web server, the worker and beat.\n",
            flush=True,
        )
    returncode = honcho.wait()
    # 130/143: stopped by Ctrl-C or SIGTERM, which is how this command is meant to end.
    return 0 if returncode in {130, 143, -signal.SIGINT, -signal.SIGTERM} else returncode


if __name__ == "__main__":
    sys.exit(main())
