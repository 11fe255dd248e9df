"""Choosing the same entity twice is refused on the row, in Italian, naming the entity."""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from cms.models import Mission, NewsPage, Organisation, Person, Place
from tests import factories
from tests.cms.admin_forms import PUBLISH, add_news_url, chosen, news_form_data

pytestmark = pytest.mark.django_db


def entity(kind: str):
    it = factories.locale("it")
    if kind == "topic":
        return factories.topic("Innovazione")
    if kind == "organisation":
        return Organisation.objects.create(
            name="Regione Toscana", slug="regione", kind="institution", locale=it
        )
    if kind == "person":
        return Person.objects.create(name="Eugenio Giani", slug="giani", locale=it)
    return Place.objects.create(name="Firenze", slug="firenze", country="Italia", locale=it)


EXPECTED = {
    "topic": "Il tema «Innovazione» è già collegato alla notizia.",
    "organisation": "L'organizzazione «Regione Toscana» è già collegata alla notizia.",
    "person": "La persona «Eugenio Giani» è già collegata alla notizia.",
    "place": "Il luogo «Firenze» è già collegato alla notizia.",
}


def row_errors(formset, field: str) -> list[list[str]]:
    return [[str(e) for e in form.errors.get(field, [])] for form in formset.forms]


@pytest.mark.parametrize("kind", ["topic", "organisation", "person", "place"])
@pytest.mark.parametrize("action", [{}, PUBLISH], ids=["draft", "publish"])
def test_choosing_an_entity_twice_on_a_news_page_names_it_on_the_second_row(
    admin_client, kind, action
):
    index = factories.site_tree()
    chosen_entity = entity(kind)
    relation = f"{kind}_links"

    response = admin_client.post(
        add_news_url(index),
        {**news_form_data(**{relation: chosen(kind, [chosen_entity, chosen_entity])}), **action},
    )

    assert response.status_code == 200
    formset = response.context["form"].formsets[relation]
    assert row_errors(formset, kind) == [[], [EXPECTED[kind]]]
    assert "duplicat" not in " ".join(str(e) for e in formset.non_form_errors())
    assert not NewsPage.objects.exists()


def test_choosing_an_organisation_twice_on_a_mission_names_it(admin_client):
    region = entity("organisation")
    mission = Mission.objects.create(
        name="Missione a Tokyo",
        slug="tokyo",
        locale=factories.locale("it"),
        start_date="2026-01-10",
        end_date="2026-01-12",
    )
    url = reverse("wagtailsnippets_cms_mission:edit", args=(mission.pk,))
    data = nested_form_data(
        {
            "name": mission.name,
            "slug": mission.slug,
            "start_date": "2026-01-10",
            "end_date": "2026-01-12",
            "summary": "",
            "outcomes": "",
            "budget_currency": "EUR",
            "delegates": inline_formset([]),
            "agreements": inline_formset([]),
            "organisation_links": chosen("organisation", [region, region]),
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 200, response.get("Location")
    formset = response.context["form"].formsets["organisation_links"]
    assert row_errors(formset, "organisation") == [
        [],
        ["L'organizzazione «Regione Toscana» è già tra quelle incontrate nella missione."],
    ]
