"""Newsletter benchmarks: throughput, worker memory, assembly time, freezing recipients.

Not part of the test suite. Run against a throw-away PostgreSQL database (it is
flushed) and Redis, e.g.:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/notiziario_bench \
    REDIS_URL=redis://127.0.0.1:6379/9 \
    .venv/bin/python bench/newsletter_bench.py all --subscribers 10000 100000

Subcommands: assembly, freeze N, throughput N..., all N...

Throughput runs --rounds rounds (default 3) of engine and baseline, alternating
which goes first, and reports medians. Messages are counted where they arrive:
Postfix's smtp-sink (required) prints its running message counter, and a run
whose count at the sink differs from what it meant to send fails the benchmark.
The engine runs as production does: the worker receives `send_issue`, freezes
the recipients itself and sends, so its peak memory includes the freeze.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import smtplib
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("VAR_DIR", "/tmp/notiziario-bench-var")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from config.celery import app  # noqa: E402
from newsletter import assembly, sending  # noqa: E402
from newsletter.emails import MessageFactory  # noqa: E402
from newsletter.models import (  # noqa: E402
    Issue,
    IssueState,
    Newsletter,
    Subscriber,
    SubscriberStatus,
    Subscription,
)
from tests import factories  # noqa: E402
from tests.support.proc import children_of  # noqa: E402
from tests.support.smtp_sink import listening_port  # noqa: E402

SMTP_SINK = "/usr/sbin/smtp-sink"
BATCH_SIZE = 500


# --- set-up -----------------------------------------------------------------------------------


def fresh_database() -> None:
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    factories.site_tree()
    from wagtail.models import Collection

    if Collection.get_first_root_node() is None:  # flush removes the one migrations made
        Collection.add_root(name="Root")


def hero_image(n: int):
    """A real image for each news item, so that assembling an issue makes renditions."""
    import io

    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images import get_image_model

    buffer = io.BytesIO()
    PILImage.new("RGB", (1600, 1000), (20 * n % 255, 90, 160)).save(buffer, format="JPEG")
    return get_image_model().objects.create(
        title=f"Foto {n}", file=ImageFile(io.BytesIO(buffer.getvalue()), name=f"bench-{n}.jpg")
    )


def make_newsletter(subscribers: int, news: int = 10) -> Newsletter:
    newsletter = Newsletter.objects.create(
        name="Innovazione in Toscana",
        slug=f"bench-{uuid.uuid4().hex[:6]}",
        locale=factories.locale("it"),
        sender_name="Notiziario Innovazione",
        sender_email="notizie@example.org",
        postal_address="Via dei Servi 15\n50122 Firenze",
        max_items=20,
    )
    chunk = 10_000
    for start in range(0, subscribers, chunk):
        people = Subscriber.objects.bulk_create(
            Subscriber(email=f"reader{start + i}@example.com", status=SubscriberStatus.ACTIVE)
            for i in range(min(chunk, subscribers - start))
        )
        Subscription.objects.bulk_create(
            Subscription(subscriber=p, newsletter=newsletter) for p in people
        )
    for n in range(news):
        factories.news(
            title=f"Notizia numero {n}: un laboratorio di robotica apre a Pisa",
            standfirst="Una o due frasi che riassumono la notizia per la card della newsletter.",
            body=[{"type": "key_figure", "value": {"value": f"{n}00.000 €", "label": "budget"}}],
            hero_image=hero_image(n),
            hero_alt=f"La foto della notizia {n}",
        )
    return newsletter


def approved_issue(newsletter: Newsletter) -> Issue:
    issue = assembly.assemble(newsletter).issue
    sending.approve(issue)
    return issue


# --- the SMTP sink ----------------------------------------------------------------------------


class Sink:
    """Postfix's smtp-sink on a port the kernel picks, reporting how many messages it got.

    With -c it writes "sess=… quit=… mesg=N" each time a session ends or a message
    arrives; the last N is the count at the sink.
    """

    def __init__(self):
        if not os.path.exists(SMTP_SINK):
            raise SystemExit(f"{SMTP_SINK} is required (apt-get install postfix)")
        privileges = ["-u", "nobody"] if os.geteuid() == 0 else []
        self.output = open(f"/tmp/bench-sink-{uuid.uuid4().hex[:8]}.out", "w+b")
        self.process = subprocess.Popen(
            [SMTP_SINK, "-c", *privileges, "127.0.0.1:0", "1024"],
            stdout=self.output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.port = self._wait_for_port()

    def _wait_for_port(self) -> int:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"smtp-sink exited: {Path(self.output.name).read_text()}")
            port = listening_port(self.process.pid)
            if port:
                return port
            time.sleep(0.05)
        raise RuntimeError("smtp-sink did not listen in time")

    def count(self) -> int:
        counters = re.findall(rb"mesg=(\d+)", Path(self.output.name).read_bytes())
        return int(counters[-1]) if counters else 0

    def wait_for(self, count: int, timeout: float = 30) -> int:
        """The count once it reaches `count` or stops moving; never more than `timeout`."""
        deadline = time.monotonic() + timeout
        while self.count() < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.count()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        self.output.close()
        os.unlink(self.output.name)


# --- measurements -----------------------------------------------------------------------------


def bench_assembly(runs: int = 20) -> dict:
    """Assemble and render a 20-item issue whose items all have a hero image.

    "cold" runs delete the image renditions first, so each run also makes 20
    renditions; "warm" runs find them made, as every issue after a story's first does.
    """
    from wagtail.images import get_image_model

    fresh_database()
    newsletter = make_newsletter(0, news=20)
    renditions = get_image_model().get_rendition_model().objects
    series: dict[str, list[float]] = {"cold": [], "warm": []}
    for run in range(runs * 2):
        kind = "cold" if run % 2 == 0 else "warm"  # interleaved
        if kind == "cold":
            renditions.all().delete()
            get_image_model().get_rendition_model().cache_backend.clear()  # Wagtail caches them
        started = time.perf_counter()
        issue = assembly.assemble(newsletter).issue
        series[kind].append((time.perf_counter() - started) * 1000)
        assert issue.items.count() == 20
        assert all(item.image_url for item in issue.items.all()), "every item has its image"
        sending.cancel(issue)  # frees the items for the next run
    assert renditions.count() >= 20, "at least one rendition per image"
    return {
        "items": 20,
        "images": 20,
        "runs_each": runs,
        "median_ms_warm_renditions": round(statistics.median(series["warm"]), 1),
        "median_ms_making_renditions": round(statistics.median(series["cold"]), 1),
        "p90_ms_warm": round(sorted(series["warm"])[int(runs * 0.9) - 1], 1),
    }


def bench_freeze(subscribers: int) -> dict:
    fresh_database()
    newsletter = make_newsletter(subscribers, news=3)
    issue = approved_issue(newsletter)
    started = time.perf_counter()
    total = sending.start_sending(issue)
    seconds = time.perf_counter() - started
    return {"subscribers": subscribers, "frozen": total, "seconds": round(seconds, 2)}


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset(issue: Issue) -> None:
    """Back to approved with no deliveries, for the next round."""
    issue.deliveries.all().delete()
    Issue.objects.filter(pk=issue.pk).update(
        state=IssueState.APPROVED, send_started_at=None, send_finished_at=None,
        recipients_total=0, consecutive_failures=0, status_reason="",
    )  # fmt: skip
    issue.refresh_from_db()


def run_engine(issue: Issue, sink: Sink, processes: int) -> dict:
    """The worker does all of it, as in production: `send_issue` freezes, then the lanes send."""
    reset(issue)
    at_sink_before = sink.count()
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
        "CELERY_QUEUE": queue,
        "NEWSLETTER_SEND_LANES": str(processes),
        "NEWSLETTER_BATCH_SIZE": str(BATCH_SIZE),
        "LOG_LEVEL": "WARNING",
    }
    log = open(f"/tmp/bench-worker-{queue}.log", "w")
    worker = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
            f"--concurrency={processes}", f"--queues={queue}", "--loglevel=INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while " ready." not in Path(log.name).read_text():
            if time.monotonic() > deadline or worker.poll() is not None:
                raise RuntimeError(Path(log.name).read_text())
            time.sleep(0.2)
        children = children_of(worker.pid)
        idle_rss = {pid: peak_rss_mb(pid) for pid in children}
        started = time.perf_counter()
        app.send_task("newsletter.tasks.send_issue", args=[issue.pk], queue=queue)
        give_up = time.monotonic() + 3600
        while time.monotonic() < give_up:
            issue.refresh_from_db()
            if issue.state not in {IssueState.APPROVED, IssueState.SENDING}:
                break
            if worker.poll() is not None:
                raise RuntimeError(f"the worker died:\n{Path(log.name).read_text()[-3000:]}")
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        peaks = {pid: peak_rss_mb(pid) for pid in children}
    finally:
        worker.terminate()
        worker.wait(30)
    sent = issue.deliveries.filter(state="sent").count()
    return {
        "sent": sent,
        "at_sink": sink.wait_for(at_sink_before + sent) - at_sink_before,
        "seconds": round(seconds, 2),
        "rate": round(sent / seconds),
        "worker_peak_rss_mb": round(max(peaks.values()), 1),
        "worker_idle_rss_mb": round(max(idle_rss.values()), 1),
        "state": issue.state,
    }


def _baseline_process(port: int, messages: list[bytes], recipients: list[str], out) -> None:
    smtp = smtplib.SMTP("127.0.0.1", port)
    started = time.perf_counter()
    for n, rcpt in enumerate(recipients):
        smtp.sendmail("notizie@example.org", [rcpt], messages[n % len(messages)])
    smtp.quit()
    out.put((len(recipients), time.perf_counter() - started))


def baseline_messages(issue: Issue, distinct: int = 200) -> tuple[list[bytes], list[str]]:
    """`distinct` real messages (personal links and all), reused in turn, and every recipient.

    Built once, from a freeze in this process, so the baseline does not need
    gigabytes of memory at 100,000 and costs the same in every round.
    """
    reset(issue)
    sending.start_sending(issue)
    deliveries = list(issue.deliveries.select_related("subscriber").order_by("pk"))
    renditions = {r.variant_key: r for r in issue.renditions.all()}
    factory = MessageFactory(issue, renditions)
    messages = [factory.build(d) for d in deliveries[:distinct]]
    return messages, [d.subscriber.email for d in deliveries]


def run_baseline(messages: list[bytes], recipients: list[str], sink: Sink, processes: int) -> dict:
    """The same messages pushed over one bare smtplib connection per process."""
    at_sink_before = sink.count()
    connection.close()
    out = multiprocessing.Queue()
    share = len(recipients) // processes + 1
    workers = [
        multiprocessing.Process(
            target=_baseline_process,
            args=(sink.port, messages, recipients[i * share : (i + 1) * share], out),
        )
        for i in range(processes)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    reports = [out.get(timeout=3600) for _ in workers]  # before join: a full queue blocks exit
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - started
    failed = [worker.exitcode for worker in workers if worker.exitcode != 0]
    if failed:
        raise RuntimeError(f"baseline process(es) exited with {failed}")
    sent = sum(count for count, _ in reports)
    return {
        "sent": sent,
        "at_sink": sink.wait_for(at_sink_before + sent) - at_sink_before,
        "seconds": round(seconds, 2),
        "rate": round(sent / seconds),
        "message_bytes": len(messages[0]),
    }


def bench_throughput(subscribers: int, processes: int = 2, rounds: int = 3) -> dict:
    fresh_database()
    newsletter = make_newsletter(subscribers, news=10)
    issue = approved_issue(newsletter)
    messages, recipients = baseline_messages(issue)
    sink = Sink()
    engine, baseline = [], []
    try:
        for round_number in range(rounds):
            runs = [
                lambda: engine.append(run_engine(issue, sink, processes)),
                lambda: baseline.append(run_baseline(messages, recipients, sink, processes)),
            ]
            for run in runs if round_number % 2 == 0 else reversed(runs):
                run()
    finally:
        sink.stop()
    problems = [
        f"{name} round {n + 1}: meant to send {len(recipients)}, sent {r['sent']}, "
        f"the sink counted {r['at_sink']}"
        for name, results in (("engine", engine), ("baseline", baseline))
        for n, r in enumerate(results)
        if not r["sent"] == r["at_sink"] == len(recipients)
    ]
    if problems:
        raise SystemExit("Messages went missing or were duplicated:\n" + "\n".join(problems))

    def median(results: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in results)

    return {
        "subscribers": subscribers,
        "processes": processes,
        "rounds": rounds,
        "sink": "Postfix smtp-sink",
        "counted_at_sink": len(recipients),
        "engine_rates": [r["rate"] for r in engine],
        "baseline_rates": [r["rate"] for r in baseline],
        "engine_median_rate": round(median(engine, "rate")),
        "baseline_median_rate": round(median(baseline, "rate")),
        "engine_vs_baseline": round(median(engine, "rate") / median(baseline, "rate"), 2),
        "worker_peak_rss_mb_median": round(median(engine, "worker_peak_rss_mb"), 1),
        "worker_peak_rss_mb_max": max(r["worker_peak_rss_mb"] for r in engine),
        "worker_idle_rss_mb": round(median(engine, "worker_idle_rss_mb"), 1),
        "load_average": Path("/proc/loadavg").read_text().split()[:3],
        "when": timezone.now().isoformat(timespec="seconds"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["assembly", "freeze", "throughput", "all"])
    parser.add_argument("--subscribers", type=int, nargs="*", default=[10_000])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (at least 3)")
    args = parser.parse_args()
    if args.rounds < 3:
        parser.error("--rounds must be at least 3: one sample each is noise on a shared machine")
    if args.what in {"assembly", "all"}:
        print("assembly", bench_assembly(), flush=True)
    if args.what in {"freeze", "all"}:
        print("freeze", bench_freeze(max(args.subscribers)), flush=True)
    if args.what in {"throughput", "all"}:
        for count in args.subscribers:
            print("throughput", bench_throughput(count, args.processes, args.rounds), flush=True)


if __name__ == "__main__":
    main()
