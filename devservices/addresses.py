"""var/services.env: where the PostgreSQL and Redis of a running `make run` listen.

`make run` writes it when its services are up and removes it when they stop. The
settings read it when DATABASE_URL / REDIS_URL are not set, so that
`manage.py shell`, `manage.py newsletter_send …` or `celery -A config inspect ping`,
run from the same checkout, reach the same database and broker. A file whose
server processes are gone (a `make run` killed with SIGKILL) is ignored.
Only the standard library here: the settings import this module.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_NAME = "services.env"
NAMES = ("DATABASE_URL", "REDIS_URL")


def path(var_dir: Path) -> Path:
    return Path(var_dir) / FILE_NAME


def write(var_dir: Path, urls: dict[str, str], pids: list[int]) -> Path:
    """Write the addresses atomically, readable only by their owner (they hold passwords)."""
    target = path(var_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Written by `make run` while it runs; removed when it stops. Do not edit.",
        *(f"{name}={urls[name]}" for name in NAMES if name in urls),
        f"SERVICE_PIDS={' '.join(str(pid) for pid in pids)}",
    ]
    temporary = target.with_name(f".{FILE_NAME}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write("\n".join(lines) + "\n")
    os.replace(temporary, target)
    return target


def remove(var_dir: Path, pids: list[int]) -> None:
    """Remove the file if it still describes these processes (not a newer `make run`'s)."""
    target = path(var_dir)
    if _read(target).get("SERVICE_PIDS") == " ".join(str(pid) for pid in pids):
        target.unlink(missing_ok=True)


def read_live(var_dir: Path) -> dict[str, str]:
    """The URLs in var/services.env if every process it names is still running, else {}."""
    values = _read(path(var_dir))
    pids = [int(pid) for pid in values.get("SERVICE_PIDS", "").split() if pid.isdigit()]
    if not pids or not all(_running(pid) for pid in pids):
        return {}
    return {name: values[name] for name in NAMES if values.get(name)}


def _read(target: Path) -> dict[str, str]:
    try:
        text = target.read_text()
    except OSError:
        return {}
    values = {}
    for line in text.splitlines():
        name, equals, value = line.partition("=")
        if equals and not name.startswith("#"):
            values[name.strip()] = value.strip()
    return values


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user (PostgreSQL runs as nobody under root)
        return True
    return True
