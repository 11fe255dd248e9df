"""Which issue caused an unsubscribe, a bounce or a complaint, and who reported it.

The per-issue report counts what each issue cost: an unsubscribe carries its issue
in the signed unsubscribe token (``{"i": issue id}``, see ``emails.LinkMaker``) and
the consent record keeps it; a bounce or complaint is matched to the delivery the
provider names by Message-ID, or else to the latest copy sent to that address, and
the suppression keeps the issue and who reported it. The first cause wins: a later
report never rewrites an earlier one.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from .addresses import address_hash
from .models import Delivery, DeliveryState, Issue, Suppression, SuppressionSource

# A complaint or bounce older than this after the last copy is not pinned on that copy.
ATTRIBUTION_WINDOW = timedelta(days=30)


def issue_from_token(data: dict) -> int | None:
    """The issue id an unsubscribe token carries, if that issue still exists."""
    value = data.get("i")
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        return None
    return value if Issue.objects.filter(pk=value).exists() else None


def issue_for_report(email: str, message_id: str = "") -> int | None:
    """The issue a provider's bounce or complaint is about."""
    if message_id:
        wanted = message_id.strip()
        bare = wanted.strip("<>")
        match = (
            Delivery.objects.filter(message_id__in={wanted, bare, f"<{bare}>"})
            .values_list("issue_id", flat=True)
            .first()
        )
        if match:
            return match
    since = timezone.now() - ATTRIBUTION_WINDOW
    return (
        Delivery.objects.filter(
            subscriber__email=email, state=DeliveryState.SENT, sent_at__gte=since
        )
        .order_by("-sent_at")
        .values_list("issue_id", flat=True)
        .first()
    )


def note_suppression(email: str, source: str, issue_id: int | None = None) -> int:
    """Record who reported the suppression of `email` and the issue behind it, once."""
    fields: dict = {"source": source}
    if issue_id:
        fields["issue_id"] = issue_id
    return Suppression.objects.filter(address_hash=address_hash(email), source="").update(**fields)


def note_smtp_refusal(email: str, issue_id: int) -> int:
    return note_suppression(email, SuppressionSource.SMTP, issue_id)


def note_provider_report(email: str, message_id: str = "") -> int:
    return note_suppression(email, SuppressionSource.PROVIDER, issue_for_report(email, message_id))
