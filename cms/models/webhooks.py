"""Integrators' webhook endpoints, and the log of every delivery to them."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from cms import outbound


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookEvent(models.TextChoices):
    PUBLISHED = "published", _("Pubblicata")
    UNPUBLISHED = "unpublished", _("Ritirata")
    DELETED = "deleted", _("Eliminata")


class WebhookEndpoint(models.Model):
    name = models.CharField(
        _("nome"), max_length=120, help_text=_("Chi riceve, per esempio «intoscana.it».")
    )
    url = models.URLField(
        _("indirizzo"),
        max_length=500,
        help_text=_(
            "Un indirizzo http:// o https:// pubblico. Gli indirizzi della rete interna "
            "sono rifiutati, salvo quelli elencati in WEBHOOK_ALLOWED_HOSTS."
        ),
    )
    secret = models.CharField(
        _("segreto"),
        max_length=128,
        default=new_secret,
        help_text=_(
            "Chiave della firma HMAC-SHA256 nell'intestazione X-Notiziario-Signature. "
            "Comunicala al destinatario; cambiala se trapela."
        ),
    )
    is_active = models.BooleanField(_("attivo"), default=True)
    created_at = models.DateTimeField(_("creato il"), auto_now_add=True)

    panels = [FieldPanel("name"), FieldPanel("url"), FieldPanel("secret"), FieldPanel("is_active")]

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhook")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if not self.url:
            return
        try:
            outbound.vet(self.url)
        except outbound.RefusedTarget as refused:
            raise ValidationError({"url": str(refused)}) from None


class WebhookDeliveryState(models.TextChoices):
    PENDING = "pending", _("In attesa")
    DELIVERED = "delivered", _("Consegnato")
    RETRYING = "retrying", _("Nuovo tentativo")
    FAILED = "failed", _("Fallito")


class WebhookDelivery(models.Model):
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("webhook"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.CharField(_("evento"), max_length=20, choices=WebhookEvent.choices)
    payload = models.JSONField(_("contenuto"))
    state = models.CharField(
        _("stato"),
        max_length=20,
        choices=WebhookDeliveryState.choices,
        default=WebhookDeliveryState.PENDING,
    )
    attempts = models.PositiveIntegerField(_("tentativi"), default=0)
    response_status = models.PositiveIntegerField(_("risposta HTTP"), null=True, blank=True)
    error = models.TextField(_("errore"), blank=True)
    created_at = models.DateTimeField(_("creato il"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("ultimo tentativo"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("consegnato il"), null=True, blank=True)

    class Meta:
        verbose_name = _("consegna webhook")
        verbose_name_plural = _("consegne webhook")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.endpoint} · {self.event} · {self.state}"
