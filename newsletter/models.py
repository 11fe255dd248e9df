"""Newsletters, the people who receive them, and what was sent to whom.

Vocabulary: a Newsletter is a list people subscribe to; an Issue is one edition
of it; a Delivery is one issue to one subscriber; a Subscriber is a person's
address; a Subscription puts a subscriber on one newsletter; a ConsentRecord is
an append-only log of consent; a Suppression is an address we must never mail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from cms.models.links import LinkedManyToManyField


class Cadence(models.TextChoices):
    DAILY = "daily", _("Ogni giorno")
    WEEKLY = "weekly", _("Ogni settimana")
    MONTHLY = "monthly", _("Ogni mese")


class Weekday(models.IntegerChoices):
    # crontab numbering: 0 is Sunday.
    MONDAY = 1, _("lunedì")
    TUESDAY = 2, _("martedì")
    WEDNESDAY = 3, _("mercoledì")
    THURSDAY = 4, _("giovedì")
    FRIDAY = 5, _("venerdì")
    SATURDAY = 6, _("sabato")
    SUNDAY = 0, _("domenica")


class Newsletter(ClusterableModel):
    name = models.CharField(_("nome"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    locale = models.ForeignKey(
        "wagtailcore.Locale", verbose_name=_("lingua"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("descrizione"), blank=True, max_length=1000)
    topics = LinkedManyToManyField(
        "cms.Topic",
        through="NewsletterTopic",
        links="topic_links",
        target="topic",
        verbose_name=_("temi"),
        blank=True,
        related_name="+",
        help_text=_("Lascia vuoto per includere tutte le notizie della lingua."),
    )
    is_public = models.BooleanField(
        _("pubblica"), default=True, help_text=_("Le newsletter pubbliche compaiono nei moduli.")
    )
    is_active = models.BooleanField(_("attiva"), default=True)

    # Cadence: becomes a django-celery-beat PeriodicTask in Europe/Rome.
    cadence = models.CharField(
        _("frequenza"), max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY
    )
    send_weekday = models.PositiveSmallIntegerField(
        _("giorno della settimana"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    send_day_of_month = models.PositiveSmallIntegerField(
        _("giorno del mese"), default=1, help_text=_("Solo per le newsletter mensili (1–28).")
    )
    send_time = models.TimeField(_("ora di invio"), default="09:00")
    lookback_days = models.PositiveSmallIntegerField(
        _("giorni da considerare nel primo numero"),
        null=True,
        blank=True,
        help_text=_("Lascia vuoto per usare un periodo della frequenza (7 giorni se settimanale)."),
    )
    max_items = models.PositiveSmallIntegerField(_("numero massimo di notizie"), default=10)
    requires_approval = models.BooleanField(
        _("richiede approvazione"),
        default=False,
        help_text=_(
            "Se attivo, ogni numero aspetta l'approvazione di un redattore prima dell'invio."
        ),
    )
    count_clicks = models.BooleanField(
        _("conta i clic sulle notizie"),
        default=False,
        help_text=_(
            "Conta quante volte è aperta ogni notizia di ogni numero, senza sapere chi la apre: "
            "i link passano dal sito e sono uguali per tutti gli iscritti."
        ),
    )
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Sender identity, shown in headers and in the footer of every email.
    sender_name = models.CharField(_("nome del mittente"), max_length=120)
    sender_email = models.EmailField(_("indirizzo del mittente"))
    reply_to = models.EmailField(_("rispondi a"), blank=True)
    postal_address = models.TextField(_("indirizzo postale"), max_length=500)
    intro = models.TextField(_("introduzione"), blank=True, max_length=1000)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletter")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NewsletterTopic(Orderable):
    """One topic of a newsletter, a row of the admin's topic chooser (cms/models/links.py).

    The table is the one the plain many-to-many used, so existing choices stay put."""

    newsletter = ParentalKey(Newsletter, on_delete=models.CASCADE, related_name="topic_links")
    topic = models.ForeignKey(
        "cms.Topic", verbose_name=_("tema"), on_delete=models.CASCADE, related_name="+"
    )

    duplicate_message = _("Il tema «%(name)s» è già nella newsletter.")

    class Meta(Orderable.Meta):
        db_table = "newsletter_newsletter_topics"
        unique_together = [("newsletter", "topic")]
        verbose_name = _("tema della newsletter")
        verbose_name_plural = _("temi della newsletter")


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", _("In attesa di conferma")
    ACTIVE = "active", _("Attivo")
    UNSUBSCRIBED = "unsubscribed", _("Disiscritto")
    BOUNCED = "bounced", _("Rimbalzato")
    COMPLAINED = "complained", _("Segnalato come spam")
    ERASED = "erased", _("Cancellato")


class Subscriber(models.Model):
    # Normalised (trimmed, domain lower-cased); null once the person is erased.
    email = models.EmailField(_("email"), max_length=254, unique=True, null=True, blank=True)
    locale = models.CharField(_("lingua"), max_length=8, choices=settings.LANGUAGES, default="it")
    status = models.CharField(
        _("stato"),
        max_length=16,
        choices=SubscriberStatus.choices,
        default=SubscriberStatus.PENDING,
        db_index=True,
    )
    created_at = models.DateTimeField(_("creato il"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confermato il"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("disiscritto il"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    soft_bounce_count = models.PositiveIntegerField(_("rimbalzi temporanei"), default=0)

    class Meta:
        verbose_name = _("iscritto")
        verbose_name_plural = _("iscritti")
        ordering = ["-created_at"]
        constraints = [
            # Only erasure empties an address: no subscriber is ever created without one.
            models.CheckConstraint(
                condition=models.Q(email__isnull=False) | models.Q(status="erased"),
                name="subscriber_has_address_unless_erased",
            )
        ]

    def __str__(self) -> str:
        return self.email or f"#{self.pk} ({self.get_status_display()})"


class Subscription(models.Model):
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    newsletter = models.ForeignKey(
        Newsletter, on_delete=models.CASCADE, related_name="subscriptions"
    )
    topics = models.ManyToManyField(
        "cms.Topic",
        verbose_name=_("temi"),
        blank=True,
        related_name="+",
        help_text=_("Vuoto: tutti i temi della newsletter."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("iscrizione")
        verbose_name_plural = _("iscrizioni")
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "newsletter"], name="one_subscription_per_newsletter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subscriber} → {self.newsletter}"


class ConsentAction(models.TextChoices):
    SUBSCRIBE = "subscribe", _("Iscrizione")
    CONFIRM = "confirm", _("Conferma")
    UNSUBSCRIBE = "unsubscribe", _("Disiscrizione")
    PREFERENCES = "preferences", _("Preferenze")
    RESUBSCRIBE = "resubscribe", _("Reiscrizione")
    ERASE = "erase", _("Cancellazione")
    UNSUPPRESS = "unsuppress", _("Blocco rimosso")


class ConsentSource(models.TextChoices):
    API = "api", _("API")
    FORM = "form", _("Modulo")
    IMPORT = "import", _("Importazione")
    ADMIN = "admin", _("Amministrazione")
    EMAIL = "email", _("Link nell'email")


class ConsentRecord(models.Model):
    """Append-only proof of consent. Never updated; erasure strips personal fields."""

    subscriber = models.ForeignKey(
        Subscriber, null=True, on_delete=models.SET_NULL, related_name="consent_records"
    )
    action = models.CharField(max_length=16, choices=ConsentAction.choices)
    source = models.CharField(max_length=16, choices=ConsentSource.choices)
    origin = models.CharField(
        max_length=200, blank=True, help_text="Where the request came from, as the client said."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    privacy_notice_version = models.CharField(max_length=32)
    lawful_basis = models.CharField(max_length=200, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    newsletters = models.JSONField(default=list, help_text="Slugs the action applied to.")
    topics = models.JSONField(
        default=dict,
        blank=True,
        help_text="For an unsubscribe: the topic ids each newsletter (by slug) was narrowed to, "
        "which a resubscribe restores.",
    )
    confirmation_email = models.TextField(blank=True, help_text="The exact message that was sent.")
    # The issue whose link or message led to this record (an unsubscribe from an email).
    issue = models.ForeignKey(
        "Issue", null=True, blank=True, on_delete=models.SET_NULL, related_name="consent_records"
    )

    class Meta:
        verbose_name = _("registro del consenso")
        verbose_name_plural = _("registro dei consensi")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class SuppressionReason(models.TextChoices):
    HARD_BOUNCE = "hard_bounce", _("Rimbalzo definitivo")
    SOFT_BOUNCES = "soft_bounces", _("Troppi rimbalzi temporanei")
    COMPLAINT = "complaint", _("Segnalazione di spam")
    INVALID_RECIPIENT = "invalid_recipient", _("Destinatario inesistente")
    ERASED = "erased", _("Dati cancellati su richiesta")
    MANUAL = "manual", _("Manuale")


class SuppressionSource(models.TextChoices):
    SMTP = "smtp", _("Server di posta (rifiuto SMTP)")
    PROVIDER = "provider", _("Provider email (webhook)")
    ADMIN = "admin", _("Amministrazione")
    GDPR = "gdpr", _("Richiesta di cancellazione")


class Suppression(models.Model):
    """An address we must never mail, kept as a keyed hash so it survives erasure."""

    address_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=20, choices=SuppressionReason.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    # Who reported it and, for bounces and complaints, the issue that caused it.
    source = models.CharField(max_length=10, choices=SuppressionSource.choices, blank=True)
    issue = models.ForeignKey(
        "Issue", null=True, blank=True, on_delete=models.SET_NULL, related_name="suppressions"
    )

    class Meta:
        verbose_name = _("indirizzo bloccato")
        verbose_name_plural = _("indirizzi bloccati")

    def __str__(self) -> str:
        return f"{self.address_hash[:12]}… ({self.get_reason_display()})"


class IssueState(models.TextChoices):
    DRAFT = "draft", _("Bozza")
    APPROVED = "approved", _("Approvato")
    SENDING = "sending", _("In invio")
    SENT = "sent", _("Inviato")
    PAUSED = "paused", _("In pausa")
    CANCELLED = "cancelled", _("Annullato")


class Issue(models.Model):
    """One frozen edition of a newsletter: its items, subject and rendered email."""

    newsletter = models.ForeignKey(Newsletter, on_delete=models.PROTECT, related_name="issues")
    number = models.PositiveIntegerField(_("numero"))
    state = models.CharField(
        _("stato"),
        max_length=12,
        choices=IssueState.choices,
        default=IssueState.DRAFT,
        db_index=True,
    )
    subject = models.CharField(_("oggetto"), max_length=200)
    preheader = models.CharField(_("anteprima"), max_length=200, blank=True)
    window_start = models.DateTimeField(_("notizie pubblicate dopo il"))
    window_end = models.DateTimeField(_("fino al"))
    more_count = models.PositiveIntegerField(default=0, help_text="Items left out past max_items.")
    more_url = models.URLField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scheduled_for = models.DateTimeField(null=True, blank=True)
    send_started_at = models.DateTimeField(null=True, blank=True)
    send_finished_at = models.DateTimeField(null=True, blank=True)
    recipients_total = models.PositiveIntegerField(default=0)
    consecutive_failures = models.PositiveIntegerField(default=0)
    status_reason = models.TextField(blank=True, help_text="Why the issue is paused or failed.")

    class Meta:
        verbose_name = _("numero")
        verbose_name_plural = _("numeri")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["newsletter", "number"], name="unique_issue_number")
        ]

    def __str__(self) -> str:
        return self.subject


class IssueItem(models.Model):
    """A news item as it was frozen into an issue; survives edits and deletion."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    page_id = models.PositiveIntegerField(db_index=True)
    translation_key = models.UUIDField(db_index=True)
    title = models.CharField(max_length=255)
    standfirst = models.CharField(max_length=300, blank=True)
    url = models.URLField(max_length=500)
    image_url = models.URLField(max_length=500, blank=True)
    image_alt = models.CharField(max_length=250, blank=True)
    published_at = models.DateTimeField()
    topic_ids = models.JSONField(default=list)
    key_figures = models.JSONField(default=list)
    # Opens through the issue's click-count redirect (newsletter/clicks.py): no person, just a sum.
    clicks = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "position"], name="unique_item_position"),
        ]

    def __str__(self) -> str:
        return self.title


class IssueRendition(models.Model):
    """The issue rendered once per distinct topic selection, with per-subscriber
    placeholders (unsubscribe and preferences links) left to substitute."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="renditions")
    variant_key = models.CharField(max_length=200, help_text="Sorted topic ids, or '' for all.")
    html = models.TextField()
    text = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "variant_key"], name="unique_rendition_variant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.issue} [{self.variant_key or 'all'}]"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Da inviare")
    SENDING = "sending", _("In invio")
    SENT = "sent", _("Inviato")
    FAILED = "failed", _("Fallito")
    SKIPPED = "skipped", _("Saltato")  # unsubscribed or suppressed before its turn
    UNKNOWN = "unknown", _("Incerto")  # in flight when a worker died; reported, never resent


class Delivery(models.Model):
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(
        Subscriber, null=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    variant_key = models.CharField(max_length=200, blank=True)
    state = models.CharField(
        max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    message_id = models.CharField(max_length=255, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=16, blank=True)
    error_message = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("consegna")
        verbose_name_plural = _("consegne")
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="one_delivery_per_recipient"
            )
        ]
        indexes = [models.Index(fields=["issue", "state"], name="delivery_issue_state")]

    def __str__(self) -> str:
        return f"{self.issue_id} → {self.subscriber_id}: {self.state}"
