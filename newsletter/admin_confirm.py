"""Confirm before sending: every admin action that mails subscribers first shows a page
naming the newsletter and how many people will receive it, and acts only on a POST
that carries ``confirmed=1`` from that page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from . import reports
from .models import Issue, Newsletter

CONFIRMED = "confirmed"


def is_confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRMED) == "1"


def confirm_send(
    request: HttpRequest,
    *,
    newsletter: Newsletter,
    action_url: str,
    cancel_url: str,
    issue: Issue | None = None,
    recipients: int,
    up_to: bool = False,
    when=None,
    resuming: bool = False,
) -> HttpResponse:
    return TemplateResponse(
        request,
        "newsletter/admin/confirm_send.html",
        {
            "page_title": _("Conferma l'invio"),
            "newsletter": newsletter,
            "issue": issue,
            "recipients": recipients,
            "up_to": up_to,
            "when": when,
            "resuming": resuming,
            "confirm_url": action_url,
            "cancel_url": cancel_url,
            "hidden": {"when": request.POST.get("when", "")} if when else {},
        },
    )


def newsletter_recipients(newsletter: Newsletter) -> int:
    return reports.subscriber_count(newsletter)
