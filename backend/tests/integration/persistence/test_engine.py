"""Engine settings every connection gets."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_engine, normalize_url


async def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path: Path):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}", busy_timeout_ms=1234)
    try:
        async with engine.connect() as connection:
            pragmas = {
                name: (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar_one()
                for name in ("journal_mode", "foreign_keys", "busy_timeout")
            }
    finally:
        await engine.dispose()
    assert pragmas["journal_mode"] == "wal"
    assert pragmas["foreign_keys"] == 1
    assert pragmas["busy_timeout"] == 1234


async def test_the_database_answers(engine: AsyncEngine):
    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT 1"))).scalar_one() == 1


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ],
)
def test_urls_get_their_async_driver(given: str, expected: str):
    assert normalize_url(given).render_as_string(hide_password=False) == expected


def test_other_databases_are_refused_with_the_supported_forms():
    with pytest.raises(ValueError, match="sqlite\\+aiosqlite"):
        normalize_url("mysql://u@h/db")
