"""`co2calc db ...`: schema management."""

from __future__ import annotations

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from app.cli._database import make_room, shown_url
from app.cli._runner import (
    console,
    database_errors_reported,
    err_console,
    run_async,
    session_factory,
    with_engine,
)
from app.core.settings import get_settings
from app.core.wording import count

app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Create the database when it is missing (a SQLite file), then apply every pending
    migration to it: CO2CALC_DATABASE_URL, else the default SQLite file."""
    migrate()
    counted = run_async(with_engine(_count_uncounted))
    if counted:
        console.print(
            f"Entry factor counts taken for {count(counted, '(data entry type, year) pair')}."
        )
    console.print(f"[green]Database is up to date:[/] {shown_url(get_settings().database_url)}")


async def _count_uncounted(engine: AsyncEngine) -> int:
    """The counts the status reason shows, for the types whose counts were never taken (after
    the upgrade that added them): counted now rather than at some later factor import."""
    from app.services.entry_factor_counting import count_uncounted

    with err_console.status("Counting the entries of types not counted yet…"):
        return await count_uncounted(session_factory(engine))


def migrate() -> None:
    """Bring the configured database (created when it is a missing SQLite file) to this
    installation's schema; a database problem is its line on stderr and exit 5."""
    from app.db_migrations import upgrade as upgrade_schema

    url = get_settings().database_url
    with database_errors_reported():
        make_room(url)
        upgrade_schema(url)
