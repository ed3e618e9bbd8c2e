"""The single wrapper through which every command runs its async work."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.cli._database import DatabaseUnusable, database_problem, require_schema
from app.cli.exit_codes import ExitCode
from app.core.errors import Co2CalcError
from app.core.settings import get_settings

T = TypeVar("T")

console = Console()
err_console = Console(stderr=True)


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run one coroutine to completion; a domain error (unknown id, duplicate, conflict)
    becomes its message and exit 3 (refused, nothing changed), a database problem its line
    and exit 5."""
    with database_errors_reported():
        try:
            return asyncio.run(coroutine)
        except Co2CalcError as error:
            err_console.print(f"[bold red]Error:[/] {error.detail}")
            raise typer.Exit(ExitCode.REFUSED) from error


@contextmanager
def database_errors_reported() -> Iterator[None]:
    """A database problem raised inside the block (missing, unmigrated, unreachable...)
    becomes one line on stderr and exit 5; any other error goes on."""
    url = get_settings().database_url
    try:
        yield
    except (DatabaseUnusable, DBAPIError) as error:
        problem = database_problem(error, url)
        if problem is None:
            raise
        err_console.print(f"[bold red]Database error:[/] {escape(problem)}", soft_wrap=True)
        raise typer.Exit(ExitCode.DATABASE) from None


async def with_engine(work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Run `work` with an engine on the configured database, once it is known to exist at
    this installation's schema (no migration, no file created), then dispose it."""
    from app.db import create_engine

    settings = get_settings()
    engine = create_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    try:
        await require_schema(engine, settings.database_url)
        return await work(engine)
    finally:
        await engine.dispose()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    from app.db import create_session_factory

    return create_session_factory(engine)
