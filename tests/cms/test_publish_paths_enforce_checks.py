"""A lenient draft (hero image without alt text, saved with *Salva bozza*) cannot
go live by any publish path: the edit form, bulk publish, or workflow approval.
Each refuses with a clear Italian message and leaves the page unpublished."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Workflow

from cms.models import NewsPage
from tests import factories
from tests.cms.admin_forms import add_news_url, news_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def image():
    from wagtail.images.models import Image

    return Image.objects.create(title="Foto", file=get_test_image_file())


def lenient_draft(admin_client, image) -> NewsPage:
    index = factories.site_tree()
    response = admin_client.post(add_news_url(index), news_form_data(hero_image=str(image.pk)))
    assert response.status_code == 302
    page = NewsPage.objects.get()
    assert not page.live
    return page


def bulk_publish(client, page, **extra):
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
    return client.post(f"{url}?id={page.pk}", {"include_descendants": "", **extra})


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_bulk_publishing_a_draft_without_hero_alt_text_is_refused_with_a_message(
    admin_client, image
):
    page = lenient_draft(admin_client, image)

    response = bulk_publish(admin_client, page)

    page.refresh_from_db()
    assert response.status_code == 302
    assert not page.live
    assert any("testo alternativo" in m and page.title in m for m in messages_of(response)), (
        messages_of(response)
    )


def test_bulk_publishing_a_complete_draft_still_publishes(admin_client, image):
    page = lenient_draft(admin_client, image)
    page.hero_alt = "La sede della Regione"
    page.save_revision()

    response = bulk_publish(admin_client, page)

    page.refresh_from_db()
    assert response.status_code == 302
    assert page.live


def in_moderation(admin_client, image) -> NewsPage:
    """A complete page submitted to the default workflow (Approvazione dei moderatori)."""
    page = lenient_draft(admin_client, image)
    page.hero_alt = "La sede"
    page.save_revision()
    Workflow.objects.filter(active=True).first().start(page, user=None)
    page.refresh_from_db()
    assert page.workflow_in_progress
    return page


def test_saving_a_draft_of_a_page_in_moderation_enforces_the_alt_text(admin_client, image):
    page = in_moderation(admin_client, image)
    edit = reverse("wagtailadmin_pages:edit", args=(page.pk,))

    response = admin_client.post(
        edit, news_form_data(hero_image=str(image.pk), hero_alt="", slug=page.slug)
    )

    assert response.status_code == 200
    assert "hero_alt" in response.context["form"].errors
    assert page.get_latest_revision_as_object().hero_alt == "La sede"


def test_workflow_approval_publishes_only_a_complete_revision(admin_client, image):
    # Workflow approval publishes the page's latest revision with no form in between:
    # the draft without alt text saved during moderation must not be that revision.
    page = in_moderation(admin_client, image)
    edit = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    admin_client.post(edit, news_form_data(hero_image=str(image.pk), hero_alt="", slug=page.slug))
    task_state = page.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk))

    response = admin_client.post(url, {"comment": ""})

    page.refresh_from_db()
    assert response.status_code == 302
    assert page.live
    assert page.hero_alt == "La sede"
