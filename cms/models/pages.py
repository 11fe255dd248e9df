"""Page types: HomePage › NewsIndexPage › NewsPage."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    TitleFieldPanel,
)
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.blocks import NewsBodyBlock

from .links import LinkedManyToManyField, entity_panel
from .preview_mode import HeadlessPreviewMode
from .snippets import Mission, Organisation, Person, Place, Topic
from .translation import LinksInOwnLocalePageForm, link_locale_errors

# Titles end up in email subject lines, standfirsts in cards and preheaders.
TITLE_MAX_LENGTH = 120
STANDFIRST_MAX_LENGTH = 240


class NewsPageForm(LinksInOwnLocalePageForm):
    """Saving a draft defers required-field checks, including the ones the model makes
    (alt text of the hero image); publishing, scheduling and submitting enforce them.

    Wagtail calls `defer_required_fields()` on the form only for a draft save (and a
    preview), and relaxes the form's own required fields and block fields; the flag
    tells `NewsPage.clean()` to relax its own in the same case.

    A page in moderation is the exception: workflow approval publishes its latest
    revision as it stands, with no form in between, so while a workflow is in progress
    every draft is checked as if it were being published. Bulk publish re-checks in
    `cms.wagtail_hooks.refuse_bulk_publishing_incomplete_pages`.
    """

    def defer_required_fields(self) -> None:
        if self.instance.pk and self.instance.workflow_in_progress:
            return
        super().defer_required_fields()

    def _post_clean(self) -> None:
        self.instance.deferring_required_fields = self.is_deferred_validation
        try:
            super()._post_clean()
        finally:
            self.instance.deferring_required_fields = False


class HomePage(Page):
    intro = RichTextField(_("introduzione"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.NewsIndexPage"]
    page_description = _("La radice del sito di una lingua: contiene le sezioni di notizie.")

    class Meta:
        verbose_name = _("home page")


class NewsIndexPage(Page):
    intro = RichTextField(_("introduzione"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]
    page_description = _("Un elenco di notizie, per esempio «Notizie» o «News».")

    class Meta:
        verbose_name = _("indice delle notizie")
        verbose_name_plural = _("indici delle notizie")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["news"] = (
            NewsPage.objects.live().public().child_of(self).order_by("-publication_date")[:50]
        )
        return context


class NewsPage(HeadlessPreviewMode, Page):
    standfirst = models.CharField(
        _("sommario"),
        max_length=STANDFIRST_MAX_LENGTH,
        help_text=format_lazy(
            _(
                "Il sottotitolo: una o due frasi, al massimo {limit} caratteri, usate anche "
                "nelle card e nelle newsletter."
            ),
            limit=STANDFIRST_MAX_LENGTH,
        ),
    )
    publication_date = models.DateTimeField(
        _("data di pubblicazione"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "La data mostrata ai lettori. Lascia vuoto per usare la data della prima "
            "pubblicazione; modificala per retrodatare o correggere."
        ),
    )
    topics = LinkedManyToManyField(
        Topic,
        through="NewsPageTopic",
        links="topic_links",
        target="topic",
        verbose_name=_("temi"),
        blank=True,
        related_name="news",
        help_text=_("La sezione o le sezioni della notizia, per esempio «Innovazione»."),
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("immagine principale"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Appare in testa alla notizia, nelle card e nelle newsletter."),
    )
    hero_alt = models.CharField(
        _("testo alternativo"),
        max_length=250,
        blank=True,
        help_text=_("Obbligatorio se c'è un'immagine: descrivila per chi non può vederla."),
    )
    hero_caption = models.CharField(
        _("didascalia"), max_length=250, blank=True, help_text=_("Cosa mostra l'immagine.")
    )
    hero_credit = models.CharField(
        _("credito"), max_length=120, blank=True, help_text=_("Autore o fonte dell'immagine.")
    )
    body = StreamField(NewsBodyBlock(), verbose_name=_("testo"), blank=True)
    organisations = LinkedManyToManyField(
        Organisation,
        through="NewsPageOrganisation",
        links="organisation_links",
        target="organisation",
        verbose_name=_("organizzazioni"),
        blank=True,
        related_name="news",
        help_text=_("Istituzioni, imprese, università e startup di cui parla la notizia."),
    )
    people = LinkedManyToManyField(
        Person,
        through="NewsPagePerson",
        links="person_links",
        target="person",
        verbose_name=_("persone"),
        blank=True,
        related_name="news",
        help_text=_("Le persone citate, con il loro ruolo."),
    )
    places = LinkedManyToManyField(
        Place,
        through="NewsPagePlace",
        links="place_links",
        target="place",
        verbose_name=_("luoghi"),
        blank=True,
        related_name="news",
        help_text=_("Dove si svolgono i fatti."),
    )
    mission = models.ForeignKey(
        Mission,
        verbose_name=_("missione"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="news",
        help_text=_("La missione istituzionale a cui si riferisce la notizia, se c'è."),
    )
    source_url = models.URLField(
        _("fonte o approfondimento"),
        blank=True,
        help_text=_(
            "Un indirizzo esterno per approfondire, per esempio un articolo di intoscana.it."
        ),
    )
    source_label = models.CharField(
        _("etichetta della fonte"),
        max_length=120,
        blank=True,
        help_text=_("Il testo del link, per esempio «Per approfondire su intoscana.it»."),
    )

    content_panels = [
        TitleFieldPanel(
            "title",
            help_text=format_lazy(
                _("Al massimo {limit} caratteri: il titolo finisce nell'oggetto delle email."),
                limit=TITLE_MAX_LENGTH,
            ),
        ),
        FieldPanel("standfirst"),
        FieldPanel("publication_date"),
        MultiFieldPanel(
            [
                FieldPanel("hero_image"),
                FieldPanel("hero_alt"),
                FieldRowPanel([FieldPanel("hero_caption"), FieldPanel("hero_credit")]),
            ],
            heading=_("Immagine principale"),
        ),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                entity_panel("topic_links", "topic", _("Temi")),
                FieldPanel("mission"),
                entity_panel("organisation_links", "organisation", _("Organizzazioni")),
                entity_panel("person_links", "person", _("Persone")),
                entity_panel("place_links", "place", _("Luoghi")),
            ],
            heading=_("Collegamenti"),
        ),
        FieldRowPanel([FieldPanel("source_url"), FieldPanel("source_label")]),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("standfirst"),
        index.SearchField("body"),
        index.RelatedFields("topics", [index.SearchField("name")]),
        index.RelatedFields("organisations", [index.SearchField("name")]),
        index.RelatedFields("people", [index.SearchField("name")]),
        index.RelatedFields("places", [index.SearchField("name")]),
        index.RelatedFields("mission", [index.SearchField("name")]),
        index.FilterField("publication_date"),
        index.FilterField("locale_id"),
    ]

    base_form_class = NewsPageForm

    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list[str] = []
    page_description = _(
        "Una notizia: titolo, sommario, immagine, testo strutturato e collegamenti."
    )

    class Meta:
        verbose_name = _("notizia")
        verbose_name_plural = _("notizie")

    def clean(self):
        super().clean()
        errors = {}
        if len(self.title or "") > TITLE_MAX_LENGTH:
            errors["title"] = _(
                "Il titolo può avere al massimo %(limit)d caratteri: finisce nell'oggetto delle email."
            ) % {"limit": TITLE_MAX_LENGTH}
        if (
            self.hero_image_id
            and not (self.hero_alt or "").strip()
            and not getattr(self, "deferring_required_fields", False)
        ):
            errors["hero_alt"] = _(
                "Descrivi l'immagine principale: il testo alternativo è obbligatorio."
            )
        errors.update(link_locale_errors(self))
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.live and self.publication_date is None:
            self.publication_date = self.first_published_at or timezone.now()
        return super().save(*args, **kwargs)

    @property
    def published_at(self):
        return self.publication_date or self.first_published_at


# One linked entity of a news page per row (see cms/models/links.py). Each table is
# the one the former plain many-to-many used, so existing links stay where they are.


class NewsPageTopic(Orderable):
    page = ParentalKey(
        NewsPage, on_delete=models.CASCADE, related_name="topic_links", db_column="newspage_id"
    )
    topic = models.ForeignKey(
        Topic, verbose_name=_("tema"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("topic")]
    duplicate_message = _("Il tema «%(name)s» è già collegato alla notizia.")

    class Meta(Orderable.Meta):
        db_table = "cms_newspage_topics"
        unique_together = [("page", "topic")]
        verbose_name = _("tema della notizia")
        verbose_name_plural = _("temi della notizia")


class NewsPageOrganisation(Orderable):
    page = ParentalKey(
        NewsPage,
        on_delete=models.CASCADE,
        related_name="organisation_links",
        db_column="newspage_id",
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organizzazione"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("organisation")]
    duplicate_message = _("L'organizzazione «%(name)s» è già collegata alla notizia.")

    class Meta(Orderable.Meta):
        db_table = "cms_newspage_organisations"
        unique_together = [("page", "organisation")]
        verbose_name = _("organizzazione della notizia")
        verbose_name_plural = _("organizzazioni della notizia")


class NewsPagePerson(Orderable):
    page = ParentalKey(
        NewsPage, on_delete=models.CASCADE, related_name="person_links", db_column="newspage_id"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("persona"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("person")]
    duplicate_message = _("La persona «%(name)s» è già collegata alla notizia.")

    class Meta(Orderable.Meta):
        db_table = "cms_newspage_people"
        unique_together = [("page", "person")]
        verbose_name = _("persona della notizia")
        verbose_name_plural = _("persone della notizia")


class NewsPagePlace(Orderable):
    page = ParentalKey(
        NewsPage, on_delete=models.CASCADE, related_name="place_links", db_column="newspage_id"
    )
    place = models.ForeignKey(
        Place, verbose_name=_("luogo"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("place")]
    duplicate_message = _("Il luogo «%(name)s» è già collegato alla notizia.")

    class Meta(Orderable.Meta):
        db_table = "cms_newspage_places"
        unique_together = [("page", "place")]
        verbose_name = _("luogo della notizia")
        verbose_name_plural = _("luoghi della notizia")
