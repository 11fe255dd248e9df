"""Tokens in URLs never reach a log: whoever reads the logs cannot unsubscribe anyone.

Unsubscribe links live 365 days, preferences links 90 days; the headless preview and the admin's
password reset carry tokens too. On c88be13 gunicorn's access log recorded them all.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.support import worker
from tests.test_foundation.processes import ROOT, clean_env

LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


def token() -> str:
    # Shaped like the project's signed tokens: payload, colon, signature.
    return f"{secrets.token_urlsafe(12)}:{secrets.token_urlsafe(20)}"


def fetch(url: str, referer: str | None = None) -> None:
    request = urllib.request.Request(url, headers={"Referer": referer} if referer else {})
    try:
        urllib.request.urlopen(request, timeout=30).close()
    except urllib.error.HTTPError:
        pass  # 400 for a forged token is fine: the line is logged either way


@pytest.fixture
def gunicorn(tmp_path, db):
    """Real gunicorn with the repository's config file, on a port the OS picks."""
    access_log, error_log, output = (
        tmp_path / "access.log", tmp_path / "error.log", tmp_path / "stdout.log",
    )  # fmt: skip
    env = clean_env(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=worker.test_database_url(),
        REDIS_URL=os.environ["REDIS_URL"],
    )
    with output.open("w") as stdout:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "config.wsgi:application",
                "--config", "config/gunicorn.py", "--bind", "127.0.0.1:0", "--workers", "1",
                "--access-logfile", str(access_log), "--error-logfile", str(error_log),
            ],
            cwd=ROOT, env=env, stdout=stdout, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    port = None
    while port is None and time.monotonic() < deadline and process.poll() is None:
        match = LISTENING.search(error_log.read_text() if error_log.exists() else "")
        port = match and int(match.group(1))
        time.sleep(0.1)
    if port is None:
        process.kill()
        pytest.fail(f"gunicorn did not start: {output.read_text()} {error_log.read_text()}")

    def stop() -> dict[str, str]:
        """Stop gunicorn (flushing its logs) and return what each log holds."""
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        return {path.name: path.read_text() for path in (access_log, error_log, output)}

    yield f"http://127.0.0.1:{port}", stop
    if process.poll() is None:
        process.kill()
        process.wait(timeout=30)


def test_gunicorn_logs_requests_with_their_tokens_redacted(gunicorn):
    base, stop = gunicorn
    secrets_sent = {name: token() for name in ("unsub", "prefs", "confirm", "preview", "reset")}
    referer_token = token()

    fetch(f"{base}/newsletter/unsubscribe/{secrets_sent['unsub']}/")
    fetch(f"{base}/newsletter/preferences/{secrets_sent['prefs']}/")
    fetch(f"{base}/newsletter/confirm/{secrets_sent['confirm']}/")
    fetch(f"{base}/api/v2/preview/?content_type=cms.newspage&token={secrets_sent['preview']}")
    fetch(f"{base}/admin/password_reset/confirm/MQ/{secrets_sent['reset']}/")
    fetch(
        f"{base}/healthz",
        referer=f"https://news.example.org/newsletter/preferences/{referer_token}/",
    )
    logs = stop()

    access = logs["access.log"]
    assert len(access.strip().splitlines()) == 6, access  # every request was logged
    for secret in [*secrets_sent.values(), referer_token]:
        for name, text in logs.items():
            assert secret not in text, f"{secret} leaked into {name}"
            assert secret.split(":")[1] not in text, f"a token's signature leaked into {name}"
    assert "GET /newsletter/unsubscribe/[redacted]/ HTTP/1.1" in access
    assert "GET /newsletter/preferences/[redacted]/ HTTP/1.1" in access
    assert "GET /newsletter/confirm/[redacted]/ HTTP/1.1" in access
    assert "/api/v2/preview/?content_type=cms.newspage&token=[redacted] HTTP/1.1" in access
    assert "/admin/password_reset/confirm/[redacted]/[redacted]/" in access
    assert "https://news.example.org/newsletter/preferences/[redacted]/" in access
    # Django's own request log (400 for a forged token) went to stdout, redacted too.
    assert "Bad Request: /newsletter/unsubscribe/[redacted]/" in logs["stdout.log"]


@pytest.mark.django_db
def test_django_request_log_redacts_a_token_in_the_path(client, caplog):
    secret = token()

    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(f"/newsletter/unsubscribe/{secret}/")

    assert response.status_code == 400
    assert "Bad Request: /newsletter/unsubscribe/[redacted]/" in caplog.text
    assert secret not in caplog.text
