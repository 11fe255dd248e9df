"""The client's IP address, for rate limits and hashed consent records.

Behind a reverse proxy every request comes from the proxy, so REMOTE_ADDR alone
would put all clients under one rate limit. With TRUSTED_PROXY_COUNT=N the
address is taken from X-Forwarded-For, N entries from the right: the entries
further left were written by the client and cannot be trusted.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]
