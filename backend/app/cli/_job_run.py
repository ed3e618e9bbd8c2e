"""Run one job in this process and follow it with a progress bar: `recalc run`, the imports.

The command creates its job with the same service as the API, in one session that commits and
then dispatches the job to an inline runner of this process (the API's unit of work), so the
database's rules hold against a server sharing the database. The bar follows the job row
(short sessions of its own), as any other client would. Ctrl-C cancels the task, which ends
the job ERROR "interrupted" with its data unchanged.
"""

from __future__ import annotations

import asyncio
import getpass
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, NoReturn

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.cli._runner import err_console, session_factory
from app.cli.exit_codes import ExitCode
from app.core.job_queue import commit_and_dispatch
from app.core.wording import progress_phase
from app.domain.ingestion import IngestionState
from app.models import DataIngestionJob
from app.repositories.data_ingestion import DataIngestionRepository

POLL_SECONDS = 0.2

# Creates the job in the session (its service enqueues it) and returns its id.
CreateJob = Callable[[AsyncSession], Awaitable[int]]


async def run_job_here(
    engine: AsyncEngine, create: CreateJob, *, show_progress: bool = True
) -> DataIngestionJob:
    """Create the job, run it here, draw its progress until it ends; the job as it ended.

    Errors of `create` (a refusal, a conflict) propagate before any job exists.
    """
    from app.core.settings import get_settings
    from app.tasks.runner import local_runner

    # With the inline backend, jobs a dead process left waiting are run here too (its start-up
    # sweep takes them over), one at a time with this command's own.
    runner = local_runner(engine, get_settings().task_backend)
    factory = session_factory(engine)
    await runner.start()
    try:
        async with factory() as session:
            job_id = await create(session)
            await commit_and_dispatch(session, runner)
        idle = asyncio.ensure_future(runner.wait_idle())
        await _follow(factory, job_id, idle, show_progress=show_progress)
        await idle
    finally:
        await runner.shutdown()
    return await _load(factory, job_id)


async def _follow(
    factory: async_sessionmaker[AsyncSession],
    job_id: int,
    idle: asyncio.Future[None],
    *,
    show_progress: bool,
) -> None:
    """Poll the job row and draw it until it is FINISHED (or its task ended regardless)."""
    columns = (
        SpinnerColumn(),
        TextColumn("[bold]job {task.fields[job_id]}[/]"),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, disable=not show_progress) as progress:
        bar = progress.add_task("Waiting to start...", total=None, job_id=job_id)
        while True:
            job = await _load(factory, job_id)
            progress.update(
                bar,
                description=progress_phase(job.status_message or job.state.name),
                total=job.progress_total or None,
                completed=job.progress_done or 0,
            )
            if idle.done() or job.state == IngestionState.FINISHED:
                return
            await asyncio.sleep(POLL_SECONDS)


async def _load(factory: async_sessionmaker[AsyncSession], job_id: int) -> DataIngestionJob:
    async with factory() as session:
        job = await DataIngestionRepository(session).get(job_id)
    if job is None:
        raise LookupError(f"job {job_id} disappeared")
    return job


@dataclass(frozen=True, slots=True)
class Refused:
    """A job creation the service refused (nothing stale, scope busy): nothing changed."""

    reason: str
    job_id: int | None = None


def exit_refused(refused: Refused, *, as_json: bool) -> NoReturn:
    """Say why, and the active job's id when there is one; exit 3."""
    if as_json:
        print(json.dumps({"refused": refused.reason, "job_id": refused.job_id}))
    else:
        err_console.print(f"[bold yellow]Refused:[/] {refused.reason}")
        if refused.job_id is not None:
            err_console.print(f"Active job: {refused.job_id}")
    raise typer.Exit(ExitCode.REFUSED)


def cli_user() -> str:
    """Who asks, as a job's `requested_by` names a CLI user."""
    return f"cli:{getpass.getuser()}"


def job_json(job: DataIngestionJob) -> dict[str, Any]:
    """The job as the API answers it."""
    from app.schemas.jobs import JobRead

    return JobRead.model_validate(job).model_dump(mode="json")
