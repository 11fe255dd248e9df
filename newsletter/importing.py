"""CSV import of subscribers: validate every row first, then import in chunks with progress.

Columns (header row required): email, and optionally newsletters and topics
(slugs separated by spaces or semicolons) and locale. Rows without newsletters
take the defaults chosen in the import form. An empty topics cell changes nothing
for someone already on that newsletter: they keep the topics they chose.

An imported person is never silently activated: either the importer states the
lawful basis (kept on the ConsentRecord, source "import"), or each person is
sent a confirmation email and stays pending until they confirm.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import enqueue
from .addresses import normalise_email
from .forms import topics_for
from .models import (
    ConsentAction,
    ConsentSource,
    Newsletter,
    Subscriber,
    SubscriberStatus,
    Subscription,
)
from .subscriptions import (
    MAILABLE,
    RequestInfo,
    Selection,
    add_subscriptions,
    newsletter_slugs,
    record_consent,
)
from .suppression import is_suppressed

CHUNK_SIZE = 100
MAX_ROWS = 100_000
JOB_TTL = 24 * 3600
LANGUAGES = {code for code, _name in settings.LANGUAGES}


@dataclass
class Row:
    line: int
    email: str
    newsletters: list[str]
    topics: list[str]
    locale: str


@dataclass
class BadRow:
    line: int
    value: str
    reason: str


@dataclass
class Job:
    id: str
    rows: list[dict]
    lawful_basis: str
    total: int
    processed: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    bad_rows: list[dict] = field(default_factory=list)
    done: bool = False


def _split(value: str | None) -> list[str]:
    return [item for item in re.split(r"[\s;,]+", value or "") if item]


def parse(text: str, default_newsletters: list[str]) -> tuple[list[Row], list[BadRow]]:
    """Validate every row; return the good rows and the bad ones with the reason."""
    reader = csv.DictReader(io.StringIO(text))
    headers = [name.strip().lower() for name in reader.fieldnames or []]
    if "email" not in headers:
        return [], [BadRow(1, "", str(_("La riga di intestazione non ha la colonna 'email'.")))]
    reader.fieldnames = headers
    newsletters = {item.slug: item for item in Newsletter.objects.all()}
    rows: list[Row] = []
    bad: list[BadRow] = []
    seen: set[str] = set()
    for line, record in enumerate(reader, start=2):
        if line - 1 > MAX_ROWS:
            message = _("Più di %(max)d righe: dividi il file.") % {"max": MAX_ROWS}
            bad.append(BadRow(line, "", str(message)))
            break
        raw = (record.get("email") or "").strip()
        try:
            email = normalise_email(raw)
        except ValidationError:
            bad.append(BadRow(line, raw[:100], str(_("Indirizzo email non valido."))))
            continue
        if email in seen:
            bad.append(BadRow(line, email, str(_("Ripete una riga precedente."))))
            continue
        slugs = _split(record.get("newsletters")) or list(default_newsletters)
        unknown = [slug for slug in slugs if slug not in newsletters]
        if not slugs:
            message = _("Nessuna newsletter indicata e nessuna predefinita scelta.")
            bad.append(BadRow(line, email, str(message)))
            continue
        if unknown:
            message = _("Newsletter sconosciuta: %(slugs)s.") % {"slugs": ", ".join(unknown)}
            bad.append(BadRow(line, email, str(message)))
            continue
        topics = _split(record.get("topics"))
        offered = {
            topic.slug for slug in slugs for topic in topics_for(newsletters[slug]).only("slug")
        }
        if set(topics) - offered:
            missing = ", ".join(sorted(set(topics) - offered))
            message = _("Tema non offerto da queste newsletter: %(slugs)s.") % {"slugs": missing}
            bad.append(BadRow(line, email, str(message)))
            continue
        locale = (record.get("locale") or "").strip().lower() or newsletters[
            slugs[0]
        ].locale.language_code
        if locale not in LANGUAGES:
            message = _("Lingua sconosciuta: «%(code)s».") % {"code": locale[:10]}
            bad.append(BadRow(line, email, str(message)))
            continue
        seen.add(email)
        rows.append(Row(line, email, slugs, topics, locale))
    return rows, bad


def _selection(row: Row) -> Selection:
    """The row's newsletters and topics. An empty topics column means "no change": a
    subscriber already on a newsletter keeps the topics they chose (a new one gets all)."""
    chosen: dict[int, list[int]] = {}
    kept: dict[int, list[int]] = {}
    if not row.topics:
        for newsletter_id, topic_id in Subscription.topics.through.objects.filter(
            subscription__subscriber__email=row.email,
            subscription__newsletter__slug__in=row.newsletters,
        ).values_list("subscription__newsletter_id", "topic_id"):
            kept.setdefault(newsletter_id, []).append(topic_id)
    for newsletter in Newsletter.objects.filter(slug__in=row.newsletters):
        if not row.topics:
            chosen[newsletter.pk] = kept.get(newsletter.pk, [])
            continue
        chosen[newsletter.pk] = list(
            topics_for(newsletter).filter(slug__in=row.topics).values_list("pk", flat=True)
        )
    return Selection(chosen)


OUTCOMES = {
    "active": gettext_lazy("Attivati con la base giuridica indicata"),
    "confirmation": gettext_lazy("Email di conferma inviata"),
    "suppressed": gettext_lazy("Indirizzo bloccato, non importato"),
    "unchanged": gettext_lazy("Già presenti, nulla da cambiare"),
}


def outcome_labels(counts: dict[str, int]) -> list[tuple[str, int]]:
    """The import's outcome counts with their Italian labels, in a stable order."""
    known = [(str(label), counts[code]) for code, label in OUTCOMES.items() if code in counts]
    return known + [(code, n) for code, n in counts.items() if code not in OUTCOMES]


def import_row(row: Row, lawful_basis: str) -> str:
    return import_subscriber(
        row.email,
        _selection(row),
        row.locale,
        lawful_basis=lawful_basis.strip(),
        who=RequestInfo(source=ConsentSource.IMPORT),
    )


def _key(job_id: str) -> str:
    return f"newsletter:import:{job_id}"


def save(job: Job) -> None:
    cache.set(_key(job.id), asdict(job), timeout=JOB_TTL)


def load(job_id: str) -> Job | None:
    data = cache.get(_key(job_id))
    return Job(**data) if data else None


def start(rows: list[Row], bad_rows: list[BadRow], lawful_basis: str) -> Job:
    """Store the job and hand it to a worker; the admin page polls its progress."""
    job = Job(
        id=uuid.uuid4().hex,
        rows=[asdict(row) for row in rows],
        lawful_basis=lawful_basis,
        total=len(rows),
        bad_rows=[asdict(bad) for bad in bad_rows],
    )
    save(job)
    enqueue.on_commit("run_import", job.id)
    return job


def run(job_id: str) -> Job | None:
    """Import the rows not yet processed, saving progress after every chunk (resumable)."""
    job = load(job_id)
    if job is None:
        return None
    while job.processed < job.total:
        for data in job.rows[job.processed : job.processed + CHUNK_SIZE]:
            outcome = import_row(Row(**data), job.lawful_basis)
            job.counts[outcome] = job.counts.get(outcome, 0) + 1
            job.processed += 1
        save(job)
    job.done = True
    job.rows = []
    save(job)
    return job


def import_subscriber(
    email: str,
    selection: Selection,
    locale: str,
    *,
    lawful_basis: str,
    who: RequestInfo,
) -> str:
    """Add one imported person: active on the stated lawful basis, or sent a confirmation.

    Returns what happened: "active", "confirmation", "suppressed" or "unchanged". Someone
    who unsubscribed, bounced or complained is never brought back by an import.
    """
    email = normalise_email(email)
    if is_suppressed(email):
        return "suppressed"
    if not lawful_basis:
        existing = Subscriber.objects.filter(email=email, status=SubscriberStatus.ACTIVE)
        if existing.exists():
            return "unchanged"
        with transaction.atomic():
            subscriber, _created = Subscriber.objects.get_or_create(
                email=email, defaults={"locale": locale}
            )
            if subscriber.status != SubscriberStatus.PENDING:
                return "unchanged"
            subscriber.status = SubscriberStatus.PENDING
            subscriber.confirmation_sent_at = timezone.now()
            subscriber.save()
            record = record_consent(
                subscriber, ConsentAction.SUBSCRIBE, who, newsletter_slugs(selection)
            )
            enqueue.on_commit("send_confirmation", record.pk, selection.as_payload())
        return "confirmation"
    with transaction.atomic():
        subscriber, _created = Subscriber.objects.select_for_update().get_or_create(
            email=email, defaults={"locale": locale}
        )
        if subscriber.status not in MAILABLE:
            return "unchanged"  # an unsubscribe is never overridden by an import
        add_subscriptions(subscriber, selection)
        if subscriber.status != SubscriberStatus.ACTIVE:
            subscriber.status = SubscriberStatus.ACTIVE
            subscriber.confirmed_at = timezone.now()
            subscriber.save(update_fields=["status", "confirmed_at"])
        record_consent(
            subscriber,
            ConsentAction.SUBSCRIBE,
            who,
            newsletter_slugs(selection),
            lawful_basis=lawful_basis,
        )
    return "active"
