"""Form data for the Wagtail admin, as a browser would post it."""

from __future__ import annotations

from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

PUBLISH = {"action-publish": "action-publish"}


def news_form_data(**overrides) -> dict[str, str]:
    data = {
        "title": "Una notizia dal consiglio regionale",
        "slug": "una-notizia-dal-consiglio-regionale",
        "standfirst": "Un sommario breve.",
        "hero_alt": "",
        "body": streamfield([]),
        "comments": inline_formset([]),
        # The chooser rows of topics, organisations, people and places (none).
        "topic_links": inline_formset([]),
        "organisation_links": inline_formset([]),
        "person_links": inline_formset([]),
        "place_links": inline_formset([]),
    }
    data.update(overrides)
    return nested_form_data(data)


def chosen(target: str, entities, existing=()) -> dict:
    """The rows a MultipleChooserPanel posts: the `existing` link rows (marked deleted,
    as when the editor removes them), then one new row per entity in `entities`."""
    rows = [
        {"id": str(link.pk), target: str(getattr(link, f"{target}_id")), "DELETE": "1"}
        for link in existing
    ]
    rows += [{target: str(entity.pk)} for entity in entities]
    return inline_formset(rows, initial=len(existing))


def add_news_url(index) -> str:
    return reverse("wagtailadmin_pages:add", args=("cms", "newspage", index.pk))


def add_snippet_url(model, locale: str = "it") -> str:
    meta = model._meta
    return reverse(f"wagtailsnippets_{meta.app_label}_{meta.model_name}:add") + f"?locale={locale}"
