"""How long `make run` takes to answer on /healthz: on a fresh clone, then a second time.

    .venv/bin/python bench/startup_time.py            # clones HEAD of this checkout into /tmp
    .venv/bin/python bench/startup_time.py --checkout /some/clone

Each run: `make run PORT=<free port>` with DATABASE_URL / REDIS_URL removed from the
environment (so the embedded PostgreSQL and Redis start), timed from the command to the
first 200 from /healthz; then Ctrl-C (SIGINT to make's process group, as a terminal
sends it). The script fails if a run does not stop within 60 s, or if any process whose
command line names the checkout is still running afterwards. The first run includes
creating .venv and installing the project (uv, see the Makefile; pip's and uv's caches as
this machine has them, or uv's empty with --cold-uv-cache), initdb, migrations and the
demo content; the second only starts the servers and the processes. Targets: < 60 s,
< 15 s. The worker and beat start once /healthz answers; the script then waits (at most
120 s) until both log that they run, reports when, and fails if they do not. Besides the wall-clock time it reports the CPU time of all the run's processes,
which hardly depends on the machine's load.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"first": 60.0, "second": 15.0}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def leftovers(checkout: Path) -> str:
    found = subprocess.run(["pgrep", "-af", str(checkout)], capture_output=True, text=True)
    mine = {str(os.getpid())}
    return "\n".join(line for line in found.stdout.splitlines() if line.split()[0] not in mine)


def phases(log: str) -> str:
    """The breakdown scripts/run.py prints ("migrate: … s, demo content: … s"), if any."""
    found = re.search(r"^migrate: .*$", log, re.MULTILINE)
    return found.group(0) if found else "no breakdown in the log"


# Lines of the log that mark the end of a stage, and the stage they end.
MILESTONES = {
    "scripts/run.py": "install",  # make runs scripts/run.py once the venv is ready
    "Operations to perform": "services",  # migrate starts once PostgreSQL and Redis answer
    "Demo content loaded": "migrate + demo",
}


# Logged once the worker and beat run (they start after the web server answers).
AFTER_WEB = {
    r"worker\.1 +\| .*celery@\S+ ready\.": "worker ready",
    r"beat\.1 +\| .*beat: Starting\.\.\.": "beat ready",
}
AFTER_WEB_WAIT = 120.0


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_run(
    checkout: Path, name: str, timeout: float, extra_env: dict[str, str]
) -> tuple[float, float]:
    port = free_port()
    print(f"{name} run: load average before {os.getloadavg()[0]:.1f}", flush=True)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(extra_env)
    log_path = checkout / f"startup-{name}.log"
    cpu_before = cpu_of_children()
    with open(log_path, "w") as log:
        started = time.monotonic()
        make = subprocess.Popen(
            ["make", "run", f"PORT={port}"],
            cwd=checkout,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        elapsed = None
        reached: dict[str, float] = {}
        while time.monotonic() - started < timeout and make.poll() is None:
            text = log_path.read_text(errors="replace")
            for marker, stage in MILESTONES.items():
                if stage not in reached and marker in text:
                    reached[stage] = time.monotonic() - started
            if healthy(port):
                elapsed = time.monotonic() - started
                break
            time.sleep(0.25)
        # The worker and beat start once /healthz answers (Procfile): wait for them too,
        # so that the stack is whole and their CPU time is counted.
        while elapsed is not None and time.monotonic() - started < timeout + AFTER_WEB_WAIT:
            text = log_path.read_text(errors="replace")
            for marker, stage in AFTER_WEB.items():
                if stage not in reached and re.search(marker, text):
                    reached[stage] = time.monotonic() - started
            if all(stage in reached for stage in AFTER_WEB.values()) or make.poll() is not None:
                break
            time.sleep(0.25)
        os.killpg(make.pid, signal.SIGINT)  # Ctrl-C
        try:
            make.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(make.pid, signal.SIGKILL)
            sys.exit(f"{name} run: make run did not stop within 60 s after Ctrl-C ({log_path})")
    # Every process of the run (make, pip/uv, PostgreSQL, Redis, web, worker, beat) is a
    # descendant that its parent waited for, so its CPU time is counted here: unlike the
    # wall-clock time, it hardly depends on what else the machine is doing.
    cpu = cpu_of_children() - cpu_before
    if reached:
        print(
            f"{name} run: stages done at (s, ±0.25) "
            + ", ".join(f"{stage} {at:.1f}" for stage, at in reached.items()),
            flush=True,
        )
    print(
        f"{name} run: /healthz after {elapsed} s, {cpu:.1f} s of CPU ({phases(log_path.read_text())}; "
        f"load average after {os.getloadavg()[0]:.1f})",
        flush=True,
    )
    missing = [stage for stage in AFTER_WEB.values() if stage not in reached]
    if elapsed is not None and missing:
        sys.exit(f"{name} run: {', '.join(missing)} never logged ({log_path})")
    if elapsed is None:
        sys.exit(
            f"{name} run: /healthz never answered ({log_path}):\n{log_path.read_text()[-3000:]}"
        )
    time.sleep(1)
    left = leftovers(checkout)
    if left:
        sys.exit(f"{name} run: processes left running after Ctrl-C:\n{left}")
    if (checkout / "var" / "services.env").exists():
        sys.exit(f"{name} run: var/services.env left behind")
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--checkout", type=Path, help="an existing fresh clone (default: clone HEAD)"
    )
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds to wait per run")
    parser.add_argument(
        "--cold-uv-cache",
        action="store_true",
        help="give uv an empty cache (as for someone who never used uv): it downloads",
    )
    args = parser.parse_args()
    # make and `make run` inherit a SIGINT that works, even if this script runs in the background.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    checkout = args.checkout
    if checkout is None:
        checkout = Path(tempfile.mkdtemp(prefix="notiziario-startup-", dir="/tmp"))
        checkout.chmod(0o755)  # PostgreSQL runs as nobody under root and must enter it
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(checkout)], check=True)
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        subprocess.run(["git", "-C", str(checkout), "checkout", "--quiet", head], check=True)
    extra_env = {}
    if args.cold_uv_cache:
        extra_env["UV_CACHE_DIR"] = tempfile.mkdtemp(prefix="notiziario-uv-cache-", dir="/tmp")
    results = {
        name: timed_run(checkout, name, args.timeout, extra_env) for name in ("first", "second")
    }
    load = os.getloadavg()[0]
    print(f"checkout: {checkout}  (load average {load:.1f} on {os.cpu_count()} cores)")
    if args.cold_uv_cache:
        print(f"uv's cache was empty: {extra_env['UV_CACHE_DIR']}")
    for name, (seconds, cpu) in results.items():
        verdict = "meets" if seconds < TARGETS[name] else "MISSES"
        print(
            f"{name} make run → /healthz: {seconds:.1f} s ({verdict} < {TARGETS[name]:.0f} s); "
            f"CPU time of all its processes, start to Ctrl-C: {cpu:.1f} s"
        )
    print("after each Ctrl-C: no process left running, var/services.env removed")


if __name__ == "__main__":
    main()
