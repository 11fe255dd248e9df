"""The bytes Django's email messages leave with, when they go by SMTP.

Django serialises an EmailMessage with the standard library's compat32 policy,
which writes what RFC 5322 and mail checkers frown on: a `Subject` of encoded
words folded so that its first line is empty, a `MIME-Version` header in every
MIME subpart, and a `Date` in `-0000` (zone unknown). `wire_bytes` re-writes the
message with the SMTP policy (CRLF; `subject_line` writes the Subject), one
`MIME-Version` at the top and a `Date` with the numeric offset of TIME_ZONE, then
signs it with DKIM (dkim_signing.py). `SMTPBackend` sends through Django's SMTP backend
with these bytes; the digest copies (messages.py) are built to the same rules.
"""

from __future__ import annotations

import email
import email.policy
import smtplib
from email.header import Header

from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend
from django.core.mail.message import sanitize_address
from django.utils import timezone

from . import dkim_signing


def date_header() -> str:
    """Now, as RFC 5322 writes it, with a numeric zone: "Mon, 30 Nov 2026 14:09:08 +0100"."""
    return email.utils.format_datetime(timezone.localtime().replace(microsecond=0))


def one_line(text: str) -> str:
    """`text` for a header: a line break (CR, LF, U+2028, NEL...) would start a new one."""
    return " ".join(str(text).splitlines())


def subject_line(subject: str) -> bytes:
    """The Subject header line: text from its first line, encoded words only when needed.

    Written with email.header rather than the SMTP policy's folder, whose output
    differs between Python versions (3.13 puts a stray space between encoded words
    of a long Subject, which readers then show).
    """
    value = one_line(subject)
    charset = "us-ascii" if value.isascii() else "utf-8"
    folded = Header(value, charset, header_name="Subject").encode(linesep="\r\n")
    return f"Subject: {folded}\r\n".encode("ascii")


def wire_bytes(message: EmailMessage) -> bytes:
    """`message` as it goes to the relay: tidy headers, CRLF line ends, DKIM-signed."""
    subject = message.subject
    parsed = email.message_from_bytes(
        message.message().as_bytes(linesep="\r\n"), policy=email.policy.SMTP
    )
    for part in parsed.walk():
        if part is not parsed:
            del part["MIME-Version"]
    if "Date" not in message.extra_headers:
        parsed.replace_header("Date", date_header())
    del parsed["Subject"]
    return dkim_signing.sign(subject_line(subject) + parsed.as_bytes())


class SMTPBackend(DjangoSMTPBackend):
    """Django's SMTP backend, sending `wire_bytes(message)`; selected for smtp:// EMAIL_URLs."""

    def _send(self, email_message: EmailMessage) -> bool:
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or "utf-8"
        from_email = sanitize_address(email_message.from_email, encoding)
        recipients = [sanitize_address(addr, encoding) for addr in email_message.recipients()]
        try:
            self.connection.sendmail(from_email, recipients, wire_bytes(email_message))
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True
