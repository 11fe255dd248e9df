"""What happens when content changes: the API cache goes stale, integrators hear of it."""

from __future__ import annotations

from collections.abc import Callable, Iterable

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

from cms import caching, edge, tasks, webhooks
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


EDGE_REPURGE_SECONDS = 5


def forget(edge_paths: Callable[[], Iterable[str]]) -> None:
    """Make cached responses stale here, and at the edge cache once the transaction commits.

    `edge_paths` says which paths an edge cache in front (cms/edge.py) must forget. They
    are computed now (a deleted page's tree is still there) and purged by a Celery task
    after the commit and after caching's second generation bump (registered first), so
    what the edge fetches again is rendered from committed data.
    """
    caching.invalidate()
    if not edge.enabled():
        return
    paths = list(edge_paths())

    def enqueue() -> None:
        tasks.purge_edge.delay(paths)
        # Once more a little later: a response rendered from pre-commit data that was
        # still on its way to the edge when the first purge ran must not stay there.
        tasks.purge_edge.apply_async((paths,), countdown=EDGE_REPURGE_SECONDS)

    transaction.on_commit(enqueue)


def _object_changed(sender, instance, **kwargs) -> None:
    forget(lambda: edge.paths_for_object(instance))


def _access_changed(**kwargs) -> None:
    forget(edge.everything)


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
    forget(lambda: edge.paths_for_page(instance))
    if isinstance(instance, NewsPage):
        tell_integrators(instance, WebhookEvent.PUBLISHED)


@receiver(page_unpublished)
def page_was_unpublished(sender, instance, **kwargs) -> None:
    forget(lambda: edge.paths_for_page(instance, with_descendants=True))
    if isinstance(instance, NewsPage):
        tell_integrators(instance, WebhookEvent.UNPUBLISHED)


@receiver(post_page_move)
def page_was_moved(sender, instance, **kwargs) -> None:
    forget(lambda: edge.paths_for_page(instance, with_descendants=True))


@receiver(post_delete)
def page_was_deleted(sender, instance, **kwargs) -> None:
    if not isinstance(instance, Page):
        return
    forget(lambda: edge.paths_for_page(instance, with_descendants=True))
    if type(instance) is NewsPage:
        tell_integrators(instance, WebhookEvent.DELETED)


for _model in (*SNIPPET_MODELS, get_image_model(), get_document_model()):
    post_save.connect(
        _object_changed, sender=_model, dispatch_uid=f"api-cache-save-{_model.__name__}"
    )
    post_delete.connect(
        _object_changed, sender=_model, dispatch_uid=f"api-cache-delete-{_model.__name__}"
    )
for _model in ACCESS_MODELS:
    post_save.connect(
        _access_changed, sender=_model, dispatch_uid=f"api-cache-save-{_model.__name__}"
    )
    post_delete.connect(
        _access_changed, sender=_model, dispatch_uid=f"api-cache-delete-{_model.__name__}"
    )

for _relation in (Mission.organisations_met.through,):
    m2m_changed.connect(_object_changed, sender=_relation, dispatch_uid="api-cache-mission-orgs")
