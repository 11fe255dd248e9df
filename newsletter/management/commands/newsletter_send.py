"""Assemble and send a newsletter's next issue from a terminal, with a progress bar."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from newsletter import assembly, sending
from newsletter.models import Issue, IssueState, Newsletter

BAR_WIDTH = 30


class DryRun(Exception):
    """Raised to roll back everything a dry run assembled."""


class Command(BaseCommand):
    help = (
        "Assemble the next issue of the newsletter SLUG and send it in this process. "
        "A newsletter that needs approval waits for it unless --now is given; "
        "an issue already approved, or already sending, is sent (or joined) first."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the newsletter's slug")
        parser.add_argument(
            "--now", action="store_true", help="send without waiting for an editor's approval"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="show what would be sent and to how many people; store and send nothing",
        )
        parser.add_argument(
            "--batch-size", type=int, default=None, help="deliveries per batch (default: setting)"
        )

    def handle(self, slug: str, now: bool, dry_run: bool, batch_size: int | None, **options):
        newsletter = Newsletter.objects.filter(slug=slug).select_related("locale").first()
        if newsletter is None:
            known = ", ".join(Newsletter.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No newsletter has the slug {slug!r} (known: {known}).")
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        if dry_run:
            return self.dry_run(newsletter)

        issue = self.issue_to_send(newsletter, now)
        if issue is None:
            return
        if issue.state == IssueState.DRAFT:
            if newsletter.requires_approval and not now:
                self.stdout.write(
                    f"{issue.subject}: waiting for an editor's approval in the admin "
                    "(or run again with --now)."
                )
                return
            try:
                sending.approve(issue)
            except sending.TransitionError:
                issue.refresh_from_db()
                if issue.state not in (IssueState.APPROVED, IssueState.SENDING, IssueState.SENT):
                    raise CommandError(
                        f"{issue.subject} is {issue.get_state_display()}: {issue.status_reason}"
                    ) from None
                self.stdout.write(self.already_sent_by_another_run(issue))
                return
        if issue.state == IssueState.APPROVED:
            sending.start_sending(issue)
        self.send(issue, batch_size)

    def issue_to_send(self, newsletter: Newsletter, now: bool) -> Issue | None:
        unfinished = newsletter.issues.filter(
            state__in=[IssueState.SENDING, IssueState.APPROVED]
            + ([IssueState.DRAFT] if now else [])
        ).order_by("number")
        issue = unfinished.first()
        if issue is not None:
            self.stdout.write(f"Continuing {issue.subject} ({issue.get_state_display()}).")
            return issue
        known = set(newsletter.issues.values_list("pk", flat=True))
        result = assembly.assemble(newsletter)
        if result.issue is not None:
            self.stdout.write(f"Assembled {result.issue.subject}.")
            return result.issue
        # Assembly waits for any other run assembling the same newsletter; an issue
        # that appeared meanwhile is that run's, and it is sending it.
        theirs = newsletter.issues.exclude(pk__in=known).order_by("-number").first()
        if theirs is not None and theirs.state != IssueState.CANCELLED:
            self.stdout.write(self.already_sent_by_another_run(theirs))
        else:
            self.stdout.write(f"Nothing to send: {result.reason}.")
        return None

    def already_sent_by_another_run(self, issue: Issue) -> str:
        if issue.state == IssueState.SENT:
            return f"{issue.subject} was sent by another run meanwhile; nothing left to send."
        if issue.state == IssueState.DRAFT:
            return (
                f"{issue.subject} was just assembled by another run, which sends it "
                "(or waits for approval); nothing to do here."
            )
        return (
            f"{issue.subject} is already being sent by another run "
            f"({issue.get_state_display()}); not sending it twice."
        )

    def dry_run(self, newsletter: Newsletter) -> None:
        try:
            with transaction.atomic():
                result = assembly.assemble(newsletter)
                if result.issue is None:
                    self.stdout.write(f"Nothing to send: {result.reason}.")
                    raise DryRun
                issue = result.issue
                recipients = sending.eligible_subscriptions(newsletter).count()
                self.stdout.write(f"Subject:   {issue.subject}")
                self.stdout.write(f"Preheader: {issue.preheader}")
                for item in issue.items.all():
                    self.stdout.write(f"  {item.position:>2}. {item.title}  <{item.url}>")
                if issue.more_count:
                    self.stdout.write(f"  … and {issue.more_count} more on {issue.more_url}")
                self.stdout.write(f"Recipients: about {recipients} (suppressions apply at send).")
                raise DryRun
        except DryRun:
            self.stdout.write("Dry run: nothing was stored or sent.")

    def send(self, issue: Issue, batch_size: int | None) -> None:
        retries = 0
        while True:
            try:
                result = sending.send_next_batch(issue.pk, batch_size)
            except sending.TemporarySendError as exc:
                wait = sending.retry_countdown(retries)
                if wait is None:
                    sending.pause_after_retries(issue.pk, retries, str(exc))
                    raise CommandError(f"Paused after {retries} retries: {exc}") from exc
                retries += 1
                self.stdout.write(f"\nTemporary failure ({exc}); retrying in {wait}s.")
                time.sleep(wait)
                continue
            retries = 0 if result.sent else retries
            self.draw(issue)
            if not result.claimed:
                break
        issue.refresh_from_db()
        self.stdout.write("")
        if issue.state == IssueState.SENDING:
            self.stdout.write("Other workers are finishing the last batches.")
        elif issue.state == IssueState.SENT:
            self.stdout.write(self.style.SUCCESS(f"Sent. {issue.status_reason}".strip()))
        else:
            raise CommandError(f"The issue is {issue.get_state_display()}: {issue.status_reason}")

    def draw(self, issue: Issue) -> None:
        progress = sending.progress(issue)
        done = progress["sent"] + progress["failed"] + progress["skipped"] + progress["unknown"]
        total = progress["total"] or 1
        filled = BAR_WIDTH * done // total
        self.stdout.write(
            f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{progress['total']} "
            f"· {progress['sent']} sent · {progress['failed']} failed",
            ending="",
        )
        self.stdout.flush()
