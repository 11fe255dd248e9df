"""Ordered links from content to reference entities, edited with choosers.

A news page's topics (and organisations, people, places; a mission's
organisations met) are rows of a small orderable link model: one row per linked
entity, with a `sort_order`. The admin edits them with Wagtail's
`MultipleChooserPanel` (a searchable chooser, filtered to the content's locale,
with *create new*), and they live in memory as child objects until the page is
published, so drafts, revisions and previews carry them like any other field.

The many-to-many field of the same name (`NewsPage.topics`) goes *through* the
link model. Queries (`topics__slug`, `prefetch_related("topics")`, the API's
join) use it as before; on an object whose links are held in memory (a draft
from a revision, a preview, a form being saved) it reads those links instead of
the database, ordered by name as the API has always listed them.
"""

from __future__ import annotations

from django.db import models
from django.db.models.fields.related_descriptors import ManyToManyDescriptor
from modelcluster.forms import BaseChildFormSet
from modelcluster.queryset import FakeQuerySet
from wagtail.admin.panels import MultipleChooserPanel


class InMemoryLinksDescriptor(ManyToManyDescriptor):
    def __init__(self, rel, links: str, target: str) -> None:
        super().__init__(rel, reverse=False)
        self.links = links
        self.target = target

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        held = getattr(instance, "_cluster_related_objects", {}).get(self.links)
        if held is None:
            return super().__get__(instance, cls)
        entities = [getattr(link, self.target) for link in held]
        entities.sort(key=lambda entity: (entity.name, entity.pk))
        return FakeQuerySet(self.rel.model, entities)

    def __set__(self, instance, value) -> None:
        """`page.topics = [a, b]` sets the links in memory, as a parental
        many-to-many did; they reach the database when the page is saved."""
        through = self.rel.through
        setattr(
            instance,
            self.links,
            [
                through(**{self.target: entity, "sort_order": position})
                for position, entity in enumerate(value)
            ],
        )


class LinkedManyToManyField(models.ManyToManyField):
    """A many-to-many field through an orderable link model with a ParentalKey.

    `links` names the child relation (the ParentalKey's related_name) and `target`
    the link model's foreign key to the entity.
    """

    def __init__(self, *args, links: str, target: str, **kwargs) -> None:
        self.links = links
        self.target = target
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["links"] = self.links
        kwargs["target"] = self.target
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, **kwargs) -> None:
        super().contribute_to_class(cls, name, **kwargs)
        if not cls._meta.abstract:
            setattr(
                cls, self.name, InMemoryLinksDescriptor(self.remote_field, self.links, self.target)
            )


class EntityLinkFormSet(BaseChildFormSet):
    """The rows of an entity chooser. Choosing an entity already chosen is refused on
    the row, naming the entity in Italian (the link model's `duplicate_message`), instead
    of Django's generic «dati duplicati di page e topic»."""

    target: str = ""

    def validate_unique(self) -> None:
        seen: set[int] = set()
        for form in self.forms:
            if form in self.deleted_forms or not form.is_valid():
                continue
            entity = form.cleaned_data.get(self.target)
            if entity is None:
                continue
            if entity.pk in seen:
                form.add_error(self.target, self.model.duplicate_message % {"name": entity})
            seen.add(entity.pk)
        super().validate_unique()


class EntityChooserPanel(MultipleChooserPanel):
    """A `MultipleChooserPanel` whose rows refuse a repeated entity with a clear message."""

    def get_form_options(self):
        options = super().get_form_options()
        formset = type(
            "EntityLinkFormSet", (EntityLinkFormSet,), {"target": self.chooser_field_name}
        )
        options["formsets"][self.relation_name]["formset"] = formset
        return options


def entity_panel(links: str, target: str, label) -> EntityChooserPanel:
    """A searchable, ordered chooser of reference entities (opens in the content's locale)."""
    return EntityChooserPanel(
        links, chooser_field_name=target, label=label, heading=label, min_num=0
    )
