"""A real `celery beat` in its own process, with django_celery_beat's DatabaseScheduler."""

from __future__ import annotations

from .processes import CeleryProcess


class CeleryBeat(CeleryProcess):
    """Give it the same env as the worker it feeds."""

    name = "celery beat"
    ready_marker = "beat: Starting..."

    def command(self) -> list[str]:
        return [
            "beat",
            "--loglevel=DEBUG",
            "--scheduler=django_celery_beat.schedulers:DatabaseScheduler",
            "--max-interval=1",
            f"--pidfile={self.log_path.with_suffix('.pid')}",
        ]
