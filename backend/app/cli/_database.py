"""Whether the configured database can be used, said in one line when it cannot.

Only `co2calc db upgrade` and `co2calc demo` create a database: every other command first
checks that it exists and carries this installation's schema (connecting to a missing SQLite
file would create an empty one). A missing, unmigrated or unreachable database, or one the
driver refuses, is reported as which database (password hidden), why, and what to do, with
exit code 5, never as a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db_errors import storage_refusal

UPGRADE_HINT = "run `co2calc db upgrade`"


class DatabaseUnusable(Exception):
    """The database cannot serve this command; the message says which one and what to do."""


def shown_url(url: str) -> str:
    """The URL as printed: its password, if any, replaced by ***."""
    return make_url(url).render_as_string(hide_password=True)


def sqlite_file(url: str) -> Path | None:
    """The file of a file-backed SQLite URL; None for PostgreSQL or an in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def make_room(url: str) -> None:
    """Create the folder of a SQLite file about to be created (the default one's included)."""
    path = sqlite_file(url)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseUnusable(
            f"Cannot create the folder of the database {shown_url(url)}: {error.strerror}"
        ) from None


async def require_schema(engine: AsyncEngine, url: str) -> None:
    """Refuse (DatabaseUnusable) a database that is missing, empty, or not at this
    installation's schema; connect to a SQLite file only when it exists."""
    from app.db_migrations import head_revision, knows_revision, revision_of

    path = sqlite_file(url)
    if path is not None and not path.is_file():
        raise DatabaseUnusable(f"The database {shown_url(url)} does not exist: {UPGRADE_HINT}.")
    revision = await revision_of(engine)
    head = head_revision()
    if revision == head:
        return
    if revision is None:
        raise DatabaseUnusable(f"The database {shown_url(url)} has no tables yet: {UPGRADE_HINT}.")
    if not knows_revision(revision):
        raise DatabaseUnusable(
            f"The database {shown_url(url)} is at revision {revision}, which this co2calc does "
            "not know: it was migrated by a newer co2calc; use that version."
        )
    raise DatabaseUnusable(
        f"The database {shown_url(url)} is at revision {revision}, this co2calc needs {head}: "
        f"{UPGRADE_HINT}."
    )


def database_problem(error: BaseException, url: str) -> str | None:
    """One line for an error the database itself caused (unreachable, not a database, full,
    read-only); None for any other error, which is a fault of the program."""
    if isinstance(error, DatabaseUnusable):
        return str(error)
    if not isinstance(error, DBAPIError):
        return None
    refusal = storage_refusal(error)
    if refusal is not None:
        return f"{refusal} ({shown_url(url)})."
    # Connection and file problems; a plain DatabaseError is SQLite's "file is not a database".
    if (
        not isinstance(error, OperationalError | InterfaceError)
        and type(error) is not DatabaseError
    ):
        return None
    reason = _one_line(str(error.orig))
    if make_url(url).get_backend_name() == "postgresql":
        return f"Cannot reach the database {shown_url(url)}: {reason}"
    return f"Cannot use the database {shown_url(url)}: {reason}"


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
