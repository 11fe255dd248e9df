"""Query parameters: the news filters sites need, and strict checks on the rest.

Every value is validated before it reaches SQL, so bad input is a 400 that
names the parameter, never a database error.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from rest_framework.filters import BaseFilterBackend
from wagtail import fields as wagtail_fields
from wagtail.api.v2 import filters as wagtail_filters
from wagtail.models import Locale
from wagtail.search.backends import get_search_backend
from wagtail.search.backends.base import FilterFieldError, OrderByFieldError

from cms.api import params
from cms.api.params import ParameterError
from cms.models import Mission, NewsPage, Organisation, Person, Place, Topic

# filter parameter → (relation on NewsPage, entity model)
ENTITY_FILTERS: dict[str, tuple[str, type[models.Model]]] = {
    "topic": ("topics", Topic),
    "organisation": ("organisations", Organisation),
    "person": ("people", Person),
    "place": ("places", Place),
    "mission": ("mission", Mission),
}


class NewsFilter(BaseFilterBackend):
    """topic, organisation, person, place, mission, published_after, published_before.

    The values were parsed by cms.api.params (view.query); this only applies them.
    """

    def filter_queryset(self, request, queryset, view):
        query: params.Query = view.query
        for parameter, named in query.entities.items():
            relation, model = ENTITY_FILTERS[parameter]
            matching = model.objects.filter(named.condition)
            queryset = queryset.filter(
                pk__in=NewsPage.objects.filter(**{f"{relation}__in": matching}).values("pk")
            )
        if query.published_after:
            queryset = queryset.filter(publication_date__gte=query.published_after.moment)
        if query.published_before:
            # A date includes its whole day (up to the next midnight, excluded); a datetime
            # is an exact, inclusive bound.
            before = query.published_before
            lookup = "publication_date__lt" if before.whole_day else "publication_date__lte"
            queryset = queryset.filter(**{lookup: before.moment})
        return queryset


def locale_named(code: str) -> Locale:
    """The site's language `code`, or a ParameterError naming `locale`."""
    locale = Locale.objects.filter(language_code=code).first() if len(code) <= 100 else None
    if locale is None:
        raise ParameterError("locale", f"locale {code[:20]!r} is not one of the site's languages")
    return locale


class LocaleFilter(BaseFilterBackend):
    def filter_queryset(self, request, queryset, view):
        code = request.GET.get("locale")
        if code is None:
            return queryset
        filtered = queryset.filter(locale=locale_named(code))
        if hasattr(queryset, "_filtered_by_child_of"):
            filtered._filtered_by_child_of = queryset._filtered_by_child_of
        return filtered


def is_filterable(field) -> bool:
    return (
        isinstance(field, models.Field)
        and not field.is_relation
        and not isinstance(field, wagtail_fields.StreamField | models.JSONField)
    )


class FieldsFilter(BaseFilterBackend):
    """Wagtail's `?field=value` filters, limited to plain columns and checked by the field."""

    def filter_queryset(self, request, queryset, view):
        filterable = view.filterable_fields(queryset.model)
        for name, raw in request.GET.items():
            if name not in filterable:
                continue
            field = queryset.model._meta.get_field(name)
            try:
                if isinstance(field, models.BooleanField):
                    if raw not in {"true", "false"}:
                        raise ValidationError("must be true or false")
                    value = raw == "true"
                else:
                    value = field.to_python(raw)
                    field.run_validators(value)
            except (ValidationError, ValueError, TypeError):
                raise ParameterError(
                    name, f"{raw[:40]!r} is not a valid value for {name}"
                ) from None
            queryset = queryset.filter(**{name: value})
        return queryset


def _named(backend: type[BaseFilterBackend], parameter: str) -> type[BaseFilterBackend]:
    """Wagtail's filter backend for `parameter`, whose 400s name that parameter."""

    def filter_queryset(self, request, queryset, view):
        with params.about(parameter):
            return backend.filter_queryset(self, request, queryset, view)

    return type(backend.__name__, (backend,), {"filter_queryset": filter_queryset})


ChildOfFilter = _named(wagtail_filters.ChildOfFilter, "child_of")
AncestorOfFilter = _named(wagtail_filters.AncestorOfFilter, "ancestor_of")
DescendantOfFilter = _named(wagtail_filters.DescendantOfFilter, "descendant_of")
TranslationOfFilter = _named(wagtail_filters.TranslationOfFilter, "translation_of")


class OrderingFilter(wagtail_filters.OrderingFilter):
    def filter_queryset(self, request, queryset, view):
        order = request.GET.get("order")
        if order is not None:
            allowed = view.orderable_fields(queryset.model)
            names = [name.strip().lstrip("-") for name in order.split(",")]
            if not order or any(name not in allowed for name in names):
                raise ParameterError(
                    "order",
                    f"order must be one of: {', '.join(sorted(allowed))} (prefix - to reverse)",
                )
        with params.about("order"):
            return super().filter_queryset(request, queryset, view)


class SearchFilter(BaseFilterBackend):
    """Wagtail's search, over a queryset it can handle.

    The search backend only accepts filters on indexed fields; the public-page
    and news filters are not, so the search runs over their ids instead. As
    wagtail.api.v2.filters.SearchFilter does, with each error naming its parameter.
    """

    def filter_queryset(self, request, queryset, view):
        query: params.Query = view.query
        if query.search is None:
            return queryset
        if not getattr(settings, "WAGTAILAPI_SEARCH_ENABLED", True):
            raise ParameterError("search", "search is disabled")
        ordering = queryset.query.order_by
        simplified = queryset.model.objects.filter(pk__in=queryset.values("pk"))
        simplified = view.decorate_queryset(simplified).order_by(*ordering)
        try:
            return get_search_backend().search(
                query.search,
                simplified,
                operator=query.search_operator,
                order_by_relevance="order" not in request.GET,
            )
        except FilterFieldError as error:
            raise ParameterError(
                "search",
                f"cannot filter by '{error.field_name}' while searching (field is not indexed)",
            ) from None
        except OrderByFieldError as error:
            raise ParameterError(
                "order",
                f"cannot order by '{error.field_name}' while searching (field is not indexed)",
            ) from None
