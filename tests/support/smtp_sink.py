"""Postfix's smtp-sink as a test SMTP server: a real MTA-grade implementation of PIPELINING.

It listens on a port the kernel chooses (port 0; the bound port is read back
from /proc, so there is no window for another process to take it), dumps each
message it accepts into its own file, and lives at most `lifetime` seconds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .proc import children_of

SMTP_SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"


def available() -> bool:
    return os.access(SMTP_SINK, os.X_OK)


def listening_port(pid: int) -> int | None:
    """The TCP port process `pid` listens on, read from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, state, inode = fields[1], fields[3], fields[9]
        if state == "0A" and inode in inodes:  # 0A: LISTEN
            return int(local.split(":")[1], 16)
    return None


class SMTPSink:
    def __init__(self, *options: str, lifetime: int = 120):
        self.dump_dir = Path(tempfile.mkdtemp(prefix="smtp-sink-"))
        self.dump_dir.chmod(0o777)  # smtp-sink drops root privileges before writing
        self.options = options
        self.lifetime = lifetime
        self.process: subprocess.Popen | None = None
        self.port = 0

    def start(self, timeout: float = 10.0) -> SMTPSink:
        if not available():
            raise RuntimeError(f"{SMTP_SINK} not found: install Debian's postfix package")
        privileges = ["-u", "nobody"] if os.geteuid() == 0 else []
        self.process = subprocess.Popen(
            ["timeout", str(self.lifetime), SMTP_SINK, *privileges, *self.options,
             "-d", f"{self.dump_dir}/%H%M%S.", "127.0.0.1:0", "64"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"smtp-sink exited: {self.process.stdout.read().decode()}")
            for pid in children_of(self.process.pid):  # smtp-sink runs under `timeout`
                port = listening_port(pid)
                if port:
                    self.port = port
                    return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("smtp-sink did not listen in time")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        shutil.rmtree(self.dump_dir, ignore_errors=True)

    def dumps(self) -> list[str]:
        return [path.read_text(errors="replace") for path in sorted(self.dump_dir.iterdir())]

    def wait_for(self, count: int, timeout: float = 30.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(list(self.dump_dir.iterdir())) >= count:
                return self.dumps()
            time.sleep(0.05)
        raise AssertionError(f"smtp-sink got {len(self.dumps())} message(s), expected {count}")
