"""Content API benchmark: queries per request, where the time goes, requests per second.

Not part of the test suite. Uses the database in DATABASE_URL (migrated, and
seeded with news if it has none) and Redis, e.g.:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/notiziario_bench \
    REDIS_URL=redis://127.0.0.1:6379/9 \
    .venv/bin/python bench/api_throughput.py --news 60 --duration 10 --rounds 3

It starts gunicorn (2 workers, this machine has 2 cores) with bench/api_settings.py,
Varnish (deploy/varnish/default.vcl) in front of it and nginx serving a static file,
and drives them with bench/load.py, measuring in one run, interleaved round by round:
  fixed     a trivial fixed-JSON Django view through the same middleware;
  cached    the news listing served from the Redis response cache (every response
            must say X-Cache: hit, or the run fails);
  uncached  the same listing from a second gunicorn whose response cache is off
            (API_RESPONSE_CACHE_TIMEOUT=0: the app leaves the cache-buster `_` out of its
            cache key, so unique `_` values alone would all be hits), each request with
            `_=<run nonce>-<process>-<connection>-<counter>`, a URL no connection, round or
            run asked for before; every response must say X-Cache: miss and every URL must
            be distinct, or the run fails;
  stock     Wagtail's stock PagesAPIViewSet on the same data and query, same unique URLs;
  varnish   the cached listing through Varnish (every response X-Edge-Cache: hit);
  static    nginx serving a static file holding the listing's own bytes (same size).
Targets: uncached ≥ 3× stock; cached ≥ 60% of fixed; varnish ≥ 50% of static.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.api_settings"
os.environ.setdefault("VAR_DIR", "/tmp/notiziario-bench-var")

import django  # noqa: E402

django.setup()

from django.core.files.images import ImageFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from PIL import Image as PILImage  # noqa: E402
from wagtail.images import get_image_model  # noqa: E402
from wagtail.models import Collection  # noqa: E402

from bench import load  # noqa: E402
from cms.models import NewsPage, Organisation, Person, Place  # noqa: E402
from tests import factories  # noqa: E402

LISTING = "/api/v2/pages/?type=cms.NewsPage&fields=*&limit=20"
STOCK_LISTING = "/bench/stock/v2/pages/?type=cms.NewsPage&fields=*&limit=20"
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def seed(count: int) -> None:
    existing = NewsPage.objects.live().count()
    if existing >= count:
        return
    index = factories.site_tree()
    root_collection = Collection.get_first_root_node()
    for n in range(existing, count):
        buffer = io.BytesIO()
        PILImage.new("RGB", (1800, 1000), (n % 255, 90, 120)).save(buffer, format="JPEG")
        hero = get_image_model().objects.create(
            title=f"Foto {n}",
            file=ImageFile(io.BytesIO(buffer.getvalue()), name=f"bench-{n}.jpg"),
            collection=root_collection,
        )
        org, _ = Organisation.objects.get_or_create(
            slug=f"ente-{n % 10}", locale=index.locale,
            defaults={"name": f"Ente {n % 10}", "kind": "institution"},
        )  # fmt: skip
        person, _ = Person.objects.get_or_create(
            slug=f"persona-{n % 10}", locale=index.locale,
            defaults={"name": f"Persona {n % 10}", "organisation": org},
        )  # fmt: skip
        place, _ = Place.objects.get_or_create(
            slug=f"luogo-{n % 10}", locale=index.locale,
            defaults={"name": f"Luogo {n % 10}", "country": "Italia"},
        )  # fmt: skip
        page = factories.news(
            index,
            title=f"Notizia {n}",
            publish=False,
            topics=[factories.topic(f"Tema {n % 5}")],
            hero_image=hero,
            hero_alt="Foto",
            body=[("paragraph", "<p>Testo della notizia.</p>")],
        )
        page.organisations.set([org])
        page.people.set([person])
        page.places.set([place])
        page.save_revision().publish()
    # Make the renditions once, as the first real request would.
    Client().get(LISTING.replace("limit=20", "limit=100"))


def query_counts() -> dict[str, int]:
    """Queries of a rendered request (the response cache is off: `_` would not get past it)."""
    with override_settings(API_RESPONSE_CACHE_TIMEOUT=0):
        return _query_counts()


def _query_counts() -> dict[str, int]:
    client = Client()
    counts = {}
    for label, url in [
        ("ours limit=20", LISTING),
        ("ours limit=50", LISTING.replace("limit=20", "limit=50")),
        ("stock limit=20", STOCK_LISTING),
        ("stock limit=50", STOCK_LISTING.replace("limit=20", "limit=50")),
    ]:
        client.get(url + f"&_=warm{time.time_ns()}")
        with CaptureQueriesContext(connection) as queries:
            # A unique URL: rendered, not served from the response cache.
            client.get(url + f"&_=count{time.time_ns()}")
        counts[label] = len(queries)
    news = NewsPage.objects.live().first()
    for label, url in [
        ("ours detail", f"/api/v2/pages/{news.id}/"),
        ("stock detail", f"/bench/stock/v2/pages/{news.id}/"),
    ]:
        client.get(url + f"?_=warm{time.time_ns()}")
        with CaptureQueriesContext(connection) as queries:
            client.get(url + f"?_=count{time.time_ns()}")
        counts[label] = len(queries)
    return counts


def start_gunicorn(port: int, **env: str) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv/bin/gunicorn"), "config.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "sync",
        "--log-level", "warning", "--env", "DJANGO_SETTINGS_MODULE=bench.api_settings",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/fixed-json", timeout=1)
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{name} did not listen within 30 s")


def start_varnish(backend_port: int, workdir: Path) -> tuple[subprocess.Popen, int]:
    vcl = (ROOT / "deploy/varnish/default.vcl").read_text()
    vcl = vcl.replace('.host = "web";', '.host = "127.0.0.1";')
    vcl = vcl.replace('.port = "8000";', f'.port = "{backend_port}";')
    (workdir / "bench.vcl").write_text(vcl)
    port = free_port()
    process = subprocess.Popen(
        [
            VARNISHD, "-F", "-j", "none", "-n", str(workdir / "varnish"),
            "-a", f"http=127.0.0.1:{port},HTTP", "-f", str(workdir / "bench.vcl"),
            "-s", "malloc,64m",
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    wait_for_port(port, process, "varnishd")
    return process, port


def start_nginx(body: bytes, workdir: Path) -> tuple[subprocess.Popen, int]:
    """nginx (as many workers as cores) serving `body` as /listing.json."""
    www = workdir / "www"
    www.mkdir()
    (www / "listing.json").write_bytes(body)
    for path in (workdir, www, www / "listing.json"):
        path.chmod(0o755)
    port = free_port()
    (workdir / "nginx.conf").write_text(
        f"""
worker_processes auto;
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    server {{
        listen 127.0.0.1:{port};
        root {www};
        location / {{ default_type application/json; }}
    }}
}}
"""
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(workdir), "-c", str(workdir / "nginx.conf")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    wait_for_port(port, process, "nginx")
    return process, port


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


class NotMeasured(RuntimeError):
    """A run that did not measure what it names: no figure may be taken from it."""


def check(name: str, result: load.Result) -> None:
    """Fail the run unless every response is what the target's name says."""
    problems = []
    if set(result.statuses) != {200}:
        problems.append(f"statuses {dict(result.statuses)}")
    if not result.requests:
        problems.append("no requests completed")
    expected_header = {
        "cached": "hit", "uncached": "miss", "varnish": "hit",
    }.get(name)  # fmt: skip
    if expected_header and set(result.header_values) != {expected_header}:
        problems.append(
            f"cache headers {dict(result.header_values)}, all {expected_header!r} expected"
        )
    if name in ("uncached", "stock") and result.distinct_urls != result.requests:
        problems.append(f"{result.distinct_urls} distinct URLs for {result.requests} requests")
    if problems:
        raise NotMeasured(f"{name}: " + "; ".join(problems))


def profile_uncached(requests: int) -> None:
    """cProfile and SQL time of `requests` uncached listings rendered in this process."""
    from django.db import connection as db

    client = Client()
    with override_settings(API_RESPONSE_CACHE_TIMEOUT=0):
        client.get(LISTING + "&_=profile-warm")
    sql_seconds = 0.0

    def timed(execute, sql, params, many, context):
        nonlocal sql_seconds
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_seconds += time.perf_counter() - started

    profiler = cProfile.Profile()
    started = time.perf_counter()
    with db.execute_wrapper(timed), override_settings(API_RESPONSE_CACHE_TIMEOUT=0):
        profiler.enable()
        for n in range(requests):
            response = client.get(LISTING + f"&_=profile-{time.time_ns()}-{n}")
            assert response["X-Cache"] == "miss"
        profiler.disable()
    wall = time.perf_counter() - started
    print(f"\nUncached listing, {requests} requests in-process: {wall / requests * 1000:.1f} ms each, "
          f"SQL {sql_seconds / wall:.0%} of the time")  # fmt: skip
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(r"(cms|wagtail|rest_framework|django/db|json)", 25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--news", type=int, default=120)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--processes", type=int, default=2, help="load generator processes")
    parser.add_argument("--connections", type=int, default=4, help="connections per process")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (≥ 3)")
    parser.add_argument("--profile", type=int, default=0, help="profile N uncached requests")
    args = parser.parse_args()
    if args.rounds < 3:
        sys.exit("--rounds must be at least 3")
    for program in (VARNISHD, NGINX):
        if not Path(program).exists():
            sys.exit(f"{program} is needed: apt-get install -y varnish nginx")

    call_command("migrate", verbosity=0)
    seed(args.news)
    print("Queries per request:")
    for label, count in query_counts().items():
        print(f"  {label:16} {count}")
    if args.profile:
        profile_uncached(args.profile)

    workdir = Path(tempfile.mkdtemp(prefix="notiziario-bench-"))
    port = free_port()
    # Nothing changes during a run: the cached server's responses (and so Varnish's copy) must
    # outlive it, or a figure would include the renders after each expiry.
    processes = [
        start_gunicorn(port, API_CACHE_MAX_AGE="86400", API_RESPONSE_CACHE_TIMEOUT="86400")
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        # The uncached figures come from a second gunicorn with the response cache off:
        # the app drops `_` from its cache key, so unique `_` values alone are all hits.
        # Its X-Cache header still says miss for every rendered response, and is counted.
        uncached_port = free_port()
        processes.append(start_gunicorn(uncached_port, API_RESPONSE_CACHE_TIMEOUT="0"))
        uncached_base = f"http://127.0.0.1:{uncached_port}"
        with urllib.request.urlopen(f"{base}{LISTING}") as response:  # fills the response cache
            body = response.read()
        varnish, varnish_port = start_varnish(port, workdir)
        processes.append(varnish)
        nginx, nginx_port = start_nginx(body, workdir)
        processes.append(nginx)
        urllib.request.urlopen(f"http://127.0.0.1:{varnish_port}{LISTING}").read()  # fills Varnish
        targets = {
            "fixed": (f"{base}/bench/fixed-json", False, "X-Cache"),
            "cached": (f"{base}{LISTING}", False, "X-Cache"),
            "uncached": (f"{uncached_base}{LISTING}", True, "X-Cache"),
            "stock": (f"{uncached_base}{STOCK_LISTING}", True, "X-Cache"),
            "varnish": (f"http://127.0.0.1:{varnish_port}{LISTING}", False, "X-Edge-Cache"),
            "static": (f"http://127.0.0.1:{nginx_port}/listing.json", False, "X-Cache"),
        }
        rates: dict[str, list[float]] = {name: [] for name in targets}
        print(f"\nListing body: {len(body)} bytes (the static file holds the same bytes)")
        print(f"Load average before: {Path('/proc/loadavg').read_text().strip()}")
        for round_number in range(1, args.rounds + 1):
            for name, (url, unique, header) in targets.items():
                result = load.run(
                    url, args.duration, processes=args.processes,
                    connections=args.connections, unique=unique, header=header,
                )  # fmt: skip
                check(name, result)
                rates[name].append(result.rate)
                distinct = f", {result.distinct_urls} distinct URLs" if unique else ""
                print(f"  round {round_number} {name:9} {result.rate:9.1f} req/s  "
                      f"{result.requests} requests{distinct}, "
                      f"{header}: {dict(result.header_values)}")  # fmt: skip
        print(f"Load average after: {Path('/proc/loadavg').read_text().strip()}")
    finally:
        for process in reversed(processes):
            stop(process)
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"\nThroughput (requests/s; gunicorn 2 sync workers; bench/load.py {args.processes} "
          f"processes × {args.connections} connections, {args.duration:g} s; "
          f"{args.rounds} interleaved rounds):")  # fmt: skip
    for name, values in rates.items():
        print(f"  {name:9} " + " / ".join(f"{v:8.1f}" for v in values))
    ratios = {
        "uncached / stock (target ≥ 3×)": ("uncached", "stock", "{:.1f}×"),
        "cached / fixed (target ≥ 60%)": ("cached", "fixed", "{:.0%}"),
        "varnish / static nginx (target ≥ 50%)": ("varnish", "static", "{:.0%}"),
    }
    for label, (top, bottom, form) in ratios.items():
        per_round = [a / b for a, b in zip(rates[top], rates[bottom], strict=True)]
        print(f"{label}: per round " + ", ".join(form.format(r) for r in per_round)
              + f"; median {form.format(statistics.median(per_round))}")  # fmt: skip


if __name__ == "__main__":
    main()
