"""Figures for the newsletter managers: per-issue counts, subscriber growth, recipient counts.

Every function here reads; none changes anything. Counts per issue come from three
sources, each grouped in one query for a whole list of issues:
- deliveries by state (sent, failed, unknown…);
- suppressions attributed to the issue (bounced, complained; see ``attribution``);
- unsubscribe consent records carrying the issue (from the signed unsubscribe link).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncHour, TruncMinute
from django.utils import timezone

from .addresses import address_hash
from .models import (
    ConsentAction,
    ConsentRecord,
    Delivery,
    DeliveryState,
    Issue,
    IssueState,
    Newsletter,
    Subscription,
    Suppression,
    SuppressionReason,
)
from .rendering import items_for_variant, variant_key
from .sending import eligible_subscriptions

BOUNCE_REASONS = (
    SuppressionReason.HARD_BOUNCE,
    SuppressionReason.SOFT_BOUNCES,
    SuppressionReason.INVALID_RECIPIENT,
)
COUNT_NAMES = ("total", "sent", "failed", "unknown", "skipped", "pending")
REPORT_NAMES = ("bounced", "complained", "unsubscribed")
GROWTH_WEEKS = 12


def issue_counts(issues) -> dict[int, dict[str, int]]:
    """{issue id: {sent, failed, unknown, skipped, pending, total, bounced, complained,
    unsubscribed}} in three queries, whatever the number of issues."""
    ids = [issue.pk for issue in issues]
    counts = {pk: dict.fromkeys(COUNT_NAMES + REPORT_NAMES, 0) for pk in ids}
    for issue_id, state, n in (
        Delivery.objects.filter(issue_id__in=ids)
        .values_list("issue_id", "state")
        .annotate(n=Count("pk"))
        .values_list("issue_id", "state", "n")
    ):
        row = counts[issue_id]
        row["total"] += n
        if state in (DeliveryState.PENDING, DeliveryState.SENDING):
            row["pending"] += n
        elif state in row:
            row[state] += n
    for issue_id, reason, n in (
        Suppression.objects.filter(issue_id__in=ids)
        .values_list("issue_id", "reason")
        .annotate(n=Count("pk"))
        .values_list("issue_id", "reason", "n")
    ):
        if reason in BOUNCE_REASONS:
            counts[issue_id]["bounced"] += n
        elif reason == SuppressionReason.COMPLAINT:
            counts[issue_id]["complained"] += n
    for issue_id, n in (
        ConsentRecord.objects.filter(issue_id__in=ids, action=ConsentAction.UNSUBSCRIBE)
        .values_list("issue_id")
        .annotate(n=Count("pk"))
        .values_list("issue_id", "n")
    ):
        counts[issue_id]["unsubscribed"] += n
    return counts


def recent_issues(limit: int = 5) -> list[Issue]:
    """The latest issues that went out (or started to), each with `.counts`."""
    issues = list(
        Issue.objects.filter(send_started_at__isnull=False)
        .select_related("newsletter")
        .order_by("-send_started_at")[:limit]
    )
    counts = issue_counts(issues)
    for issue in issues:
        issue.counts = counts[issue.pk]
    return issues


# --- Recipients -----------------------------------------------------------------------------


def subscriber_count(newsletter: Newsletter) -> int:
    return eligible_subscriptions(newsletter).count()


def recipient_count(issue: Issue) -> int:
    """How many people a send of this issue would mail now.

    Once the recipients are frozen, the deliveries still to go out; before, the same
    rule freezing applies: active, not suppressed, and at least one item matching
    the subscriber's topics.
    """
    if issue.deliveries.exists():
        waiting = Q(state__in=[DeliveryState.PENDING, DeliveryState.SENDING])
        if issue.state == IssueState.PAUSED:  # resuming retries the temporary failures too
            waiting |= Q(state=DeliveryState.FAILED, error_code__startswith="4")
        return issue.deliveries.filter(waiting).count()
    subscriptions = eligible_subscriptions(issue.newsletter)
    topics_of: dict[int, list[int]] = {}
    for subscription_id, topic_id in Subscription.topics.through.objects.filter(
        subscription__in=subscriptions
    ).values_list("subscription_id", "topic_id"):
        topics_of.setdefault(subscription_id, []).append(topic_id)
    items = list(issue.items.all())
    matches: dict[str, bool] = {}
    suppressed = set(Suppression.objects.values_list("address_hash", flat=True))
    total = 0
    for subscription_id, email in subscriptions.values_list("pk", "subscriber__email"):
        if suppressed and address_hash(email) in suppressed:
            continue
        key = variant_key(topics_of.get(subscription_id, []))
        if key not in matches:
            matches[key] = bool(items_for_variant(items, key))
        total += matches[key]
    return total


def next_scheduled_issue() -> Issue | None:
    return (
        Issue.objects.filter(state=IssueState.APPROVED, scheduled_for__gte=timezone.now())
        .select_related("newsletter")
        .order_by("scheduled_for")
        .first()
    )


# --- Growth ---------------------------------------------------------------------------------


@dataclass
class Growth:
    newsletter: Newsletter
    points: list[tuple[datetime, int]]  # oldest first; the last one is now

    @property
    def current(self) -> int:
        return self.points[-1][1]

    @property
    def change(self) -> int:
        return self.points[-1][1] - self.points[0][1]


def growth(
    newsletter: Newsletter, weeks: int = GROWTH_WEEKS, now: datetime | None = None
) -> Growth:
    """Subscribers at the end of each of the last `weeks` weeks, in two queries.

    Counted backwards from today's subscribers: at time t there were today's,
    minus those who joined after t, plus those who unsubscribed after t.
    """
    now = now or timezone.now()
    bounds = [now - timedelta(weeks=k) for k in range(weeks, 0, -1)]
    joined = eligible_subscriptions(newsletter).aggregate(
        current=Count("pk"),
        **{f"after{i}": Count("pk", filter=Q(created_at__gt=b)) for i, b in enumerate(bounds)},
    )
    left = ConsentRecord.objects.filter(
        action=ConsentAction.UNSUBSCRIBE,
        newsletters__contains=[newsletter.slug],
        created_at__gt=bounds[0],
    ).aggregate(
        **{f"after{i}": Count("pk", filter=Q(created_at__gt=b)) for i, b in enumerate(bounds)}
    )
    current = joined["current"]
    points = [
        (b, max(current - joined[f"after{i}"] + left[f"after{i}"], 0)) for i, b in enumerate(bounds)
    ]
    points.append((now, current))
    return Growth(newsletter, points)


def sparkline(values: list[int], width: int = 240, height: int = 48, pad: int = 4) -> dict:
    """Coordinates for an inline SVG line chart: {"points": "x,y …", "width", "height"}."""
    top = max(values) if values else 0
    span = max(top, 1)
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    coords = [
        (round(pad + i * step, 1), round(height - pad - (value / span) * (height - 2 * pad), 1))
        for i, value in enumerate(values)
    ]
    return {
        "points": " ".join(f"{x},{y}" for x, y in coords),
        "last": coords[-1] if coords else (0, 0),
        "width": width,
        "height": height,
    }


# --- One issue --------------------------------------------------------------------------


def delivery_timeline(issue: Issue) -> list[tuple[datetime, int]]:
    """Copies accepted per minute (per hour for a send longer than three hours)."""
    sent = issue.deliveries.filter(state=DeliveryState.SENT, sent_at__isnull=False)
    first_last = sent.order_by("sent_at").values_list("sent_at", flat=True)
    first = first_last.first()
    if first is None:
        return []
    last = sent.order_by("-sent_at").values_list("sent_at", flat=True).first()
    trunc = TruncHour if last - first > timedelta(hours=3) else TruncMinute
    return list(
        sent.annotate(bucket=trunc("sent_at"))
        .values_list("bucket")
        .annotate(n=Count("pk"))
        .values_list("bucket", "n")
        .order_by("bucket")
    )


def bars(values: list[int], width: int = 600, height: int = 80) -> list[dict]:
    """Bar geometry for an inline SVG column chart."""
    top = max(values) if values else 1
    slot = width / max(len(values), 1)
    # Strings, so that a localised template never writes "598,0" into an SVG attribute.
    return [
        {
            "x": f"{i * slot + 1:.1f}",
            "width": f"{max(slot - 2, 1):.1f}",
            "height": f"{height * value / top:.1f}",
            "y": f"{height - height * value / top:.1f}",
        }
        for i, value in enumerate(values)
    ]


def problem_deliveries(issue: Issue, limit: int = 200):
    return (
        issue.deliveries.filter(state__in=[DeliveryState.FAILED, DeliveryState.UNKNOWN])
        .select_related("subscriber")
        .order_by("state", "-updated_at")[:limit]
    )


def attributed_unsubscribes(issue: Issue, limit: int = 100):
    return (
        ConsentRecord.objects.filter(issue=issue, action=ConsentAction.UNSUBSCRIBE)
        .select_related("subscriber")
        .order_by("-created_at")[:limit]
    )


def attributed_suppressions(issue: Issue, limit: int = 100):
    return Suppression.objects.filter(issue=issue).order_by("-created_at")[:limit]
