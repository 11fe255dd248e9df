"""Run project code in a fresh process with a clean environment (no inherited settings)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def clean_env(**variables: str) -> dict[str, str]:
    """Only what a process needs to start, plus `variables`."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(ROOT), **variables}


def run(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
