"""The bytes each kind of email arrives with at a real SMTP server (aiosmtpd): headers as
RFC 5322 wants them, and a DKIM signature that verifies against the published key."""

from __future__ import annotations

import email
import email.policy
import os
import re
import subprocess
import sys

import dkim as dkimpy
import pytest

from newsletter import dkim_signing, subscriptions, transport
from newsletter.subscriptions import RequestInfo, Selection
from tests.newsletter import builders
from tests.newsletter.sending_support import clean_cache, send_all  # noqa: F401

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]

# Long enough to fold, with non-ASCII words, as Italian subjects have.
LONG_SUBJECT = "Innovazione in Toscana — n. 12 · 30 novembre 2026: città, università, più notizie"


@pytest.fixture
def long_subject_issue(smtp_settings):
    weekly = builders.newsletter(name="Innovazione in Toscana")
    builders.subscriber(weekly, "anna@example.org")
    issue = builders.approved_issue(weekly, title="Robotica a Pisa")
    issue.subject = LONG_SUBJECT
    issue.save(update_fields=["subject"])
    return issue


def received_digest(issue, smtp_server) -> bytes:
    send_all(issue)
    smtp_server.wait_for(1)
    [item] = smtp_server.received()
    return item.raw


def received_confirmation(eager_tasks, smtp_server) -> bytes:
    weekly = builders.newsletter(name="Innovazione in Toscana")
    with eager_tasks():
        subscriptions.subscribe(
            "anna@example.org", Selection({weekly.pk: []}), "it", RequestInfo(source="api")
        )
    smtp_server.wait_for(1)
    [item] = smtp_server.received()
    return item.raw


def received_test_send(issue, smtp_server) -> bytes:
    transport.send_test(issue, "redazione@example.org")
    smtp_server.wait_for(1)
    [item] = smtp_server.received()
    return item.raw


def head_of(raw: bytes) -> bytes:
    return raw.split(b"\r\n\r\n", 1)[0]


def assert_tidy_headers(raw: bytes) -> None:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    # Date, as written on the wire (the parser would normalise it): a numeric zone,
    # never the obsolete "GMT" nor "-0000" (zone unknown).
    [date] = re.findall(rb"^Date: ([^\r\n]*)\r$", head_of(raw) + b"\r", re.MULTILINE)
    assert re.fullmatch(rb"\w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}", date), date
    assert not date.endswith(b"-0000")
    assert message["Date"].datetime is not None
    # Subject: one space, then text on the first line (no empty line, no stray blank).
    assert re.search(rb"^Subject: \S", head_of(raw), re.MULTILINE), head_of(raw).decode()
    # MIME-Version: once, at the top, not in the subparts.
    assert raw.count(b"MIME-Version:") == 1
    assert message["MIME-Version"] == "1.0"
    for part in message.iter_parts():
        assert "MIME-Version" not in part
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")


def test_a_digest_arrives_with_a_numeric_date_a_tidy_subject_and_one_mime_version(
    long_subject_issue, smtp_server
):
    raw = received_digest(long_subject_issue, smtp_server)
    assert_tidy_headers(raw)
    assert email.message_from_bytes(raw, policy=email.policy.default)["Subject"] == LONG_SUBJECT


def test_a_test_send_arrives_with_the_same_tidy_headers(long_subject_issue, smtp_server):
    raw = received_test_send(long_subject_issue, smtp_server)
    assert_tidy_headers(raw)
    subject = email.message_from_bytes(raw, policy=email.policy.default)["Subject"]
    assert subject == f"[TEST] {LONG_SUBJECT}"


def test_the_confirmation_email_arrives_with_tidy_headers(eager_tasks, smtp_server):
    raw = received_confirmation(eager_tasks, smtp_server)
    assert_tidy_headers(raw)
    assert b"Auto-Submitted: auto-generated" in head_of(raw)


def test_the_date_is_in_the_sites_time_zone(long_subject_issue, smtp_server, settings):
    settings.TIME_ZONE = "Europe/Rome"
    raw = received_digest(long_subject_issue, smtp_server)
    offset = email.message_from_bytes(raw, policy=email.policy.default)["Date"].datetime.utcoffset()
    assert offset.total_seconds() in (3600, 7200)


# --- DKIM ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def key_pair(tmp_path_factory) -> tuple[bytes, bytes]:
    """A fresh 2048-bit RSA key (PKCS#1 PEM, which dkimpy reads) and its public half."""
    folder = tmp_path_factory.mktemp("dkim")
    private = folder / "private.pem"
    subprocess.run(
        ["openssl", "genrsa", "-traditional", "-out", str(private), "2048"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(private), "-pubout"],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    return private.read_bytes(), public


@pytest.fixture
def dkim_settings(settings, key_pair):
    settings.DKIM_DOMAIN = "example.org"
    settings.DKIM_SELECTOR = "notiziario2026"
    settings.DKIM_PRIVATE_KEY = key_pair[0].decode()
    return settings


def published(key_pair):
    """A DNS resolver that knows only our selector's TXT record."""
    record = dkim_signing.txt_record(key_pair[1])

    def dnsfunc(name: bytes, timeout: int = 5) -> bytes | None:
        return record if name == b"notiziario2026._domainkey.example.org." else None

    return dnsfunc


def signature_of(raw: bytes) -> dict[str, str]:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    value = re.sub(r"\s+", "", str(message["DKIM-Signature"]))
    return dict(tag.split("=", 1) for tag in value.split(";") if tag)


def test_a_digest_is_signed_and_verifies_against_the_published_key(
    dkim_settings, key_pair, long_subject_issue, smtp_server
):
    raw = received_digest(long_subject_issue, smtp_server)
    assert dkimpy.verify(raw, dnsfunc=published(key_pair))
    tags = signature_of(raw)
    assert tags["d"] == "example.org" and tags["s"] == "notiziario2026"
    signed = tags["h"].lower().split(":")
    # RFC 8058: both List-Unsubscribe headers must be covered for one-click unsubscribe.
    for header in ("from", "subject", "date", "list-unsubscribe", "list-unsubscribe-post"):
        assert header in signed


def test_the_confirmation_email_is_signed_and_verifies(
    dkim_settings, key_pair, eager_tasks, smtp_server
):
    raw = received_confirmation(eager_tasks, smtp_server)
    assert dkimpy.verify(raw, dnsfunc=published(key_pair))


def test_a_changed_body_or_another_key_fails_verification(
    dkim_settings, key_pair, long_subject_issue, smtp_server, tmp_path
):
    raw = received_digest(long_subject_issue, smtp_server)
    assert not dkimpy.verify(raw.replace(b"Robotica", b"Robotixa"), dnsfunc=published(key_pair))
    other = subprocess.run(
        ["openssl", "genrsa", "-traditional", "2048"], check=True, capture_output=True, timeout=60
    ).stdout
    other_public = subprocess.run(
        ["openssl", "rsa", "-pubout"], input=other, check=True, capture_output=True, timeout=60
    ).stdout
    assert not dkimpy.verify(raw, dnsfunc=published((other, other_public)))


def test_without_dkim_settings_nothing_is_signed(long_subject_issue, smtp_server, settings):
    settings.DKIM_DOMAIN = settings.DKIM_SELECTOR = settings.DKIM_PRIVATE_KEY = ""
    raw = received_digest(long_subject_issue, smtp_server)
    assert b"DKIM-Signature" not in raw


def settings_in_a_new_process(**env: str) -> subprocess.CompletedProcess:
    """Load the settings afresh with exactly these DKIM_* variables."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("DKIM_")}
    environment = {**inherited, "DJANGO_SETTINGS_MODULE": "config.settings.test", **env}
    code = "from django.conf import settings; print(len(settings.DKIM_PRIVATE_KEY))"
    return subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=120
    )


def test_a_partial_dkim_configuration_refuses_to_start():
    result = settings_in_a_new_process(DKIM_DOMAIN="example.org", DKIM_SELECTOR="notiziario2026")
    assert result.returncode != 0
    assert "DKIM needs DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY" in result.stderr


def test_the_dkim_key_can_come_from_a_file(key_pair, tmp_path):
    path = tmp_path / "dkim.pem"
    path.write_bytes(key_pair[0])
    result = settings_in_a_new_process(
        DKIM_DOMAIN="example.org", DKIM_SELECTOR="notiziario2026", DKIM_PRIVATE_KEY_FILE=str(path)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(len(key_pair[0].decode()))
