"""Admin for the reference entities: searchable, filterable snippet listings.

Every viewset is translatable (the models use TranslatableMixin), so the admin
shows a locale switcher and simple_translation's "Traduci" action.
"""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.admin_webhooks import WebhooksGroup
from cms.models import Mission, Organisation, Person, Place, Topic


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_order = 100
    list_display = ["name", "slug"]
    search_fields = ["name"]
    ordering = ["name"]


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    menu_order = 200
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]
    ordering = ["name"]


class PersonViewSet(SnippetViewSet):
    model = Person
    icon = "user"
    menu_order = 300
    list_display = ["name", "role", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name", "role"]
    ordering = ["name"]


class PlaceViewSet(SnippetViewSet):
    model = Place
    icon = "site"
    menu_order = 400
    list_display = ["name", "city", "region", "country"]
    list_filter = ["country"]
    search_fields = ["name", "city", "country"]
    ordering = ["name"]


class MissionViewSet(SnippetViewSet):
    model = Mission
    icon = "globe"
    menu_order = 500
    list_display = ["name", "destination", "start_date", "end_date"]
    list_filter = {"start_date": ["gte", "lte"]}
    search_fields = ["name", "summary", "outcomes"]
    ordering = ["-start_date"]


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
