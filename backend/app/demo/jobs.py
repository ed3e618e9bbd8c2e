"""The demo's factor imports and recalculations, as the jobs an operator would have run.

Each shipped factor file `data/factors/<year>/<type>.csv` is imported by a FACTORS csv job
(the job `co2calc factors import` creates), and each module's emissions are computed by a
module recalculation job over all its types (the job `co2calc recalc run --all` creates). Each
is committed and then dispatched by id, as the API does, and they run one at a time in this
process on an inline runner, with `requested_by` "demo", so the job history and the
recalculation status read as those of a real installation: every type imported, then
recalculated, up to date.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app import paths
from app.core.job_queue import commit_and_dispatch
from app.core.settings import get_settings
from app.db import create_session_factory
from app.domain.ingestion import IngestionResult, IngestionState, TargetType
from app.domain.modules import (
    DataEntryTypeEnum,
    ModuleTypeEnum,
    module_of,
    parse_data_entry_type,
)
from app.emissions import FactorRecord
from app.models import DataIngestionJob
from app.repositories.data_ingestion import DataIngestionRepository
from app.repositories.factor_repo import FactorRepository
from app.services.ingestion.jobs import create_import_job
from app.services.recalculation_jobs import RecalculationJobService
from app.tasks.context import worker_id
from app.tasks.runner import local_runner

REQUESTED_BY = "demo"
ALL_TYPES = [int(t) for t in DataEntryTypeEnum]

Progress = Callable[[str], None]


class DemoJobs:
    """Create and run the demo's jobs on `engine`; each method returns notes for the operator
    (jobs that did not end SUCCESS: rows rejected, entries without emissions...).

    Use as `async with DemoJobs(engine, progress) as jobs:`: the jobs run one at a time in this
    process (with the inline backend its runner first sweeps the jobs of processes that are
    gone, as every inline runner does when it starts), and the runner is shut down
    on the way out (a job still running then, after Ctrl-C, ends ERROR "interrupted").
    """

    def __init__(self, engine: AsyncEngine, progress: Progress) -> None:
        self.session_factory = create_session_factory(engine)
        self.runner = local_runner(engine, get_settings().task_backend)
        self.progress = progress

    async def __aenter__(self) -> DemoJobs:
        await self.runner.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.runner.shutdown()

    async def import_factor_files(self, year: int) -> list[str]:
        """One factor import job per shipped factor file of `year`, in file name order."""
        folder = paths.factors_dir(year)
        files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
        if not files:
            return [f"no shipped factor files for {year} in {folder}"]
        notes: list[str] = []
        for path in files:
            data_entry_type = parse_data_entry_type(path.stem)
            self.progress(f"Importing the factors of {data_entry_type.name}, {year}")
            async with self.session_factory() as session:
                with path.open("rb") as file:
                    job = await create_import_job(
                        session,
                        target=TargetType.FACTORS,
                        module_type=module_of(data_entry_type),
                        data_entry_type=data_entry_type,
                        year=year,
                        file_name=path.name,
                        file=file,
                        requested_by=REQUESTED_BY,
                        worker_id=worker_id(),
                    )
                note = await self._run(session, job.id, f"factor import of {year}/{path.name}")
            if note is not None:
                notes.append(note)
        return notes

    async def stored_factors(self, year: int) -> list[FactorRecord]:
        """The factors of `year` as stored (every type), for the generator's choices."""
        async with self.session_factory() as session:
            stored = await FactorRepository(session).list_by_data_entry_types_and_year(
                ALL_TYPES, year
            )
        return [
            FactorRecord(f.data_entry_type_id, f.year, f.classification, f.values, f.id)
            for f in stored
        ]

    async def recalculate(self, year: int) -> list[str]:
        """One module recalculation job over all its types per module, in module order."""
        notes: list[str] = []
        for module_type in ModuleTypeEnum:
            self.progress(f"Computing the emissions of {module_type.name}, {year}")
            async with self.session_factory() as session:
                scheduled = await RecalculationJobService(session).create_module_job(
                    module_type,
                    year,
                    only_stale=False,
                    requested_by=REQUESTED_BY,
                    worker_id=worker_id(),
                )
                note = await self._run(
                    session, scheduled.job_id, f"recalculation of {module_type.name}, {year}"
                )
            if note is not None:
                notes.append(note)
        return notes

    async def _run(self, session: AsyncSession, job_id: int, what: str) -> str | None:
        """Commit the job the session created, run it on the runner and wait for it; returns
        a note on `what` unless the job ended SUCCESS."""
        await commit_and_dispatch(session, self.runner)
        await self.runner.wait_idle()
        async with self.session_factory() as reader:
            job = await DataIngestionRepository(reader).get(job_id)
        if job is None:
            raise LookupError(f"job {job_id} disappeared")
        return None if job.result == IngestionResult.SUCCESS else _job_note(what, job)


def _job_note(what: str, job: DataIngestionJob) -> str:
    state = (
        job.result.name
        if job.state is IngestionState.FINISHED and job.result is not None
        else job.state.name
    )
    return f"{what}: job {job.id} {state}: {job.status_message or ''}"
