"""Outbound HTTP to integrators' webhooks, never to our own network (SSRF).

A webhook URL is an address an editor types; without a check it reaches
Redis on 127.0.0.1:6379, the cloud metadata service on 169.254.169.254 or
anything on the private network, and the delivery log reports what answered.

So a target is vetted twice. When an endpoint is saved, its host is resolved
and every address it resolves to must be public (not loopback, private,
link-local, multicast, reserved or unspecified; IPv4-mapped and other IPv6
forms of an IPv4 address are judged as that address; the resolver reads the
decimal, octal and hex spellings of an IPv4 address, so those are judged as
the address they mean). When a delivery is sent, the host is resolved again,
vetted again, and the connection goes to the vetted address itself, so a DNS
answer that changes between the check and the connection (rebinding) changes
nothing. Redirects are not followed, and errors are reported in coarse words.

WEBHOOK_ALLOWED_HOSTS lists the exceptions, for receivers on an intranet:
host names (exact) and IP addresses or networks in CIDR notation.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SCHEMES = {"http": 80, "https": 443}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class RefusedTarget(ValueError):
    """The URL may not be called; the message is for the editor, in the admin's language."""


class Unresolvable(RefusedTarget):
    """The host name has no address (now): perhaps a passing DNS failure."""


class DeliveryFailed(OSError):
    """No HTTP answer: the connection failed or timed out (deliberately not told apart)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: IPAddress  # the vetted address the connection goes to


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if address.version != 6:
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: IPAddress) -> bool:
    """A globally routable unicast address, judged as its IPv4 form when it embeds one."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return is_public(embedded)
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (address.version == 6 and address.is_site_local)
    )


def _allowed_networks() -> tuple[set[str], list[ipaddress.IPv4Network | ipaddress.IPv6Network]]:
    names, networks = set(), []
    for entry in settings.WEBHOOK_ALLOWED_HOSTS:
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            names.add(entry.lower().rstrip("."))
    return names, networks


def _allowed(host: str, address: IPAddress) -> bool:
    names, networks = _allowed_networks()
    if host.lower().rstrip(".") in names:
        return True
    forms = [form for form in (address, _embedded_ipv4(address)) if form is not None]
    return any(
        form.version == network.version and form in network
        for form in forms
        for network in networks
    )


def _parts(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedTarget("L'indirizzo non è un URL valido.") from None
    if parts.scheme not in SCHEMES:
        raise RefusedTarget("Sono ammessi solo indirizzi http:// e https://.")
    if not parts.hostname:
        raise RefusedTarget("L'indirizzo deve indicare un host.")
    if parts.username is not None or parts.password is not None:
        raise RefusedTarget("L'indirizzo non può contenere nome utente o password.")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, parts.hostname, port or SCHEMES[parts.scheme], path


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Unresolvable(f"Il nome «{host[:100]}» non si risolve in un indirizzo.") from None
    # Scope ids ("fe80::1%eth0") are dropped: the address alone decides.
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))


def vet(url: str) -> Target:
    """Resolve the URL's host and check every address; RefusedTarget names what is wrong."""
    scheme, host, port, path = _parts(url)
    addresses = _resolve(host, port)
    if not addresses:
        raise Unresolvable(f"Il nome «{host[:100]}» non si risolve in un indirizzo.")
    for address in addresses:
        if not (is_public(address) or _allowed(host, address)):
            raise RefusedTarget(
                "L'indirizzo porta a una rete non pubblica (locale, loopback, link-local, "
                "multicast o riservata): i webhook non possono raggiungerla. Per un "
                "destinatario nella rete interna va aggiunto a WEBHOOK_ALLOWED_HOSTS."
            )
    return Target(scheme, host, port, path, addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the vetted address; the Host header keeps the URL's host."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = str(target.address)

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the vetted address; the certificate is checked against the URL's host."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._address = str(target.address)

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST to a vetted address and return the HTTP status; a redirect is returned, not followed.

    Raises RefusedTarget when the URL may not be called, DeliveryFailed when no
    HTTP answer came (refused, unreachable, timed out, TLS failure).
    """
    target = vet(url)
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        return connection.getresponse().status
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryFailed("connessione non riuscita") from exc
    finally:
        connection.close()
