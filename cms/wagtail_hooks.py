"""Admin for the reference entities: searchable, filterable snippet listings.

Every viewset is translatable (the models use TranslatableMixin), so the admin
shows a locale switcher and simple_translation's "Traduci" action.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.admin_choosers import PageLocaleChooserViewSet, entity_chooser
from cms.admin_webhooks import WebhooksGroup
from cms.models import Mission, Organisation, Person, Place, Topic


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_order = 100
    list_display = ["name", "slug"]
    search_fields = ["name"]
    ordering = ["name"]
    # *Crea* in the chooser, in the page's language (cms/admin_choosers.py).
    chooser_viewset_class = entity_chooser(["name", "slug"])


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    menu_order = 200
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]
    ordering = ["name"]
    # *Crea* in the chooser, in the page's language (cms/admin_choosers.py).
    chooser_viewset_class = entity_chooser(["name", "slug", "kind"])


class PersonViewSet(SnippetViewSet):
    model = Person
    icon = "user"
    menu_order = 300
    list_display = ["name", "role", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name", "role"]
    ordering = ["name"]
    # *Crea* in the chooser, in the page's language (cms/admin_choosers.py).
    chooser_viewset_class = entity_chooser(["name", "slug", "role"])


class PlaceViewSet(SnippetViewSet):
    model = Place
    icon = "site"
    menu_order = 400
    list_display = ["name", "city", "region", "country"]
    list_filter = ["country"]
    search_fields = ["name", "city", "country"]
    ordering = ["name"]
    # *Crea* in the chooser, in the page's language (cms/admin_choosers.py).
    chooser_viewset_class = entity_chooser(["name", "slug", "city", "region", "country"])


class MissionViewSet(SnippetViewSet):
    model = Mission
    icon = "globe"
    menu_order = 500
    list_display = ["name", "destination", "start_date", "end_date"]
    list_filter = {"start_date": ["gte", "lte"]}
    search_fields = ["name", "summary", "outcomes"]
    ordering = ["-start_date"]
    # The page's language only (cms/admin_choosers.py).
    chooser_viewset_class = PageLocaleChooserViewSet


class ReferenceEntitiesGroup(SnippetViewSetGroup):
    menu_label = _("Archivio")
    menu_icon = "folder-open-inverse"
    menu_order = 250
    items = (TopicViewSet, OrganisationViewSet, PersonViewSet, PlaceViewSet, MissionViewSet)


register_snippet(ReferenceEntitiesGroup)
register_snippet(WebhooksGroup)


@hooks.register("before_serve_page")
def refuse_expired_pages(page, request, serve_args, serve_kwargs):
    """A page past its expire_at is gone from the site at once, not when beat unpublishes it."""
    if page.expire_at is not None and page.expire_at <= timezone.now():
        raise Http404("This page has expired.")


def publish_errors(page) -> list[str]:
    """What stops `page`'s latest revision from going live: the checks a draft defers
    (alt text, required fields and blocks), run as publishing runs them."""
    revision = page.get_latest_revision()
    candidate = revision.as_object() if revision else page.specific
    candidate.live = True
    try:
        candidate.full_clean()
    except ValidationError as error:
        return [str(message) for message in error.messages]
    return []


@hooks.register("before_bulk_action")
def refuse_bulk_publishing_incomplete_pages(request, action_type, objects, action_class_instance):
    """Bulk publish re-checks what a draft save deferred; if any page (or, when asked,
    any draft under it) is incomplete, nothing is published and the editor is told why."""
    if action_type != "publish" or not objects or not hasattr(objects[0], "get_descendants"):
        return None
    pages = list(objects)
    form = getattr(action_class_instance, "cleaned_form", None)
    if form is not None and form.cleaned_data.get("include_descendants"):
        for page in objects:
            pages.extend(page.get_descendants().not_live().specific())
    refused = [(page, errors) for page in pages if (errors := publish_errors(page))]
    if not refused:
        return None
    for page, errors in refused:
        messages.error(
            request,
            _("«%(title)s» non è stata pubblicata: %(errors)s")
            % {"title": page.get_admin_display_title(), "errors": " ".join(errors)},
        )
    fallback = reverse("wagtailadmin_explore", args=(pages[0].get_parent().pk,))
    return redirect(get_valid_next_url_from_request(request) or fallback)
