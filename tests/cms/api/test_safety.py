"""The public API never serves what the public may not see, whoever asks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import PageViewRestriction

from tests import factories
from tests.cms.api.conftest import document, image, private_collection

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]


@pytest.fixture
def admin_client(api):
    user = get_user_model().objects.create_superuser("capo", "capo@example.org", "pw-123456!")
    api.force_login(user)
    return api


def listed_ids(client, query: str = "") -> set[int]:
    response = client.get(f"/api/v2/pages/?limit=100&{query}")
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def assert_hidden(client, page) -> None:
    assert page.id not in listed_ids(client)
    assert client.get(f"/api/v2/pages/{page.id}/").status_code == 404


def test_drafts_are_never_served(admin_client):
    draft = factories.news(title="Bozza", publish=False)
    assert_hidden(admin_client, draft)


def test_unpublished_changes_of_a_live_page_are_not_served(admin_client):
    page = factories.news(title="Pubblicata")
    page.title = "Modifica non pubblicata"
    page.save_revision()
    data = admin_client.get(f"/api/v2/pages/{page.id}/").json()
    assert data["title"] == "Pubblicata"


def test_pages_scheduled_for_the_future_are_not_served(admin_client):
    page = factories.news(title="Domani", publish=False)
    page.go_live_at = timezone.now() + timedelta(days=1)
    page.save_revision().publish()
    assert_hidden(admin_client, page)


def test_expired_pages_are_not_served_even_before_the_expiry_job_runs(admin_client):
    page = factories.news(title="Scaduta")
    type(page).objects.filter(pk=page.pk).update(expire_at=timezone.now() - timedelta(minutes=1))
    assert_hidden(admin_client, page)


@pytest.mark.parametrize(
    "restriction",
    [
        {"restriction_type": PageViewRestriction.PASSWORD, "password": "segreto"},
        {"restriction_type": PageViewRestriction.LOGIN},
        {"restriction_type": PageViewRestriction.GROUPS},
    ],
    ids=["password", "login", "groups"],
)
def test_view_restricted_pages_and_their_descendants_are_not_served(admin_client, restriction):
    index = factories.site_tree()
    child = factories.news(index, title="Sotto una restrizione")
    created = PageViewRestriction.objects.create(page=index, **restriction)
    if restriction["restriction_type"] == PageViewRestriction.GROUPS:
        created.groups.set([Group.objects.get_or_create(name="Redazione")[0]])
    assert_hidden(admin_client, index)
    assert_hidden(admin_client, child)


def test_find_by_html_path_does_not_reveal_restricted_pages(admin_client):
    page = factories.news(title="Riservata")
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    response = admin_client.get(f"/api/v2/pages/find/?html_path={page.url}")
    assert response.status_code == 404


def test_images_in_private_collections_are_not_served(admin_client):
    hidden = image("Privata", collection=private_collection(), size=(20, 20))
    visible = image("Pubblica", size=(20, 20))
    ids = {item["id"] for item in admin_client.get("/api/v2/images/").json()["items"]}
    assert ids == {visible.id}
    assert admin_client.get(f"/api/v2/images/{hidden.id}/").status_code == 404


def test_images_under_a_restricted_parent_collection_are_not_served(admin_client):
    parent = private_collection()
    child = parent.add_child(name="Figlia")
    hidden = image("Nipote", collection=child, size=(20, 20))
    assert admin_client.get(f"/api/v2/images/{hidden.id}/").status_code == 404


def test_documents_in_private_collections_are_not_served(admin_client):
    hidden = document("Riservato", collection=private_collection())
    visible = document("Pubblico")
    ids = {item["id"] for item in admin_client.get("/api/v2/documents/").json()["items"]}
    assert ids == {visible.id}
    assert admin_client.get(f"/api/v2/documents/{hidden.id}/").status_code == 404


def test_a_private_hero_image_is_left_out_of_the_news(admin_client):
    hidden = image("Privata", collection=private_collection(), size=(20, 20))
    page = factories.news(title="Con foto privata", hero_image=hidden, hero_alt="x")
    assert admin_client.get(f"/api/v2/pages/{page.id}/").json()["hero"] is None


def test_links_to_restricted_pages_lose_their_target(admin_client):
    secret = factories.news(title="Segreta")
    PageViewRestriction.objects.create(page=secret, restriction_type=PageViewRestriction.LOGIN)
    page = factories.news(
        title="Collega", body=[("paragraph", f'<p><a linktype="page" id="{secret.id}">x</a></p>')]
    )
    html = admin_client.get(f"/api/v2/pages/{page.id}/").json()["body"][0]["value"]
    assert html == "<p><a>x</a></p>"


def test_snippet_news_counts_only_count_live_public_news(api):
    topic = factories.topic("Economia")
    factories.news(title="Visibile", topics=[topic])
    factories.news(title="Bozza", topics=[topic], publish=False)
    hidden = factories.news(title="Riservata", topics=[topic])
    PageViewRestriction.objects.create(page=hidden, restriction_type=PageViewRestriction.LOGIN)
    item = api.get("/api/v2/topics/?slug=economia").json()["items"][0]
    assert item["news_count"] == 1
