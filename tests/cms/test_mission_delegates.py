"""A mission's delegates are people of the mission's own language, like its other links."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from cms.models import Mission, MissionDelegate, Person
from tests import factories

pytestmark = pytest.mark.django_db


def person(name: str, language: str, slug: str = "eugenio-giani") -> Person:
    return Person.objects.create(name=name, slug=slug, locale=factories.locale(language))


def italian_mission(*delegates: Person) -> Mission:
    mission = Mission(
        name="Missione in California",
        slug="california",
        locale=factories.locale("it"),
        start_date=date(2023, 12, 9),
        end_date=date(2023, 12, 12),
    )
    mission.delegates = [MissionDelegate(person=p, role="presidente") for p in delegates]
    mission.save()
    return mission


def mission_form_data(mission: Mission, delegates: list[Person]) -> dict[str, str]:
    """The mission's edit form as a browser posts it, its delegates replaced by `delegates`."""
    existing = list(mission.delegates.all())
    rows = [
        {"id": str(row.pk), "person": str(row.person_id), "role": row.role, "DELETE": "1"}
        for row in existing
    ]
    rows += [{"person": str(p.pk), "role": ""} for p in delegates]
    return nested_form_data(
        {
            "name": mission.name,
            "slug": mission.slug,
            "destination": "",
            "start_date": mission.start_date.isoformat(),
            "end_date": mission.end_date.isoformat(),
            "summary": "",
            "delegates": inline_formset(rows, initial=len(existing)),
            "organisation_links": inline_formset([]),
            "agreements": inline_formset([]),
            "budget_amount": "",
            "budget_currency": "EUR",
            "budget_purpose": "",
            "outcomes": "",
        }
    )


def edit_url(mission: Mission) -> str:
    return reverse("wagtailsnippets_cms_mission:edit", args=(mission.pk,))


def delegate_errors(response) -> list[str]:
    formset = response.context["form"].formsets["delegates"]
    return [str(error) for form in formset.forms for error in form.errors.get("person", [])]


def test_the_admin_refuses_an_english_delegate_on_an_italian_mission(admin_client):
    giani = person("Eugenio Giani", "it")
    english = person("Eugenio Giani", "en")
    mission = italian_mission(giani)

    response = admin_client.post(edit_url(mission), mission_form_data(mission, [english]))

    assert response.status_code == 200
    errors = delegate_errors(response)
    assert (
        errors and "«Eugenio Giani» è in Inglese, ma questo contenuto è in Italiano" in errors[0]
    ), errors
    assert [d.person for d in Mission.objects.get(pk=mission.pk).delegates.all()] == [giani]


def test_the_admin_saves_an_italian_delegate_on_an_italian_mission(admin_client):
    giani = person("Eugenio Giani", "it")
    nardella = person("Dario Nardella", "it", slug="dario-nardella")
    mission = italian_mission(giani)

    response = admin_client.post(edit_url(mission), mission_form_data(mission, [nardella]))

    assert response.status_code == 302, delegate_errors(response)
    assert [d.person for d in Mission.objects.get(pk=mission.pk).delegates.all()] == [nardella]


def test_model_validation_refuses_an_english_delegate_on_an_italian_mission():
    mission = italian_mission(person("Eugenio Giani", "it"))
    mission.delegates = [MissionDelegate(person=person("Eugenio Giani", "en"))]

    with pytest.raises(ValidationError) as refused:
        mission.full_clean()

    (message,) = refused.value.message_dict["delegates"]
    assert "«Eugenio Giani» è in Inglese, ma questo contenuto è in Italiano" in message


def test_model_validation_accepts_delegates_of_the_mission_language():
    mission = italian_mission(person("Eugenio Giani", "it"))

    mission.full_clean()


def test_the_delegate_chooser_opens_in_the_mission_language(admin_client):
    mission = italian_mission(person("Eugenio Giani", "it"))
    person("Eugene Giani", "en", slug="eugene-giani")

    page = admin_client.get(edit_url(mission)).content.decode()
    # The delegate row's person field is Wagtail's snippet chooser, and Wagtail's
    # choosers send the edited content's locale as ?locale=…
    assert 'id="id_delegates-0-person"' in page
    assert reverse("wagtailsnippetchoosers_cms_person:choose") in page
    assert '"ACTIVE_CONTENT_LOCALE": "it"' in page
    listing = admin_client.get(
        reverse("wagtailsnippetchoosers_cms_person:choose"), {"locale": "it"}
    ).content.decode()
    assert "Eugenio Giani" in listing
    assert "Eugene Giani" not in listing


def test_translating_a_mission_links_the_english_version_of_its_delegate(admin_client):
    giani = person("Eugenio Giani", "it")
    english_giani = giani.copy_for_translation(factories.locale("en"))
    english_giani.role = "President of Tuscany"
    english_giani.save()
    mission = italian_mission(giani)

    response = admin_client.post(
        reverse(
            "simple_translation:submit_snippet_translation", args=("cms", "mission", mission.pk)
        ),
        {"locales": [factories.locale("en").pk]},
    )

    assert response.status_code == 302, response.content.decode()[:500]
    english = Mission.objects.get(
        translation_key=mission.translation_key, locale__language_code="en"
    )
    assert [d.person for d in english.delegates.all()] == [english_giani]
    assert [d.role for d in english.delegates.all()] == ["presidente"]
    assert Person.objects.filter(locale__language_code="en").count() == 1
