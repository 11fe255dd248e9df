"""How service modules hand work to a worker without importing tasks.py.

tasks.py imports the services (its tasks are thin wrappers over them), so a
service that imported tasks.py to enqueue one would close an import cycle.
Instead the app's ready() connects each job name to its task, once
(`NewsletterConfig.ready`), and a service asks for a job by name:

    enqueue.on_commit("send_confirmation", record.pk, selection.as_payload())

The job is queued when the current transaction commits (at once outside one),
so a worker never looks for rows that are not there yet, and nothing is queued
for work that was rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.db import transaction

_jobs: dict[str, Callable[..., object]] = {}


def connect(**jobs: Callable[..., object]) -> None:
    """Name the callables that queue each job (a task's `delay`)."""
    _jobs.update(jobs)


def on_commit(job: str, *args: object) -> None:
    """Queue `job` with `args` once the current transaction commits."""
    try:
        queue = _jobs[job]
    except KeyError:
        raise LookupError(f"no task is connected to the job {job!r} (see apps.py)") from None
    transaction.on_commit(partial(queue, *args))
