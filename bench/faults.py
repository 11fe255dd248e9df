"""Sending under faults: how long a send takes to resume, and that nobody is mailed twice.

Not part of the test suite. Each scenario sends one issue with a real Celery
worker (2 processes, 2 lanes), a real `celery beat` running the reconcile job,
PostgreSQL, a Redis of its own (a `redis-server` this script starts on a free
port, so that it can restart it) and an in-process aiosmtpd server that records
every message and the moment of each MAIL FROM. Then it injects one fault:

- kill:      SIGKILL of the whole worker mid-send; a new worker starts at once
- redis:     the script's Redis is killed and restarted empty
- smtp-60:   the SMTP server answers 451 to every recipient for 60 s
- smtp-300:  the same for 300 s (scaled: see --scale)
- db-blip:   every connection of the workers to PostgreSQL is terminated

Right after each fault, 20 recipients whose deliveries are not sent yet
unsubscribe. Counted at the SMTP server: time from the end of the fault to the
next message accepted, duplicates, and messages whose MAIL FROM came after the
recipient's unsubscribe had committed. The run fails (exit 1) on any duplicate
or post-unsubscribe message, or when the ledger disagrees with the server.

Recovery settings are the defaults (lease 30 s, heartbeat 5 s, reconcile every
10 s, retries 30 s × 2^n); only the smtp-300 scenario is scaled: its outage and
retry backoff are divided by --scale (default 5) and its time to resume is
reported both as measured and multiplied back. Messages are throttled with
NEWSLETTER_SEND_INTERVAL_MS so that a send lasts long enough to be interrupted.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/notiziario_bench \
    .venv/bin/python bench/faults.py [--subscribers 1500] [--only kill,redis,...]

The database is flushed. REDIS_URL is ignored: the script uses its own Redis.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """A throw-away redis-server on a free port: no persistence, restartable."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def empty(self) -> None:
        """Scenarios reuse database ids (flush resets sequences): no stop mark may carry over."""
        import redis

        redis.Redis.from_url(self.url).flushall()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)


WORKDIR = Path(tempfile.mkdtemp(prefix="notiziario-faults-"))
REDIS = OwnRedis(WORKDIR)
REDIS.start()
os.environ["REDIS_URL"] = REDIS.url
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("VAR_DIR", str(WORKDIR / "var"))

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from config.celery import app  # noqa: E402
from newsletter import subscriptions, tasks  # noqa: E402
from newsletter.models import DeliveryState, IssueState  # noqa: E402
from tests import factories  # noqa: E402
from tests.support.beat import CeleryBeat  # noqa: E402
from tests.support.postgres_faults import terminate_backends  # noqa: E402
from tests.support.smtp_faults import faulty_smtp_server  # noqa: E402
from tests.support.worker import CeleryWorker  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from newsletter_bench import approved_issue, make_newsletter  # noqa: E402

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: a line per command

SCENARIO_TIMEOUT = 240.0
UNSUBSCRIBERS = 20
THROTTLE_MS = "25"  # 2 lanes × 40 messages/s


@dataclass
class Outcome:
    scenario: str
    recipients: int
    resume_seconds: float
    resume_note: str
    duplicates: int
    after_unsubscribe: int
    ledger: dict
    problems: list[str]


def wait_until(condition, timeout: float, what: str, poll: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise RuntimeError(f"timed out after {timeout}s waiting for {what}")


class Run:
    """One issue, one SMTP server, a worker and beat, torn down at the end."""

    def __init__(self, name: str, subscribers: int, env: dict[str, str]):
        self.name = name
        self.server = faulty_smtp_server()
        self.queue = f"faults-{uuid.uuid4().hex[:8]}"
        app.conf.task_default_queue = self.queue
        database = connection.settings_dict
        self.env = {
            **os.environ,
            "DATABASE_URL": (
                f"postgresql://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
                f"{database['PORT'] or 5432}/{database['NAME']}"
            ),
            "EMAIL_URL": self.server.url,
            "CELERY_QUEUE": self.queue,
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "WARNING",
            "NEWSLETTER_SEND_INTERVAL_MS": THROTTLE_MS,
            "NEWSLETTER_SEND_LANES": "2",
            **env,
        }
        self.workers: list[CeleryWorker] = []
        self.beat = CeleryBeat(self.env, WORKDIR / f"{name}-beat.log")
        newsletter = make_newsletter(subscribers, news=2)
        self.issue = approved_issue(newsletter)
        self.people = list(newsletter.subscriptions.values_list("subscriber__email", flat=True))
        self.unsubscribed: dict[str, float] = {}

    def start(self) -> None:
        self.beat.start()
        self.start_worker()

    def start_worker(self) -> CeleryWorker:
        worker = CeleryWorker(
            self.queue, self.env, WORKDIR / f"{self.name}-worker-{len(self.workers)}.log", 2
        )
        self.workers.append(worker)
        return worker.start(timeout=120)

    def accepted(self) -> int:
        return len(self.server.handler.accepted_times)

    def start_sending(self, until_accepted: int) -> None:
        tasks.send_issue.delay(self.issue.pk)
        wait_until(lambda: self.accepted() >= until_accepted, 60, "sending to be under way")

    def unsubscribe_some(self) -> None:
        """Recipients whose delivery is not sent yet unsubscribe, one after the other."""
        deliveries = (
            self.issue.deliveries.filter(state__in=[DeliveryState.PENDING, DeliveryState.SENDING])
            .select_related("subscriber")
            .order_by("?")[:UNSUBSCRIBERS]
        )
        for delivery in deliveries:
            subscriptions.unsubscribe(
                delivery.subscriber, subscriptions.RequestInfo(source="email")
            )
            self.unsubscribed[delivery.subscriber.email] = time.monotonic()

    def resumed_after(self, moment: float, timeout: float = SCENARIO_TIMEOUT) -> float:
        times = self.server.handler.accepted_times
        first = wait_until(
            lambda: next((t for t in list(times) if t > moment), None), timeout, "a message"
        )
        return first - moment

    def finish(self, resume: float, note: str = "") -> Outcome:
        def done():
            self.issue.refresh_from_db()
            return self.issue.state in {IssueState.SENT, IssueState.PAUSED}

        wait_until(done, SCENARIO_TIMEOUT, f"{self.name}: the issue to finish", poll=0.5)
        counts = Counter(address.lower() for address in self.server.recipients())
        late = {
            address
            for mailed, address in self.server.handler.mail_from_times
            if address in self.unsubscribed and mailed > self.unsubscribed[address]
        }
        ledger = dict(
            self.issue.deliveries.values_list("state")
            .annotate(n=Count("pk"))
            .values_list("state", "n")
        )
        sent = set(
            self.issue.deliveries.filter(state=DeliveryState.SENT).values_list(
                "subscriber__email", flat=True
            )
        )
        accounted = set(
            self.issue.deliveries.filter(
                state__in=[DeliveryState.UNKNOWN, DeliveryState.FAILED, DeliveryState.SKIPPED]
            ).values_list("subscriber__email", flat=True)
        )
        problems = []
        if self.issue.state != IssueState.SENT:
            problems.append(f"issue ended {self.issue.state}: {self.issue.status_reason}")
        if sent - set(counts):
            problems.append(f"{len(sent - set(counts))} marked sent but never received")
        if set(self.people) - set(counts) - accounted:
            problems.append("recipients who got nothing are not unknown/failed/skipped")
        return Outcome(
            self.name,
            len(self.people),
            resume,
            note,
            sum(1 for n in counts.values() if n > 1),
            len(late),
            ledger,
            problems,
        )

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.beat.stop()
        if self.server.handler.gate is not None:
            self.server.handler.gate.release(1000)
        self.server.stop()
        try:
            with app.connection_for_write() as conn:
                conn.default_channel.queue_delete(self.queue)
        except Exception:
            pass


def scenario_kill(run: Run) -> Outcome:
    run.start_sending(until_accepted=150)
    run.workers[-1].kill()
    killed_at = time.monotonic()
    run.unsubscribe_some()
    run.start_worker()
    return run.finish(run.resumed_after(killed_at), "from SIGKILL")


def scenario_redis(run: Run) -> Outcome:
    run.start_sending(until_accepted=150)
    REDIS.kill()
    REDIS.start()  # empty: the broker's queue, heartbeats and rate-limit counters are gone
    restarted_at = time.monotonic()
    run.unsubscribe_some()
    return run.finish(run.resumed_after(restarted_at), "from the restart")


def scenario_smtp(run: Run, outage: float, scale: float) -> Outcome:
    run.start_sending(until_accepted=150)
    run.server.handler.refuse_all = "451 4.3.0 Try again later"
    time.sleep(outage / scale)
    run.server.handler.refuse_all = None
    recovered_at = time.monotonic()
    run.unsubscribe_some()
    measured = run.resumed_after(recovered_at)
    if scale == 1:
        return run.finish(measured, "from the server's recovery")
    outcome = run.finish(measured * scale, "")
    outcome.resume_note = (
        f"from the recovery; scaled ÷{scale:g}: measured {measured:.1f} s × {scale:g}"
    )
    return outcome


def scenario_db_blip(run: Run) -> Outcome:
    run.start_sending(until_accepted=150)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (own,) = cursor.fetchone()
    pids = terminate_backends(connection.settings_dict, except_pid=own)
    blip_at = time.monotonic()
    run.unsubscribe_some()
    return run.finish(run.resumed_after(blip_at), f"from the blip ({len(pids)} connections)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=1500)
    parser.add_argument("--scale", type=float, default=5.0, help="time scale of smtp-300")
    parser.add_argument("--only", default="kill,redis,smtp-60,smtp-300,db-blip")
    options = parser.parse_args()

    call_command("migrate", verbosity=0)
    scale = options.scale
    scenarios = {
        "kill": (scenario_kill, {}),
        "redis": (scenario_redis, {}),
        "smtp-60": (lambda run: scenario_smtp(run, 60, 1), {}),
        "smtp-300": (
            lambda run: scenario_smtp(run, 300, scale),
            {
                "NEWSLETTER_RETRY_BASE_SECONDS": str(
                    settings.NEWSLETTER_RETRY_BASE_SECONDS / scale
                ),
                "NEWSLETTER_RETRY_MAX_SECONDS": str(settings.NEWSLETTER_RETRY_MAX_SECONDS / scale),
            },
        ),
        "db-blip": (scenario_db_blip, {}),
    }
    try:
        return run_scenarios(options, scenarios)
    finally:
        REDIS.kill()
        shutil.rmtree(WORKDIR, ignore_errors=True)


def run_scenarios(options, scenarios) -> int:
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    outcomes = []
    for name in options.only.split(","):
        function, env = scenarios[name]
        call_command("flush", interactive=False, verbosity=0)
        REDIS.empty()
        factories.site_tree()
        run = Run(name, options.subscribers, env)
        try:
            run.start()
            outcomes.append(function(run))
        finally:
            run.close()
        print(
            f"{name}: done after {time.monotonic() - started:.0f} s: {outcomes[-1]}",
            file=sys.stderr,
        )

    print(
        f"\n{options.subscribers} subscribers per scenario; load average {load_before:.1f} → "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; {time.monotonic() - started:.0f} s\n"
    )
    print("| Fault | Time to resume | Duplicates | Mailed after unsubscribe | Ledger |")
    print("|---|---|---|---|---|")
    failed = False
    for o in outcomes:
        ledger = ", ".join(f"{state} {n}" for state, n in sorted(o.ledger.items()))
        print(
            f"| {o.scenario} | {o.resume_seconds:.1f} s ({o.resume_note}) | {o.duplicates} "
            f"| {o.after_unsubscribe} of {UNSUBSCRIBERS} | {ledger} |"
        )
        if o.duplicates or o.after_unsubscribe or o.problems:
            failed = True
            print(f"  FAILED {o.scenario}: {o.problems}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
