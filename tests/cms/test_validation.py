"""The admin refuses invalid content with field errors and saves nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page
from wagtail.test.utils.form_data import streamfield

from cms.models import HomePage, NewsIndexPage, NewsPage, Organisation, Place, Topic
from cms.models.pages import STANDFIRST_MAX_LENGTH, TITLE_MAX_LENGTH
from tests import factories
from tests.cms.admin_forms import PUBLISH, add_news_url, add_snippet_url, news_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def image():
    from wagtail.images.models import Image

    return Image.objects.create(title="Foto", file=get_test_image_file())


def form_errors(response) -> dict:
    form = response.context["form"]
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def test_publishing_a_hero_image_without_alt_text_is_refused_with_a_field_error(
    admin_client, image
):
    index = factories.site_tree()
    response = admin_client.post(
        add_news_url(index),
        {**news_form_data(hero_image=str(image.pk), hero_alt="  "), **PUBLISH},
    )

    assert response.status_code == 200
    assert "hero_alt" in form_errors(response)
    assert not NewsPage.objects.exists()


def test_a_draft_with_a_hero_image_without_alt_text_is_saved(admin_client, image):
    # As the README says: saving a draft defers required-field checks.
    index = factories.site_tree()
    response = admin_client.post(
        add_news_url(index), news_form_data(hero_image=str(image.pk), hero_alt="")
    )

    assert response.status_code == 302
    page = NewsPage.objects.get()
    assert not page.live
    assert page.get_latest_revision_as_object().hero_image_id == image.pk


def test_publishing_that_draft_later_is_refused_until_the_alt_text_is_written(admin_client, image):
    index = factories.site_tree()
    admin_client.post(add_news_url(index), news_form_data(hero_image=str(image.pk)))
    page = NewsPage.objects.get()
    edit = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    data = news_form_data(hero_image=str(image.pk), slug=page.slug)

    refused = admin_client.post(edit, {**data, **PUBLISH})
    page.refresh_from_db()
    assert refused.status_code == 200
    assert "hero_alt" in form_errors(refused)
    assert not page.live

    accepted = admin_client.post(edit, {**data, "hero_alt": "La sede", **PUBLISH})
    page.refresh_from_db()
    assert accepted.status_code == 302
    assert page.live


def test_a_draft_with_an_image_block_without_alt_text_is_saved(admin_client, image):
    index = factories.site_tree()
    body = [("image", {"image": str(image.pk), "alt": "", "caption": "", "credit": ""})]

    response = admin_client.post(add_news_url(index), news_form_data(body=streamfield(body)))

    assert response.status_code == 302
    assert not NewsPage.objects.get().live


def test_a_hero_image_with_alt_text_is_saved(admin_client, image):
    index = factories.site_tree()
    response = admin_client.post(
        add_news_url(index),
        news_form_data(hero_image=str(image.pk), hero_alt="La sede della Regione"),
    )

    assert response.status_code == 302
    assert NewsPage.objects.get().hero_alt == "La sede della Regione"


def test_publishing_an_image_block_without_alt_text_is_refused(admin_client, image):
    # Wagtail defers required-field checks when saving a draft; publishing enforces them.
    index = factories.site_tree()
    body = [("image", {"image": str(image.pk), "alt": "", "caption": "", "credit": ""})]

    response = admin_client.post(
        add_news_url(index), {**news_form_data(body=streamfield(body)), **PUBLISH}
    )

    assert response.status_code == 200
    assert "body" in form_errors(response)
    assert not NewsPage.objects.exists()


def test_a_title_longer_than_the_limit_is_refused_with_a_field_error(admin_client):
    index = factories.site_tree()
    response = admin_client.post(
        add_news_url(index), {**news_form_data(title="T" * (TITLE_MAX_LENGTH + 1)), **PUBLISH}
    )

    assert response.status_code == 200
    assert "title" in form_errors(response)
    assert not NewsPage.objects.exists()


def test_a_standfirst_longer_than_the_limit_is_refused_with_a_field_error(admin_client):
    index = factories.site_tree()
    response = admin_client.post(
        add_news_url(index),
        {**news_form_data(standfirst="s" * (STANDFIRST_MAX_LENGTH + 1)), **PUBLISH},
    )

    assert response.status_code == 200
    assert "standfirst" in form_errors(response)
    assert not NewsPage.objects.exists()


def test_a_news_page_cannot_be_created_directly_under_the_home_page():
    index = factories.site_tree()
    home = index.get_parent().specific

    assert not NewsPage.can_create_at(home)
    assert NewsPage.can_create_at(index)


def test_the_admin_refuses_to_add_a_news_page_under_the_home_page(admin_client):
    index = factories.site_tree()
    home = index.get_parent()

    response = admin_client.post(add_news_url(home), {**news_form_data(), **PUBLISH})

    assert response.status_code == 302  # back to the dashboard with "permission denied"
    assert not NewsPage.objects.exists()


def test_page_types_form_the_tree_home_then_index_then_news():
    assert HomePage.allowed_subpage_models() == [NewsIndexPage]
    assert NewsIndexPage.allowed_subpage_models() == [NewsPage]
    assert NewsPage.allowed_subpage_models() == []
    assert NewsIndexPage.allowed_parent_page_models() == [HomePage]
    assert HomePage.allowed_parent_page_models() == [Page]


def test_a_topic_slug_already_used_in_the_same_locale_is_a_field_error(admin_client):
    factories.topic("Innovazione")

    response = admin_client.post(
        add_snippet_url(Topic), {"name": "Innovazione bis", "slug": "innovazione"}
    )

    assert response.status_code == 200
    assert "slug" in form_errors(response)
    assert Topic.objects.filter(slug="innovazione").count() == 1


def test_the_same_topic_slug_is_allowed_in_another_locale(admin_client):
    factories.topic("Innovazione")
    factories.locale("en")

    response = admin_client.post(
        add_snippet_url(Topic, "en"), {"name": "Innovation", "slug": "innovazione"}
    )

    assert response.status_code == 302
    assert Topic.objects.filter(slug="innovazione").count() == 2


def test_an_organisation_slug_clash_is_reported_by_clean_not_by_the_database():
    it = factories.locale("it")
    Organisation.objects.create(name="Nvidia", slug="nvidia", kind="company", locale=it)
    duplicate = Organisation(name="NVIDIA Corp", slug="nvidia", kind="company", locale=it)

    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()

    assert "slug" in error.value.message_dict


def test_a_place_with_only_one_coordinate_is_refused(admin_client):
    response = admin_client.post(
        add_snippet_url(Place),
        {"name": "Siena", "slug": "siena", "country": "Italia", "latitude": "43.3188"},
    )

    assert response.status_code == 200
    assert "longitude" in form_errors(response)
    assert not Place.objects.exists()
