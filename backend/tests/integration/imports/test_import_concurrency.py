"""Writers of one scope are serialized; factor sequences follow commit order; a process that
dies mid-import leaves its job ERROR "interrupted" and no partial data."""

from __future__ import annotations

import asyncio
import os
import random
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from factories import create_unit
from import_helpers import PROCESS_FACTORS, Snapshot
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.domain.ingestion import IngestionResult, IngestionState, TargetType
from app.models import DataIngestionJob
from app.repositories.data_ingestion import INTERRUPTED_MESSAGE
from app.services.ingestion.factor_import import FactorImportService
from app.tasks.runner import InlineRunner

CreateJob = Callable[..., Awaitable[int]]
LoadJob = Callable[[int], Awaitable[DataIngestionJob]]
CHANGED_FACTORS = PROCESS_FACTORS.replace("n2o,,265", "n2o,,273")


async def _wait_for(predicate: Callable[[], Awaitable[bool]]) -> None:
    """Poll the database (another process, or another task, changes it)."""
    while True:
        if await predicate():
            return
        await asyncio.sleep(0.05)


async def test_concurrent_factor_imports_of_one_scope_are_serialized(
    runner: InlineRunner,
    create_job: CreateJob,
    load_job: LoadJob,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first_id = await create_job(TargetType.FACTORS, content=PROCESS_FACTORS.encode())
    second_id = await create_job(TargetType.FACTORS, content=CHANGED_FACTORS.encode())
    entered = asyncio.Event()
    release = asyncio.Event()
    original = FactorImportService.run

    async def held_run(self: FactorImportService, content: bytes, **params: Any) -> Any:
        if not entered.is_set():  # the first job holds its scope until released
            entered.set()
            await release.wait()
        return await original(self, content, **params)

    monkeypatch.setattr(FactorImportService, "run", held_run)
    await runner.dispatch(first_id)
    await asyncio.wait_for(entered.wait(), 30)
    await runner.dispatch(second_id)

    async def second_waits() -> bool:
        job = await load_job(second_id)
        return job.state == IngestionState.QUEUED

    async with asyncio.timeout(30):
        await _wait_for(second_waits)
    waiting = await load_job(second_id)
    assert waiting.status_message == (
        f"Waiting for job {first_id} of this module and year to finish"
    )
    assert (await load_job(first_id)).state == IngestionState.RUNNING
    release.set()
    await runner.wait_idle()

    first, second = await load_job(first_id), await load_job(second_id)
    assert (first.result, second.result) == (IngestionResult.SUCCESS, IngestionResult.SUCCESS)
    assert (first.factor_sequence, second.factor_sequence) == (1, 2)
    assert first.finished_at is not None
    assert second.started_at is not None
    assert second.started_at >= first.finished_at
    # The second saw the first's factors: one changed value, nothing new.
    assert (second.meta["inserted"], second.meta["updated"], second.meta["unchanged"]) == (0, 1, 3)
    assert second.is_current
    assert not first.is_current


async def test_factor_sequence_follows_commit_order_not_creation_order(
    runner: InlineRunner, create_job: CreateJob, load_job: LoadJob
) -> None:
    created_first = await create_job(TargetType.FACTORS, content=CHANGED_FACTORS.encode())
    created_second = await create_job(TargetType.FACTORS, content=PROCESS_FACTORS.encode())
    await runner.dispatch(created_second)
    await runner.wait_idle()
    await runner.dispatch(created_first)
    await runner.wait_idle()
    assert (await load_job(created_second)).factor_sequence == 1
    assert (await load_job(created_first)).factor_sequence == 2


def _data_file(path: Path, rows: int, codes: list[str]) -> None:
    rng = random.Random(3)
    lines = ["unit_institutional_code,category,subcategory,quantity_kg"]
    lines += [
        f"{rng.choice(codes)},{rng.choice(['ch4', 'co2', 'n2o'])},,{rng.uniform(1, 99):.2f}"
        for _ in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.slow
async def test_killed_cli_import_ends_interrupted_with_no_partial_data(
    database_url: str,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    db: AsyncSession,
    tmp_path: Path,
    runner: InlineRunner,
    create_job: CreateJob,
    load_job: LoadJob,
) -> None:
    codes = [f"K{i}" for i in range(20)]
    for code in codes:
        await create_unit(db, institutional_code=code)
    await db.commit()
    before = await Snapshot.take(db)
    data = tmp_path / "entries.csv"
    _data_file(data, 60_000, codes)
    command = [sys.executable, "-m", "app.cli", "data", "import", str(data)]
    command += ["--module", "8", "--year", "2025", "--type", "50"]
    process = await asyncio.create_subprocess_exec(
        *command,
        env={**os.environ, "CO2CALC_DATABASE_URL": database_url},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:

        async def running_with_progress() -> bool:
            async with session_factory() as session:
                job = await session.scalar(select(DataIngestionJob))
            assert process.returncode is None, "the import ended before it could be killed"
            return (
                job is not None and job.state == IngestionState.RUNNING and bool(job.progress_done)
            )

        async with asyncio.timeout(60):
            await _wait_for(running_with_progress)
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()

    async with session_factory() as session:
        job = await session.scalar(select(DataIngestionJob))
    assert job is not None
    assert job.state == IngestionState.RUNNING  # nobody has noticed yet

    # A new process starts (the server, or another CLI run): its runner sweeps.
    restarted = InlineRunner(engine)
    try:
        await restarted.start()
    finally:
        await restarted.shutdown()
    job = await load_job(job.id)
    assert (job.state, job.result) == (IngestionState.FINISHED, IngestionResult.ERROR)
    assert job.status_message == INTERRUPTED_MESSAGE
    assert await Snapshot.take(db) == before

    # The scope is free again (SQLite's lock row named the dead job).
    next_id = await create_job(TargetType.FACTORS, content=PROCESS_FACTORS.encode())
    await runner.dispatch(next_id)
    await asyncio.wait_for(runner.wait_idle(), 30)
    assert (await load_job(next_id)).result == IngestionResult.SUCCESS
