"""storage_refusal: a database that refuses every write (full, read-only) is named as such,
from the errors the drivers really raise; anything else is not."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from app.db_errors import FULL, READ_ONLY, storage_refusal


def _sqlite_error(
    *setup: str, write: str = "INSERT INTO t VALUES (randomblob(100000))"
) -> DBAPIError:
    """The error SQLite raises for `write` after `setup`, as SQLAlchemy wraps it."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("CREATE TABLE t (b BLOB UNIQUE)")
        for statement in setup:
            connection.execute(statement)
        connection.execute(write)
    except sqlite3.Error as error:
        return DBAPIError.instance(write, None, error, sqlite3.Error)
    finally:
        connection.close()
    raise AssertionError(f"{write} succeeded")


@pytest.mark.parametrize(
    ("error", "refusal"),
    [
        (OperationalError("INSERT", None, psycopg.errors.DiskFull("No space left")), FULL),
        (
            DBAPIError("INSERT", None, psycopg.errors.ReadOnlySqlTransaction("read-only")),
            READ_ONLY,
        ),
        (IntegrityError("INSERT", None, psycopg.errors.UniqueViolation("duplicate")), None),
        (_sqlite_error("PRAGMA max_page_count = 3"), FULL),
        (_sqlite_error("PRAGMA query_only = ON"), READ_ONLY),
        (_sqlite_error("INSERT INTO t VALUES (1)", write="INSERT INTO t VALUES (1)"), None),
        (ValueError("not a database error"), None),
    ],
    ids=["pg-full", "pg-read-only", "pg-unique", "sqlite-full", "sqlite-read-only",
         "sqlite-unique", "other"],
)  # fmt: skip
def test_storage_refusal_names_full_and_read_only_databases(
    error: BaseException, refusal: str | None
) -> None:
    assert storage_refusal(error) == refusal
