"""`co2calc db ...`: schema management."""

from __future__ import annotations

import typer

from app.cli._runner import console
from app.core.settings import get_settings

app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Apply every pending migration to the database named by CO2CALC_DATABASE_URL."""
    from app.db_migrations import upgrade as upgrade_schema

    url = get_settings().database_url
    upgrade_schema(url)
    console.print(f"[green]Database is up to date:[/] {_redact(url)}")


def _redact(url: str) -> str:
    """The URL without its password, for printing."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"
