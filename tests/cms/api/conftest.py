"""Builders and clients for the public API tests."""

from __future__ import annotations

import io
import itertools
from datetime import date

import pytest
from django.core.cache import cache
from django.core.files.images import ImageFile
from django.test import Client
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction

from cms import caching
from cms.models import Mission, Organisation, Person, Place
from tests import factories
from web import ratelimit

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_cache(settings, tmp_path):
    """Each test starts with an empty response cache and its own media folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SITE_URL = "https://notizie.example.org"
    cache.clear()
    ratelimit.reset_all()
    caching.forget_all()
    yield
    cache.clear()
    ratelimit.reset_all()
    caching.forget_all()


@pytest.fixture
def api() -> Client:
    return Client()


def image(title: str = "Foto", *, collection: Collection | None = None, size=(2000, 1200)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "teal").save(buffer, format="PNG")
    name = f"foto-{next(_counter)}.png"
    return get_image_model().objects.create(
        title=title,
        file=ImageFile(io.BytesIO(buffer.getvalue()), name=name),
        collection=collection or Collection.get_first_root_node(),
    )


def document(title: str = "Allegato", *, collection: Collection | None = None):
    from django.core.files.base import ContentFile

    return get_document_model().objects.create(
        title=title,
        file=ContentFile(b"%PDF-1.4 test", name=f"allegato-{next(_counter)}.pdf"),
        collection=collection or Collection.get_first_root_node(),
    )


def private_collection(name: str = "Riservata") -> Collection:
    collection = Collection.get_first_root_node().add_child(name=f"{name} {next(_counter)}")
    CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.LOGIN
    )
    return collection


def organisation(name="Regione Toscana", language="it", **fields) -> Organisation:
    return Organisation.objects.create(
        name=name,
        slug=fields.pop("slug", None) or name.lower().replace(" ", "-"),
        kind=fields.pop("kind", "institution"),
        locale=factories.locale(language),
        **fields,
    )


def person(name="Leonardo Marras", org=None, language="it") -> Person:
    return Person.objects.create(
        name=name,
        slug=name.lower().replace(" ", "-"),
        role="assessore all'economia",
        organisation=org,
        locale=factories.locale(language),
    )


def place(name="Houston", language="it") -> Place:
    return Place.objects.create(
        name=name,
        slug=name.lower().replace(" ", "-"),
        city=name,
        region="Texas",
        country="Stati Uniti",
        latitude="29.760427",
        longitude="-95.369804",
        locale=factories.locale(language),
    )


def mission(name="Missione in Texas", language="it", destination=None) -> Mission:
    return Mission.objects.create(
        name=name,
        slug=name.lower().replace(" ", "-"),
        destination=destination,
        start_date=date(2024, 5, 20),
        end_date=date(2024, 5, 24),
        summary="Una settimana di incontri.",
        locale=factories.locale(language),
    )


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo content (cms and newsletter loaders), loaded once for the module.

    Besides what `load_demo` builds: every image's renditions (made while the demo's
    media folder is current, since each test gets its own), a sent issue of the Italian
    demo newsletter, a draft with a headless-preview token, and an alias of the
    reference story, and a document. Rolled back at the end of the module.
    """
    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings
    from django.utils import timezone

    from cms.api.fields import RENDITIONS
    from cms.demo import REFERENCE_SLUG
    from cms.models import NewsPage
    from newsletter import assembly, sending
    from newsletter.models import Issue, IssueState, Newsletter

    media = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=str(media), DEMO_LOADERS=["cms.demo.load", "newsletter.demo.load"]
        ),
        transaction.atomic(),
    ):
        call_command("load_demo", stdout=io.StringIO())
        for item in get_image_model().objects.all():
            item.get_renditions(*RENDITIONS.values())
        document("Programma della missione")  # the demo has no documents of its own
        story = NewsPage.objects.get(slug=REFERENCE_SLUG, locale__language_code="it")
        # An issue as the archive shows it once sent (sending itself is tested elsewhere).
        issue = assembly.assemble(Newsletter.objects.get(slug="innovazione-in-toscana")).issue
        sending.approve(issue)
        Issue.objects.filter(pk=issue.pk).update(
            state=IssueState.SENT, send_finished_at=timezone.now()
        )
        draft = NewsPage.objects.filter(locale__language_code="it").exclude(pk=story.pk).first()
        draft.title = "Bozza: " + draft.title
        draft.save_revision()
        token = draft.create_page_preview().token
        alias = story.create_alias(parent=story.get_parent(), update_slug=story.slug + "-alias")
        yield {"story": story, "issue": issue, "preview_token": token, "alias": alias}
        transaction.set_rollback(True)
