"""A recalculation whose database goes away mid-job: the server restarts (a private cluster),
or its connections are killed with pg_terminate_backend. The job ends ERROR with the real
cause, every stored row is as before, the runner logs no crashed task, and the next
recalculation succeeds.

The job runs on the inline runner, as in the server, and is held right after a chosen
statement of its data session while the fault is injected.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest
from factories import create_recalculation_job
from fault_helpers import (
    CH4_GWP,
    SessionFactory,
    emission_kg,
    hold_after,
    job_row,
    seed_process_entries,
    snapshot,
)
from private_postgres import PrivateCluster
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_engine, create_session_factory
from app.db_migrations import upgrade_async
from app.domain.ingestion import IngestionResult, IngestionState
from app.repositories.recalculation_staging_repo import RecalculationStagingRepository
from app.tasks.context import use_engine
from app.tasks.runner import InlineRunner

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

QUANTITIES = [1.0, 2.0, 3.0]
# Where the job is held: after its first staged batch (nothing of the main tables written
# yet), or inside the write phase, after its emission rows were replaced but not committed.
STAGING, WRITING = "stage", "replace_emissions"


async def _new_job(factory: SessionFactory) -> int:
    async with factory() as session:
        job = await create_recalculation_job(session)
        await session.commit()
        return job.id


async def _run_to_end(runner: InlineRunner, factory: SessionFactory) -> int:
    job_id = await _new_job(factory)
    await runner.dispatch(job_id)
    await runner.wait_idle()
    return job_id


async def _assert_next_recalculation_succeeds(
    runner: InlineRunner, factory: SessionFactory
) -> None:
    job = await job_row(factory, await _run_to_end(runner, factory))
    assert (job.state, job.result) == (IngestionState.FINISHED, IngestionResult.SUCCESS), (
        job.status_message
    )
    assert await emission_kg(factory) == [quantity * CH4_GWP for quantity in QUANTITIES]


@pytest.fixture
async def private_engine(private_postgres: PrivateCluster) -> AsyncIterator[AsyncEngine]:
    """A migrated database of the private cluster, and the engine jobs use."""
    url = private_postgres.create_database()
    await upgrade_async(url)
    engine = create_engine(url)
    try:
        with use_engine(engine):
            yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def shared_engine(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """The test database's engine (shared server), as the engine jobs use."""
    with use_engine(engine):
        yield engine


class Scenario:
    """Seeded entries on `engine`, a snapshot of every stored row, a runner, and the log."""

    def __init__(self, engine: AsyncEngine, caplog: pytest.LogCaptureFixture) -> None:
        caplog.set_level(logging.INFO)
        self.caplog = caplog
        self.factory = create_session_factory(engine)
        self.runner = InlineRunner(engine)
        self.before: dict[str, Any] = {}

    async def seed(self) -> Scenario:
        await seed_process_entries(self.factory, QUANTITIES)
        self.before = await snapshot(self.factory)
        return self

    async def start(self) -> int:
        job_id = await _new_job(self.factory)
        await self.runner.dispatch(job_id)
        return job_id

    async def assert_failed_and_nothing_changed(self, job_id: int, *causes: str) -> None:
        """ERROR with a message starting with one of the causes, rows as before, no crashed
        task; then a recalculation succeeds."""
        await self.runner.wait_idle()
        job = await job_row(self.factory, job_id)
        assert (job.state, job.result) == (IngestionState.FINISHED, IngestionResult.ERROR)
        assert job.status_message.startswith(causes), job.status_message
        assert await snapshot(self.factory) == self.before
        assert "task crashed" not in self.caplog.text
        await _assert_next_recalculation_succeeds(self.runner, self.factory)


@pytest.mark.parametrize("held_after", [STAGING, WRITING])
async def test_a_database_restart_mid_job_ends_it_error_and_changes_nothing(
    private_postgres: PrivateCluster,
    private_engine: AsyncEngine,
    held_after: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    scenario = await Scenario(private_engine, caplog).seed()

    with hold_after(monkeypatch, RecalculationStagingRepository, held_after) as hold:
        job_id = await scenario.start()
        await hold.wait_reached()
        await asyncio.to_thread(private_postgres.restart)
        hold.release.set()
        # A fast shutdown terminates the backends; a connection found closed says so.
        await scenario.assert_failed_and_nothing_changed(
            job_id,
            "OperationalError: (psycopg.errors.AdminShutdown) terminating connection",
            "OperationalError: (psycopg.OperationalError) consuming input failed",
        )


def _admin(database_url: str) -> psycopg.Connection[tuple[object, ...]]:
    url = make_url(database_url)
    return psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname="postgres", autocommit=True
    )


# Which backends are killed (the held job's data connection is the parameter), and how the
# job's message starts.
TERMINATED = (
    "OperationalError: (psycopg.errors.AdminShutdown) "
    "terminating connection due to administrator command"
)
KILLED = {
    "data connection": (
        "SELECT pg_terminate_backend(%(data_pid)s)",
        TERMINATED,
    ),
    "scope lock connection": (
        "SELECT pg_terminate_backend(pid) FROM pg_locks"
        " WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database"
        " WHERE datname = %(database)s)",
        "ScopeLockLostError: the scope lock was lost",
    ),
    "every connection": (
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %(database)s",
        TERMINATED,
    ),
}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("killed", list(KILLED))
async def test_a_killed_backend_mid_job_ends_it_error_and_changes_nothing(
    database_url: str,
    shared_engine: AsyncEngine,
    killed: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    scenario = await Scenario(shared_engine, caplog).seed()
    kill, message_start = KILLED[killed]

    with hold_after(monkeypatch, RecalculationStagingRepository, WRITING) as hold:
        job_id = await scenario.start()
        await hold.wait_reached()
        data_session = hold.target.session
        data_pid = (await data_session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        with _admin(database_url) as admin:
            killed_pids = admin.execute(
                kill, {"data_pid": data_pid, "database": make_url(database_url).database}
            ).fetchall()
        assert killed_pids, f"no {killed} to kill"
        hold.release.set()
        await scenario.assert_failed_and_nothing_changed(job_id, message_start)
