"""The Wagtail admin for issues: preview, progress, test send and the approval flow."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from newsletter import assembly, sending
from newsletter.models import IssueState
from tests import factories
from tests.newsletter import builders
from tests.newsletter.sending_support import clean_cache, send_all  # noqa: F401

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]


@pytest.fixture
def editor(client):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "password-123")
    client.force_login(user)
    return user


@pytest.fixture
def draft():
    newsletter = builders.newsletter(requires_approval=True)
    builders.subscriber(newsletter)
    factories.news(title="Robotica <b>a</b> Pisa")
    return assembly.assemble(newsletter).issue


def test_the_issue_list_shows_state_and_progress(client, editor, smtp_settings, smtp_server):
    newsletter = builders.newsletter()
    builders.subscribers(newsletter, 3)
    issue = builders.approved_issue(newsletter)
    send_all(issue)
    response = client.get("/admin/newsletter-issues/")
    assert response.status_code == 200
    html = response.content.decode()
    assert issue.subject in html
    assert "Inviato" in html
    assert '<progress max="3" value="3"' in html


def test_the_preview_shows_subject_text_and_the_html_in_an_iframe(client, editor, draft):
    response = client.get(f"/admin/newsletter-issues/{draft.pk}/")
    html = response.content.decode()
    assert draft.subject in html
    assert f'src="/admin/newsletter-issues/{draft.pk}/preview/"' in html
    assert "Robotica &lt;b&gt;a&lt;/b&gt; Pisa" in html  # the text part, escaped


def test_the_preview_html_is_the_email_with_no_personal_links(client, editor, draft):
    response = client.get(f"/admin/newsletter-issues/{draft.pk}/preview/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "/newsletter/subscribe/" in response.content.decode()


def test_approving_a_draft_moves_it_to_approved(client, editor, draft):
    response = client.post(f"/admin/newsletter-issues/{draft.pk}/approve/")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == IssueState.APPROVED
    assert draft.approved_by == editor


def test_scheduling_needs_a_time_in_the_future(client, editor, draft):
    sending.approve(draft)
    client.post(f"/admin/newsletter-issues/{draft.pk}/schedule/", {"when": "2000-01-01T09:00"})
    draft.refresh_from_db()
    assert draft.scheduled_for is None


def test_scheduling_an_approved_issue_sets_its_time(client, editor, draft):
    sending.approve(draft)
    client.post(
        f"/admin/newsletter-issues/{draft.pk}/schedule/",
        {"when": "2099-01-01T09:00", "confirmed": "1"},
    )
    draft.refresh_from_db()
    assert draft.scheduled_for.year == 2099
    assert list(sending.due_issues()) == []


def test_cancelling_a_draft_from_the_admin(client, editor, draft):
    client.post(f"/admin/newsletter-issues/{draft.pk}/cancel/")
    draft.refresh_from_db()
    assert draft.state == IssueState.CANCELLED


def test_an_impossible_transition_is_explained_not_a_crash(client, editor, draft):
    sending.cancel(draft)
    response = client.post(f"/admin/newsletter-issues/{draft.pk}/approve/", follow=True)
    assert response.status_code == 200
    assert "only a draft can be approved" in response.content.decode()


def test_send_a_test_to_me_mails_the_editor(client, editor, draft, smtp_settings, smtp_server):
    client.post(f"/admin/newsletter-issues/{draft.pk}/test/")
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "editor@example.org"
    assert draft.deliveries.count() == 0


def test_the_progress_endpoint_counts_deliveries(client, editor, smtp_settings, smtp_server):
    newsletter = builders.newsletter()
    builders.subscribers(newsletter, 2)
    issue = builders.approved_issue(newsletter)
    send_all(issue)
    data = client.get(f"/admin/newsletter-issues/{issue.pk}/progress/").json()
    assert (data["state"], data["total"], data["sent"], data["failed"]) == ("sent", 2, 2, 0)


def test_newsletters_are_edited_in_the_admin(client, editor):
    newsletter = builders.newsletter()
    response = client.get(f"/admin/newsletters/edit/{newsletter.pk}/")
    assert response.status_code == 200
    assert "send_time" in response.content.decode()


def test_someone_without_permission_cannot_approve(client, draft):
    user = get_user_model().objects.create_user("visitor", "v@example.org", "password-123")
    client.force_login(user)
    response = client.post(f"/admin/newsletter-issues/{draft.pk}/approve/")
    assert response.status_code in {302, 403}
    draft.refresh_from_db()
    assert draft.state == IssueState.DRAFT
