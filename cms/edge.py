"""What an edge cache (Varnish, deploy/varnish/default.vcl) must forget when content changes.

The app's own response cache goes stale all at once (cms/caching.py: one content
generation). An edge cache in front of it cannot ask Django whether a response is
still good without losing its point, so the app tells it, through Wagtail's
`wagtail.contrib.frontend_cache` (the HTTP backend sends `PURGE <url>`), which
paths hold what changed.

Why paths and not URLs or tags. Every API and feed response can be asked for with
any query string (`fields`, filters, `offset`, `_`), so purging exact URLs would
miss almost all of them. Tags (Varnish's `xkey`) need varnish-modules, which
Debian's `varnish` package does not ship, while a ban needs nothing more than
Varnish itself (and costs one entry in its ban list). So the VCL turns
`PURGE <path>` into a ban of every object whose path (query string left out) is
that path; a path ending in `*` bans every path that starts with the rest. What
is purged for each change:

- a page: its detail; the details that show it (its children show it as parent,
  its translations list it, pages and snippets that link to it, found through
  Wagtail's reference index); the page listing and `find`; the feeds. A move,
  an unpublish or a delete also changes its descendants (their URLs, whether
  they are reachable), so their details go too;
- a snippet, image or document: its detail and its endpoint's listing, the
  details that show it (reference index, and the pages whose foreign keys and
  many-to-many fields point at it), the page listing and the feeds
  (they embed topics, organisations, people, places and images);
- a change of who may see what (view restrictions, collections, sites, locales):
  everything under /api/ and /feeds/.

When more details than MAX_DETAILS would be purged one by one, the whole
endpoint's prefix is banned instead: one ban costs Varnish the same however
many objects it matches, a thousand PURGE requests do not.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

from django.conf import settings
from django.db import models
from wagtail import __version__
from wagtail.contrib.frontend_cache.backends.http import HTTPBackend, PurgeRequest
from wagtail.models import Page, ReferenceIndex

API = "/api/v2/"
PAGES = API + "pages/"
FEEDS = ("/feeds/news.rss", "/feeds/news.atom", "/feeds/news.json")
EVERYTHING = ("/api/*", "/feeds/*")
MAX_DETAILS = 50


def enabled() -> bool:
    """An edge cache is configured (VARNISH_URL): otherwise nothing is purged."""
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def _endpoints() -> dict[type[models.Model], str]:
    """Model → the API endpoint that serves it, read from the router (one source of truth)."""
    from cms.api.router import api_router

    endpoints = {}
    for name, viewset in api_router._endpoints.items():
        model = getattr(viewset, "model", None)
        if model is not None and name != "preview":
            endpoints[model] = name
    return endpoints


def _endpoint_of(model: type[models.Model]) -> str | None:
    endpoints = _endpoints()
    for candidate in model.__mro__:
        if candidate in endpoints:
            return endpoints[candidate]
    return None


class _Paths:
    """Paths to purge, with the details of each endpoint counted against MAX_DETAILS."""

    def __init__(self) -> None:
        self.paths: set[str] = set()
        self.details: dict[str, set[int]] = {}

    def add(self, *paths: str) -> None:
        self.paths.update(paths)

    def detail(self, endpoint: str, pk: int | None) -> None:
        if pk is not None:
            self.details.setdefault(endpoint, set()).add(pk)

    def listing(self, endpoint: str) -> None:
        self.paths.add(f"{API}{endpoint}/")

    def referrers(self, instance: models.Model) -> None:
        """The details that show `instance`: every page or snippet the reference index links to it."""
        rows = (
            ReferenceIndex.get_references_to(instance)
            .values_list("base_content_type", "object_id")
            .distinct()[: MAX_DETAILS + 1]
        )
        from django.contrib.contenttypes.models import ContentType

        for content_type_id, object_id in rows:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
            endpoint = _endpoint_of(model) if model is not None else None
            if endpoint is not None and str(object_id).isdigit():
                self.detail(endpoint, int(object_id))
        if len(rows) > MAX_DETAILS:
            self.add(PAGES + "*")

    def pages_related(self, instance: models.Model) -> None:
        """The pages that point at `instance` through a foreign key or a many-to-many field.

        The reference index leaves many-to-many fields out (a news page's topics, people,
        places), so they are followed here, bounded like the rest.
        """
        for relation in instance._meta.related_objects:
            model = relation.related_model
            if not (isinstance(model, type) and issubclass(model, Page)):
                continue
            accessor = getattr(instance, relation.get_accessor_name(), None)
            if accessor is None or not hasattr(accessor, "values_list"):
                continue
            ids = list(accessor.values_list("pk", flat=True)[: MAX_DETAILS + 1])
            if len(ids) > MAX_DETAILS:
                self.add(PAGES + "*")
            for pk in ids:
                self.detail("pages", pk)

    def result(self) -> list[str]:
        paths = set(self.paths)
        for endpoint, pks in self.details.items():
            prefix = f"{API}{endpoint}/"
            if len(pks) > MAX_DETAILS or prefix + "*" in paths:
                paths.add(prefix + "*")
            else:
                paths.update(f"{prefix}{pk}/" for pk in pks)
        return sorted(paths)


def paths_for_page(page: Page, *, with_descendants: bool = False) -> list[str]:
    """The paths showing `page`; with its descendants' details after a move, unpublish or delete."""
    paths = _Paths()
    paths.add(PAGES, PAGES + "find/", *FEEDS)
    paths.detail("pages", page.pk)
    if page.pk is None or not page.path:
        return paths.result()
    related = Page.objects.none()
    if page.translation_key is not None:
        related = related | Page.objects.filter(translation_key=page.translation_key)
    tree = page.get_descendants() if with_descendants else page.get_children()
    for queryset in (related, tree):
        ids = list(queryset.values_list("pk", flat=True)[: MAX_DETAILS + 1])
        if len(ids) > MAX_DETAILS:
            paths.add(PAGES + "*")
        for pk in ids:
            paths.detail("pages", pk)
    paths.referrers(page)
    return paths.result()


def paths_for_object(instance: models.Model) -> list[str]:
    """The paths showing a snippet, image or document (or the snippet an inline row belongs to)."""
    parent = getattr(instance, "mission", None) if _endpoint_of(type(instance)) is None else None
    if parent is not None:  # a mission's delegates and agreements are part of the mission
        instance = parent
    endpoint = _endpoint_of(type(instance))
    if endpoint is None:
        return list(EVERYTHING)
    paths = _Paths()
    paths.add(PAGES, *FEEDS)
    paths.listing(endpoint)
    paths.detail(endpoint, instance.pk)
    paths.referrers(instance)
    if instance.pk is not None:
        paths.pages_related(instance)
    return paths.result()


def everything() -> list[str]:
    """Who may see what changed: every API and feed response."""
    return list(EVERYTHING)


def purge(paths: Iterable[str]) -> None:
    """Send `PURGE <site>/<path>` for each path through wagtail.contrib.frontend_cache.

    Runs in a Celery task (cms.tasks.purge_edge), called directly rather than through
    Wagtail's own django-tasks queue so that a failure raises and the task retries.
    """
    from wagtail.contrib.frontend_cache.tasks import purge_urls_from_cache_task

    urls = [settings.SITE_URL + path for path in sorted(set(paths))]
    if urls:
        purge_urls_from_cache_task.call(urls)


class EdgePurgeError(Exception):
    """The edge cache did not confirm a purge: the Celery task retries."""


class VarnishBackend(HTTPBackend):
    """Wagtail's HTTP backend, with a timeout, and raising when a purge is not confirmed.

    The stock backend logs an error and returns, so an edge cache that was down for a
    moment would keep stale responses until they expire; raising lets Celery retry.
    """

    def purge(self, url: str) -> None:
        parts = urlsplit(url)
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        request = PurgeRequest(
            url=urlunsplit([self.cache_scheme, self.cache_netloc, parts.path, parts.query, ""]),
            headers={"Host": host, "User-Agent": f"Wagtail-frontendcache/{__version__}"},
        )
        try:
            with urlopen(request, timeout=10) as response:  # noqa: S310 - VARNISH_URL is ours
                response.read()
        except OSError as exc:
            raise EdgePurgeError(f"could not purge {parts.path}: {exc}") from exc
