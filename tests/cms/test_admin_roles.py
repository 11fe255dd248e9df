"""The two groups the data migrations create: Redazione (pages, snippets, images,
documents) and Newsletter (newsletters, issues, subscribers, import and export,
suppression). Each does its own work and cannot reach the other's; webhooks stay
superuser-only. The views are checked, not only the menu."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from cms.models import NewsPage, WebhookEndpoint
from newsletter.models import Subscriber
from tests import factories
from tests.cms.admin_forms import add_news_url, news_form_data
from tests.support.roles import ensure_groups

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def groups():
    ensure_groups()


def member(group: str, username: str):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "pw-lunga-1")
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(client):
    client.force_login(member("Redazione", "redattrice"))
    return client


@pytest.fixture
def manager(client):
    client.force_login(member("Newsletter", "gestore"))
    return client


def refused(response) -> bool:
    """Wagtail answers a forbidden admin view with 403, or a redirect to the dashboard."""
    if response.status_code == 403:
        return True
    return response.status_code == 302 and response["Location"].rstrip("/").endswith("/admin")


SUBSCRIBERS = "newsletter_subscribers:index"
WEBHOOKS = "wagtailsnippets_cms_webhookendpoint:list"
WEBHOOK_ADD = "wagtailsnippets_cms_webhookendpoint:add"


def test_the_migrations_create_both_groups():
    assert Group.objects.filter(name__in=["Redazione", "Newsletter"]).count() == 2


def test_an_editor_writes_and_publishes_news(editor):
    index = factories.site_tree()
    response = editor.post(
        add_news_url(index), {**news_form_data(), "action-publish": "action-publish"}
    )
    assert response.status_code == 302
    assert NewsPage.objects.get().live


@pytest.mark.parametrize(
    "url",
    [
        reverse("wagtailadmin_explore_root"),
        reverse("wagtailsnippets_cms_topic:list"),
        reverse("wagtailsnippets_cms_mission:add") + "?locale=it",
        reverse("wagtailimages:index"),
        reverse("wagtailimages:add"),
        reverse("wagtaildocs:index"),
        reverse("wagtaildocs:add"),
    ],
)
def test_an_editor_reaches_pages_snippets_images_and_documents(editor, url):
    factories.site_tree()
    assert editor.get(url).status_code == 200


def test_an_editor_cannot_see_subscribers(editor):
    Subscriber.objects.create(email="lettrice@example.org")
    response = editor.get(reverse(SUBSCRIBERS))
    assert refused(response)
    assert b"lettrice@example.org" not in response.content


def test_an_editor_cannot_export_subscribers(editor):
    Subscriber.objects.create(email="lettrice@example.org")
    for export in ("csv", "xlsx"):
        response = editor.get(reverse(SUBSCRIBERS), {"export": export})
        assert refused(response)
        assert b"lettrice@example.org" not in response.content


def test_an_editor_cannot_import_subscribers_or_open_newsletters(editor):
    assert refused(editor.get(reverse("newsletter_subscribers:import")))
    assert refused(editor.get(reverse("newsletter_issues:index")))
    assert refused(editor.get(reverse("newsletters:index")))


def test_an_editor_does_not_see_the_newsletter_menu(editor):
    html = editor.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("newsletter_issues:index") not in html
    assert reverse(SUBSCRIBERS) not in html


def test_an_editor_cannot_reach_webhooks(editor):
    assert refused(editor.get(reverse(WEBHOOKS)))


def test_a_newsletter_manager_manages_subscribers_and_exports_them(manager):
    Subscriber.objects.create(email="lettrice@example.org")
    assert manager.get(reverse(SUBSCRIBERS)).status_code == 200
    export = manager.get(reverse(SUBSCRIBERS), {"export": "csv"})
    assert export.status_code == 200
    assert b"lettrice@example.org" in b"".join(export.streaming_content)
    assert manager.get(reverse("newsletter_subscribers:import")).status_code == 200
    assert manager.get(reverse("newsletter_issues:index")).status_code == 200
    assert manager.get(reverse("newsletters:index")).status_code == 200


def test_a_newsletter_manager_cannot_edit_pages(manager):
    index = factories.site_tree()
    story = factories.news(index, title="Una notizia")
    assert refused(manager.get(reverse("wagtailadmin_pages:edit", args=(story.pk,))))
    assert refused(manager.get(add_news_url(index)))
    response = manager.post(
        reverse("wagtailadmin_pages:edit", args=(story.pk,)),
        {**news_form_data(title="Cambiata", slug=story.slug), "action-publish": "1"},
    )
    assert refused(response)
    story.refresh_from_db()
    assert story.title == "Una notizia"


def test_a_newsletter_manager_cannot_reach_webhooks(manager):
    assert refused(manager.get(reverse(WEBHOOKS)))
    assert refused(manager.post(reverse(WEBHOOK_ADD), {"name": "x", "url": "https://e.org"}))
    assert not WebhookEndpoint.objects.exists()


def test_webhooks_stay_superuser_only_even_if_a_group_is_granted_them(editor):
    group = Group.objects.get(name="Redazione")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="cms", codename__contains="webhook")
    )
    assert refused(editor.get(reverse(WEBHOOKS)))


def test_a_superuser_reaches_webhooks(admin_client):
    assert admin_client.get(reverse(WEBHOOKS)).status_code == 200
