"""Test data builders. Plain functions over the real models, no JSON fixtures."""

from __future__ import annotations

import itertools
from datetime import datetime

from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Locale, Page, Site

from cms.models import HomePage, NewsIndexPage, NewsPage, Topic

_counter = itertools.count(1)


def locale(code: str = "it") -> Locale:
    return Locale.objects.get_or_create(language_code=code)[0]


def site_tree(language: str = "it") -> NewsIndexPage:
    """Root › HomePage (default site) › NewsIndexPage, creating what is missing.

    Transactional tests flush the database, Wagtail's root page included, so
    this rebuilds the tree from nothing when needed.
    """
    it = locale("it")
    locale("en")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=it))
    home = HomePage.objects.filter(locale=it).first()
    if home is None:
        # Wagtail's own migration leaves a "Welcome" page at the slug we want.
        for stale in root.get_children().filter(slug="home"):
            stale.delete()
        home = root.add_child(instance=HomePage(title="Notiziario", slug="home", locale=it))
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={
                "hostname": "localhost",
                "port": 80,
                "root_page": home,
                "site_name": "Notiziario",
            },
        )
    if language != "it":
        home = home.get_translation_or_none(locale(language)) or home.copy_for_translation(
            locale(language)
        )
        if not home.live:
            home.save_revision().publish()
    index = NewsIndexPage.objects.child_of(home).first()
    if index is None and language != "it":
        # A translation of the Italian index, so news can be translated into it.
        index = site_tree("it").copy_for_translation(home.locale)
        index.save_revision().publish()
    if index is None:
        index = home.add_child(
            instance=NewsIndexPage(title="Notizie", slug="notizie", locale=home.locale)
        )
    return index


def topic(name: str = "Innovazione", language: str = "it") -> Topic:
    return Topic.objects.get_or_create(
        slug=slugify(name), locale=locale(language), defaults={"name": name}
    )[0]


def news(
    index: NewsIndexPage | None = None,
    *,
    title: str | None = None,
    standfirst: str = "Un sommario breve della notizia.",
    publication_date: datetime | None = None,
    topics: list[Topic] = (),
    publish: bool = True,
    **fields,
) -> NewsPage:
    index = index or site_tree()
    title = title or f"Notizia di prova {next(_counter)}"
    page = NewsPage(
        title=title,
        slug=slugify(title)[:60] + f"-{next(_counter)}",
        standfirst=standfirst,
        publication_date=publication_date or timezone.now(),
        live=False,  # a draft until published, as in the admin
        **fields,
    )
    index.add_child(instance=page)
    if topics:
        page.topics.set(topics)
    revision = page.save_revision()
    if publish:
        revision.publish()
        page.refresh_from_db()
    return page
