"""The newsletter form and listing: only the day field the cadence uses, Italian labels.

A weekly newsletter needs a day of the week, a monthly one a day of the month
(1–28), a daily one neither: the form shows (with a small script) and requires
(on the server) only that field. The listing says "Sì"/"No", not True/False, and
the success messages agree with "newsletter" (feminine in Italian).

Topics are picked with the same searchable chooser as a news page's, opened in the
newsletter's language: Wagtail's choosers add `locale=<wagtailConfig.ACTIVE_CONTENT_LOCALE>`
to their URL, which the views set from the newsletter (the default language for a
new one) and the script keeps in step with the language field.
"""

from __future__ import annotations

import json

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.models import Locale

from .models import Cadence

FIELD_FOR_CADENCE = {Cadence.WEEKLY: "send_weekday", Cadence.MONTHLY: "send_day_of_month"}
DAY_FIELDS = tuple(FIELD_FOR_CADENCE.values())


class NewsletterFormScriptMixin:
    """Mixed into the newsletter's admin form: the day fields its script shows by cadence
    (and the server requires), and the language codes the topic chooser follows."""

    class Media:
        js = ["newsletter/admin/newsletter_form.js"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in DAY_FIELDS:
            if name in self.fields:
                self.fields[name].required = False
                self.fields[name].widget.attrs["data-cadence-field"] = name
        if "send_day_of_month" in self.fields:
            self.fields["send_day_of_month"].widget.attrs.update({"min": 1, "max": 28})
        if "cadence" in self.fields:
            self.fields["cadence"].widget.attrs["data-cadence"] = ""
        if "locale" in self.fields:
            codes = dict(Locale.objects.values_list("pk", "language_code"))
            self.fields["locale"].widget.attrs["data-locale-codes"] = json.dumps(codes)

    def clean(self):
        cleaned = super().clean()
        needed = FIELD_FOR_CADENCE.get(cleaned.get("cadence"))
        for name in DAY_FIELDS:
            if name not in self.fields:
                continue
            value = cleaned.get(name)
            if name == needed:
                if value in (None, ""):
                    self.add_error(name, _("Questo campo serve per la frequenza scelta."))
                elif name == "send_day_of_month" and not 1 <= value <= 28:
                    self.add_error(name, _("Scegli un giorno tra 1 e 28."))
            elif value in (None, ""):
                # Unused by this cadence: keep what was there (or the default).
                cleaned[name] = getattr(self.instance, name)
        return cleaned


class YesNoColumn(Column):
    def get_value(self, instance):
        return _("Sì") if getattr(instance, self.accessor) else _("No")


LIST_DISPLAY = [
    "name",
    "slug",
    Column("cadence", label=_("frequenza"), accessor="get_cadence_display"),
    YesNoColumn("requires_approval", label=_("richiede approvazione")),
    YesNoColumn("is_active", label=_("attiva")),
]


class ChoosersInNewsletterLocaleMixin:
    """Puts the newsletter's language in the context, where Wagtail's admin reads the
    locale its choosers open in (`ACTIVE_CONTENT_LOCALE`)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        instance = getattr(self, "object", None)
        context.setdefault(
            "locale", instance.locale if instance and instance.locale_id else Locale.get_default()
        )
        return context


class NewsletterCreateView(ChoosersInNewsletterLocaleMixin, generic.CreateView):
    success_message = _("Newsletter «%(object)s» creata.")


class NewsletterEditView(ChoosersInNewsletterLocaleMixin, generic.EditView):
    success_message = _("Newsletter «%(object)s» aggiornata.")


class NewsletterDeleteView(generic.DeleteView):
    success_message = _("Newsletter «%(object)s» eliminata.")
