"""Reference entities that news links to: topics, organisations, people,
places and missions. Each is a translatable snippet with a slug unique per
locale, so the API can filter by slug and offer translation_of."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
)
from wagtail.models import Orderable, TranslatableMixin
from wagtail.search import index

from .links import EntityChooserPanel, LinkedManyToManyField
from .translation import LinksInOwnLocaleMixin, LinksInOwnLocaleSnippetForm


class UniqueSlugPerLocaleMixin:
    """Report a slug already used in the same locale as a field error.

    The database constraint stays as the last line of defence, but the admin
    form does not include `locale`, so Django would skip the constraint check
    and the save would fail with an IntegrityError instead of a message.
    """

    def clean(self) -> None:
        super().clean()
        if not self.slug or not self.locale_id:
            return
        clash = (
            type(self)
            ._default_manager.filter(slug=self.slug, locale_id=self.locale_id)
            .exclude(pk=self.pk)
        )
        if clash.exists():
            raise ValidationError(
                {
                    "slug": _(
                        "Lo slug «%(slug)s» è già usato da un altro elemento in questa lingua."
                    )
                    % {"slug": self.slug}
                }
            )


class SluggedSnippet(
    LinksInOwnLocaleMixin, UniqueSlugPerLocaleMixin, TranslatableMixin, index.Indexed, models.Model
):
    """What every reference entity shares: a name, and a slug unique per locale."""

    name = models.CharField(_("nome"), max_length=160)
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        allow_unicode=False,
        help_text=_("Identificativo nell'indirizzo e nell'API: minuscole, numeri e trattini."),
    )

    # locale_id: the choosers and listings search within one language.
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.FilterField("locale_id"),
    ]
    base_form_class = LinksInOwnLocaleSnippetForm

    class Meta(TranslatableMixin.Meta):
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Topic(SluggedSnippet):
    description = models.TextField(_("descrizione"), blank=True, max_length=500)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]

    class Meta(SluggedSnippet.Meta):
        verbose_name = _("tema")
        verbose_name_plural = _("temi")
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="unique_topic_slug_per_locale")
        ]


class OrganisationKind(models.TextChoices):
    INSTITUTION = "institution", _("Istituzione")
    CONSULATE = "consulate", _("Consolato")
    COMPANY = "company", _("Impresa")
    STARTUP = "startup", _("Startup")
    UNIVERSITY = "university", _("Università")
    ACCELERATOR = "accelerator", _("Acceleratore")
    ASSOCIATION = "association", _("Associazione")
    OTHER = "other", _("Altro")


class Organisation(SluggedSnippet):
    kind = models.CharField(
        _("tipo"),
        max_length=20,
        choices=OrganisationKind.choices,
        help_text=_("Che cosa è: istituzione, consolato, impresa, startup, università…"),
    )
    website = models.URLField(_("sito web"), blank=True)
    description = models.TextField(_("descrizione"), blank=True, max_length=1000)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("kind"),
        FieldPanel("website"),
        FieldPanel("description"),
    ]
    search_fields = SluggedSnippet.search_fields + [
        index.SearchField("description"),
        index.FilterField("kind"),
    ]

    class Meta(SluggedSnippet.Meta):
        verbose_name = _("organizzazione")
        verbose_name_plural = _("organizzazioni")
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "locale"], name="unique_organisation_slug_per_locale"
            )
        ]


class Person(SluggedSnippet):
    role = models.CharField(
        _("ruolo"), max_length=200, blank=True, help_text=_("Per esempio «assessore all'economia».")
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organizzazione"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("role"),
        FieldPanel("organisation"),
    ]
    search_fields = SluggedSnippet.search_fields + [index.SearchField("role")]

    class Meta(SluggedSnippet.Meta):
        verbose_name = _("persona")
        verbose_name_plural = _("persone")
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="unique_person_slug_per_locale")
        ]


class Place(SluggedSnippet):
    city = models.CharField(_("città"), max_length=120, blank=True)
    region = models.CharField(_("regione o stato"), max_length=120, blank=True)
    country = models.CharField(_("paese"), max_length=120)
    latitude = models.DecimalField(
        _("latitudine"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitudine"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldRowPanel([FieldPanel("city"), FieldPanel("region"), FieldPanel("country")]),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")], heading=_("Coordinate")),
    ]
    search_fields = SluggedSnippet.search_fields + [
        index.SearchField("city"),
        index.SearchField("country"),
        index.FilterField("country"),
    ]

    class Meta(SluggedSnippet.Meta):
        verbose_name = _("luogo")
        verbose_name_plural = _("luoghi")
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="unique_place_slug_per_locale"),
            models.CheckConstraint(
                condition=(models.Q(latitude__isnull=True) & models.Q(longitude__isnull=True))
                | (models.Q(latitude__isnull=False) & models.Q(longitude__isnull=False)),
                name="place_coordinates_both_or_neither",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            missing = "longitude" if self.longitude is None else "latitude"
            raise ValidationError(
                {
                    missing: _(
                        "Indica sia la latitudine sia la longitudine, oppure nessuna delle due."
                    )
                }
            )


class Mission(
    LinksInOwnLocaleMixin,
    UniqueSlugPerLocaleMixin,
    TranslatableMixin,
    index.Indexed,
    ClusterableModel,
):
    """An institutional mission: who went where, whom they met, what came of it.

    A snippet rather than a page: many news items point at one mission, and
    sites show it as structured context around the news, not as an article.
    """

    name = models.CharField(_("nome"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=80)
    destination = models.ForeignKey(
        Place,
        verbose_name=_("destinazione"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="missions",
        help_text=_("La città o il paese visitato."),
    )
    start_date = models.DateField(_("inizio"))
    end_date = models.DateField(_("fine"), help_text=_("Lo stesso giorno o dopo l'inizio."))
    summary = models.TextField(_("sintesi"), blank=True, max_length=1000)
    organisations_met = LinkedManyToManyField(
        Organisation,
        through="MissionOrganisation",
        links="organisation_links",
        target="organisation",
        verbose_name=_("organizzazioni incontrate"),
        blank=True,
        related_name="missions",
        help_text=_("Imprese, università, istituzioni e acceleratori incontrati o visitati."),
    )
    budget_amount = models.DecimalField(
        _("importo del budget"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    budget_currency = models.CharField(
        _("valuta"), max_length=3, default="EUR", help_text=_("Codice ISO 4217, per esempio EUR.")
    )
    budget_purpose = models.CharField(
        _("destinazione del budget"),
        max_length=300,
        blank=True,
        help_text=_("A che cosa servono i fondi, per esempio «attività 2024: seminari, B2B»."),
    )
    outcomes = models.TextField(
        _("risultati"),
        blank=True,
        max_length=2000,
        help_text=_("Che cosa ha prodotto la missione: accordi, investimenti, nuove sedi."),
    )

    base_form_class = LinksInOwnLocaleSnippetForm
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("destination"),
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
        FieldPanel("summary"),
        InlinePanel("delegates", label=_("Delegazione")),
        EntityChooserPanel(
            "organisation_links",
            chooser_field_name="organisation",
            label=_("Organizzazioni incontrate"),
            heading=_("Organizzazioni incontrate"),
        ),
        InlinePanel("agreements", label=_("Accordi firmati")),
        MultiFieldPanel(
            [
                FieldPanel("budget_amount"),
                FieldPanel("budget_currency"),
                FieldPanel("budget_purpose"),
            ],
            heading=_("Budget"),
        ),
        FieldPanel("outcomes"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("summary"),
        index.SearchField("outcomes"),
        index.FilterField("start_date"),
        index.FilterField("locale_id"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("missione")
        verbose_name_plural = _("missioni")
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "locale"], name="unique_mission_slug_per_locale"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="mission_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError(
                {"end_date": _("La missione non può finire prima di cominciare.")}
            )


class MissionDelegate(Orderable):
    mission = ParentalKey(Mission, related_name="delegates", on_delete=models.CASCADE)
    person = models.ForeignKey(Person, verbose_name=_("persona"), on_delete=models.CASCADE)
    role = models.CharField(
        _("ruolo nella missione"),
        max_length=200,
        blank=True,
        help_text=_("Lascia vuoto per usare il ruolo della persona."),
    )

    panels = [FieldPanel("person"), FieldPanel("role")]

    @property
    def effective_role(self) -> str:
        return self.role or self.person.role


class MissionOrganisation(Orderable):
    """An organisation met on a mission (the former many-to-many's table; see links.py)."""

    mission = ParentalKey(Mission, on_delete=models.CASCADE, related_name="organisation_links")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organizzazione"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("organisation")]
    duplicate_message = _("L'organizzazione «%(name)s» è già tra quelle incontrate nella missione.")

    class Meta(Orderable.Meta):
        db_table = "cms_mission_organisations_met"
        unique_together = [("mission", "organisation")]
        verbose_name = _("organizzazione incontrata")
        verbose_name_plural = _("organizzazioni incontrate")


class MissionAgreement(Orderable):
    mission = ParentalKey(Mission, related_name="agreements", on_delete=models.CASCADE)
    title = models.CharField(_("titolo"), max_length=200)
    signed_on = models.DateField(_("firmato il"), null=True, blank=True)
    parties = models.CharField(_("parti"), max_length=300, blank=True)
    summary = models.TextField(_("sintesi"), blank=True, max_length=1000)

    panels = [
        FieldPanel("title"),
        FieldPanel("signed_on"),
        FieldPanel("parties"),
        FieldPanel("summary"),
    ]
