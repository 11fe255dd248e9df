"""CPU time per uncached news listing, ours against Wagtail's stock API, in one process.

Not part of the test suite. Renders N listings through the Django test client (response
cache off, every URL distinct) and reads the CPU time of this process and of its
PostgreSQL backend (from /proc, so PostgreSQL must run on this machine), alternating
ours and stock for --rounds rounds:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/coord_apibench \\
    REDIS_URL=redis://127.0.0.1:6379/2 .venv/bin/python bench/api_cpu.py --requests 200

Throughput figures come from bench/api_throughput.py; this says where a difference in
them comes from (Django, PostgreSQL) without the load generator and gunicorn in the way.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from bench import api_throughput as bench  # noqa: E402  (sets up Django)

TICKS = os.sysconf("SC_CLK_TCK")


def backend_cpu_seconds() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def measure(client: Client, url: str, requests: int, label: str) -> tuple[float, float]:
    """(Django ms, PostgreSQL ms) of CPU per listing."""
    python, database = time.process_time(), backend_cpu_seconds()
    for n in range(requests):
        response = client.get(f"{url}&_=cpu-{label}-{time.time_ns()}-{n}")
        if response.status_code != 200 or response.get("X-Cache", "miss") != "miss":
            sys.exit(f"{label}: {response.status_code} {response.get('X-Cache')}: not a render")
    return (
        (time.process_time() - python) / requests * 1000,
        (backend_cpu_seconds() - database) / requests * 1000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--news", type=int, default=60)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    bench.seed(args.news)
    client = Client()
    results: dict[str, list[tuple[float, float]]] = {"ours": [], "stock": []}
    with override_settings(API_RESPONSE_CACHE_TIMEOUT=0):
        for url in (bench.LISTING, bench.STOCK_LISTING):
            client.get(url + "&_=cpu-warm")
        for _ in range(args.rounds):
            results["ours"].append(measure(client, bench.LISTING, args.requests, "ours"))
            results["stock"].append(measure(client, bench.STOCK_LISTING, args.requests, "stock"))
    print(f"CPU per uncached listing, {args.requests} requests × {args.rounds} rounds (ms):")
    for label, rounds in results.items():
        per_round = ", ".join(f"{django:.1f} + {pg:.1f}" for django, pg in rounds)
        print(f"  {label:6} Django + PostgreSQL: {per_round}")
    ratios = [
        (stock[0] + stock[1]) / (ours[0] + ours[1])
        for ours, stock in zip(results["ours"], results["stock"], strict=True)
    ]
    print(f"stock / ours, per round: {', '.join(f'{r:.1f}×' for r in ratios)}; "
          f"median {statistics.median(ratios):.1f}×")  # fmt: skip


if __name__ == "__main__":
    main()
