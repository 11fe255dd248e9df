"""Content links entities of its own language only.

An English news page is tagged with English topics and names English
organisations, people, places and missions; so is an English person's
organisation or an English mission's destination. Two rules keep it so:

- when Wagtail copies a page or snippet for translation (the *Traduci* action
  of simple_translation, or `copy_for_translation` in code), every link of the
  copy is moved to the linked entity's translation in the target locale. A
  missing translation is created the way the translation tool creates one
  (`copy_for_translation` of the snippet), with its own links moved in turn;
- saving content whose links point at another locale is refused with a field
  error, and the admin forms offer only entities of the content's own locale.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import get_all_child_relations
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.models import Locale, Page, TranslatableMixin

from .links import LinkedManyToManyField


def translatable_link_fields(model: type[models.Model]) -> list[models.Field]:
    """The forward foreign keys and many-to-many fields of `model` that point at
    translatable entities (not the page tree, not parental keys)."""
    fields = []
    for field in model._meta.get_fields():
        if field.auto_created or not (field.many_to_one or field.many_to_many):
            continue
        if isinstance(field, ParentalKey) or getattr(field, "remote_field", None) is None:
            continue
        if field.many_to_many and not field.remote_field.through._meta.auto_created:
            continue  # links through child objects (links.py): the children carry them
        target = field.related_model
        if (
            isinstance(target, type)
            and issubclass(target, TranslatableMixin)
            and not issubclass(target, Page)
        ):
            fields.append(field)
    return fields


def linked_entities(instance: models.Model, field: models.Field) -> list[TranslatableMixin]:
    """The entities `instance` links through `field`, as held in memory."""
    if field.many_to_one:
        if getattr(instance, field.attname) is None:
            return []
        return [getattr(instance, field.name)]
    if instance.pk is None and not isinstance(field, ParentalManyToManyField):
        return []  # a plain many-to-many of an unsaved object has no value yet
    return list(getattr(instance, field.name).all())


def translation_in(entity: TranslatableMixin, locale: Locale) -> TranslatableMixin:
    """`entity` in `locale`: its translation, created (and saved) when missing."""
    if entity.locale_id == locale.pk:
        return entity
    existing = entity.get_translation_or_none(locale)
    if existing is not None:
        return existing
    # Fires copy_for_translation_done, whose receiver moves the copy's own links.
    copy = entity.copy_for_translation(locale)
    if hasattr(copy, "slug"):
        copy.slug = free_slug(copy)
    copy.save()
    return copy


def free_slug(entity: models.Model) -> str:
    """The entity's slug, suffixed when another entity already uses it in its locale."""
    manager = type(entity)._default_manager
    taken = set(
        manager.filter(locale_id=entity.locale_id, slug__startswith=entity.slug).values_list(
            "slug", flat=True
        )
    )
    slug, counter = entity.slug, 1
    max_length = type(entity)._meta.get_field("slug").max_length
    while slug in taken:
        counter += 1
        suffix = f"-{counter}"
        slug = entity.slug[: max_length - len(suffix)] + suffix
    return slug


def move_links_to_locale(instance: models.Model, locale: Locale) -> bool:
    """Point every translatable link of `instance` (and of its child objects, such as
    a mission's delegates) at the linked entity's translation in `locale`.

    Changes the object in memory only; returns whether anything changed.
    """
    changed = False
    for field in translatable_link_fields(type(instance)):
        current = linked_entities(instance, field)
        moved = [translation_in(entity, locale) for entity in current]
        if [entity.pk for entity in moved] == [entity.pk for entity in current]:
            continue
        changed = True
        if field.many_to_one:
            setattr(instance, field.name, moved[0])
        elif isinstance(field, ParentalManyToManyField):
            setattr(instance, field.name, moved)
        else:
            getattr(instance, field.name).set(moved)
    for relation in get_all_child_relations(type(instance)):
        accessor = relation.get_accessor_name()
        children = list(getattr(instance, accessor).all())
        moved = [
            move_links_to_locale(child, locale) for child in children
        ]  # every child, no short cut
        if any(moved):
            setattr(instance, accessor, children)
            changed = True
    return changed


def move_copy_links_to_its_locale(copy_: TranslatableMixin) -> None:
    """Called when Wagtail has copied an object for translation.

    A snippet's copy is not saved yet (its caller saves it), so moving its links in
    memory is enough. A page's copy is saved already, with a first revision that the
    editor will open: both are updated. Aliases mirror their source and are left alone.
    """
    if getattr(copy_, "alias_of_id", None) is not None:
        return
    if not move_links_to_locale(copy_, copy_.locale) or copy_.pk is None:
        return
    copy_.save(**({"clean": False} if isinstance(copy_, Page) else {}))
    revision = getattr(copy_, "latest_revision", None)
    if revision is not None:
        revision.content = copy_.serializable_data()
        revision.save(update_fields=["content"])


def wrong_locale_message(entity: TranslatableMixin, locale: Locale) -> str:
    return _(
        "«%(name)s» è in %(other)s, ma questo contenuto è in %(language)s: "
        "scegli la sua traduzione in %(language)s (se manca, creala con «Traduci»)."
    ) % {
        "name": entity,
        "other": entity.locale.get_display_name(),
        "language": locale.get_display_name(),
    }


def links_in_other_locales(
    locale: Locale, links: dict[str, Iterable[TranslatableMixin]]
) -> dict[str, ValidationError]:
    """A field error for each field in `links` that names an entity not in `locale`."""
    errors = {}
    for name, entities in links.items():
        wrong = [entity for entity in entities if entity.locale_id != locale.pk]
        if wrong:
            errors[name] = ValidationError(
                [wrong_locale_message(entity, locale) for entity in wrong], code="wrong_locale"
            )
    return errors


def is_copy_for_translation(instance: TranslatableMixin) -> bool:
    """Whether `instance` is a new object made by copying another for translation.

    Wagtail saves (and validates) a page's copy before anyone can move its links;
    the copy_for_translation_done receiver moves them right after. Nothing else
    creates a new object with the translation key of an existing one.
    """
    return (
        instance.pk is None
        and type(instance)
        ._default_manager.filter(translation_key=instance.translation_key)
        .exists()
    )


def link_locale_errors(instance: TranslatableMixin) -> dict[str, ValidationError]:
    """A field error for each link of `instance` to an entity of another locale."""
    if instance.locale_id is None or is_copy_for_translation(instance):
        return {}
    links = {
        field.name: linked_entities(instance, field)
        for field in translatable_link_fields(type(instance))
    }
    if not getattr(instance, "_link_rows_checked_by_form", False):
        # Links held by child rows; an admin form reports them on the rows instead
        # (check_child_links).
        links.update(child_row_links(instance))
    return links_in_other_locales(instance.locale, links)


def child_row_links(instance: models.Model) -> dict[str, list[TranslatableMixin]]:
    """The entities the child rows of `instance` link, by the name a field error takes.

    Chooser rows (links.py) are read through their many-to-many field and named after
    it (a news page's `topics`); other rows (a mission's `delegates`, each naming a
    person) are named after their child relation.
    """
    links: dict[str, list[TranslatableMixin]] = {}
    through_rows = set()
    for field in type(instance)._meta.many_to_many:
        if isinstance(field, LinkedManyToManyField):
            links[field.name] = list(getattr(instance, field.name).all())
            through_rows.add(field.links)
    for relation in get_all_child_relations(type(instance)):
        accessor = relation.get_accessor_name()
        fields = translatable_link_fields(relation.related_model)
        if accessor in through_rows or not fields:
            continue
        links[accessor] = [
            entity
            for child in getattr(instance, accessor).all()
            for field in fields
            for entity in linked_entities(child, field)
        ]
    return links


class LinksInOwnLocaleMixin:
    """Model validation: every translatable link points at the object's own locale."""

    def clean(self) -> None:
        super().clean()
        errors = link_locale_errors(self)
        if errors:
            raise ValidationError(errors)


def offer_only_locale(form_field, locale_id: int) -> None:
    """Make a model choice field's widget offer entities of one locale only.

    The field itself still accepts any entity, so a forged or stale choice reaches
    validation and gets the clear wrong-language message rather than Django's
    generic "not one of the available choices".
    """
    if not hasattr(form_field, "queryset"):
        return
    offer = copy.copy(
        form_field
    )  # shares the widget: setting its queryset sets the widget's choices
    offer.queryset = form_field.queryset.filter(locale_id=locale_id)


def refuse_rows_in_other_locales(form, locale: Locale) -> None:
    """A chooser row of `form` (a topic of a news page or of a newsletter, a delegate
    of a mission…) naming an entity of another locale gets the wrong-language error on
    its own field. (An entity chosen twice is refused by the formset's unique check.)"""
    for formset in getattr(form, "formsets", {}).values():
        formset.is_valid()  # validates the rows first, so errors added here stay
        for row in formset.forms:
            data = getattr(row, "cleaned_data", None) or {}
            if data.get("DELETE"):
                continue
            for field in translatable_link_fields(row._meta.model):
                entity = data.get(field.name)
                if entity is not None and entity.locale_id != locale.pk:
                    row.add_error(field.name, wrong_locale_message(entity, locale))


class LinksInOwnLocaleFormMixin:
    """Admin forms offer entities of the object's own locale only, and validate the
    links the form submits.

    Django puts many-to-many values on the instance only when saving, after model
    validation; parental many-to-many values live in memory until then, so they are
    set before `_post_clean` and the model's clean() sees what the editor chose.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        locale_id = getattr(self.instance, "locale_id", None)
        if locale_id is None:
            return
        for field in translatable_link_fields(type(self.instance)):
            form_field = self.fields.get(field.name)
            if form_field is not None:
                offer_only_locale(form_field, locale_id)

    def _post_clean(self) -> None:
        self.instance._link_rows_checked_by_form = True
        for field in translatable_link_fields(type(self.instance)):
            if isinstance(field, ParentalManyToManyField) and field.name in self.cleaned_data:
                setattr(self.instance, field.name, self.cleaned_data[field.name])
        super()._post_clean()

    def clean(self):
        cleaned = super().clean()
        self.check_child_links()
        return cleaned

    def check_child_links(self) -> None:
        locale = getattr(self.instance, "locale", None) if self.instance.locale_id else None
        if locale is None or is_copy_for_translation(self.instance):
            return
        refuse_rows_in_other_locales(self, locale)


class LinksInOwnLocalePageForm(LinksInOwnLocaleFormMixin, WagtailAdminPageForm):
    pass


class LinksInOwnLocaleSnippetForm(LinksInOwnLocaleFormMixin, WagtailAdminModelForm):
    pass
