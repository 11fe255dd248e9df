"""Ways round the VCL's pass rules (deploy/varnish/default.vcl) that Django still routes:
percent-encoded paths and absolute-form request lines. Varnish must not keep what they
return: the admin, the preview and the newsletter's pages reach Django every time."""

from __future__ import annotations

import socket

import pytest

from tests.cms import test_edge_cache

# The varnishd and request-counting fixtures of the edge cache tests.
varnish = test_edge_cache.varnish
django_requests = test_edge_cache.django_requests

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db(transaction=True)]

DISGUISED = [
    "/%61dmin/login/",
    "/admin%2Flogin/",
    "/%6eewsletter/c/1/1/",
    "/api/v2/%70review/?content_type=cms.newspage&token=forged",
    "/api/v2/preview/?content_type=cms.newspage&token=forged",
    "/%61pi/v2/preview/?content_type=cms.newspage&token=forged",
    "/%68ealthz",
]


def raw_get(port: int, target: str, headers: str = "") -> bytes:
    """One GET with the request target exactly as given (absolute form allowed)."""
    request = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{headers}\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("path", DISGUISED)
def test_a_disguised_private_path_is_never_served_from_the_edge(varnish, django_requests, path):
    for attempt in range(1, 4):
        response = raw_get(varnish.port, path, "Cookie: sessionid=abc\r\n")
        assert b"X-Edge-Cache: hit" not in response, (path, response[:300])
        assert django_requests.total() == attempt, django_requests.paths


@pytest.mark.parametrize("path", ["/admin/login/", "/api/v2/preview/?content_type=x&token=y"])
def test_an_absolute_form_request_line_is_never_served_from_the_edge(
    varnish, django_requests, path
):
    for attempt in range(1, 4):
        response = raw_get(varnish.port, f"http://127.0.0.1{path}")
        assert b"X-Edge-Cache: hit" not in response, (path, response[:300])
        assert django_requests.total() == attempt, django_requests.paths


def test_a_purge_in_absolute_form_on_the_public_listener_is_refused(varnish):
    request = (
        "PURGE http://127.0.0.1/api/* HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", varnish.port), timeout=10) as sock:
        sock.sendall(request.encode())
        status = sock.recv(100).split(b"\r\n", 1)[0]
    assert b" 405 " in status
