"""The migrations build exactly the models' schema, up and down, on both databases."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from app import db_migrations
from app.db import create_engine
from app.models import Base

HEAD = ScriptDirectory.from_config(db_migrations.make_config("sqlite://")).get_current_head()
EXPRESSION_INDEXES = {
    "uq_data_ingestion_jobs_current",
    "uq_data_ingestion_jobs_active_recalculation",
}


async def _run(url: str, fn: Any) -> Any:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(fn)
    finally:
        await engine.dispose()


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    with warnings.catch_warnings():
        # SQLite cannot reflect expression indexes; they are checked by name and SQL below.
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _index_sql(connection: Connection) -> dict[str, str]:
    if connection.dialect.name == "sqlite":
        rows = connection.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        )
    else:
        rows = connection.execute(text("SELECT indexname, indexdef FROM pg_indexes"))
    return {name: " ".join(sql.lower().split()) for name, sql in rows}


async def test_upgrade_from_any_directory_reaches_head(
    empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    await db_migrations.upgrade_async(empty_database_url)
    assert await db_migrations.current_revision_async(empty_database_url) == HEAD


async def test_migrated_schema_equals_the_models(empty_database_url: str):
    await db_migrations.upgrade_async(empty_database_url)
    assert await _run(empty_database_url, _diff) == []
    index_sql = await _run(empty_database_url, _index_sql)
    current = index_sql["uq_data_ingestion_jobs_current"]
    active = index_sql["uq_data_ingestion_jobs_active_recalculation"]
    assert "unique" in current
    assert "coalesce(data_entry_type_id, 0)" in current
    assert current.endswith("where is_current")
    assert "coalesce(data_entry_type_id, 0)" in active
    assert "target_type = 0" in active
    assert "ingestion_method = 3" in active


async def test_downgrade_to_base_removes_everything_and_upgrade_again_works(
    empty_database_url: str,
):
    await db_migrations.upgrade_async(empty_database_url)
    assert set(Base.metadata.tables) <= await _run(empty_database_url, _tables)

    await db_migrations.downgrade_async(empty_database_url, "base")
    assert await _run(empty_database_url, _tables) <= {"alembic_version"}
    assert await db_migrations.current_revision_async(empty_database_url) is None

    await db_migrations.upgrade_async(empty_database_url)
    assert await _run(empty_database_url, _diff) == []


def test_sync_upgrade_and_downgrade_for_the_cli(empty_database_url: str):
    db_migrations.upgrade(empty_database_url)
    db_migrations.downgrade(empty_database_url, "base")
    db_migrations.upgrade(empty_database_url, "head")


async def test_sync_upgrade_refuses_to_run_inside_an_event_loop():
    with pytest.raises(RuntimeError, match="upgrade_async"):
        db_migrations.upgrade("sqlite+aiosqlite:///unused.db")


def test_script_location_is_found_inside_the_installation():
    location = db_migrations.script_location()
    assert (location / "env.py").is_file()
    assert any((location / "versions").glob("*.py"))
