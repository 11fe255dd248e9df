"""A restricted news page is never emailed: it stays out of digests and the public archive.

A story behind a password or a login (Wagtail's PageViewRestriction) published in
the window of a digest must not reach subscribers, nor the archive that shows
the issue to anyone.
"""

from __future__ import annotations

import pytest
from wagtail.models import PageViewRestriction

from newsletter import assembly, sending
from tests import factories
from tests.newsletter import builders
from tests.newsletter.sending_support import clean_cache, send_all  # noqa: F401

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]

RESTRICTED = ("Riservata con password", "Solo per chi ha un account")


def publish_one_public_and_two_restricted_stories():
    index = factories.site_tree()
    factories.news(index, title="Pubblica per tutti")
    secret = factories.news(index, title=RESTRICTED[0])
    PageViewRestriction.objects.create(
        page=secret, restriction_type=PageViewRestriction.PASSWORD, password="segreta"
    )
    members = factories.news(index, title=RESTRICTED[1])
    PageViewRestriction.objects.create(page=members, restriction_type=PageViewRestriction.LOGIN)


def test_a_digest_leaves_out_restricted_news():
    weekly = builders.newsletter()
    publish_one_public_and_two_restricted_stories()
    issue = assembly.assemble(weekly).issue
    assert [item.title for item in issue.items.all()] == ["Pubblica per tutti"]


def test_restricted_news_is_neither_emailed_nor_archived(client, smtp_settings, smtp_server):
    weekly = builders.newsletter(slug="innovazione")
    builders.subscriber(weekly, "anna@example.org")
    publish_one_public_and_two_restricted_stories()
    issue = assembly.assemble(weekly).issue
    sending.approve(issue)
    send_all(issue)

    [message] = smtp_server.wait_for(1)
    email_html = message.get_body(("html",)).get_content()
    archive_html = client.get(f"/newsletter/archive/innovazione/{issue.number}/").content.decode()
    api_items = client.get(f"/api/v2/issues/{issue.pk}/").json()["items"]
    for html in (email_html, archive_html):
        assert "Pubblica per tutti" in html
        for title in RESTRICTED:
            assert title not in html
    assert [item["title"] for item in api_items] == ["Pubblica per tutti"]
