"""Job state moves are conditional updates; the current-job rule holds for module-wide jobs."""

from __future__ import annotations

from datetime import timedelta

from factories import create_job
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ingestion import IngestionMethod, IngestionResult, IngestionState, TargetType
from app.models import DataIngestionJob, utcnow
from app.repositories.data_ingestion import (
    INTERRUPTED_MESSAGE,
    DataIngestionRepository,
    JobFilters,
)


async def _reload(db: AsyncSession, job: DataIngestionJob) -> DataIngestionJob:
    await db.refresh(job)
    return job


async def test_claim_succeeds_once(db: AsyncSession) -> None:
    job = await create_job(db)
    repo = DataIngestionRepository(db)

    assert await repo.claim(job.id, "worker-a")
    assert not await repo.claim(job.id, "worker-b")
    assert not await repo.claim(job.id, "worker-a")  # RUNNING already

    job = await _reload(db, job)
    assert job.state == IngestionState.RUNNING
    assert job.worker_id == "worker-a"
    assert job.started_at is not None
    assert job.heartbeat_at is not None


async def test_job_reserved_for_a_worker_cannot_be_claimed_by_another(db: AsyncSession) -> None:
    job = await create_job(db, worker_id="worker-a")
    repo = DataIngestionRepository(db)

    assert not await repo.claim(job.id, "worker-b")
    assert await repo.claim(job.id, "worker-a")


async def test_retry_requeues_and_raises_attempts_in_one_update(db: AsyncSession) -> None:
    job = await create_job(db)
    repo = DataIngestionRepository(db)
    await repo.claim(job.id, "worker-a")

    assert not await repo.requeue_for_retry(job.id, "worker-b", "retry")
    assert await repo.requeue_for_retry(job.id, "worker-a", "retrying after a lost connection")

    job = await _reload(db, job)
    assert (job.state, job.attempts, job.worker_id) == (IngestionState.QUEUED, 1, None)
    assert await repo.claim(job.id, "worker-b")


async def test_finish_only_by_the_claiming_worker(db: AsyncSession) -> None:
    job = await create_job(db)
    repo = DataIngestionRepository(db)
    await repo.claim(job.id, "worker-a")

    assert not await repo.finish(job.id, "worker-b", result=IngestionResult.SUCCESS, message="done")
    assert await repo.finish(
        job.id, "worker-a", result=IngestionResult.SUCCESS, message="done", factor_sequence=3
    )
    assert not await repo.finish(job.id, "worker-a", result=IngestionResult.ERROR, message="x")

    job = await _reload(db, job)
    assert job.state == IngestionState.FINISHED
    assert job.result == IngestionResult.SUCCESS
    assert job.factor_sequence == 3
    assert job.is_current
    assert job.finished_at is not None


async def test_error_never_becomes_current(db: AsyncSession) -> None:
    job = await create_job(db)
    repo = DataIngestionRepository(db)
    await repo.claim(job.id, "w")
    await repo.finish(job.id, "w", result=IngestionResult.ERROR, message="boom")

    assert not (await _reload(db, job)).is_current


async def test_progress_needs_ownership(db: AsyncSession) -> None:
    job = await create_job(db)
    repo = DataIngestionRepository(db)
    await repo.claim(job.id, "w")

    assert await repo.update_progress(job.id, "w", message="Found 3", done=1, total=3)
    assert not await repo.update_progress(job.id, "other", message="nope")

    job = await _reload(db, job)
    assert (job.status_message, job.progress_done, job.progress_total) == ("Found 3", 1, 3)


async def _finished_current_job(
    repo: DataIngestionRepository, db: AsyncSession, **fields: object
) -> DataIngestionJob:
    job = await create_job(db, **fields)
    await repo.claim(job.id, "w")
    await repo.finish(job.id, "w", result=IngestionResult.SUCCESS, message="ok")
    return await _reload(db, job)


async def test_new_module_wide_job_demotes_the_previous_one(db: AsyncSession) -> None:
    repo = DataIngestionRepository(db)
    first = await _finished_current_job(repo, db, data_entry_type_id=None)
    per_type = await _finished_current_job(repo, db)  # same module, type 50: another scope
    second = await _finished_current_job(repo, db, data_entry_type_id=None)

    assert not (await _reload(db, first)).is_current
    assert (await _reload(db, second)).is_current
    assert (await _reload(db, per_type)).is_current


async def test_current_rule_is_per_method_and_target(db: AsyncSession) -> None:
    repo = DataIngestionRepository(db)
    recalculation = await _finished_current_job(repo, db)
    factor_import = await _finished_current_job(
        repo,
        db,
        target_type=int(TargetType.FACTORS),
        ingestion_method=int(IngestionMethod.csv),
    )

    assert (await _reload(db, recalculation)).is_current
    assert (await _reload(db, factor_import)).is_current


async def test_stale_jobs_and_their_rows_end_interrupted(db: AsyncSession) -> None:
    repo = DataIngestionRepository(db)
    long_ago = utcnow() - timedelta(minutes=10)
    stale = await create_job(db, data_entry_type_id=None, created_at=long_ago)
    await repo.claim(stale.id, "dead-worker")
    child = await create_job(
        db, parent_job_id=stale.id, data_entry_type_id=50, year=2024, created_at=long_ago
    )
    fresh = await create_job(db, year=2023)
    await repo.claim(fresh.id, "live-worker")
    await db.flush()
    await db.execute(
        DataIngestionJob.__table__.update()
        .where(DataIngestionJob.id == stale.id)
        .values(heartbeat_at=long_ago)
    )

    ended = await repo.fail_interrupted(stale_before=utcnow() - timedelta(seconds=60))

    assert ended == [stale.id]
    for job in (stale, child):
        job = await _reload(db, job)
        assert (job.state, job.result) == (IngestionState.FINISHED, IngestionResult.ERROR)
        assert job.status_message == INTERRUPTED_MESSAGE
    assert (await _reload(db, fresh)).state == IngestionState.RUNNING


async def test_jobs_of_dead_workers_end_at_once(db: AsyncSession) -> None:
    repo = DataIngestionRepository(db)
    job = await create_job(db)
    await repo.claim(job.id, "host:1:dead")

    ended = await repo.fail_interrupted(
        stale_before=utcnow() - timedelta(hours=1), dead_workers=["host:1:dead"]
    )

    assert ended == [job.id]


async def test_history_lists_newest_first_with_filters(db: AsyncSession) -> None:
    repo = DataIngestionRepository(db)
    older = await create_job(db, year=2024)
    parent = await create_job(db, year=2025, data_entry_type_id=None)
    child = await create_job(db, year=2025, parent_job_id=parent.id)

    top, total = await repo.list_jobs(JobFilters(top_level_only=True), limit=10, offset=0)
    assert [job.id for job in top] == [parent.id, older.id]
    assert total == 2

    only_2024, total_2024 = await repo.list_jobs(JobFilters(year=2024), limit=10, offset=0)
    assert [job.id for job in only_2024] == [older.id]
    assert total_2024 == 1

    children, _ = await repo.list_jobs(JobFilters(parent_job_id=parent.id), limit=10, offset=0)
    assert [job.id for job in children] == [child.id]
    assert [job.id for job in await repo.list_children([parent.id])] == [child.id]

    second_page, _ = await repo.list_jobs(JobFilters(), limit=1, offset=1)
    assert [job.id for job in second_page] == [parent.id]


async def test_waiting_jobs_of_gone_workers_are_taken_over_running_ones_end(
    db: AsyncSession,
) -> None:
    repo = DataIngestionRepository(db)
    orphan = await create_job(db, data_entry_type_id=None, worker_id="host:1:dead")
    child = await create_job(db, parent_job_id=orphan.id, year=2024, worker_id="host:1:dead")
    running = await create_job(db, year=2023)
    await repo.claim(running.id, "host:1:dead")
    alive = await create_job(db, year=2022, worker_id="host:2:alive")
    stale_before = utcnow() - timedelta(hours=1)

    adopted = await repo.adopt_waiting(
        stale_before=stale_before, dead_workers=["host:1:dead"], worker_id="host:3:new"
    )
    ended = await repo.fail_interrupted(stale_before=stale_before, dead_workers=["host:1:dead"])

    assert adopted == [orphan.id]
    assert ended == [running.id]
    for job in (orphan, child):
        job = await _reload(db, job)
        assert (job.state, job.worker_id) == (IngestionState.NOT_STARTED, "host:3:new")
        assert job.heartbeat_at is not None
    assert (await _reload(db, alive)).worker_id == "host:2:alive"
