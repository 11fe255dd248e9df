"""The walking skeleton: a published news item reaches a subscriber's inbox.

News published in the CMS → served by the API → assembled and sent by a real
Celery worker → received by a real SMTP server as one multipart email.
"""

from __future__ import annotations

import time

import pytest

from newsletter import content, tasks
from newsletter.models import IssueState
from tests import factories
from tests.newsletter import builders


@pytest.mark.services("postgres", "redis")
@pytest.mark.django_db(transaction=True)
def test_published_news_reaches_a_confirmed_subscriber_as_one_multipart_email(
    client, celery_worker, smtp_server
):
    page = factories.news(title="Un nuovo laboratorio di robotica a Pisa")

    api = client.get("/api/v2/pages/", {"type": "cms.NewsPage"})
    assert api.status_code == 200
    assert page.title in [item["title"] for item in api.json()["items"]]

    newsletter = builders.newsletter()
    builders.subscriber(newsletter, "lettrice@example.com")
    tasks.digest.delay(newsletter.pk)

    smtp_server.wait_for(1, timeout=60)
    # Every message is at the server before its issue can be marked sent, and nothing is
    # sent after that: once the issue is sent, a duplicate would already be here.
    deadline = time.monotonic() + 60
    while not newsletter.issues.filter(state=IssueState.SENT).exists():
        assert time.monotonic() < deadline, "the issue was not marked sent within 60s"
        time.sleep(0.1)
    [received] = smtp_server.handler.received
    assert received.rcpt_tos == ["lettrice@example.com"]
    message = received.message
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    html = message.get_body(("html",)).get_content()
    assert page.title in html
    assert f'href="{content.page_url(page)}"' in html
    assert content.page_url(page).startswith("http")
