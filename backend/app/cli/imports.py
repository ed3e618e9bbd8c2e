"""`co2calc factors import` and `co2calc data import`: the API's CSV imports, run in-process.

The same job as the API's (a job row with its file, the scope lock, one commit): the command
creates the job, runs it in this process and follows it with a progress bar (app.cli._job_run).
Exit code (app.cli.exit_codes): 0 SUCCESS, 1 WARNING, 4 ERROR (a file refused before any job
is created is an ERROR too). Ctrl-C ends the job ERROR "interrupted", with nothing written.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from app.cli._job_run import run_job_here
from app.cli._options import YearOption, parse_scope
from app.cli._runner import console, err_console, run_async, with_engine
from app.cli.exit_codes import ExitCode, for_result
from app.core.wording import count
from app.domain.ingestion import IngestionResult, TargetType
from app.domain.modules import (
    DataEntryTypeEnum,
    ModuleTypeEnum,
)
from app.models import DataIngestionJob
from app.services.ingestion.csv_reading import CsvFileError, FileKind, check_upload
from app.services.ingestion.data_import import ImportMode

factors_app = typer.Typer(help="Emission factors.", no_args_is_help=True)
data_app = typer.Typer(help="Data entries.", no_args_is_help=True)

_LISTED = 10

FileArg = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The CSV file.")
]
ModuleOpt = Annotated[str, typer.Option("--module", help="Module type id or name.")]
TypeOpt = Annotated[
    str | None,
    typer.Option(
        "--type",
        help="Data entry type id or name; without it the file is module-wide and names each "
        "row's type in a data_entry_type column.",
    ),
]


async def _run_import(
    target: TargetType,
    file_name: str,
    file: BinaryIO,
    module_type: ModuleTypeEnum,
    entry_type: DataEntryTypeEnum | None,
    year: int,
    mode: ImportMode | None,
) -> DataIngestionJob:
    from app.services.ingestion.jobs import create_import_job
    from app.tasks.context import worker_id

    async def create(session: AsyncSession) -> int:
        job = await create_import_job(
            session,
            target=target,
            module_type=module_type,
            data_entry_type=entry_type,
            year=year,
            file_name=file_name,
            file=file,
            requested_by=f"cli:{getpass.getuser()}",
            worker_id=worker_id(),
            mode=mode,
        )
        return job.id

    return await with_engine(lambda engine: run_job_here(engine, create))


def _report(job: DataIngestionJob) -> None:
    result = IngestionResult.ERROR if job.result is None else job.result
    colour = {IngestionResult.SUCCESS: "green", IngestionResult.WARNING: "yellow"}.get(
        result, "red"
    )
    console.print(f"[bold {colour}]{result.name}[/] job {job.id}: {job.status_message}")
    meta = job.meta
    for key, total_key, noun in (
        ("rejected_rows", "rejected_total", "rejected row"),
        ("entry_errors", "entry_errors_total", "entry error"),
    ):
        issues = meta.get(key) or []
        total = meta.get(total_key, 0)
        if not issues:
            continue
        console.print(f"{count(total, noun)}:")
        for issue in issues[:_LISTED]:
            console.print(f"  line {issue['line']}: {issue['reason']}")
        if total > _LISTED:
            console.print(f"  ... and {total - _LISTED} more (GET /api/v1/sync/jobs/{job.id})")
    raise typer.Exit(for_result(job.result))


def _import(
    target: TargetType,
    path: Path,
    module: str,
    year: int,
    type_: str | None,
    mode: ImportMode | None = None,
) -> None:
    module_type, entry_type = parse_scope(module, type_)
    kind = FileKind.factors if target is TargetType.FACTORS else FileKind.data_entries
    # Read as a stream, by the check and then into the job's stored chunks: any size fits.
    with path.open("rb") as file:
        try:
            check_upload(file, kind, module_type, entry_type)
        except CsvFileError as error:
            err_console.print(f"[bold red]ERROR[/] {path}: {error}")
            raise typer.Exit(ExitCode.ERROR) from None
        job = run_async(_run_import(target, path.name, file, module_type, entry_type, year, mode))
    _report(job)


@factors_app.command("import")
def import_factors(
    file: FileArg, module: ModuleOpt, year: YearOption, type_: TypeOpt = None
) -> None:
    """Import a factor CSV file of a type (or a module-wide one) for a year."""
    _import(TargetType.FACTORS, file, module, year, type_)


@data_app.command("import")
def import_data(
    file: FileArg,
    module: ModuleOpt,
    year: YearOption,
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
