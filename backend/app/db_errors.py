"""What a database error means for a job: the connection is gone, or the database refuses
every write (full, read-only), which no retry of the same job fixes until an operator acts."""

from __future__ import annotations

import sqlite3

import psycopg
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

# SQLSTATE codes of PostgreSQL, SQLite's primary result codes.
_PG_DISK_FULL = "53100"
_PG_READ_ONLY = "25006"
_SQLITE_READONLY = 8
_SQLITE_FULL = 13

FULL = "The database is full: free space for it, then run the job again"
READ_ONLY = "The database is read-only: make it writable, then run the job again"


def is_connection_lost(error: BaseException) -> bool:
    """The database is gone (server restart, killed backend, network), rather than a statement
    being refused: what was open on that connection is lost with it, server-side included."""
    if not isinstance(error, DBAPIError):
        return False
    return error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)


def storage_refusal(error: BaseException) -> str | None:
    """What happened and what to do (FULL or READ_ONLY) when the database refused a write for
    want of room or of the right to write; None for any other error."""
    if not isinstance(error, DBAPIError):
        return None
    cause = error.orig
    if isinstance(cause, psycopg.Error):
        return {_PG_DISK_FULL: FULL, _PG_READ_ONLY: READ_ONLY}.get(cause.sqlstate or "")
    if isinstance(cause, sqlite3.Error):
        code = getattr(cause, "sqlite_errorcode", 0) & 0xFF
        return {_SQLITE_FULL: FULL, _SQLITE_READONLY: READ_ONLY}.get(code)
    return None
