"""Helpers of the migration tests that fill a database at an older revision with SQL."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from app.db import create_engine


async def run_sync(url: str, fn: Callable[[Connection], Any]) -> Any:
    """`fn(connection)` in one transaction on a fresh engine of `url`."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(fn)
    finally:
        await engine.dispose()


async def execute_all(url: str, statements: Sequence[str]) -> None:
    """Run raw SQL statements (rows of an older schema) in one transaction."""

    def execute(connection: Connection) -> None:
        for statement in statements:
            connection.execute(text(statement))

    await run_sync(url, execute)
