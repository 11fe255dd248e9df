"""Small formatting helpers for the newsletter admin, so every screen says things alike."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

register = template.Library()


def format_seconds(seconds: float | None) -> str:
    """A duration as the admin writes it everywhere: "2 s", "3 min 5 s", "1 h 4 min"."""
    if seconds is None:
        return "—"
    seconds = max(int(round(seconds)), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)d min %(s)d s") % {"m": minutes, "s": secs}
    return _("%(s)d s") % {"s": secs}


@register.filter
def duration(seconds) -> str:
    return format_seconds(seconds)


@register.simple_tag
def send_duration(start: datetime | None, end: datetime | None) -> str:
    """How long a send took, or has taken so far."""
    if start is None:
        return "—"
    return format_seconds(((end or timezone.now()) - start).total_seconds())


@register.filter
def when(value: datetime | None) -> str:
    """A moment in the current time zone (Europe/Rome unless the user chose another), as
    Italian writes it: "3 novembre 2026, 09:15" (months in lower case); "—" when empty."""
    if value is None:
        return "—"
    text = formats.date_format(timezone.localtime(value), "j F Y, H:i")
    return text.lower() if (translation.get_language() or "").startswith("it") else text
