"""The newsletter admin as an outsider attacks it: subscriber-controlled text in every
view, users without newsletter permissions, forged POSTs, sending without confirming."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from newsletter import attribution
from newsletter.models import (
    ConsentAction,
    ConsentRecord,
    ConsentSource,
    Delivery,
    DeliveryState,
    Issue,
    IssueState,
    Subscriber,
    Suppression,
    SuppressionReason,
    SuppressionSource,
)
from newsletter.suppression import suppress
from tests.newsletter import builders

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]

PAYLOAD = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
EMAIL = f"x{PAYLOAD}@example.org"


@pytest.fixture
def hostile():
    """A newsletter, issue, subscriber and history whose every free text is markup."""
    newsletter = builders.newsletter(name=f"Notizie {PAYLOAD}", count_clicks=True)
    person = builders.subscriber(newsletter, EMAIL)
    issue = builders.approved_issue(newsletter, title=f"Titolo {PAYLOAD}")
    Issue.objects.filter(pk=issue.pk).update(subject=f"Oggetto {PAYLOAD}")
    issue.refresh_from_db()
    Delivery.objects.create(
        issue=issue,
        subscriber=person,
        state=DeliveryState.FAILED,
        error_code="550",
        error_message=f"rifiutato {PAYLOAD}",
    )
    for action in (ConsentAction.SUBSCRIBE, ConsentAction.UNSUBSCRIBE):
        ConsentRecord.objects.create(
            subscriber=person,
            action=action,
            source=ConsentSource.API,
            origin=f"https://evil.example/{PAYLOAD}",
            user_agent=f"Mozilla {PAYLOAD}",
            lawful_basis=f"base {PAYLOAD}",
            privacy_notice_version="2026-01",
            newsletters=[newsletter.slug],
            issue=issue,
        )
    suppress(EMAIL, SuppressionReason.HARD_BOUNCE)
    attribution.note_suppression(EMAIL, SuppressionSource.PROVIDER)
    return {
        "newsletter": newsletter,
        "issue": issue,
        "person": person,
        "suppression": Suppression.objects.get(),
    }


def pages(objects) -> dict[str, str]:
    issue, person = objects["issue"], objects["person"]
    suppression = objects["suppression"]
    return {
        "dashboard": "/admin/",
        "report": f"/admin/newsletter-reports/{issue.pk}/",
        "subscriber": f"/admin/newsletter/subscribers/inspect/{person.pk}/",
        "subscribers": "/admin/newsletter/subscribers/",
        "suppressions": f"/admin/newsletter-suppressions/?q={EMAIL}",
        "suppression": f"/admin/newsletter-suppressions/{suppression.pk}/remove/?email={EMAIL}",
        "issues": "/admin/newsletter-issues/",
        "issue": f"/admin/newsletter-issues/{issue.pk}/",
        "newsletters": "/admin/newsletters/",
    }


def user_with(*codenames: str, superuser: bool = False):
    model = get_user_model()
    if superuser:
        return model.objects.create_superuser("capo", "capo@example.org", "pw-12345")
    user = model.objects.create_user(f"utente-{len(codenames)}", "u@example.org", "pw-12345")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(codename__in=codenames),
    )
    return user


@pytest.mark.parametrize(
    "name",
    [
        "dashboard",
        "report",
        "subscriber",
        "subscribers",
        "suppressions",
        "suppression",
        "issues",
        "issue",
        "newsletters",
    ],
)
def test_subscriber_and_editor_text_is_escaped_in_every_newsletter_admin_view(
    client, hostile, name
):
    client.force_login(user_with(superuser=True))
    response = client.get(pages(hostile)[name])
    assert response.status_code == 200
    html = response.content.decode()
    assert ESCAPED in html  # the hostile text is shown, as text
    assert PAYLOAD not in html


def test_the_confirmation_page_escapes_the_newsletter_name_and_subject(client, hostile):
    client.force_login(user_with(superuser=True))
    issue = hostile["issue"]
    html = client.post(f"/admin/newsletter-issues/{issue.pk}/send/").content.decode()
    assert ESCAPED in html and PAYLOAD not in html


def test_the_report_links_only_to_web_addresses(client, hostile):
    """A frozen item URL that is not http(s) is shown as text, never as a javascript: link."""
    client.force_login(user_with(superuser=True))
    issue = hostile["issue"]
    issue.items.update(url="javascript:alert(document.cookie)")
    html = client.get(f"/admin/newsletter-reports/{issue.pk}/").content.decode()
    assert 'href="javascript:' not in html


@pytest.mark.parametrize("codenames", [(), ("add_page", "change_page", "publish_page")])
def test_an_admin_user_without_newsletter_permissions_sees_none_of_it(client, hostile, codenames):
    client.force_login(user_with(*codenames))
    for name, path in pages(hostile).items():
        response = client.get(path)
        body = response.content.decode()
        if name == "dashboard":
            assert response.status_code == 200 and "data-newsletter-panel" not in body
        else:
            assert response.status_code in (302, 403), (name, response.status_code)
        assert ESCAPED not in body and "x&lt;img" not in body, name


def test_anonymous_visitors_are_sent_to_the_login(hostile):
    for path in pages(hostile).values():
        response = Client().get(path)
        assert response.status_code == 302 and "/login/" in response["Location"], path


def test_a_user_who_may_see_issues_but_not_subscribers_reads_no_address_in_the_report(
    client, hostile
):
    client.force_login(user_with("view_issue"))
    html = client.get(f"/admin/newsletter-reports/{hostile['issue'].pk}/").content.decode()
    assert "data-problems" in html and "data-unsubscribes" in html
    assert "example.org" not in html.split("data-issue-report", 1)[1]
    assert client.get(pages(hostile)["subscriber"]).status_code in (302, 403)


def test_forged_posts_by_a_user_without_newsletter_permissions_change_nothing(client, hostile):
    client.force_login(user_with("view_issue"))
    issue, suppression = hostile["issue"], hostile["suppression"]
    forged = [
        (f"/admin/newsletter-issues/{issue.pk}/send/", {"confirmed": "1"}),
        (f"/admin/newsletter-issues/{issue.pk}/cancel/", {}),
        (f"/admin/newsletters/{hostile['newsletter'].pk}/send-now/", {"confirmed": "1"}),
        (f"/admin/newsletter-suppressions/{suppression.pk}/remove/", {"reason": "ok"}),
        (f"/admin/newsletter/subscribers/mark-bounced/{hostile['person'].pk}/", {}),
        (f"/admin/newsletter/subscribers/erase/{hostile['person'].pk}/", {"confirmed": "1"}),
    ]
    for path, data in forged:
        # Wagtail turns a refused admin view into a redirect to the admin home.
        response = client.post(path, data)
        assert response.status_code == 403 or response["Location"] == "/admin/", path
    issue.refresh_from_db()
    assert issue.state == IssueState.APPROVED
    assert Issue.objects.count() == 1
    assert Suppression.objects.filter(pk=suppression.pk).exists()
    assert Subscriber.objects.get(pk=hostile["person"].pk).email == EMAIL


def test_a_post_without_the_csrf_token_sends_nothing(hostile, eager_tasks, smtp_server):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user_with(superuser=True))
    issue = hostile["issue"]
    with eager_tasks():
        response = browser.post(f"/admin/newsletter-issues/{issue.pk}/send/", {"confirmed": "1"})
    assert response.status_code == 403
    issue.refresh_from_db()
    assert issue.state == IssueState.APPROVED and not smtp_server.messages


def test_neither_a_get_nor_an_unconfirmed_post_sends(client, hostile, eager_tasks, smtp_server):
    client.force_login(user_with(superuser=True))
    issue, newsletter = hostile["issue"], hostile["newsletter"]
    type(newsletter).objects.filter(pk=newsletter.pk).update(requires_approval=False)
    with eager_tasks():
        assert (
            client.get(f"/admin/newsletter-issues/{issue.pk}/send/?confirmed=1").status_code == 405
        )
        client.post(f"/admin/newsletter-issues/{issue.pk}/send/", {"confirmed": "yes"})
        client.post(f"/admin/newsletter-issues/{issue.pk}/send/?confirmed=1")
        client.get(f"/admin/newsletters/{newsletter.pk}/send-now/?confirmed=1")
        client.post(f"/admin/newsletters/{newsletter.pk}/send-now/")
    issue.refresh_from_db()
    assert issue.state == IssueState.APPROVED
    assert Issue.objects.count() == 1 and issue.send_started_at is None
    assert not smtp_server.messages
    assert issue.scheduled_for is None
