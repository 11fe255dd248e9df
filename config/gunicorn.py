"""Gunicorn settings for every deployment: `gunicorn config.wsgi:application -c config/gunicorn.py`.

The Dockerfile and docker-compose use it (`make run` serves with runserver, whose
request log Django's LOGGING redacts the same way).
"""

import os

from gunicorn.glogging import Logger

from config.logging import RedactTokensFilter

# One access-log line per request on stdout, with URL tokens redacted.
accesslog = "-"
# Only these addresses may set X-Forwarded-Proto/-For: the reverse proxy, as gunicorn sees it.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


class RedactingLogger(Logger):
    """Gunicorn's logger, with unsubscribe, preferences, confirm and preview tokens redacted
    from the access log (request line, path, query, referer) and the error log."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, RedactTokensFilter) for f in log.filters):
                log.addFilter(RedactTokensFilter())


logger_class = RedactingLogger
