"""Every query parameter of the public API, parsed once, before Wagtail sees the request.

``parse(request.GET)`` checks each value (its syntax, its bounds, its size) and returns
a typed ``Query`` that the viewsets and filter backends read; a bad value is a
``ParameterError`` that names its parameter. What only the database or Wagtail can
decide later (a parent page that does not exist, a field name the page type lacks)
runs inside ``about(parameter)``, so its error names the parameter it came from,
never guessed from Wagtail's message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from wagtail.api.v2.utils import BadRequestError

from web.params import MAX_BIG_ID, InvalidParameter, is_ascii_whole_number, parse_whole_number

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")
MAX_VALUES_PER_FILTER = 20
# `fields` is parsed recursively by Wagtail: its length and nesting are bounded first.
MAX_FIELDS_LENGTH = 1000
MAX_FIELDS_DEPTH = 4
MAX_SEARCH_LENGTH = 200
SEARCH_OPERATORS = frozenset(["and", "or"])

ENTITY_FILTERS = ("topic", "organisation", "person", "place", "mission")
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
ROOT_ALLOWED = frozenset(["child_of", "descendant_of"])


class ParameterError(InvalidParameter, BadRequestError):
    """A bad query parameter, named in the 400 (web.params raises the plain InvalidParameter)."""


@dataclass(frozen=True)
class DateBound:
    moment: datetime
    whole_day: bool  # given as a date: the bound covers that whole day


@dataclass(frozen=True)
class Entities:
    """`topic=innovazione,12`: the entities named by any of these ids or slugs."""

    ids: frozenset[int]
    slugs: frozenset[str]

    @property
    def condition(self) -> Q:
        return Q(id__in=self.ids) | Q(slug__in=self.slugs)


@dataclass(frozen=True)
class Query:
    """The parsed query of one API request (only what was given is set)."""

    whole_numbers: dict[str, int] = field(default_factory=dict)
    # news filter parameter → the entities it names
    entities: dict[str, Entities] = field(default_factory=dict)
    published_after: DateBound | None = None
    published_before: DateBound | None = None
    search: str | None = None
    search_operator: str | None = None

    @property
    def has_news_filters(self) -> bool:
        return bool(self.entities or self.published_after or self.published_before)


@contextmanager
def about(parameter: str) -> Iterator[None]:
    """Name `parameter` in any 400 Wagtail raises inside this block."""
    try:
        yield
    except ParameterError:
        raise
    except BadRequestError as error:
        raise ParameterError(parameter, str(error)) from None


def parse(query) -> Query:
    """Check every parameter of a QueryDict; ParameterError for the first bad one."""
    check_no_null_characters(query)
    check_fields_parameter(query)
    operator = query.get("search_operator")
    if operator is not None and operator not in SEARCH_OPERATORS:
        raise ParameterError("search_operator", "search_operator must be 'and' or 'or'")
    search = query.get("search")
    if search is not None and len(search) > MAX_SEARCH_LENGTH:
        raise ParameterError("search", f"search is limited to {MAX_SEARCH_LENGTH} characters")
    after = before = None
    if "published_after" in query:
        after = parse_date_bound("published_after", query["published_after"], end=False)
    if "published_before" in query:
        before = parse_date_bound("published_before", query["published_before"], end=True)
    if after and before and after.moment > before.moment:
        raise ParameterError("published_after", "published_after is later than published_before")
    return Query(
        whole_numbers=integer_parameters(query),
        entities={
            name: named_entities(name, query[name]) for name in ENTITY_FILTERS if name in query
        },
        published_after=after,
        published_before=before,
        search=search,
        search_operator=operator,
    )


def integer_parameters(query) -> dict[str, int]:
    """The whole-number parameters present, parsed (child_of=root and the like left out)."""
    parsed = {}
    for name in INTEGER_PARAMETERS:
        value = query.get(name)
        if value is None or (name in ROOT_ALLOWED and value == "root"):
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


def named_entities(parameter: str, raw: str) -> Entities:
    """`topic=innovazione,12`: any of these slugs or ids."""
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
    return Entities(frozenset(ids), frozenset(slugs))


def parse_date_bound(parameter: str, raw: str, *, end: bool) -> DateBound:
    """An ISO date (the whole day is included) or an ISO datetime (exact)."""
    whole_day = ISO_DATE.fullmatch(raw) is not None
    try:
        if whole_day:
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
    return DateBound(moment, whole_day)
