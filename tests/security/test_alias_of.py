"""``meta.alias_of`` names only a public original: an alias must not reveal a private page.

An alias is a page of its own, so it can be public while its original sits under a
login or password restriction, has expired or was unpublished. Wagtail's own
PageAliasOfField serialises the original whatever it is (id, title and URL).
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from cms.models import NewsIndexPage
from tests import factories

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]

SECRET = "Fusione segreta ACME"


@pytest.fixture(autouse=True)
def _fresh(settings):
    settings.SITE_URL = "https://notizie.example.org"
    from django.core.cache import cache

    from cms import caching

    cache.clear()
    caching.forget_all()
    yield
    cache.clear()
    caching.forget_all()


def public_alias_of(original: Page) -> Page:
    """An alias of ``original`` in a public section of the site."""
    public_index = factories.site_tree()
    return original.create_alias(parent=public_index, update_slug=original.slug + "-alias")


def private_section(kind: str) -> NewsIndexPage:
    home = factories.site_tree().get_parent()
    section = home.add_child(
        instance=NewsIndexPage(title="Riservata", slug=f"riservata-{kind}", locale=home.locale)
    )
    restriction = PageViewRestriction.objects.create(page=section, restriction_type=kind)
    if kind == PageViewRestriction.PASSWORD:
        restriction.password = "segreta"
        restriction.save()
    elif kind == PageViewRestriction.GROUPS:
        restriction.groups.add(Group.objects.create(name="Soci"))
    return section


def fetch(path: str) -> tuple[int, str]:
    response = Client().get(path)
    return response.status_code, response.content.decode()


def assert_alias_hides(alias: Page, original: Page) -> None:
    status, body = fetch(f"/api/v2/pages/{alias.pk}/")
    assert status == 200
    data = json.loads(body)
    assert data["meta"]["alias_of"] is None
    assert f"/{original.slug}/" not in body and f"/pages/{original.pk}/" not in body
    status, body = fetch("/api/v2/pages/?fields=alias_of&type=cms.NewsPage&limit=50")
    assert status == 200
    listed = {item["id"]: item for item in json.loads(body)["items"]}
    assert listed[alias.pk]["meta"]["alias_of"] is None
    assert f"/{original.slug}/" not in body and f"/pages/{original.pk}/" not in body


@pytest.mark.parametrize(
    "kind",
    [PageViewRestriction.LOGIN, PageViewRestriction.PASSWORD, PageViewRestriction.GROUPS],
)
def test_an_alias_of_a_restricted_page_does_not_reveal_the_original(kind):
    original = factories.news(private_section(kind), title=SECRET)
    alias = public_alias_of(original)
    assert_alias_hides(alias, original)


def test_an_alias_of_an_unpublished_page_does_not_reveal_the_original():
    original = factories.news(title=SECRET)
    alias = public_alias_of(original)
    Page.objects.filter(pk=original.pk).update(live=False)
    assert_alias_hides(alias, original)


def test_an_alias_of_an_expired_page_does_not_reveal_the_original():
    original = factories.news(title=SECRET)
    alias = public_alias_of(original)
    Page.objects.filter(pk=original.pk).update(expire_at=timezone.now() - timezone.timedelta(1))
    assert_alias_hides(alias, original)


def test_an_alias_of_a_public_page_still_names_it():
    original = factories.news(title="Una notizia pubblica")
    alias = public_alias_of(original)
    data = json.loads(fetch(f"/api/v2/pages/{alias.pk}/")[1])
    shown = data["meta"]["alias_of"]
    assert shown["id"] == original.pk and shown["title"] == "Una notizia pubblica"
    assert shown["meta"]["html_url"].startswith("https://notizie.example.org/")
    assert shown["meta"]["detail_url"].endswith(f"/api/v2/pages/{original.pk}/")
