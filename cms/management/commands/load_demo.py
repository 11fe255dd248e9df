"""Load the demo content of every app named in settings.DEMO_LOADERS."""

from __future__ import annotations

import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Load demo content (idempotent): runs each loader in settings.DEMO_LOADERS in order."

    def handle(self, *args, **options) -> None:
        for dotted_path in settings.DEMO_LOADERS:
            module_path, _, function_name = dotted_path.rpartition(".")
            try:
                module = importlib.import_module(module_path)
            except ModuleNotFoundError as error:
                if error.name is None or not module_path.startswith(error.name):
                    raise
                self.stdout.write(f"Skipping {dotted_path}: module {module_path} does not exist.")
                continue
            loader = getattr(module, function_name, None)
            if not callable(loader):
                raise CommandError(f"{dotted_path} is not a function in {module_path}.")
            self.stdout.write(f"Running {dotted_path}…")
            loader(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))
