"""`co2calc db ...`: schema management."""

from __future__ import annotations

import typer

from app.cli._database import make_room, shown_url
from app.cli._runner import console, database_errors_reported
from app.core.settings import get_settings

app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Create the database when it is missing (a SQLite file), then apply every pending
    migration to it: CO2CALC_DATABASE_URL, else the default SQLite file."""
    migrate()
    console.print(f"[green]Database is up to date:[/] {shown_url(get_settings().database_url)}")


def migrate() -> None:
    """Bring the configured database (created when it is a missing SQLite file) to this
    installation's schema; a database problem is its line on stderr and exit 5."""
    from app.db_migrations import upgrade as upgrade_schema

    url = get_settings().database_url
    with database_errors_reported():
        make_room(url)
        upgrade_schema(url)
