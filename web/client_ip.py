"""The client's IP address, for rate limits and hashed consent records.

Behind a reverse proxy every request comes from the proxy, so REMOTE_ADDR alone
would put all clients under one rate limit. With TRUSTED_PROXY_COUNT=N the
address is taken from X-Forwarded-For, N entries from the right: the entries
further left were written by the client and cannot be trusted.
"""

from __future__ import annotations

import ipaddress

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


IPV6_CLIENT_PREFIX = 64  # one home or office network gets a /64 (RFC 6177): count it as one


def client_network(ip: str) -> str | None:
    """What per-client limits count: an IPv4 address, or the /64 an IPv6 address belongs to.

    An IPv6 client holds at least a /64 and can pick any address in it, so limits
    keyed on the full address would give it 2**64 identities. The /64 is written as
    its first address (2001:db8:1:2::), so it is still an IP address (django-axes
    stores it as one). An IPv4-mapped IPv6 address (::ffff:192.0.2.1) is the IPv4
    client it maps. None when `ip` is not an address.
    """
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        network = ipaddress.IPv6Network((address, IPV6_CLIENT_PREFIX), strict=False)
        return str(network.network_address)
    return str(address)


def client_limit_key(request: HttpRequest) -> str:
    """The identity per-client rate limits count by."""
    return client_network(client_ip(request)) or "unknown"


def client_login_ip(request: HttpRequest) -> str | None:
    """The client django-axes throttles admin logins for (AXES_CLIENT_IP_CALLABLE)."""
    return client_network(client_ip(request))
