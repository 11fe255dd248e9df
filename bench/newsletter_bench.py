"""Newsletter benchmarks: throughput, worker memory, assembly time, freezing recipients.

Not part of the test suite. Run against a throw-away PostgreSQL database (it is
flushed) and Redis, e.g.:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/notiziario_bench \
    REDIS_URL=redis://127.0.0.1:6379/9 \
    .venv/bin/python bench/newsletter_bench.py all --subscribers 10000 100000

Subcommands: assembly, freeze N, throughput N..., all N...
The SMTP sink is Postfix's smtp-sink when /usr/sbin/smtp-sink exists, else aiosmtpd.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import smtplib
import socket
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
from newsletter.messages import MessageFactory  # noqa: E402
from newsletter.models import (  # noqa: E402
    Issue,
    IssueState,
    Newsletter,
    Subscriber,
    SubscriberStatus,
    Subscription,
)
from tests import factories  # noqa: E402

SMTP_SINK = "/usr/sbin/smtp-sink"
BATCH_SIZE = 500


# --- set-up -----------------------------------------------------------------------------------


def fresh_database() -> None:
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    factories.site_tree()


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
        )
    return newsletter


def approved_issue(newsletter: Newsletter) -> Issue:
    issue = assembly.assemble(newsletter).issue
    sending.approve(issue)
    return issue


# --- the SMTP sink ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_sink(port: int) -> subprocess.Popen:
    if os.path.exists(SMTP_SINK):
        command = [SMTP_SINK, "-c", "-u", "nobody", f"127.0.0.1:{port}", "1024"]
    else:
        command = [
            sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
            "-c", "aiosmtpd.handlers.Sink",
        ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the SMTP sink did not start")


def sink_name() -> str:
    return "Postfix smtp-sink" if os.path.exists(SMTP_SINK) else "aiosmtpd Sink"


# --- measurements -----------------------------------------------------------------------------


def bench_assembly(runs: int = 20) -> dict:
    fresh_database()
    newsletter = make_newsletter(0, news=20)
    timings, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        issue = assembly.assemble(newsletter).issue
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert issue.items.count() == 20
        sending.cancel(issue)  # frees the items for the next run
    return {
        "items": 20,
        "runs": runs,
        "median_ms": round(statistics.median(timings), 1),
        "p90_ms": round(sorted(timings)[int(runs * 0.9) - 1], 1),
        "first_ms": round(timings[0], 1),
        "median_cpu_ms_this_process": round(statistics.median(cpu), 1),
    }


def bench_freeze(subscribers: int) -> dict:
    fresh_database()
    newsletter = make_newsletter(subscribers, news=3)
    issue = approved_issue(newsletter)
    started = time.perf_counter()
    total = sending.start_sending(issue)
    seconds = time.perf_counter() - started
    return {"subscribers": subscribers, "frozen": total, "seconds": round(seconds, 2)}


def worker_children(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        children.extend(int(child) for child in text)
    return children


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_engine(issue: Issue, port: int, processes: int) -> dict:
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
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
        app.conf.task_default_queue = queue
        children = worker_children(worker.pid)
        baseline_rss = {pid: peak_rss_mb(pid) for pid in children}
        started = time.perf_counter()
        sending.start_sending(issue)
        for _ in range(processes):
            app.send_task("newsletter.tasks.send_batch", args=[issue.pk], queue=queue)
        while True:
            issue.refresh_from_db()
            if issue.state != IssueState.SENDING:
                break
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        peaks = {pid: peak_rss_mb(pid) for pid in children}
    finally:
        worker.terminate()
        worker.wait(30)
    sent = issue.deliveries.filter(state="sent").count()
    return {
        "sent": sent,
        "seconds": round(seconds, 2),
        "rate": round(sent / seconds),
        "worker_peak_rss_mb": round(max(peaks.values()), 1),
        "worker_idle_rss_mb": round(max(baseline_rss.values()), 1),
        "state": issue.state,
    }


def _baseline_process(port: int, messages: list[bytes], recipients: list[str], out) -> None:
    smtp = smtplib.SMTP("127.0.0.1", port)
    started = time.perf_counter()
    for n, rcpt in enumerate(recipients):
        smtp.sendmail("notizie@example.org", [rcpt], messages[n % len(messages)])
    smtp.quit()
    out.put(time.perf_counter() - started)


def run_baseline(issue: Issue, port: int, processes: int, distinct: int = 200) -> dict:
    """The same messages, built beforehand, pushed over one bare smtplib connection per process.

    `distinct` real messages (personal links and all) are built and reused in
    turn, so the baseline does not need gigabytes of memory at 100,000.
    """
    deliveries = list(issue.deliveries.select_related("subscriber").order_by("pk"))
    renditions = {r.variant_key: r for r in issue.renditions.all()}
    factory = MessageFactory(issue, renditions)
    messages = [factory.build(d) for d in deliveries[:distinct]]
    recipients = [d.subscriber.email for d in deliveries]
    connection.close()
    out = multiprocessing.Queue()
    share = len(recipients) // processes + 1
    workers = [
        multiprocessing.Process(
            target=_baseline_process,
            args=(port, messages, recipients[i * share : (i + 1) * share], out),
        )
        for i in range(processes)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - started
    return {
        "sent": len(recipients),
        "seconds": round(seconds, 2),
        "rate": round(len(recipients) / seconds),
        "message_bytes": len(messages[0]),
    }


def bench_throughput(subscribers: int, processes: int = 2) -> dict:
    fresh_database()
    newsletter = make_newsletter(subscribers, news=10)
    issue = approved_issue(newsletter)
    port = free_port()
    sink = start_sink(port)
    try:
        engine = run_engine(issue, port, processes)
        issue.refresh_from_db()
        baseline = run_baseline(issue, port, processes)
    finally:
        sink.terminate()
        sink.wait(10)
    return {
        "subscribers": subscribers,
        "processes": processes,
        "sink": sink_name(),
        "engine": engine,
        "baseline": baseline,
        "engine_vs_baseline": round(engine["rate"] / baseline["rate"], 2),
        "when": timezone.now().isoformat(timespec="seconds"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["assembly", "freeze", "throughput", "all"])
    parser.add_argument("--subscribers", type=int, nargs="*", default=[10_000])
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    if args.what in {"assembly", "all"}:
        print("assembly", bench_assembly(), flush=True)
    if args.what in {"freeze", "all"}:
        print("freeze", bench_freeze(max(args.subscribers)), flush=True)
    if args.what in {"throughput", "all"}:
        for count in args.subscribers:
            print("throughput", bench_throughput(count, args.processes), flush=True)


if __name__ == "__main__":
    main()
