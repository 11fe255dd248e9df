"""Images in a private collection never reach the newsletter nor its public archive.

The API already hid them (cms/public.py); on c88be13 the newsletter rendered the hero of any
live news page, so a login-restricted image was emailed to every subscriber and archived.
"""

from __future__ import annotations

import pytest
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection

from newsletter import content
from tests import factories
from tests.cms.api.conftest import private_collection
from tests.newsletter import builders
from tests.newsletter.sending_support import clean_cache, send_all  # noqa: F401

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]


@pytest.fixture(autouse=True)
def root_collection():
    # A transactional test elsewhere may have flushed the rows Wagtail's migrations create.
    return Collection.get_first_root_node() or Collection.add_root(name="Root")


def image(title: str, collection: Collection | None = None) -> Image:
    return Image.objects.create(
        title=title,
        file=get_test_image_file(filename=f"hero-{title}-file.png"),
        collection=collection or Collection.get_first_root_node(),
    )


@pytest.fixture
def sent_issue(smtp_settings, smtp_server):
    secret, public = image("riservata", private_collection()), image("pubblica")
    newsletter = builders.newsletter(slug="innovazione")
    builders.subscriber(newsletter, "anna@example.org")
    factories.news(title="Notizia con foto riservata", hero_image=secret, hero_alt="Segreta")
    factories.news(title="Notizia con foto pubblica", hero_image=public, hero_alt="Aperta")
    from newsletter import assembly, sending

    issue = assembly.assemble(newsletter).issue
    sending.approve(issue)
    send_all(issue)
    (message,) = smtp_server.wait_for(1)
    return issue, message, secret, public


def image_urls(image: Image) -> list[str]:
    """Every way the image's file could show up: original and renditions."""
    return [image.file.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]] + [
        r.file.name for r in image.renditions.all()
    ]


def test_the_digest_leaves_out_a_private_image_and_keeps_a_public_one(sent_issue):
    issue, message, secret, public = sent_issue
    html = message.get_body(preferencelist=("html",)).get_content()

    frozen = {item.title: item.image_url for item in issue.items.all()}
    assert frozen["Notizia con foto riservata"] == ""
    assert frozen["Notizia con foto pubblica"].startswith("http://localhost:8000/media/images/")
    assert "Notizia con foto riservata" in html  # the story itself is public
    for trace in image_urls(secret):
        assert trace not in html
    assert "Segreta" not in html
    assert frozen["Notizia con foto pubblica"] in html


def test_the_public_archive_leaves_out_a_private_image(client, sent_issue):
    issue, _message, secret, _public = sent_issue

    html = client.get(f"/newsletter/archive/innovazione/{issue.number}/").content.decode()
    api = client.get(f"/api/v2/issues/{issue.pk}/").content.decode()

    assert "Notizia con foto riservata" in html
    for page in (html, api):
        for trace in image_urls(secret):
            assert trace not in page
        assert "Segreta" not in page


def test_a_page_read_outside_recent_news_follows_the_same_rule():
    secret = image("riservata", private_collection())
    page = factories.news(hero_image=secret, hero_alt="Segreta")

    assert content.image(page) == ("", "")
