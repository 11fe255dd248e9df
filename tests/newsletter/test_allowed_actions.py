"""allowed_actions(issue): what the admin offers is exactly what the state machine accepts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from newsletter import assembly, sending
from newsletter.models import Issue, IssueState
from tests import factories
from tests.newsletter import builders
from tests.newsletter.sending_support import clean_cache  # noqa: F401

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]

# The diagram at the top of sending.py, as the admin's buttons.
OFFERED = {
    IssueState.DRAFT: {"approve", "send", "cancel"},
    IssueState.APPROVED: {"schedule", "send", "cancel"},
    IssueState.SENDING: {"pause"},
    IssueState.PAUSED: {"resume", "cancel"},
    IssueState.SENT: set(),
    IssueState.CANCELLED: set(),
}


class _Undo(Exception):
    pass


def accepted(issue_id: int, action: str) -> bool:
    """Run the action's transition on the issue, then roll it back; True when it moved."""
    issue = Issue.objects.get(pk=issue_id)
    try:
        with transaction.atomic():
            if action == "approve":
                sending.approve(issue)
            elif action == "schedule":
                sending.schedule(issue, timezone.now() + timedelta(days=1))
            elif action == "cancel":
                sending.cancel(issue)
            elif action == "pause":
                if not sending.pause(issue, "by hand"):
                    return False
            elif action == "resume":
                sending.resume(issue)
            elif action == "send":  # the admin's "Invia ora"
                if issue.state == IssueState.DRAFT:
                    sending.approve(issue)
                sending.start_sending(issue)
            raise _Undo
    except _Undo:
        return True
    except sending.TransitionError:
        return False


@pytest.fixture
def issue(db):
    newsletter = builders.newsletter()
    builders.subscriber(newsletter)
    factories.news()
    return assembly.assemble(newsletter).issue


@pytest.mark.parametrize("state", IssueState.values)
def test_the_admin_offers_exactly_the_actions_the_state_machine_accepts(issue, state):
    Issue.objects.filter(pk=issue.pk).update(state=state)
    issue.refresh_from_db()

    offered = sending.allowed_actions(issue)
    # "send" on an issue already sending does nothing new, so it is never offered there.
    actions = set(sending.SOURCES) - ({"send"} if state == IssueState.SENDING else set())
    moved = {action for action in actions if accepted(issue.pk, action)}

    assert offered == OFFERED[state]
    assert moved == offered
