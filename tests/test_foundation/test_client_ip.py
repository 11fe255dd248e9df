from django.test import RequestFactory

from web.client_ip import client_ip


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("10.0.0.2", "203.0.113.9")) == "10.0.0.2"


def test_behind_one_proxy_the_address_it_saw_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from("10.0.0.2", "198.51.100.7, 203.0.113.9")) == "203.0.113.9"


def test_behind_two_proxies_the_entry_written_by_the_outer_one_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    forwarded = "198.51.100.7, 203.0.113.9, 10.0.0.1"
    assert client_ip(request_from("10.0.0.2", forwarded)) == "203.0.113.9"


def test_a_request_that_skipped_the_proxy_falls_back_to_the_socket_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from("10.0.0.2")) == "10.0.0.2"
