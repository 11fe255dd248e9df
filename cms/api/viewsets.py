"""The public, read-only API endpoints, built on Wagtail API v2.

What they add to Wagtail's: the news filters, full news detail, snippet
endpoints with news counts, strict 400s, a constant number of queries per
request, and no use of the caller's session (cms/public.py).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, Window, prefetch_related_objects
from django.http import Http404
from django.urls import path
from rest_framework.fields import IntegerField
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from wagtail.api import APIField
from wagtail.api.v2.utils import page_models_from_string
from wagtail.api.v2.views import BaseAPIViewSet, PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Page

from cms.api import fields as api_fields
from cms.api import filters, listing, params, summaries
from cms.api.errors import error_response
from cms.api.filters import FieldsFilter, LocaleFilter, NewsFilter, OrderingFilter, SearchFilter
from cms.api.params import NEWS_FILTERS, ParameterError
from cms.caching import public_endpoint
from cms.models import (
    HomePage,
    Mission,
    MissionDelegate,
    NewsIndexPage,
    NewsPage,
    Organisation,
    Person,
    Place,
    Topic,
)
from cms.public import public_documents, public_images, public_news, public_pages
from cms.translated_urls import page_at
from web.params import MAX_ID, parse_whole_number

# Never filterable or orderable, whatever the model says.
PRIVATE_FIELDS = {"owner", "locked_by", "latest_revision", "live_revision"}

SERIALIZER_CLASSES_KEPT = 256
_serializer_classes: dict[tuple, type] = {}


def _frozen(fields_config) -> tuple:
    """parse_fields_parameter's nested lists as a hashable key."""
    return tuple(
        (name, negated, _frozen(children) if children else None)
        for name, negated, children in fields_config or ()
    )


class PublicAPIMixin:
    """Anonymous, JSON-only, strict about its parameters."""

    authentication_classes: list = []  # the public API never reads the session
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    throttle_classes: list = []
    model_api_fields: dict = {}
    detail_query_parameters = frozenset(["fields", "_"])
    batch: api_fields.Preloaded | None = None
    query: params.Query = params.Query()  # every query parameter, parsed by initial()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.query = params.parse(request.GET)
        self.page_bounds()

    def handle_exception(self, exc):
        response = error_response(exc)
        if response is not None:
            return response
        return super().handle_exception(exc)

    def page_bounds(self) -> tuple[int, int]:
        """offset and limit, checked as WagtailPagination checks them."""
        limit_max = settings.WAGTAILAPI_LIMIT_MAX
        numbers = self.query.whole_numbers
        limit = numbers.get("limit", min(20, limit_max) if limit_max else 20)
        if limit_max and limit > limit_max:
            raise ParameterError("limit", f"limit cannot be higher than {limit_max}")
        return numbers.get("offset", 0), limit

    def get_serializer_class(self):
        with params.about("fields"):
            return super().get_serializer_class()

    @classmethod
    def _get_serializer_class(cls, router, model, fields_config, show_details=False, nested=False):
        # Wagtail builds a new serializer class (and one per nested model) on every request;
        # it depends only on these arguments, so each is built once per process.
        key = (cls, router, model, _frozen(fields_config), show_details, nested)
        found = _serializer_classes.get(key)
        if found is None:
            found = super()._get_serializer_class(
                router, model, fields_config, show_details=show_details, nested=nested
            )
            if len(_serializer_classes) >= SERIALIZER_CLASSES_KEPT:
                _serializer_classes.clear()  # bounded: `fields=` may take countless values
            _serializer_classes[key] = found
        return found

    @classmethod
    def get_body_fields(cls, model):
        extra = next(
            (fields for klass, fields in cls.model_api_fields.items() if issubclass(model, klass)),
            None,
        )
        if extra is None:
            return super().get_body_fields(model)
        return cls._convert_api_fields(cls.body_fields + list(extra))

    @classmethod
    def filterable_fields(cls, model) -> set[str]:
        names = set(cls.get_available_fields(model, db_fields_only=True)) - PRIVATE_FIELDS
        return {
            name
            for name in names
            if name != "locale" and filters.is_filterable(model._meta.get_field(name))
        }

    @classmethod
    def orderable_fields(cls, model) -> set[str]:
        return cls.filterable_fields(model) | {"random"}

    def check_query_parameters(self, queryset):
        allowed = self.known_query_parameters | self.filterable_fields(queryset.model)
        unknown = set(self.request.GET) - allowed
        if unknown:
            name = sorted(unknown)[0]
            raise ParameterError(
                name,
                "query parameter is not an operation or a recognised field: "
                + ", ".join(sorted(unknown)),
            )

    def check_detail_parameters(self):
        unknown = set(self.request.GET) - self.detail_query_parameters
        if unknown:
            name = sorted(unknown)[0]
            raise ParameterError(name, f"unknown query parameter for a detail: {name}")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["batch"] = self.batch
        return context

    def resolve_rich_text_format(self):
        return "html"

    def get_renderer_context(self):
        # Compact JSON: Wagtail indents by 4, which costs time and bytes on every response.
        context = super().get_renderer_context()
        context.pop("indent", None)
        return context

    @classmethod
    def get_urlpatterns(cls):
        return [
            path("", public_endpoint(cls.as_view({"get": "listing_view"})), name="listing"),
            path("<int:pk>/", public_endpoint(cls.as_view({"get": "detail_view"})), name="detail"),
            path("find/", public_endpoint(cls.as_view({"get": "find_view"})), name="find"),
        ]

    def decorate_queryset(self, queryset):
        """Add back the joins and prefetches a simplified queryset lost."""
        return queryset

    def lookup_pk(self) -> int:
        pk = int(self.kwargs["pk"])
        if pk > MAX_ID:
            raise Http404("not found")
        return pk


class PagesViewSet(PublicAPIMixin, PagesAPIViewSet):
    filter_backends = [
        FieldsFilter,
        filters.ChildOfFilter,
        filters.AncestorOfFilter,
        filters.DescendantOfFilter,
        OrderingFilter,
        filters.TranslationOfFilter,
        LocaleFilter,
        NewsFilter,
        SearchFilter,  # last: search results cannot be filtered further
    ]

    def find_object(self, queryset, request):
        # Wagtail routes html_path from the Italian home only; /en/… names an English page.
        if "html_path" in request.GET:
            page = page_at(request, request.GET["html_path"][:2000])
            return page if page is not None and queryset.filter(id=page.id).exists() else None
        return super().find_object(queryset, request)

    known_query_parameters = PagesAPIViewSet.known_query_parameters.union(NEWS_FILTERS) - {
        "site",
        "format",
        "rich_text_format",
    }
    meta_fields = PagesAPIViewSet.meta_fields + ["translations"]
    detail_only_fields = ["parent", "translations", "body"]
    model_api_fields = {
        NewsPage: api_fields.NEWS_PAGE_API_FIELDS,
        HomePage: api_fields.INTRO_API_FIELDS,
        NewsIndexPage: api_fields.INTRO_API_FIELDS,
    }

    @classmethod
    def get_field_serializer_overrides(cls, model):
        overrides = super().get_field_serializer_overrides(model)
        overrides.update(
            alias_of=api_fields.AliasOfField(),
            html_url=api_fields.HtmlUrlField(),
            locale=api_fields.LocaleField(),
            parent=api_fields.ParentField(),
            translations=api_fields.TranslationsField(),
        )
        return overrides

    @classmethod
    def get_listing_default_fields(cls, model):
        fields = super().get_listing_default_fields(model)
        if issubclass(model, NewsPage):
            fields += api_fields.NEWS_LISTING_DEFAULT_FIELDS
        return fields

    def get_base_queryset(self):
        return public_pages()

    def decorate_queryset(self, queryset):
        if issubclass(queryset.model, NewsPage):
            return self.with_news_relations(queryset)
        return queryset.select_related("locale")

    @classmethod
    def news_queryset(cls):
        return cls.with_news_relations(public_news())

    @classmethod
    def with_news_relations(cls, queryset):
        return queryset.select_related("locale", "mission").prefetch_related(*cls.news_prefetches())

    @staticmethod
    def news_prefetches() -> list[Prefetch]:
        return [
            Prefetch("topics", queryset=Topic.objects.order_by("name", "id")),
            Prefetch("organisations", queryset=Organisation.objects.order_by("name", "id")),
            Prefetch(
                "people",
                queryset=Person.objects.select_related("organisation").order_by("name", "id"),
            ),
            Prefetch("places", queryset=Place.objects.order_by("name", "id")),
        ]

    def requested_models(self) -> list[type[Page]]:
        raw = self.request.GET.get("type")
        try:
            models = list(page_models_from_string(raw)) if raw else []
        except (LookupError, ValueError):
            raise ParameterError("type", f"type {raw[:60]!r} doesn't exist") from None
        news_filters = sorted(NEWS_FILTERS.intersection(self.request.GET))
        if news_filters:
            # The news filters imply type=cms.NewsPage.
            if models and models != [NewsPage]:
                raise ParameterError(
                    news_filters[0], f"{news_filters[0]} only applies to cms.NewsPage"
                )
            models = [NewsPage]
        return models

    def get_queryset(self):
        # Asked twice per listing (Wagtail's get_serializer_class wants the model): build once.
        if self._queryset is None:
            self._queryset = self._build_queryset()
        return self._queryset.all()

    _queryset: QuerySet | None = None

    def _build_queryset(self) -> QuerySet:
        models = self.requested_models()
        if models == [NewsPage]:
            return self.news_queryset().order_by("-publication_date", "-id")
        if len(models) == 1:
            return public_pages(models[0]).select_related("locale").order_by("path")
        queryset = public_pages().select_related("locale").order_by("path")
        return queryset.type(*models) if models else queryset

    def listing_view(self, request):
        queryset = self.get_queryset()
        self.check_query_parameters(queryset)
        if queryset.model is NewsPage and listing.reads(request.GET):
            serializer_class = self.get_serializer_class()
            if listing.serves(serializer_class):
                return self.written_out_listing(request, serializer_class)
        queryset = self.filter_queryset(queryset)
        fast = isinstance(queryset, QuerySet) and issubclass(queryset.model, NewsPage)
        if fast:
            # Relations come from Preloaded in one plain query instead of four prefetches,
            # and the total from a window function instead of a separate COUNT.
            offset, limit = self.page_bounds()
            full = queryset.prefetch_related(None)
            # A listing never shows the body: leave the StreamField JSON in the database,
            # and when listing.py builds every field, every column it doesn't read.
            serializer_class = self.get_serializer_class()
            narrow = listing.serves(serializer_class)
            queryset = (full.only(*listing.COLUMNS) if narrow else full.defer("body")).annotate(
                listing_total=Window(Count("pk"))
            )
            pages = list(queryset[offset : offset + limit])
            self.paginator.total_count = (
                pages[0].listing_total if pages else queryset.order_by().count()
            )
        else:
            pages = list(self.paginate_queryset(queryset))
        self.batch = api_fields.Preloaded.load(pages, request=request)
        if fast:
            self.batch.load_news_relations([page.id for page in pages])
            items = listing.serialize(pages, serializer_class, self.batch)
            if items is not None:
                return self.get_paginated_response(items)
            if narrow:  # an alias among them: the DRF path reads whole pages
                return self.whole_pages_listing([page.pk for page in pages])
            prefetch_related_objects(pages, *self.news_prefetches())
        serializer = self.get_serializer(pages, many=True)
        return self.get_paginated_response(serializer.data)

    def written_out_listing(self, request, serializer_class) -> Response:
        """A news listing from listing.read_news, without the ORM (see cms/api/listing.py)."""
        offset, limit = self.page_bounds()
        rows, self.paginator.total_count = listing.read_news(
            self.query, request.GET.get("locale"), offset, limit
        )
        self.batch = api_fields.Preloaded.load(rows, request=request)
        if not any(row.alias_of_id for row in rows):
            self.batch.load_news_relations([row.id for row in rows])
            items = listing.serialize(rows, serializer_class, self.batch)
            if items is not None:
                return self.get_paginated_response(items)
        # An alias, or a page only Wagtail can address.
        return self.whole_pages_listing([row.id for row in rows])

    def whole_pages_listing(self, ids: list[int]) -> Response:
        """The listing of these news through Wagtail's serializers, which read whole pages."""
        whole = self.news_queryset().defer("body").in_bulk(ids)
        pages = [whole[pk] for pk in ids if pk in whole]  # unpublished meanwhile: left out
        serializer = self.get_serializer(pages, many=True)
        return self.get_paginated_response(serializer.data)

    def get_object(self):
        if getattr(self, "_cached_object", None) is not None:
            return self._cached_object
        pk = self.lookup_pk()
        # News is the common case: one query with everything it needs.
        page = self.news_queryset().filter(pk=pk).first()
        if page is None:
            base = public_pages().filter(pk=pk).select_related("locale").first()
            if base is None:
                raise Http404("No page matches the given query.")
            page = base.specific
            page.locale = base.locale
        self._cached_object = page
        return page

    def detail_view(self, request, pk):
        self.check_detail_parameters()
        page = self.get_object()
        self.batch = api_fields.Preloaded.load(
            [page], with_body=True, with_relatives=True, request=request
        )
        serializer = self.get_serializer(page)
        return Response(serializer.data)

    def find_view(self, request):
        allowed = self.find_query_parameters | self.detail_query_parameters
        unknown = set(request.GET) - allowed
        if unknown:
            name = sorted(unknown)[0]
            raise ParameterError(name, f"unknown query parameter for find: {name}")
        if "id" in request.GET:
            parse_whole_number("id", request.GET["id"])
        return super().find_view(request)


# Snippets ----------------------------------------------------------------------------------


def news_count_field() -> APIField:
    return APIField("news_count", serializer=IntegerField(read_only=True))


class SnippetViewSet(PublicAPIMixin, BaseAPIViewSet):
    """A translatable snippet with a slug, counted by how many public news link to it."""

    filter_backends = [FieldsFilter, OrderingFilter, LocaleFilter, SearchFilter]
    known_query_parameters = BaseAPIViewSet.known_query_parameters.union(["locale"]) - {
        "format",
        "rich_text_format",
    }
    meta_fields = BaseAPIViewSet.meta_fields + ["locale"]
    listing_default_fields = BaseAPIViewSet.listing_default_fields + [
        "name",
        "slug",
        "locale",
        "news_count",
    ]
    nested_default_fields = BaseAPIViewSet.nested_default_fields + ["name", "slug"]
    news_relation = "news"
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple = ()
    api_fields_list: list = []

    @classmethod
    def get_body_fields(cls, model):
        return cls._convert_api_fields(cls.body_fields + cls.api_fields_list + [news_count_field()])

    @classmethod
    def get_field_serializer_overrides(cls, model):
        overrides = super().get_field_serializer_overrides(model)
        overrides["locale"] = api_fields.LocaleField()
        return overrides

    @classmethod
    def filterable_fields(cls, model) -> set[str]:
        return super().filterable_fields(model) - {"news_count"}

    def decorate_queryset(self, queryset):
        counted = Count(
            self.news_relation,
            filter=Q(**{f"{self.news_relation}__in": public_news().values("pk")}),
            distinct=True,
        )
        return (
            queryset.select_related("locale", *self.select_related)
            .prefetch_related(*self.prefetch_related)
            .annotate(news_count=counted)
        )

    def get_queryset(self):
        return self.decorate_queryset(self.model.objects.all()).order_by("name", "id")

    def get_object(self):
        if getattr(self, "_cached_object", None) is None:
            item = self.get_queryset().filter(pk=self.lookup_pk()).first()
            if item is None:
                raise Http404(f"No {self.model._meta.verbose_name} matches the given query.")
            self._cached_object = item
        return self._cached_object

    def detail_view(self, request, pk):
        self.check_detail_parameters()
        return super().detail_view(request, pk)

    def find_view(self, request):
        raise Http404("find is only available for pages")


class TopicsViewSet(SnippetViewSet):
    name = "topics"
    model = Topic
    api_fields_list = ["name", "slug", "description"]


class OrganisationsViewSet(SnippetViewSet):
    name = "organisations"
    model = Organisation
    api_fields_list = ["name", "slug", "kind", "website", "description"]


class PeopleViewSet(SnippetViewSet):
    name = "people"
    model = Person
    select_related = ("organisation",)
    api_fields_list = [
        "name",
        "slug",
        "role",
        APIField("organisation", serializer=api_fields.SummaryField(summaries.ORGANISATION)),
    ]


class PlacesViewSet(SnippetViewSet):
    name = "places"
    model = Place
    api_fields_list = [
        "name",
        "slug",
        "city",
        "region",
        "country",
        APIField("latitude", serializer=api_fields.CoordinateField()),
        APIField("longitude", serializer=api_fields.CoordinateField()),
    ]


class MissionsViewSet(SnippetViewSet):
    name = "missions"
    model = Mission
    select_related = ("destination",)
    prefetch_related = (
        Prefetch(
            "delegates",
            queryset=MissionDelegate.objects.select_related("person__organisation"),
        ),
        "organisations_met",
        "agreements",
    )
    api_fields_list = [
        "name",
        "slug",
        APIField("destination", serializer=api_fields.SummaryField(summaries.PLACE)),
        "start_date",
        "end_date",
        "summary",
        APIField("delegates", serializer=api_fields.DelegatesField()),
        APIField(
            "organisations_met",
            serializer=api_fields.SummariesField(summaries.ORGANISATION),
        ),
        APIField("agreements", serializer=api_fields.AgreementsField()),
        APIField("budget", serializer=api_fields.BudgetField()),
        "outcomes",
    ]


# Images and documents ------------------------------------------------------------------------


class PublicMediaViewSet(PublicAPIMixin):
    """Images and documents: only those in public collections (cms.public)."""

    filter_backends = [FieldsFilter, OrderingFilter, SearchFilter]
    public: Callable[[], QuerySet]
    not_found = "No item matches the given query."

    @classmethod
    def media_parameters(cls, wagtail_viewset) -> frozenset[str]:
        return wagtail_viewset.known_query_parameters - {"format", "rich_text_format"}

    def get_queryset(self):
        return type(self).public().order_by("id")

    def get_object(self):
        item = self.get_queryset().filter(pk=self.lookup_pk()).first()
        if item is None:
            raise Http404(self.not_found)
        return item

    def detail_view(self, request, pk):
        self.check_detail_parameters()
        return super().detail_view(request, pk)


class ImagesViewSet(PublicMediaViewSet, ImagesAPIViewSet):
    public = public_images
    not_found = "No image matches the given query."
    known_query_parameters = PublicMediaViewSet.media_parameters(ImagesAPIViewSet)


class DocumentsViewSet(PublicMediaViewSet, DocumentsAPIViewSet):
    public = public_documents
    not_found = "No document matches the given query."
    known_query_parameters = PublicMediaViewSet.media_parameters(DocumentsAPIViewSet)
