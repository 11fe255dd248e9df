"""Run project code in a fresh process with a clean environment (no inherited settings)."""

from __future__ import annotations

import os
import secrets
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


def production_environment(tmp_path: Path) -> dict[str, str]:
    """A complete, valid production configuration; tests remove or spoil one variable."""
    return clean_env(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        HASH_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="news.example.org",
        SITE_URL="https://news.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:6379/0",
        CACHE_REDIS_URL="redis://127.0.0.1:6380/0",
        EMAIL_URL="smtp://mail.example.org:587?tls=1",
        DEFAULT_FROM_EMAIL="Notiziario <news@example.org>",
        NEWSLETTER_PRIVACY_URL="https://news.example.org/privacy/",
        VAR_DIR=str(tmp_path / "var"),
    )
