"""A real `celery beat` in its own process, with django_celery_beat's DatabaseScheduler."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class CeleryBeat:
    """Start with start(), stop with stop(). Give it the same env as the worker it feeds."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> CeleryBeat:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        command = [
            sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=DEBUG",
            "--scheduler=django_celery_beat.schedulers:DatabaseScheduler",
            "--max-interval=1", f"--pidfile={self.log_path.with_suffix('.pid')}",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"celery beat exited early:\n{self.log()}")
            if "beat: Starting..." in self.log():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"celery beat not started after {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
