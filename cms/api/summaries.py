"""The one definition of how an entity looks when another object refers to it.

A news item carries its topics, organisations, people, places and mission as
small nested objects ("summaries"); snippets nest them too (a person's
organisation, a mission's destination and delegates). Each shape is written
once here, and everything that serves or describes one derives from it:

- ``Summary.of(instance)``: the DRF serializer fields (cms/api/fields.py);
- ``Summary.from_row(row)`` and ``relations_sql``: the listing fast path, which
  reads the four many-to-many relations of a page of news in one SQL query;
- ``Summary.schema()``: the OpenAPI components (cms/api/schema.py).

So the schema cannot drift from the responses: adding a field here adds it to
all three.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

STRING = {"type": "string"}
INTEGER = {"type": "integer"}


def _same(value: Any) -> Any:
    return value


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def nullable_ref(component: str) -> dict:
    """A reference that may be null, in the form OpenAPI 3.0 tools honour.

    ``{"$ref": …, "nullable": true}`` does not work: in OpenAPI 3.0 the siblings of
    ``$ref`` are ignored, so generated clients reject the null.
    """
    return {"allOf": [{"$ref": f"#/components/schemas/{component}"}], "nullable": True}


@dataclass(frozen=True)
class Attribute:
    """One key of a summary: the model attribute it reads and how it is typed."""

    name: str
    schema: dict = field(default_factory=lambda: STRING)
    convert: Callable[[Any], Any] = _same
    # A foreign key shown as a nested summary (or null).
    nested: Summary | None = None


@dataclass(frozen=True)
class Summary:
    component: str  # the name of its schema in components/schemas
    attributes: tuple[Attribute, ...]

    def of(self, instance: Any) -> dict | None:
        """The summary of a model instance (None stays None)."""
        if instance is None:
            return None
        return {
            attribute.name: (
                attribute.nested.of(getattr(instance, attribute.name))
                if attribute.nested
                else attribute.convert(getattr(instance, attribute.name))
            )
            for attribute in self.attributes
        }

    def from_row(self, row: dict[str, Any], prefix: str = "") -> dict | None:
        """The summary of a row of ``relations_sql`` (keys as ``columns`` names them)."""
        if row[f"{prefix}id"] is None:
            return None
        return {
            attribute.name: (
                attribute.nested.from_row(row, f"{prefix}{attribute.name}__")
                if attribute.nested
                else attribute.convert(row[prefix + attribute.name])
            )
            for attribute in self.attributes
        }

    def columns(self, prefix: str = "") -> list[tuple[str, str, str]]:
        """(row key, table alias path, column attribute) for every leaf of the summary."""
        found = []
        for attribute in self.attributes:
            if attribute.nested:
                found += attribute.nested.columns(f"{prefix}{attribute.name}__")
            else:
                found.append((prefix + attribute.name, prefix, attribute.name))
        return found

    def schema(self) -> dict:
        properties = {}
        for attribute in self.attributes:
            if attribute.nested:
                properties[attribute.name] = nullable_ref(attribute.nested.component)
            else:
                properties[attribute.name] = attribute.schema
        return {
            "type": "object",
            "required": [attribute.name for attribute in self.attributes],
            "properties": properties,
        }


ID = Attribute("id", INTEGER)
SLUG = Attribute("slug")
NAME = Attribute("name")
DATE = {"type": "string", "format": "date"}
COORDINATE = {"type": "number", "nullable": True}

ENTITY_REF = Summary("EntityRef", (ID, SLUG, NAME))
TOPIC = Summary("Topic", (ID, SLUG, NAME))
ORGANISATION = Summary("Organisation", (ID, SLUG, NAME, Attribute("kind")))
PERSON = Summary(
    "Person",
    (ID, SLUG, NAME, Attribute("role"), Attribute("organisation", nested=ENTITY_REF)),
)
PLACE = Summary(
    "Place",
    (
        ID,
        SLUG,
        NAME,
        Attribute("city"),
        Attribute("region"),
        Attribute("country"),
        Attribute("latitude", COORDINATE, _float),
        Attribute("longitude", COORDINATE, _float),
    ),
)
MISSION = Summary(
    "MissionSummary",
    (ID, SLUG, NAME, Attribute("start_date", DATE, _iso), Attribute("end_date", DATE, _iso)),
)

SUMMARIES = (ENTITY_REF, TOPIC, ORGANISATION, PERSON, PLACE, MISSION)

# The many-to-many relations of a news item, and the shape each is served in.
NEWS_RELATIONS: dict[str, Summary] = {
    "topics": TOPIC,
    "organisations": ORGANISATION,
    "people": PERSON,
    "places": PLACE,
}


def components() -> dict[str, dict]:
    """The OpenAPI schema of every summary, by component name."""
    return {summary.component: summary.schema() for summary in SUMMARIES}


# The listing fast path ---------------------------------------------------------------------


def _relation_columns() -> list[str]:
    """Every row key of any relation's summary, in a stable order (the UNION's columns)."""
    keys: list[str] = []
    for summary in NEWS_RELATIONS.values():
        for key, _alias, _column in summary.columns():
            if key not in keys:
                keys.append(key)
    return keys


RELATION_COLUMNS = _relation_columns()


def _model_field(model, prefix: str, column: str):
    """The model field behind a row key: follow the nested foreign keys of the prefix."""
    for step in filter(None, prefix.split("__")):
        model = model._meta.get_field(step).related_model
    return model._meta.get_field(column)


def relations_sql(page_ids: list[int]) -> tuple[str, list[list[int]]]:
    """UNION ALL of the news relations: (relation, page id, *RELATION_COLUMNS) per link.

    Ordered as the serializers' prefetches are: by relation, then name and id. One array
    per branch, not a placeholder per page: the text is the same for every page size,
    written once per process, and short enough for psycopg to keep its parsed form.
    """
    return _relations_text(), [list(page_ids)] * len(NEWS_RELATIONS)


@functools.cache
def _relations_text() -> str:
    from cms.models import NewsPage

    quote = connection.ops.quote_name
    null_types: dict[str, str] = {}
    branches = []
    for relation, summary in NEWS_RELATIONS.items():
        relation_field = NewsPage._meta.get_field(relation)
        model = relation_field.related_model
        expressions: dict[str, str] = {}
        joins: list[str] = []
        aliases = {"": "e"}
        for key, prefix, column in summary.columns():
            if prefix not in aliases:
                # A nested summary: join the table its foreign key points to (one level).
                alias = f"n{len(aliases)}"
                foreign_key = model._meta.get_field(prefix[: -len("__")])
                joins.append(
                    f" LEFT JOIN {quote(foreign_key.related_model._meta.db_table)} {alias}"
                    f" ON {alias}.{quote(foreign_key.target_field.column)}"
                    f" = e.{quote(foreign_key.column)}"
                )
                aliases[prefix] = alias
            model_field = _model_field(model, prefix, column)
            expressions[key] = f"{aliases[prefix]}.{quote(model_field.column)}"
            null_types.setdefault(key, model_field.cast_db_type(connection))
        branches.append((relation, relation_field, model, expressions, "".join(joins)))
    selects = []
    for relation, relation_field, model, expressions, joins in branches:
        through = relation_field.remote_field.through._meta
        source = relation_field.m2m_column_name()
        target = relation_field.m2m_reverse_name()
        columns = ", ".join(
            expressions.get(key) or f"CAST(NULL AS {null_types[key]})" for key in RELATION_COLUMNS
        )
        selects.append(
            f"SELECT '{relation}', t.{quote(source)}, {columns} "
            f"FROM {quote(through.db_table)} t "
            f"JOIN {quote(model._meta.db_table)} e ON e.id = t.{quote(target)}{joins} "
            f"WHERE t.{quote(source)} = ANY(%s)"
        )
    name_position = 3 + RELATION_COLUMNS.index("name")
    id_position = 3 + RELATION_COLUMNS.index("id")
    return " UNION ALL ".join(selects) + f" ORDER BY 1, {name_position}, {id_position}"
