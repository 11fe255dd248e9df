"""What happens when content changes: the API cache goes stale, integrators hear of it."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    Locale,
    Page,
    PageViewRestriction,
    Site,
)
from wagtail.signals import (
    copy_for_translation_done,
    page_published,
    page_unpublished,
    post_page_move,
)

from cms import caching, tasks, webhooks
from cms.models import (
    Mission,
    MissionAgreement,
    MissionDelegate,
    NewsPage,
    Organisation,
    Person,
    Place,
    Topic,
    WebhookEvent,
)
from cms.models.translation import move_copy_links_to_its_locale

# Everything whose change can alter an API or feed response.
SNIPPET_MODELS = (Topic, Organisation, Person, Place, Mission, MissionDelegate, MissionAgreement)
ACCESS_MODELS = (PageViewRestriction, CollectionViewRestriction, Collection, Site, Locale)


@receiver(copy_for_translation_done)
def translation_links_its_own_locale(sender, source_obj, target_obj, **kwargs) -> None:
    # The signal, not an override of copy_for_translation: simple_translation's view
    # and its subtree walk call Wagtail's copy actions directly, and every one of them
    # (pages and snippets) sends this signal.
    move_copy_links_to_its_locale(target_obj)


def _invalidate(**kwargs) -> None:
    caching.invalidate()


def tell_integrators(page: NewsPage, event: WebhookEvent) -> None:
    """Log a webhook delivery per active endpoint now; send them once the transaction commits.

    The one place webhook tasks are enqueued: cms.webhooks never imports cms.tasks.
    """
    delivery_ids = [delivery.id for delivery in webhooks.notify(page, event)]
    if delivery_ids:

        def enqueue() -> None:
            for delivery_id in delivery_ids:
                tasks.deliver_webhook.delay(delivery_id)

        transaction.on_commit(enqueue)


@receiver(page_published)
def page_was_published(sender, instance, **kwargs) -> None:
    caching.invalidate()
    if isinstance(instance, NewsPage):
        tell_integrators(instance, WebhookEvent.PUBLISHED)


@receiver(page_unpublished)
def page_was_unpublished(sender, instance, **kwargs) -> None:
    caching.invalidate()
    if isinstance(instance, NewsPage):
        tell_integrators(instance, WebhookEvent.UNPUBLISHED)


@receiver(post_page_move)
def page_was_moved(sender, **kwargs) -> None:
    caching.invalidate()


@receiver(post_delete)
def page_was_deleted(sender, instance, **kwargs) -> None:
    if not isinstance(instance, Page):
        return
    caching.invalidate()
    if type(instance) is NewsPage:
        tell_integrators(instance, WebhookEvent.DELETED)


for _model in (*SNIPPET_MODELS, *ACCESS_MODELS, get_image_model(), get_document_model()):
    post_save.connect(_invalidate, sender=_model, dispatch_uid=f"api-cache-save-{_model.__name__}")
    post_delete.connect(
        _invalidate, sender=_model, dispatch_uid=f"api-cache-delete-{_model.__name__}"
    )

for _relation in (Mission.organisations_met.through,):
    m2m_changed.connect(_invalidate, sender=_relation, dispatch_uid="api-cache-mission-orgs")
