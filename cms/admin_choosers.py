"""Entity choosers in the page's language: they list and make entities of that language.

Wagtail opens a translatable snippet's chooser with `?locale=<the edited content's
language>` and preselects it in the chooser's language filter, which also offers
«All» and every other language. Opened with a language, our choosers' filter offers
that language only, so an editor is never shown an entity the page may not link
(model validation still refuses one with a field error: cms/models/translation.py).

*Crea*: a topic, organisation, person or place made from a page's chooser is made in
the page's language. The chooser's creation form keeps `?locale=` on its own URL and
gives the new entity that locale (the default locale when the chooser was opened
without one). The slug is made from the name when left empty; a slug already used in
that language is refused on the form by the model's own validation (unique per locale).
"""

from __future__ import annotations

from django import forms
from django.utils.text import slugify
from wagtail.models import Locale
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetCreateView,
)


class InLocaleCreationForm(forms.ModelForm):
    """A creation form whose instance already carries its locale (set by the view)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False

    def clean(self):
        cleaned = super().clean()
        if "slug" in self.fields and not cleaned.get("slug") and cleaned.get("name"):
            cleaned["slug"] = slugify(cleaned["name"])[:100]
        return cleaned


def locale_asked_for(request) -> Locale | None:
    """The language the chooser was opened in (`?locale=`), if it names one of ours."""
    code = request.GET.get("locale")
    return Locale.objects.filter(language_code=code).first() if code else None


def requested_locale(request) -> Locale:
    return locale_asked_for(request) or Locale.get_default()


class PageLocaleOnlyMixin:
    """The language filter of a chooser opened with ?locale=… offers that language only."""

    def get_filter_form(self):
        form = super().get_filter_form()
        locale = locale_asked_for(self.request)
        if locale is not None and "locale" in form.fields:
            form.fields["locale"].choices = [(locale.language_code, locale.get_display_name())]
        return form


class InLocaleCreationMixin:
    def get_create_url(self) -> str:
        url = super().get_create_url()
        if self.request.GET.get("locale") and "locale=" not in url:
            code = requested_locale(self.request).language_code
            url += ("&" if "?" in url else "?") + f"locale={code}"
        return url

    def get_creation_form_class(self):
        if self.form_fields is None:
            return None
        return forms.modelform_factory(
            self.model_class, form=InLocaleCreationForm, fields=self.form_fields
        )

    def get_creation_form_kwargs(self) -> dict:
        kwargs = super().get_creation_form_kwargs()
        instance = self.model_class()
        instance.locale = requested_locale(self.request)
        kwargs["instance"] = instance
        return kwargs


class InLocaleChooseView(PageLocaleOnlyMixin, InLocaleCreationMixin, ChooseView):
    pass


class InLocaleChooseResultsView(PageLocaleOnlyMixin, InLocaleCreationMixin, ChooseResultsView):
    pass


class PageLocaleChooseView(PageLocaleOnlyMixin, ChooseView):
    pass


class PageLocaleChooseResultsView(PageLocaleOnlyMixin, ChooseResultsView):
    pass


class PageLocaleChooserViewSet(SnippetChooserViewSet):
    """A chooser without *Crea* (missions), in the page's language."""

    choose_view_class = PageLocaleChooseView
    choose_results_view_class = PageLocaleChooseResultsView


class InLocaleCreateView(InLocaleCreationMixin, SnippetCreateView):
    pass


class EntityChooserViewSet(SnippetChooserViewSet):
    choose_view_class = InLocaleChooseView
    choose_results_view_class = InLocaleChooseResultsView
    create_view_class = InLocaleCreateView


def entity_chooser(fields: list[str]) -> type[EntityChooserViewSet]:
    """A chooser viewset whose *Crea* tab asks for `fields`."""
    return type("EntityChooserViewSet", (EntityChooserViewSet,), {"form_fields": fields})
