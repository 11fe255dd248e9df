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
