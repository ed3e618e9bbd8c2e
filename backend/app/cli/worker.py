"""`co2calc worker`: run queued jobs (CO2CALC_TASK_BACKEND=procrastinate, PostgreSQL).

Start any number, on any number of machines, against one database; each logs its worker id,
which the jobs it runs carry (`co2calc jobs list`).
"""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from app.cli._runner import console, run_async, with_engine
from app.cli._secret import refuse
from app.core.settings import get_settings
from app.tasks.context import worker_id
from app.tasks.queues import QUEUES


def worker(
    concurrency: Annotated[
        int, typer.Option(min=1, max=64, help="Jobs this worker runs at once.")
    ] = 1,
    queues: Annotated[
        list[str] | None,
        typer.Option(
            "--queues",
            help=f"Queue to take jobs from (repeat for several): {', '.join(QUEUES)}. "
            "Default: every queue.",
        ),
    ] = None,
    shutdown_timeout: Annotated[
        float,
        typer.Option(
            min=0,
            help="On SIGTERM, seconds the running jobs get to finish before they are handed "
            "back to another worker.",
        ),
    ] = 30.0,
) -> None:
    """Run the jobs the API queues, until SIGTERM or Ctrl-C."""
    settings = get_settings()
    if settings.task_backend != "procrastinate":
        raise refuse(
            "co2calc worker runs the jobs of CO2CALC_TASK_BACKEND=procrastinate (PostgreSQL); "
            f"CO2CALC_TASK_BACKEND is {settings.task_backend}, which runs jobs in the API"
        )
    unknown = sorted(set(queues or ()) - set(QUEUES))
    if unknown:
        raise refuse(f"unknown queue {', '.join(unknown)}: use {', '.join(QUEUES)}")

    async def work(engine: AsyncEngine) -> None:
        from app.tasks.worker import run_worker

        console.print(f"[bold green]co2calc worker[/] {worker_id()} started", soft_wrap=True)
        await run_worker(
            engine,
            settings,
            concurrency=concurrency,
            queues=queues,
            shutdown_seconds=shutdown_timeout,
        )
        console.print(f"co2calc worker {worker_id()} stopped", soft_wrap=True)

    run_async(with_engine(work))


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
