"""One line per event on stdout, carrying the Celery task id when there is one."""

import logging
import re

from celery import current_task


class TaskContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "task_id"):
            try:
                request = current_task.request if current_task else None
                record.task_id = getattr(request, "id", None) or "-"
            except Exception:  # logging must never fail
                record.task_id = "-"
        return True


# Secrets that travel in URLs: newsletter confirm, preferences (90 days) and unsubscribe
# (365 days) tokens in the path, the admin's password-reset token, and any query parameter
# named like a token (headless preview: ?token=…). Whoever reads a log must not get them.
REDACTED = "[redacted]"
_URL_SECRETS = [
    (re.compile(r"(/password_reset/confirm/[^/?#\s\"']+/)[^/?#\s\"']+"), rf"\1{REDACTED}"),
    (re.compile(r"(/(?:confirm|preferences|unsubscribe)/)[^/?#\s\"']+"), rf"\1{REDACTED}"),
    (re.compile(r"([?&;][^=&#\s\"']*token[^=&#\s\"']*=)[^&#\s\"']+", re.I), rf"\1{REDACTED}"),
]


def redact_tokens(text: str) -> str:
    """`text` with every secret URL part above replaced by [redacted]."""
    for pattern, replacement in _URL_SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactTokensFilter(logging.Filter):
    """Redact URL tokens from a record's final message (request lines, paths, referers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # logging must never fail; leave the record to its handler
            return True
        redacted = redact_tokens(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
