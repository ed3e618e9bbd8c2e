"""PostgreSQL: the migrations install Procrastinate's schema of the locked version in its own
schema, and remove it going down."""

from __future__ import annotations

from importlib import metadata

import psycopg
import pytest

from app import db_migrations
from app.db import libpq_address
from app.tasks.procrastinate_backend import QUEUE_SCHEMA


def _queue_tables(url: str) -> set[str]:
    with psycopg.connect(libpq_address(url)) as connection:
        rows = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (QUEUE_SCHEMA,),
        ).fetchall()
    return {name for (name,) in rows}


@pytest.mark.postgres
@pytest.mark.parametrize("empty_database_url", ["postgresql"], indirect=True)
def test_the_queue_schema_comes_and_goes_with_the_migrations(empty_database_url: str) -> None:
    db_migrations.upgrade(empty_database_url)
    assert {"procrastinate_jobs", "procrastinate_workers"} <= _queue_tables(empty_database_url)
    assert metadata.version("procrastinate") == "3.10.0"

    db_migrations.downgrade(empty_database_url, "0004")
    assert _queue_tables(empty_database_url) == set()

    db_migrations.upgrade(empty_database_url)
    assert "procrastinate_jobs" in _queue_tables(empty_database_url)
