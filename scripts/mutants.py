"""Break each guarantee on purpose and check that its tests notice: `make mutants`.

For every mutant below, the project is copied to a scratch directory (the
working tree is never touched), one textual edit is applied there, and only the
tests that guard that guarantee run against the copy. A mutant whose tests all
pass "survived": the guarantee is not really tested, and the run fails.

An edit whose target text is not found exactly once is an error, not a skip:
the list must follow the code. When you change a mechanism, update its mutant.

Runs with the environment as it is (DATABASE_URL, REDIS_URL as CI sets them),
except that on PostgreSQL the tests get their own database name (`…_mutants`,
hence `test_…_mutants`), kept between mutants with --reuse-db, so `make mutants`
never meets a test run of the same checkout on the same test database.
The guarding tests first run once on the unchanged copy: a mutant can only be
"killed" by tests that pass without it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutant:
    name: str
    guarantee: str  # the README promise it breaks
    path: str
    find: str
    replace: str
    tests: tuple[str, ...]
    pending: str = ""  # why it is not run yet; it is listed, never counted as killed


N = "tests/newsletter/"
EDGE = "tests/cms/test_edge_cache.py::"
MUTANTS = [
    Mutant(
        "claim-without-row-locks",
        "no duplicates: claim() takes rows under SELECT … FOR UPDATE SKIP LOCKED",
        "newsletter/sending.py",
        "Delivery.objects.select_for_update(skip_locked=True)",
        "Delivery.objects",
        (N + "test_claim_concurrency.py",),
    ),
    Mutant(
        "send-after-unsubscribe",
        "no send after unsubscribe: a batch skips who left after the freeze",
        "newsletter/sending.py",
        "if delivery.pk in hashes and hashes[delivery.pk] not in suppressed:",
        "if True:",
        (
            N + "test_sending.py::test_a_subscriber_who_unsubscribes_after_the_freeze_is_skipped",
            N + "test_sending.py::test_an_address_suppressed_after_the_freeze_is_skipped",
        ),
    ),
    Mutant(
        "digest-reads-restricted-news",
        "only public content: digests read live, public news only",
        "newsletter/content.py",
        "        .public()\n",
        "",
        (N + "test_restricted_content.py::test_a_digest_leaves_out_restricted_news",),
    ),
    Mutant(
        "news-index-lists-restricted-news",
        "only public content: the HTML news index lists public news only",
        "cms/models/pages.py",
        "NewsPage.objects.live().public().child_of(self)",
        "NewsPage.objects.live().child_of(self)",
        ("tests/cms/test_public_content.py::test_the_html_news_index_lists_only_public_news",),
    ),
    Mutant(
        "api-listing-shows-restricted-news",
        "only live, public content is public: the written-out news listing keeps the rule",
        "cms/api/listing.py",
        ' r JOIN {page} rp ON rp.id = r.page_id"',
        ' r JOIN {page} rp ON rp.id = r.page_id AND FALSE"',
        (
            "tests/cms/api/test_listing_fast_path.py::"
            "test_the_written_out_query_answers_what_the_orm_answers",
        ),
    ),
    Mutant(
        "erase-keeps-subscriptions",
        "erasure: erase() deletes the subscriptions and the stored confirmation email",
        "newsletter/gdpr.py",
        "        subscriber.subscriptions.all().delete()\n        email = subscriber.email\n",
        "        email = subscriber.email\n",
        (
            "tests/security/test_gdpr_erasure.py::"
            "test_erasing_an_active_subscriber_removes_subscriptions_and_the_stored_confirmation",
        ),
    ),
    Mutant(
        "stop-not-checked-before-mail-from",
        "no send after unsubscribe: a stop that committed before MAIL FROM wins, mid-batch",
        "newsletter/transport.py",
        "            if batch.stopped_among([delivery]):\n",
        "            if False:\n",
        (
            N + "test_reliability.py::"
            "test_no_message_leaves_for_a_recipient_after_their_unsubscribe_committed_mid_batch",
        ),
    ),
    Mutant(
        "per-newsletter-stop-marks-nothing",
        "no send after unsubscribe: unsubscribing from one newsletter stops its batch in flight",
        "newsletter/stops.py",
        "deliveries = deliveries.filter(issue__newsletter_id=newsletter_id)",
        "deliveries = deliveries.filter(issue__newsletter_id=-1)",
        (
            N + "test_reliability.py::"
            "test_no_message_leaves_for_a_recipient_after_their_unsubscribe_committed_mid_batch",
            N + "test_unsubscribe_per_newsletter.py",
        ),
    ),
    Mutant(
        "suppression-leaves-no-stop-mark",
        "no send after unsubscribe: a complaint, bounce or refused mailbox stops a batch in flight",
        "newsletter/suppression.py",
        '        stops.stop_deliveries(subscriber.pk, f"suppressed: {reason}")\n',
        "",
        (N + "test_sending.py::test_every_stop_path_marks_a_delivery_its_batch_holds",),
    ),
    Mutant(
        "stops-unreadable-but-sent-anyway",
        "no send after unsubscribe: a batch that cannot trust the stop marks sends nothing",
        "newsletter/sending.py",
        '        raise TemporarySendError(f"cannot check for stops: {type(exc).__name__}: {exc}") from exc\n',
        "        return set()\n",
        (
            N + "test_sending.py::"
            "test_a_stop_whose_mark_redis_lost_still_wins_over_the_batch_in_flight",
        ),
    ),
    Mutant(
        "batch-blind-to-lost-marks",
        "no send after unsubscribe: a batch notices Redis losing the stop marks mid-batch",
        "newsletter/stops.py",
        "    if batch is not None and found.pop() is None:\n",
        "    if batch is not None and found.pop() is None and False:\n",
        (
            N + "test_sending.py::"
            "test_a_stop_whose_mark_redis_lost_still_wins_over_the_batch_in_flight",
        ),
    ),
    Mutant(
        "retries-capped-by-celery-default",
        "retries: a batch retries NEWSLETTER_MAX_RETRIES times, then the issue pauses",
        "newsletter/tasks.py",
        "max_retries=settings.NEWSLETTER_MAX_RETRIES",
        "max_retries=None",
        (
            N + "test_reliability.py::"
            "test_a_batch_retries_as_often_as_configured_then_pauses_and_riprendi_sends_everyone_once",
        ),
    ),
    Mutant(
        "lease-never-renewed",
        "batch handover: a live worker keeps its claim; only a dead worker's work is taken over",
        "newsletter/sending.py",
        "                    renew_lease(self.issue_id, self.ids)\n",
        "                    pass\n",
        (
            N
            + "test_reliability.py::test_a_live_worker_keeps_its_claim_while_a_batch_outlasts_the_lease",
        ),
    ),
    Mutant(
        "outcomes-not-rerecorded-after-a-blip",
        "database blip: an outcome's write runs again on a fresh connection; accepted mail is sent",
        "newsletter/sending.py",
        "            if connection.in_atomic_block or attempt == RECORD_ATTEMPTS - 1:\n",
        "            if True:\n",
        (
            N + "test_reliability.py::"
            "test_a_database_blip_between_acceptance_and_recording_loses_no_outcome",
        ),
    ),
    Mutant(
        "dead-workers-lanes-never-restarted",
        "batch handover: a dead worker's issue resumes within the lease and one reconcile",
        "newsletter/tasks.py",
        "        start_lanes(issue_id)\n    return stale\n",
        "        pass\n    return stale\n",
        (
            N + "test_reliability.py::"
            "test_a_worker_killed_mid_send_leaves_only_its_batch_uncertain_and_the_rest_resumes_within_the_lease",
        ),
    ),
    Mutant(
        "esp-call-per-message",
        "batch handover: an ESP gets each batch in one call",
        "newsletter/transport.py",
        "            connection.send_messages(copies)\n",
        "            for message in copies:\n                connection.send_messages([message])\n",
        (N + "test_batch_transport.py::test_an_esp_backend_gets_each_batch_in_one_call",),
    ),
    Mutant(
        "smtp-connection-per-message",
        "batch handover: an SMTP batch travels over one connection",
        "newsletter/transport.py",
        "            yield Outcome(delivery, SENT)\n            if interval:\n",
        "            yield Outcome(delivery, SENT)\n"
        "            connection.close()\n"
        "            connection.open()\n"
        "            if interval:\n",
        (N + "test_batch_transport.py::test_an_smtp_batch_travels_over_one_connection",),
    ),
    Mutant(
        "rate-limit-never-waits",
        "rate limit: NEWSLETTER_RATE_LIMIT_PER_MINUTE spaces the sends",
        "newsletter/transport.py",
        "        time.sleep(max(decision.retry_after, 0.05))\n",
        "        return\n",
        (N + "test_send_rate.py",),
    ),
    Mutant(
        "task-acked-early",
        "acks: a task whose worker dies runs again (acks_late)",
        "cms/tasks.py",
        "    bind=True,\n    acks_late=True,\n    ignore_result=True,\n    autoretry_for",
        "    bind=True,\n    acks_late=False,\n    ignore_result=True,\n    autoretry_for",
        ("tests/test_acks.py",),
    ),
    Mutant(
        "lost-worker-not-rejected",
        "acks: a task whose worker dies runs again (task_reject_on_worker_lost)",
        "config/settings/base.py",
        "CELERY_TASK_REJECT_ON_WORKER_LOST = True",
        "CELERY_TASK_REJECT_ON_WORKER_LOST = False",
        ("tests/test_acks.py",),
    ),
    Mutant(
        "edge-never-purged",
        "edge cache: a publish reaches readers through Varnish within a second",
        "cms/signals.py",
        "        tasks.purge_edge.delay(paths)\n",
        "",
        (EDGE + "test_a_publish_reaches_readers_through_varnish_within_a_second",),
    ),
    Mutant(
        "edge-purge-leaves-the-listing",
        "edge cache: a publish purges the listings that can contain the page",
        "cms/edge.py",
        'paths.add(PAGES, PAGES + "find/", *FEEDS)',
        'paths.add(PAGES + "find/", *FEEDS)',
        (EDGE + "test_a_publish_reaches_readers_through_varnish_within_a_second",),
    ),
    Mutant(
        "edge-purges-from-anyone",
        "edge cache: Varnish accepts purges only on its purge listener",
        "deploy/varnish/default.vcl",
        'if (local.socket != "purge" || !client.ip ~ purgers) {',
        "if (!client.ip ~ purgers) {",
        (EDGE + "test_varnish_refuses_purges_from_the_public_listener",),
    ),
]


def project_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def copy_project(files: list[str], into: Path) -> None:
    for name in files:
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)


def mutated(mutant: Mutant, tree: Path) -> str:
    """The mutated text of the mutant's file; fails loudly when the target is not there once."""
    text = (tree / mutant.path).read_text()
    found = text.count(mutant.find)
    if found != 1:
        raise SystemExit(
            f"mutant {mutant.name}: expected the target text exactly once in {mutant.path}, "
            f"found it {found} time(s). Update scripts/mutants.py to follow the code:\n"
            f"{mutant.find!r}"
        )
    return text.replace(mutant.find, mutant.replace)


def environment(tree: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    url = urlsplit(env.get("DATABASE_URL", ""))
    if url.scheme in {"postgres", "postgresql"} and url.path.strip("/"):
        env["DATABASE_URL"] = urlunsplit(url._replace(path=url.path.rstrip("/") + "_mutants"))
    return env


def run_tests(tree: Path, nodeids: tuple[str, ...], *, first_run: bool) -> tuple[int, str]:
    """pytest on `nodeids` in `tree`. The first run builds a fresh test database (Wagtail's
    root page and collection come from migrations); later runs reuse it and stop at the
    first failure."""
    env = environment(tree)
    command = [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider"]
    command += ["--create-db"] if first_run else ["--reuse-db", "-x"]
    done = subprocess.run(
        [*command, *nodeids], cwd=tree, env=env, capture_output=True, text=True, timeout=900
    )
    return done.returncode, done.stdout + done.stderr


def check_imports_come_from(tree: Path) -> None:
    """The project is installed in editable mode: make sure the copy is what runs."""
    where = subprocess.run(
        [sys.executable, "-c", "import newsletter, cms, config; print(newsletter.__file__)"],
        cwd=tree,
        env=environment(tree),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not Path(where).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"the scratch copy is not what Python imports (it imports {where})")


def first_failure(output: str, took: str) -> str:
    """The failing test and the first line of its error, as pytest reported them."""
    test = re.search(r"^(?:FAILED|ERROR) (\S+)", output, re.MULTILINE)
    error = re.search(r"^E\s+(.+)$", output, re.MULTILINE)
    why = f"\n{'':>44}{error.group(1)[:120]}" if error else ""
    return f"{test.group(1) if test else '?'} ({took}){why}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="run only these mutants")
    options = parser.parse_args()
    chosen = [m for m in MUTANTS if not options.names or m.name in options.names]
    unknown = set(options.names) - {m.name for m in MUTANTS}
    if unknown:
        raise SystemExit(f"unknown mutant(s): {', '.join(sorted(unknown))}")

    files = project_files()
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="mutants-") as scratch:
        pristine = Path(scratch) / "pristine"
        copy_project(files, pristine)
        check_imports_come_from(pristine)
        for mutant in chosen:  # every target must exist before anything runs
            mutated(mutant, pristine)
        guarding = tuple(dict.fromkeys(t for m in chosen if not m.pending for t in m.tests))
        print(f"Unchanged code: running the {len(guarding)} guarding test selection(s)…")
        status, output = run_tests(pristine, guarding, first_run=True)
        if status != 0:
            print(output)
            print("The guarding tests fail on the unchanged code; fix them first.")
            return 1
        for mutant in chosen:
            if mutant.pending:
                rows.append((mutant.name, "NOT RUN", mutant.pending))
                continue
            tree = _fresh_copy(pristine, Path(scratch) / mutant.name)
            (tree / mutant.path).write_text(mutated(mutant, pristine))
            started = time.monotonic()
            status, output = run_tests(tree, mutant.tests, first_run=False)
            took = f"{time.monotonic() - started:.0f}s"
            if status == 1:
                rows.append((mutant.name, "killed", first_failure(output, took)))
            elif status == 0:
                rows.append((mutant.name, "SURVIVED", f"{' '.join(mutant.tests)} ({took})"))
            else:
                print(output)
                rows.append((mutant.name, f"ERROR {status}", "pytest could not run"))
            print(f"  {mutant.name}: {rows[-1][1]}", flush=True)
            shutil.rmtree(tree)

    width = max(len(name) for name, _, _ in rows)
    print(f"\n{'mutant':<{width}}  {'result':<9}  test")
    for name, result, test in rows:
        print(f"{name:<{width}}  {result:<9}  {test}")
    failed = [name for name, result, _ in rows if result not in {"killed", "NOT RUN"}]
    if failed:
        print(f"\n{len(failed)} mutant(s) not killed: {', '.join(failed)}")
        return 1
    print(f"\nAll {sum(r[1] == 'killed' for r in rows)} mutants run were killed.")
    return 0


def _fresh_copy(pristine: Path, target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(pristine, target)
    return target


if __name__ == "__main__":
    sys.exit(main())
