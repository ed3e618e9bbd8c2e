"""`co2calc factors import` and `co2calc data import`: the API's CSV imports, run in-process.

The same job as the API's (a job row, the scope lock, one commit): the command creates the
job, runs its task with an inline runner in this process, and follows the job row with a
progress bar. Exit code: 0 SUCCESS, 1 WARNING, 2 ERROR (a file refused before any job is
created is an ERROR too). Ctrl-C ends the job ERROR "interrupted", with nothing written.
"""

from __future__ import annotations

import asyncio
import getpass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from app.cli._runner import console, err_console, run_async
from app.core.settings import get_settings
from app.domain.ingestion import IngestionResult, IngestionState, TargetType
from app.domain.modules import (
    DataEntryTypeEnum,
    ModuleTypeEnum,
    TypeNotInModuleError,
    data_entry_type_in_module,
    parse_data_entry_type,
    parse_module_type,
)
from app.models import DataIngestionJob
from app.services.ingestion.csv_reading import CsvFileError, FileKind, check_upload
from app.services.ingestion.data_import import ImportMode

factors_app = typer.Typer(help="Emission factors.", no_args_is_help=True)
data_app = typer.Typer(help="Data entries.", no_args_is_help=True)

EXIT_CODES = {IngestionResult.SUCCESS: 0, IngestionResult.WARNING: 1, IngestionResult.ERROR: 2}
POLL_SECONDS = 0.25
_LISTED = 10

FileArg = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The CSV file.")
]
ModuleOpt = Annotated[str, typer.Option("--module", help="Module type id or name.")]
YearOpt = Annotated[int, typer.Option("--year", min=2000, max=2100, help="Report year.")]
TypeOpt = Annotated[
    str | None,
    typer.Option(
        "--type",
        help="Data entry type id or name; without it the file is module-wide and names each "
        "row's type in a data_entry_type column.",
    ),
]


def _scope(module: str, type_: str | None) -> tuple[ModuleTypeEnum, DataEntryTypeEnum | None]:
    try:
        module_type = parse_module_type(module)
        entry_type = None if type_ is None else parse_data_entry_type(type_)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    if entry_type is None:
        return module_type, None
    try:
        return module_type, data_entry_type_in_module(module_type, entry_type)
    except TypeNotInModuleError as error:
        raise typer.BadParameter(str(error), param_hint="--type") from None


async def _run_import(
    target: TargetType,
    file_name: str,
    content: bytes,
    module_type: ModuleTypeEnum,
    entry_type: DataEntryTypeEnum | None,
    year: int,
    mode: ImportMode | None,
) -> DataIngestionJob:
    from app.db import create_engine, create_session_factory
    from app.services.ingestion.jobs import create_import_job
    from app.tasks.context import worker_id
    from app.tasks.ingestion_tasks import run_data_import_task, run_factor_import_task
    from app.tasks.runner import InlineRunner

    settings = get_settings()
    engine = create_engine(settings.database_url)
    runner = InlineRunner(engine, max_concurrency=1)
    try:
        await runner.start()
        session_factory = create_session_factory(engine)
        async with session_factory() as session:
            job = await create_import_job(
                session,
                target=target,
                module_type=module_type,
                data_entry_type=entry_type,
                year=year,
                file_name=file_name,
                file_size=len(content),
                requested_by=f"cli:{getpass.getuser()}",
                worker_id=worker_id(),
                mode=mode,
            )
            await session.commit()
        params: dict[str, Any] = {"content": content}
        if target is TargetType.FACTORS:
            task = run_factor_import_task
        else:
            task = run_data_import_task
            params["mode"] = (mode or ImportMode.append).value
        runner.schedule(task, job_id=job.id, **params)
        return await _follow(session_factory, job.id)
    finally:
        await runner.shutdown()
        await engine.dispose()


async def _follow(session_factory: Any, job_id: int) -> DataIngestionJob:
    """Poll the job row (its own short sessions) and draw its progress until it ends."""
    from app.repositories.data_ingestion import DataIngestionRepository

    columns = (
        TextColumn("[bold]job {task.fields[job_id]}[/]"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("Queued...", total=None, job_id=job_id)
        while True:
            async with session_factory() as session:
                job = await DataIngestionRepository(session).get(job_id)
            assert job is not None
            bar.update(
                task,
                description=job.status_message or "",
                completed=job.progress_done or 0,
                total=job.progress_total or None,
            )
            if job.state == IngestionState.FINISHED:
                return job
            await asyncio.sleep(POLL_SECONDS)


def _report(job: DataIngestionJob) -> None:
    result = IngestionResult(job.result if job.result is not None else IngestionResult.ERROR)
    colour = {IngestionResult.SUCCESS: "green", IngestionResult.WARNING: "yellow"}.get(
        result, "red"
    )
    console.print(f"[bold {colour}]{result.name}[/] job {job.id}: {job.status_message}")
    meta = job.meta
    for key in ("rejected_rows", "entry_errors"):
        issues = meta.get(key) or []
        total = meta.get("rejected_total" if key == "rejected_rows" else "entry_errors_total", 0)
        if not issues:
            continue
        console.print(f"{key.replace('_', ' ')} ({total}):")
        for issue in issues[:_LISTED]:
            console.print(f"  line {issue['line']}: {issue['reason']}")
        if total > _LISTED:
            console.print(f"  ... and {total - _LISTED} more (GET /api/v1/sync/jobs/{job.id})")
    raise typer.Exit(EXIT_CODES[result])


def _import(
    target: TargetType,
    path: Path,
    module: str,
    year: int,
    type_: str | None,
    mode: ImportMode | None = None,
) -> None:
    module_type, entry_type = _scope(module, type_)
    kind = FileKind.factors if target is TargetType.FACTORS else FileKind.data_entries
    content = path.read_bytes()
    try:
        check_upload(content, kind, module_type, entry_type)
    except CsvFileError as error:
        err_console.print(f"[bold red]ERROR[/] {path}: {error}")
        raise typer.Exit(EXIT_CODES[IngestionResult.ERROR]) from None
    _report(run_async(_run_import(target, path.name, content, module_type, entry_type, year, mode)))


@factors_app.command("import")
def import_factors(file: FileArg, module: ModuleOpt, year: YearOpt, type_: TypeOpt = None) -> None:
    """Import a factor CSV file of a type (or a module-wide one) for a year."""
    _import(TargetType.FACTORS, file, module, year, type_)


@data_app.command("import")
def import_data(
    file: FileArg,
    module: ModuleOpt,
    year: YearOpt,
    type_: TypeOpt = None,
    mode: Annotated[
        ImportMode,
        typer.Option(
            "--mode",
            help="append adds the entries; replace first removes those of earlier CSV imports "
            "of the type (or module) and year, never entries typed by users.",
        ),
    ] = ImportMode.append,
) -> None:
    """Import a data entry CSV file (entries and their emissions) for a year."""
    _import(TargetType.DATA_ENTRIES, file, module, year, type_, mode)
