"""What happens when content changes: the API cache goes stale, integrators hear of it."""

from __future__ import annotations

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

from cms import caching, edge
from cms.models import (
    Mission,
    MissionAgreement,
    MissionDelegate,
    NewsPage,
    Organisation,
    Person,
    Place,
    Topic,
)

# Everything whose change can alter an API or feed response.
SNIPPET_MODELS = (Topic, Organisation, Person, Place, Mission, MissionDelegate, MissionAgreement)
ACCESS_MODELS = (PageViewRestriction, CollectionViewRestriction, Collection, Site, Locale)


@receiver(copy_for_translation_done)
def translation_links_its_own_locale(sender, source_obj, target_obj, **kwargs) -> None:
    # The signal, not an override of copy_for_translation: simple_translation's view
    # and its subtree walk call Wagtail's copy actions directly, and every one of them
    # (pages and snippets) sends this signal.
    from cms.models.translation import move_copy_links_to_its_locale

    move_copy_links_to_its_locale(target_obj)


def _object_changed(sender, instance, **kwargs) -> None:
    caching.invalidate(lambda: edge.paths_for_object(instance))


def _access_changed(**kwargs) -> None:
    caching.invalidate(edge.everything)


@receiver(page_published)
def page_was_published(sender, instance, **kwargs) -> None:
    caching.invalidate(lambda: edge.paths_for_page(instance))
    if isinstance(instance, NewsPage):
        from cms import webhooks

        webhooks.notify(instance, webhooks.Event.PUBLISHED)


@receiver(page_unpublished)
def page_was_unpublished(sender, instance, **kwargs) -> None:
    caching.invalidate(lambda: edge.paths_for_page(instance, with_descendants=True))
    if isinstance(instance, NewsPage):
        from cms import webhooks

        webhooks.notify(instance, webhooks.Event.UNPUBLISHED)


@receiver(post_page_move)
def page_was_moved(sender, instance, **kwargs) -> None:
    caching.invalidate(lambda: edge.paths_for_page(instance, with_descendants=True))


@receiver(post_delete)
def page_was_deleted(sender, instance, **kwargs) -> None:
    if not isinstance(instance, Page):
        return
    caching.invalidate(lambda: edge.paths_for_page(instance, with_descendants=True))
    if type(instance) is NewsPage:
        from cms import webhooks

        webhooks.notify(instance, webhooks.Event.DELETED)


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
