"""Content API benchmark: queries per request and requests per second.

Not part of the test suite. Uses the database in DATABASE_URL (migrated, and
seeded with news if it has none) and Redis, e.g.:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/notiziario_bench \
    REDIS_URL=redis://127.0.0.1:6379/9 \
    .venv/bin/python bench/api_throughput.py --news 120 --duration 10

It starts gunicorn (2 workers, this machine has 2 cores) with bench/api_settings.py
and drives it with wrk (`apt-get install -y wrk`), measuring in one run:
  fixed     a trivial fixed-JSON Django view through the same middleware;
  cached    the news listing served from the Redis response cache;
  uncached  the same listing with a unique `_` per request, so every one renders;
  stock     Wagtail's stock PagesAPIViewSet on the same data and query.
Targets: cached ≥ 60% of fixed; uncached ≥ 3× stock.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import signal
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
from django.test.utils import CaptureQueriesContext  # noqa: E402
from PIL import Image as PILImage  # noqa: E402
from wagtail.images import get_image_model  # noqa: E402
from wagtail.models import Collection  # noqa: E402

from cms.models import NewsPage, Organisation, Person, Place  # noqa: E402
from tests import factories  # noqa: E402

LISTING = "/api/v2/pages/?type=cms.NewsPage&fields=*&limit=20"
STOCK_LISTING = "/bench/stock/v2/pages/?type=cms.NewsPage&fields=*&limit=20"
UNIQUE_QUERY_LUA = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", wrk.path .. "&_=" .. math.random(1, 1000000000) .. "-" .. counter)
end
"""


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


def start_gunicorn(port: int) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv/bin/gunicorn"), "config.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "sync",
        "--log-level", "warning", "--env", "DJANGO_SETTINGS_MODULE=bench.api_settings",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ}, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/fixed-json", timeout=1)
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def wrk(url: str, duration: int, connections: int, script: str | None = None) -> float:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s"]
    if script:
        command += ["-s", script]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"non-2xx responses from {url}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--news", type=int, default=120)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds; best kept")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install -y wrk")

    call_command("migrate", verbosity=0)
    seed(args.news)
    print("Queries per request:")
    for label, count in query_counts().items():
        print(f"  {label:16} {count}")

    server = start_gunicorn(args.port)
    base = f"http://127.0.0.1:{args.port}"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(UNIQUE_QUERY_LUA)
    targets = {
        "fixed": (f"{base}/bench/fixed-json", None),
        "cached": (f"{base}{LISTING}", None),
        "uncached": (f"{base}{LISTING}", lua.name),
        "stock": (f"{base}{STOCK_LISTING}", lua.name),
    }
    best = dict.fromkeys(targets, 0.0)
    try:
        urllib.request.urlopen(f"{base}{LISTING}")  # fills the response cache
        for _ in range(args.rounds):
            for name, (url, script) in targets.items():
                best[name] = max(best[name], wrk(url, args.duration, args.connections, script))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        os.unlink(lua.name)

    print(f"\nThroughput (requests/s, gunicorn 2 sync workers, wrk -t2 -c{args.connections} "
          f"-d{args.duration}s, best of {args.rounds} interleaved rounds):")  # fmt: skip
    for name, rate in best.items():
        print(f"  {name:9} {rate:9.1f}")
    print(f"\ncached / fixed   = {best['cached'] / best['fixed']:.0%}  (target ≥ 60%)")
    print(f"uncached / stock = {best['uncached'] / best['stock']:.1f}×  (target ≥ 3×)")


if __name__ == "__main__":
    main()
