"""Two claimers at once never get the same delivery: the row locks of `claim()`, on PostgreSQL.

One claimer holds its claim's transaction open while a second claims. With
SELECT … FOR UPDATE SKIP LOCKED the second skips the locked rows and takes
others; without the lock it reads the same still-pending rows and hands them
out a second time. The first claimer commits only once the second has either
finished or is blocked on a row lock, so the interleaving is forced, not hoped for.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from newsletter import sending
from newsletter.models import Delivery, DeliveryState
from tests.newsletter import builders
from tests.newsletter.sending_support import clean_cache  # noqa: F401

pytestmark = [
    pytest.mark.services("postgres", "redis"),
    pytest.mark.django_db(transaction=True),
]

WAIT = 15.0  # seconds; every wait below is bounded by this


def backend_is_waiting_for_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


class SecondClaimer(threading.Thread):
    """Claims in its own thread, hence on its own database connection."""

    def __init__(self, issue, batch_size: int):
        super().__init__(daemon=True)
        self.issue, self.batch_size = issue, batch_size
        self.pid: int | None = None
        self.started_claiming = threading.Event()
        self.claimed: list[int] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.started_claiming.set()
            self.claimed = sending.claim(self.issue, self.batch_size)
        except BaseException as exc:  # reported by the test thread
            self.error = exc
        finally:
            self.started_claiming.set()
            connection.close()


def claim_while_another_claim_is_open(issue, batch_size: int) -> tuple[list[int], list[int]]:
    with transaction.atomic():
        first = sending.claim(issue, batch_size)  # its row locks last until this block ends
        second = SecondClaimer(issue, batch_size)
        second.start()
        assert second.started_claiming.wait(WAIT)
        deadline = time.monotonic() + WAIT
        while second.is_alive() and time.monotonic() < deadline:
            if second.pid and backend_is_waiting_for_a_lock(second.pid):
                break
            second.join(0.02)
    second.join(WAIT)
    assert not second.is_alive(), "the second claim never finished"
    if second.error:
        raise second.error
    return first, second.claimed


def test_a_claim_made_while_another_is_open_takes_only_other_deliveries():
    weekly = builders.newsletter()
    builders.subscribers(weekly, 12)
    issue = builders.approved_issue(weekly)
    sending.start_sending(issue)

    first, second = claim_while_another_claim_is_open(issue, batch_size=8)

    assert len(first) == 8
    assert set(first).isdisjoint(second), "a delivery was handed to two claimers"
    assert len(second) == 4, "the second claimer takes the rows nobody holds"
    assert set(issue.deliveries.values_list("state", flat=True)) == {DeliveryState.SENDING}
    assert not Delivery.objects.filter(issue=issue, attempts__gt=1).exists()
