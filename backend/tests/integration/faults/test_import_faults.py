"""A data import whose database refuses its writes: full (SQLite at its `max_page_count`),
or read-only from the write phase on (a PostgreSQL read-only transaction, SQLite
`query_only`). The job ends ERROR with a message that says what happened and what to do,
and nothing of the import is written: a replace import keeps the entries it would have
replaced.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest
from factories import create_factor, create_unit
from fault_helpers import SessionFactory, after_first_call, job_row, snapshot
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_session_factory
from app.db_errors import FULL, READ_ONLY
from app.domain.ingestion import IngestionResult, IngestionState, TargetType
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.repositories.import_staging_repo import ImportStagingRepository
from app.services.ingestion.data_import import ImportMode
from app.services.ingestion.jobs import create_import_job
from app.tasks.context import use_engine, worker_id
from app.tasks.runner import InlineRunner

pytestmark = pytest.mark.slow

YEAR = 2025
HEADER = "unit_institutional_code,category,subcategory,quantity_kg"
UNITS = [f"FULL{n}" for n in range(20)]
# Room for the job's own rows to change, far less than the import's entries need.
SPARE_PAGES = 4


def _data_file(rows: int) -> bytes:
    lines = [HEADER] + [f"{UNITS[n % len(UNITS)]},ch4,,{n + 1}" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


async def _seed(factory: SessionFactory) -> None:
    async with factory() as session:
        await create_factor(session)
        for code in UNITS:
            await create_unit(session, institutional_code=code)
        await session.commit()


async def _import(
    engine: AsyncEngine, factory: SessionFactory, content: bytes, mode: ImportMode
) -> int:
    """Create the import job with its file, run it to its end; returns its id."""
    async with factory() as session:
        job = await create_import_job(
            session,
            target=TargetType.DATA_ENTRIES,
            module_type=ModuleTypeEnum.process_emissions,
            data_entry_type=DataEntryTypeEnum.process_emissions,
            year=YEAR,
            file_name="entries.csv",
            file=io.BytesIO(content),
            requested_by="tester",
            worker_id=worker_id(),
            mode=mode,
        )
        await session.commit()
    runner = InlineRunner(engine)
    with use_engine(engine):
        await runner.dispatch(job.id)
        await runner.wait_idle()
    return job.id


async def _assert_error(factory: SessionFactory, job_id: int, *phrases: str) -> str:
    """ERROR, the message opening with the first phrase and holding the others."""
    job = await job_row(factory, job_id)
    assert (job.state, job.result) == (IngestionState.FINISHED, IngestionResult.ERROR)
    assert job.status_message.startswith(phrases[0]), job.status_message
    for phrase in phrases[1:]:
        assert phrase in job.status_message, job.status_message
    return job.status_message


async def _earlier_import(engine: AsyncEngine, factory: SessionFactory) -> None:
    """Entries of an earlier CSV import, which a replace import removes when it commits."""
    job = await job_row(factory, await _import(engine, factory, _data_file(5), ImportMode.append))
    assert job.result == IngestionResult.SUCCESS, job.status_message


def _limit_pages(engine: AsyncEngine, max_pages: int) -> None:
    """Every new connection of `engine` may grow the file to `max_pages` pages, no more."""

    @event.listens_for(engine.sync_engine, "connect")
    def _limit(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA max_page_count = {int(max_pages)}")
        cursor.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_full_sqlite_database_ends_the_import_error_and_writes_nothing(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    factory = create_session_factory(engine)
    await _seed(factory)
    await _earlier_import(engine, factory)
    content = _data_file(3000)
    async with factory() as session:
        pages = int((await session.execute(text("PRAGMA page_count"))).scalar_one())
        # The file itself is stored with the job, before the database is full.
        upload_pages = len(content) // 4096 + 4
    await engine.dispose()  # every connection from now on is limited
    _limit_pages(engine, pages + upload_pages + SPARE_PAGES)
    before = await snapshot(factory)

    job_id = await _import(engine, factory, content, ImportMode.replace)

    message = await _assert_error(factory, job_id, FULL, "database or disk is full")
    assert await snapshot(factory) == before, message
    assert "task crashed" not in caplog.text


# From the write phase on, the job's data connection may not write: the server's answer (on
# PostgreSQL the batches wrote the entries already, uncommitted: the replace deletion is next).
READ_ONLY_FROM_NOW = {
    "postgresql": ("SET TRANSACTION READ ONLY", "cannot execute DELETE in a read-only transaction"),
    "sqlite": ("PRAGMA query_only = ON", "attempt to write a readonly database"),
}


async def test_a_read_only_database_ends_the_import_error_and_writes_nothing(
    engine: AsyncEngine,
    dialect_name: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    factory = create_session_factory(engine)
    await _seed(factory)
    await _earlier_import(engine, factory)
    before = await snapshot(factory)
    statement, answer = READ_ONLY_FROM_NOW[dialect_name]

    async def read_only_from_now(staging: ImportStagingRepository) -> None:
        await staging.session.execute(text(statement))

    after_first_call(monkeypatch, ImportStagingRepository, "begin_write", read_only_from_now)
    job_id = await _import(engine, factory, _data_file(3000), ImportMode.replace)

    message = await _assert_error(factory, job_id, READ_ONLY, answer)
    assert await snapshot(factory) == before, message
    assert "task crashed" not in caplog.text
