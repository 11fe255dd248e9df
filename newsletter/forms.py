"""Validation shared by the hosted form and the JSON API, so both accept exactly the same."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cms.models import Topic

from .addresses import MAX_EMAIL_LENGTH, normalise_email
from .models import Newsletter
from .subscriptions import Selection, newsletter_topics

MAX_NEWSLETTERS = 20
MAX_TOPICS = 50
MAX_ORIGIN_LENGTH = 200


def public_newsletters():
    return Newsletter.objects.filter(is_public=True, is_active=True).select_related("locale")


def topics_for(newsletter: Newsletter):
    """The topics a subscriber may narrow this newsletter to."""
    return newsletter_topics(newsletter)


def topic_choices(
    newsletters: list[Newsletter], language: str | None = None
) -> list[tuple[str, str]]:
    """(slug, name) of the topics these newsletters offer, named in `language`.

    A topic is offered by its slug, which its translations share; the name shown
    is the name of its translation in the reader's language when there is one.
    """
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    topics = [topic for newsletter in newsletters for topic in topics_for(newsletter)]
    translated = {
        topic.translation_key: topic.name
        for topic in Topic.objects.filter(
            translation_key__in={topic.translation_key for topic in topics},
            locale__language_code=language,
        )
    }
    choices: dict[str, str] = {}
    for topic in topics:
        choices.setdefault(topic.slug, translated.get(topic.translation_key, topic.name))
    return sorted(choices.items(), key=lambda item: item[1])


class BoundedMultipleChoiceField(forms.MultipleChoiceField):
    def __init__(self, *args, max_items: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_items = max_items

    def to_python(self, value):
        if value is not None and not isinstance(value, (list, tuple)):
            raise ValidationError(_("Serve un elenco."), code="invalid_list")
        if value and len(value) > self.max_items:
            raise ValidationError(
                _("Al massimo %(max)d elementi."), code="too_many", params={"max": self.max_items}
            )
        if value and not all(isinstance(item, str) for item in value):
            raise ValidationError(_("Ogni elemento deve essere un testo."), code="invalid")
        return super().to_python(value)


class SelectionMixin:
    """Turns the `newsletters` and `topics` slug lists into a subscriptions.Selection."""

    def selection(self) -> Selection:
        return self.cleaned_data["selection"]

    def clean_selection(self, newsletter_slugs: list[str], topic_slugs: list[str]) -> Selection:
        newsletters = list(public_newsletters().filter(slug__in=newsletter_slugs))
        wanted = set(topic_slugs)
        matched: set[str] = set()
        topics_by_newsletter: dict[int, list[int]] = {}
        for newsletter in newsletters:
            topics = list(topics_for(newsletter).filter(slug__in=wanted))
            matched.update(topic.slug for topic in topics)
            topics_by_newsletter[newsletter.pk] = [topic.pk for topic in topics]
        unknown = wanted - matched
        if unknown:
            self.add_error(
                "topics",
                ValidationError(
                    _("Temi non offerti dalle newsletter scelte: %(slugs)s"),
                    code="unknown_topic",
                    params={"slugs": ", ".join(sorted(unknown))},
                ),
            )
        return Selection(topics_by_newsletter)


class SubscribeForm(SelectionMixin, forms.Form):
    email = forms.CharField(
        label=_("Indirizzo email"),
        max_length=MAX_EMAIL_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    newsletters = BoundedMultipleChoiceField(
        label=_("Newsletter"), widget=forms.CheckboxSelectMultiple, max_items=MAX_NEWSLETTERS
    )
    topics = BoundedMultipleChoiceField(
        label=_("Temi (facoltativo)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        max_items=MAX_TOPICS,
    )
    locale = forms.ChoiceField(label=_("Lingua"), choices=settings.LANGUAGES, required=False)
    consent = forms.BooleanField(
        label=_("Acconsento a ricevere la newsletter e ho letto l'informativa sulla privacy."),
        error_messages={"required": _("Serve il tuo consenso.")},
    )
    source = forms.CharField(max_length=MAX_ORIGIN_LENGTH, required=False, widget=forms.HiddenInput)
    # Honeypot: hidden from people, filled in by naive bots.
    website = forms.CharField(required=False, max_length=500, label=_("Lascia vuoto"))

    def __init__(self, *args, language: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        newsletters = list(public_newsletters().prefetch_related("topics"))
        self.fields["newsletters"].choices = [(item.slug, item.name) for item in newsletters]
        self.fields["topics"].choices = topic_choices(newsletters, language)

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def clean_email(self) -> str:
        try:
            return normalise_email(self.cleaned_data["email"])
        except ValidationError:
            raise ValidationError(
                _("Inserisci un indirizzo email valido."), code="invalid"
            ) from None

    def clean_consent(self) -> bool:
        if self.cleaned_data.get("consent") is not True:
            raise ValidationError(_("Serve il tuo consenso."), code="required")
        return True

    def clean(self):
        cleaned = super().clean()
        if "newsletters" in cleaned:
            cleaned["selection"] = self.clean_selection(
                cleaned["newsletters"], cleaned.get("topics") or []
            )
        if not cleaned.get("locale"):
            # Unstated: the language of the first newsletter chosen, else the site's.
            first = public_newsletters().filter(slug__in=cleaned.get("newsletters") or []).first()
            cleaned["locale"] = first.locale.language_code if first else settings.LANGUAGE_CODE
        return cleaned


class PreferencesForm(SelectionMixin, forms.Form):
    newsletters = BoundedMultipleChoiceField(
        label=_("Newsletter"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        max_items=MAX_NEWSLETTERS,
    )
    topics = BoundedMultipleChoiceField(
        label=_("Temi (se non ne scegli nessuno, riceverai le notizie di tutti i temi)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        max_items=MAX_TOPICS,
    )
    locale = forms.ChoiceField(label=_("Lingua delle email"), choices=settings.LANGUAGES)

    def __init__(self, *args, language: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        newsletters = list(public_newsletters().prefetch_related("topics"))
        self.fields["newsletters"].choices = [(item.slug, item.name) for item in newsletters]
        self.fields["topics"].choices = topic_choices(newsletters, language)

    def clean(self):
        cleaned = super().clean()
        if "newsletters" in cleaned:
            cleaned["selection"] = self.clean_selection(
                cleaned["newsletters"], cleaned.get("topics") or []
            )
        return cleaned
