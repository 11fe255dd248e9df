"""Password guessing on the Wagtail admin login (issue #9): django-axes throttles it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = [pytest.mark.services("postgres"), pytest.mark.django_db]
LOGIN = "/admin/login/"
PASSWORD = "la-password-giusta-123"


@pytest.fixture
def editors(settings):
    settings.AXES_FAILURE_LIMIT = 3
    users = get_user_model().objects
    return (
        users.create_superuser("redattrice", "r@example.org", PASSWORD),
        users.create_superuser("caporedattore", "c@example.org", PASSWORD),
    )


def log_in(username: str, password: str, **client_address) -> int:
    """POST the admin login form from a fresh browser; the status of the answer."""
    response = Client().post(LOGIN, {"username": username, "password": password}, **client_address)
    return response.status_code


def logged_in(status: int) -> bool:
    return status == 302  # Wagtail redirects to the dashboard after a good login


def test_after_the_failure_limit_even_the_right_password_is_refused(editors):
    failures = [log_in("redattrice", "wrong", REMOTE_ADDR="198.51.100.7") for _ in range(3)]
    assert failures == [200, 200, 429]  # the third failure reaches the limit

    status = log_in("redattrice", PASSWORD, REMOTE_ADDR="198.51.100.7")

    assert not logged_in(status)
    assert status == 429


def test_a_lockout_does_not_stop_other_users_or_other_clients(editors):
    for _ in range(4):
        log_in("redattrice", "wrong", REMOTE_ADDR="198.51.100.7")

    assert logged_in(log_in("caporedattore", PASSWORD, REMOTE_ADDR="198.51.100.7"))
    assert logged_in(log_in("redattrice", PASSWORD, REMOTE_ADDR="192.0.2.44"))


def test_behind_a_proxy_the_client_not_the_proxy_is_locked_out(editors, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(4):
        log_in("redattrice", "wrong", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")

    attacker = log_in(
        "redattrice", PASSWORD, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    colleague = log_in(
        "redattrice", PASSWORD, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.44"
    )

    assert not logged_in(attacker)
    assert logged_in(colleague)


def test_an_ipv6_attacker_cannot_escape_by_changing_address_within_its_64(editors):
    for n in range(1, 5):
        log_in("redattrice", "wrong", REMOTE_ADDR=f"2001:db8:5:5::{n}")

    assert not logged_in(log_in("redattrice", PASSWORD, REMOTE_ADDR="2001:db8:5:5::99"))
