"""Attacks on the rate limits and the public subscription flow (issue #9).

Each test names the attack it stops; each failed on commit c88be13.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from config.celery import app
from newsletter import subscriptions
from newsletter.models import (
    ConsentRecord,
    Subscriber,
    SubscriberStatus,
    SuppressionReason,
)
from newsletter.suppression import suppress
from tests.newsletter.consent_support import link_in, nothing_stored
from tests.support.redis_commands import count_commands, counting_redis_commands
from web.ratelimit import RateLimit

pytestmark = pytest.mark.services("postgres", "redis")
URL = "/api/v2/subscriptions/"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def post(client, body, content_type="application/json", **extra):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(URL, data=data, content_type=content_type, **extra)


def valid(**overrides):
    return {"email": "anna@example.org", "newsletters": ["innovazione"], "locale": "it",
            "consent": True, **overrides}  # fmt: skip


# 1. The rate limiter itself ---------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["allowed", "refused"])
def test_a_decision_costs_the_same_redis_commands_for_a_one_minute_and_a_one_day_period(
    fresh_rate_limits, outcome
):
    costs = {}
    for period in (60, 86_400):
        limit = RateLimit(f"security.cost.{period}", 1, period)
        limit.hit(f"warm-up-{uuid.uuid4()}")  # loads the Lua scripts once
        identity = f"client-{uuid.uuid4()}"
        if outcome == "refused":
            assert limit.hit(identity).allowed

        decision = None

        def decide(limit=limit, identity=identity):
            nonlocal decision
            decision = limit.hit(identity)

        count = count_commands(decide)
        assert decision.allowed is (outcome == "allowed")
        costs[period] = (count.round_trips, len(count.in_scripts))

    assert costs[60] == costs[86_400]
    assert costs[86_400][0] <= 2, costs  # one script call, plus one read of the window if refused


def test_a_refused_decision_names_a_retry_time_within_the_period(fresh_rate_limits):
    limit = RateLimit("security.retry", 2, 86_400)
    limit.hit("anna")
    limit.hit("anna")

    refused = limit.hit("anna")

    assert not refused.allowed
    assert 1 <= refused.retry_after <= 86_400


def test_concurrent_hits_never_get_past_the_limit(fresh_rate_limits):
    threads, limit_value = 24, 5
    limit = RateLimit("security.concurrency", limit_value, 3600)
    lock = threading.Lock()
    for round_ in range(5):
        identity = f"client-{round_}-{uuid.uuid4()}"
        barrier = threading.Barrier(threads)
        allowed: list[bool] = []

        def hit(identity=identity, barrier=barrier, allowed=allowed):
            barrier.wait(timeout=10)
            decision = limit.hit(identity)
            with lock:
                allowed.append(decision.allowed)

        workers = [threading.Thread(target=hit) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)

        assert len(allowed) == threads
        assert sum(allowed) == limit_value, f"round {round_}: {sum(allowed)} allowed"


def _row_is_locked(email: str) -> bool:
    """Ask from another connection whether someone holds the subscriber's row lock."""
    result: list[bool] = []

    def probe():
        try:
            with transaction.atomic():
                list(Subscriber.objects.select_for_update(nowait=True).filter(email=email))
            result.append(False)
        except DatabaseError:
            result.append(True)
        finally:
            connection.close()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join(timeout=30)
    return result[0]


@pytest.mark.django_db(transaction=True)
def test_no_subscriber_row_is_locked_while_a_rate_limit_decides(weekly, smtp_settings, monkeypatch):
    Subscriber.objects.create(email="anna@example.org", status=SubscriberStatus.PENDING)
    decisions: list[tuple[str, bool]] = []
    real_hit = RateLimit.hit

    def spying_hit(self, identity, cost=1, **kwargs):
        decisions.append((self.name, _row_is_locked("anna@example.org")))
        return real_hit(self, identity, cost, **kwargs)

    monkeypatch.setattr(RateLimit, "hit", spying_hit)
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        subscriptions.subscribe(
            "anna@example.org",
            subscriptions.Selection({weekly.pk: []}),
            "it",
            subscriptions.RequestInfo("api"),
        )
    finally:
        app.conf.task_always_eager = previous

    names = [name for name, _locked in decisions]
    assert "newsletter.confirmation_per_address" in names
    assert [name for name, locked in decisions if locked] == []


# 3. Cross-site subscription and hostile bodies ---------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_a_subscription_that_is_not_json_is_refused_with_415(client, weekly, content_type):
    body = json.dumps(valid()) if content_type == "text/plain" else "email=anna%40example.org"
    response = client.post(URL, data=body, content_type=content_type)

    assert response.status_code == 415
    assert response["Content-Type"] == "application/json"
    assert "__all__" in response.json()["errors"]
    assert nothing_stored()


@pytest.mark.django_db
def test_a_body_nested_five_thousand_deep_is_a_400_not_a_500(client, weekly):
    response = post(client, "[" * 5000 + "]" * 5000)

    assert response.status_code == 400
    assert "__all__" in response.json()["errors"]


@pytest.mark.django_db
def test_a_declared_huge_body_is_refused_before_it_is_read(client, weekly):
    response = post(client, json.dumps(valid()), CONTENT_LENGTH=str(50 * 1024 * 1024))

    assert response.status_code == 413
    assert "__all__" in response.json()["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_another_method_gets_a_json_405(client, method):
    response = getattr(client, method)(URL)

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "__all__" in response.json()["errors"]


# 4. IPv6 clients ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_ipv6_addresses_in_one_64_share_the_api_rate_limit(client, settings, fresh_rate_limits):
    settings.API_RATE_LIMIT, settings.API_RATE_LIMIT_PERIOD = 2, 60

    same_64 = [
        client.get("/api/v2/pages/", REMOTE_ADDR=f"2001:db8:1:2::{n:x}").status_code
        for n in (1, 0xBEEF, 0xFFFF)
    ]
    other_64 = client.get("/api/v2/pages/", REMOTE_ADDR="2001:db8:1:3::1").status_code

    assert same_64[2] == 429 and 429 not in same_64[:2]
    assert other_64 != 429


@pytest.mark.django_db
def test_an_ipv4_mapped_address_is_the_same_client_as_the_ipv4_address(
    client, settings, fresh_rate_limits
):
    settings.API_RATE_LIMIT, settings.API_RATE_LIMIT_PERIOD = 1, 60

    first = client.get("/api/v2/pages/", REMOTE_ADDR="203.0.113.5")
    mapped = client.get("/api/v2/pages/", REMOTE_ADDR="::ffff:203.0.113.5")

    assert first.status_code != 429
    assert mapped.status_code == 429


@pytest.mark.django_db
def test_ipv6_subscribers_behind_a_proxy_share_one_limit_per_64(client, weekly, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.NEWSLETTER_RATE_LIMITS = {
        **settings.NEWSLETTER_RATE_LIMITS,
        "subscribe_per_ip": "2/3600",
    }

    statuses = [
        post(
            client,
            valid(email=f"p{n}@example.org"),
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"2001:db8:7:7:{n}::1",
        ).status_code
        for n in range(1, 4)
    ]

    assert statuses == [202, 202, 429]


# 5. Timing oracle: a suppressed address does the same work as a new one -----------------


@pytest.mark.django_db
def test_a_suppressed_and_a_new_address_cost_the_same_work(
    client, weekly, django_capture_on_commit_callbacks
):
    suppress("blocked@example.org", SuppressionReason.COMPLAINT)
    post(client, valid(email="warm-up@example.org"))  # first-request caches, script loading

    def work(email: str) -> tuple:
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks() as enqueued,
            counting_redis_commands() as redis_commands,
        ):
            response = post(client, valid(email=email))
        return (
            response.status_code,
            response.content,
            len(queries),
            len(enqueued),
            redis_commands.round_trips,
        )

    assert work("blocked@example.org") == work("new@example.org")


# 7. Framing the hosted form -------------------------------------------------------------


@pytest.mark.django_db
def test_the_hosted_form_may_be_framed_only_by_this_site_by_default(client, weekly):
    response = client.get("/newsletter/subscribe/")

    assert response["Content-Security-Policy"] == "frame-ancestors 'self'"


def _settings_value(env: dict[str, str], expression: str) -> subprocess.CompletedProcess:
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_partner_origins_from_the_environment_are_added_to_self():
    result = _settings_value(
        {
            "NEWSLETTER_FORM_FRAME_ANCESTORS": "https://partner.example.org, https://*.regione.example"
        },
        "' '.join(settings.NEWSLETTER_FORM_FRAME_ANCESTORS)",
    )

    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip().splitlines()[-1]
        == "'self' https://partner.example.org https://*.regione.example"
    )


@pytest.mark.parametrize("value", ["*", "https://ok.example.org; script-src *", "'unsafe-inline'"])
def test_a_wildcard_or_an_injected_directive_refuses_to_start(value):
    result = _settings_value({"NEWSLETTER_FORM_FRAME_ANCESTORS": value}, "1")

    assert result.returncode != 0
    assert "NEWSLETTER_FORM_FRAME_ANCESTORS" in result.stderr


# 8. Confirm links are single use ----------------------------------------------------------


@pytest.mark.django_db
def test_an_old_confirm_link_stays_spent_after_the_address_subscribes_again(
    client, weekly, eager_tasks, smtp_server, settings
):
    settings.NEWSLETTER_CONFIRMATION_COOLDOWN = 0
    ask = lambda: subscriptions.subscribe(  # noqa: E731
        "anna@example.org",
        subscriptions.Selection({weekly.pk: []}),
        "it",
        subscriptions.RequestInfo("api"),
    )
    with eager_tasks():
        ask()
    old_link = link_in(smtp_server.wait_for(1)[0], "/newsletter/confirm/")
    assert client.post(old_link).status_code == 200
    again = client.post(old_link)  # used once: spent, and the page says it is confirmed
    assert again.status_code == 200 and "già confermata" in again.content.decode()
    assert ConsentRecord.objects.filter(action="confirm").count() == 1
    person = Subscriber.objects.get()
    subscriptions.unsubscribe(person, subscriptions.RequestInfo("email"))

    with eager_tasks():
        ask()
    new_link = link_in(smtp_server.wait_for(2)[1], "/newsletter/confirm/")

    assert client.post(old_link).status_code == 400
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING
    assert client.get(old_link).status_code == 400
    assert client.post(new_link).status_code == 200
    assert Subscriber.objects.get().status == SubscriberStatus.ACTIVE
    assert ConsentRecord.objects.filter(action="confirm").count() == 2
