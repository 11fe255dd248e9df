"""The typed blocks of a news body. Each block says what it is, so the API,
feeds and newsletters can render every part of it."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Testo"), max_length=120)
    level = blocks.ChoiceBlock(
        choices=[("h2", _("Titolo di sezione (H2)")), ("h3", _("Sottotitolo (H3)"))],
        default="h2",
        label=_("Livello"),
    )

    class Meta:
        icon = "title"
        label = _("Titolo")


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Immagine"))
    alt = blocks.CharBlock(
        label=_("Testo alternativo"),
        max_length=250,
        help_text=_("Descrivi l'immagine per chi non può vederla. Obbligatorio."),
    )
    caption = blocks.CharBlock(label=_("Didascalia"), required=False, max_length=250)
    credit = blocks.CharBlock(label=_("Credito"), required=False, max_length=120)

    class Meta:
        icon = "image"
        label = _("Immagine")


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Citazione"), max_length=600)
    attribution = blocks.CharBlock(label=_("Autore"), max_length=120)
    role = blocks.CharBlock(label=_("Ruolo"), required=False, max_length=160)

    class Meta:
        icon = "openquote"
        label = _("Citazione")


class KeyFigureBlock(blocks.StructBlock):
    value = blocks.CharBlock(
        label=_("Valore"), max_length=40, help_text=_("Per esempio «130.000 €» o «400.000».")
    )
    label = blocks.CharBlock(
        label=_("Descrizione"),
        max_length=120,
        help_text=_("Per esempio «budget per le attività 2024»."),
    )

    class Meta:
        icon = "pick"
        label = _("Dato chiave")


class RelatedLinkBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Etichetta"), default="Per approfondire", max_length=60)
    title = blocks.CharBlock(label=_("Titolo del link"), max_length=160)
    page = blocks.PageChooserBlock(label=_("Pagina interna"), required=False)
    url = blocks.URLBlock(label=_("Indirizzo esterno"), required=False)

    class Meta:
        icon = "link"
        label = _("Link correlato")

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("url")):
            raise blocks.StructBlockValidationError(
                block_errors={
                    "url": ValidationError(
                        _("Indica una pagina interna o un indirizzo esterno, non entrambi.")
                    )
                }
            )
        return value


class NewsBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Paragrafo"))
    heading = HeadingBlock()
    image = ImageBlock()
    quote = QuoteBlock()
    key_figure = KeyFigureBlock()
    embed = EmbedBlock(label=_("Contenuto incorporato"), icon="media")
    related_link = RelatedLinkBlock()

    class Meta:
        block_counts = {}
