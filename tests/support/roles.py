"""The Redazione and Newsletter groups, made by their data migrations' own code.

Transactional tests flush the database, groups included; tests that need the
groups call `ensure_groups()` to make them again with the migrations' historical
models, exactly as `migrate` does.
"""

from __future__ import annotations

from importlib import import_module

from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

MIGRATIONS = {
    "Redazione": ("cms", "0008_redazione_group_and_italian_workflow", "create_redazione"),
    "Newsletter": ("newsletter", "0006_newsletter_group", "create_group"),
}


def ensure_groups() -> None:
    missing = set(MIGRATIONS) - set(Group.objects.values_list("name", flat=True))
    if not missing:
        return
    executor = MigrationExecutor(connection)
    for name in sorted(missing):
        app, migration, function = MIGRATIONS[name]
        state = executor.loader.project_state((app, migration), at_end=True)
        getattr(import_module(f"{app}.migrations.{migration}"), function)(state.apps, None)
