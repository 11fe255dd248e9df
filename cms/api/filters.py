"""Query parameters: the news filters sites need, and strict checks on the rest.

Every value is validated before it reaches SQL, so bad input is a 400 that
names the parameter, never a database error.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework.filters import BaseFilterBackend
from wagtail import fields as wagtail_fields
from wagtail.api.v2 import filters as wagtail_filters
from wagtail.models import Locale

from cms.api.errors import ParameterError
from cms.models import Mission, NewsPage, Organisation, Person, Place, Topic
from web.params import MAX_BIG_ID, is_ascii_whole_number, parse_whole_number

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")
MAX_VALUES_PER_FILTER = 20
# `fields` is parsed recursively by Wagtail: its length and nesting are bounded first.
MAX_FIELDS_LENGTH = 1000
MAX_FIELDS_DEPTH = 4

# filter parameter → (relation on NewsPage, entity model)
ENTITY_FILTERS: dict[str, tuple[str, type[models.Model]]] = {
    "topic": ("topics", Topic),
    "organisation": ("organisations", Organisation),
    "person": ("people", Person),
    "place": ("places", Place),
    "mission": ("mission", Mission),
}
DATE_FILTERS = ("published_after", "published_before")
NEWS_FILTERS = frozenset([*ENTITY_FILTERS, *DATE_FILTERS])
INTEGER_PARAMETERS = (
    "limit",
    "offset",
    "child_of",
    "descendant_of",
    "ancestor_of",
    "translation_of",
)


def check_integer_parameters(query) -> dict[str, int]:
    """The whole-number parameters present, parsed (child_of=root and the like left out)."""
    parsed = {}
    for name in INTEGER_PARAMETERS:
        value = query.get(name)
        if value is None or (name in {"child_of", "descendant_of"} and value == "root"):
            continue
        parsed[name] = parse_whole_number(name, value)
    return parsed


def check_fields_parameter(query) -> None:
    """Refuse a `fields` too long or too deeply nested for Wagtail's recursive parser."""
    raw = query.get("fields")
    if raw is None:
        return
    if len(raw) > MAX_FIELDS_LENGTH:
        raise ParameterError("fields", f"fields is limited to {MAX_FIELDS_LENGTH} characters")
    depth = 0
    for character in raw:
        if character == "(":
            depth += 1
            if depth > MAX_FIELDS_DEPTH:
                raise ParameterError(
                    "fields", f"fields may nest at most {MAX_FIELDS_DEPTH} levels deep"
                )
        elif character == ")":
            depth -= 1


def check_no_null_characters(query) -> None:
    for name, values in query.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            raise ParameterError(name, f"{name} must not contain null characters")


def entity_condition(parameter: str, raw: str) -> Q:
    """`topic=economia,12`: any of these slugs or ids."""
    values = [value.strip() for value in raw.split(",")]
    if not raw.strip() or any(not value for value in values):
        raise ParameterError(
            parameter, f"{parameter} must be a slug or an id, or a comma-separated list of them"
        )
    if len(values) > MAX_VALUES_PER_FILTER:
        raise ParameterError(
            parameter, f"{parameter} accepts at most {MAX_VALUES_PER_FILTER} values"
        )
    ids, slugs = set(), set()
    for value in values:
        if is_ascii_whole_number(value):
            ids.add(parse_whole_number(parameter, value, maximum=MAX_BIG_ID))
        elif SLUG.fullmatch(value):
            slugs.add(value)
        else:
            raise ParameterError(parameter, f"{parameter}: {value!r} is neither a slug nor an id")
    return Q(id__in=ids) | Q(slug__in=slugs)


def parse_date_bound(parameter: str, raw: str, *, end: bool) -> datetime:
    """An ISO date (the whole day is included) or an ISO datetime (exact)."""
    try:
        if ISO_DATE.fullmatch(raw):
            day = parse_date(raw)
            if day is None:
                raise ValueError
            moment = datetime.combine(day + timedelta(days=1) if end else day, time.min)
        else:
            moment = parse_datetime(raw)
            if moment is None:
                raise ValueError
    except ValueError:
        raise ParameterError(
            parameter, f"{parameter} must be an ISO date (2024-05-31) or datetime"
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class NewsFilter(BaseFilterBackend):
    """topic, organisation, person, place, mission, published_after, published_before."""

    def filter_queryset(self, request, queryset, view):
        params = request.GET
        if not NEWS_FILTERS.intersection(params):
            return queryset
        for parameter, (relation, model) in ENTITY_FILTERS.items():
            if parameter in params:
                matching = model.objects.filter(entity_condition(parameter, params[parameter]))
                queryset = queryset.filter(
                    pk__in=NewsPage.objects.filter(**{f"{relation}__in": matching}).values("pk")
                )
        after = before = None
        if "published_after" in params:
            after = parse_date_bound("published_after", params["published_after"], end=False)
            queryset = queryset.filter(publication_date__gte=after)
        if "published_before" in params:
            before = parse_date_bound("published_before", params["published_before"], end=True)
            # A date includes its whole day; a datetime is an exact, inclusive bound.
            day_only = ISO_DATE.fullmatch(params["published_before"]) is not None
            lookup = "publication_date__lt" if day_only else "publication_date__lte"
            queryset = queryset.filter(**{lookup: before})
        if after and before and after > before:
            raise ParameterError(
                "published_after", "published_after is later than published_before"
            )
        return queryset


class LocaleFilter(BaseFilterBackend):
    def filter_queryset(self, request, queryset, view):
        code = request.GET.get("locale")
        if code is None:
            return queryset
        locale = Locale.objects.filter(language_code=code).first() if len(code) <= 100 else None
        if locale is None:
            raise ParameterError(
                "locale", f"locale {code[:20]!r} is not one of the site's languages"
            )
        filtered = queryset.filter(locale=locale)
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
        return super().filter_queryset(request, queryset, view)


class SearchFilter(wagtail_filters.SearchFilter):
    """Wagtail's search, over a queryset it can handle.

    The search backend only accepts filters on indexed fields; the public-page
    and news filters are not, so the search runs over their ids instead.
    """

    def filter_queryset(self, request, queryset, view):
        if "search" not in request.GET:
            return queryset
        if len(request.GET["search"]) > 200:
            raise ParameterError("search", "search is limited to 200 characters")
        ordering = queryset.query.order_by
        simplified = queryset.model.objects.filter(pk__in=queryset.values("pk"))
        simplified = view.decorate_queryset(simplified).order_by(*ordering)
        return super().filter_queryset(request, simplified, view)
