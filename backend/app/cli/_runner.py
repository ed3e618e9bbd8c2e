"""The single wrapper through which every command runs its async work."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import typer
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.errors import Co2CalcError
from app.core.settings import get_settings

T = TypeVar("T")

console = Console()
err_console = Console(stderr=True)


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run one coroutine to completion; a domain error becomes a clear message and exit 1."""
    try:
        return asyncio.run(coroutine)
    except Co2CalcError as error:
        err_console.print(f"[bold red]Error:[/] {error.detail}")
        raise typer.Exit(1) from error


async def with_engine(work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Run `work` with an engine on the configured database (no migration), then dispose it."""
    from app.db import create_engine

    settings = get_settings()
    engine = create_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    try:
        return await work(engine)
    finally:
        await engine.dispose()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    from app.db import create_session_factory

    return create_session_factory(engine)
