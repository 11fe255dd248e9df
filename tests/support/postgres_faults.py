"""Database faults for tests and benchmarks: a side connection, terminating the others."""

from __future__ import annotations

import psycopg


def side_connection(settings_dict: dict, *, autocommit: bool = True) -> psycopg.Connection:
    """A psycopg connection to the database Django uses, outside Django's own connections."""
    return psycopg.connect(
        host=settings_dict["HOST"] or "127.0.0.1",
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        dbname=settings_dict["NAME"],
        autocommit=autocommit,
    )


def terminate_backends(settings_dict: dict, *, except_pid: int) -> list[int]:
    """pg_terminate_backend on every other connection to that database; returns their pids.

    The pids are read first and terminated one by one: in a single statement
    PostgreSQL may evaluate pg_terminate_backend before the filter that spares us.
    """
    with side_connection(settings_dict) as admin:
        others = [
            pid
            for (pid,) in admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND pid <> %s",
                [except_pid],
            )
        ]
        for pid in others:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    return others
