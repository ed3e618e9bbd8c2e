"""`co2calc recalc status|run|preview`: which emissions are older than their factors, and
recalculate (`preview`, what that would change, is in recalc_preview).

`run` creates the job with the same service as the API (so the database's one-active-
recalculation rule holds against a server sharing the database) and runs it in this process,
showing the job row's progress as it goes (app.cli._job_run).

Exit codes of `run` (app.cli.exit_codes): 0 SUCCESS, 1 WARNING, 3 refused (nothing stale, or
another recalculation of the scope is active), 4 ERROR; invalid options are usage errors (2).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.cli._columns import SECTION, Column, WideOption, print_fitting
from app.cli._job_run import CreateJob, Refused, cli_user, exit_refused, job_json, run_job_here
from app.cli._options import (
    AllTypesOption,
    JsonOption,
    ModuleOption,
    TypeOption,
    YearOption,
    parse_scope,
)
from app.cli._runner import console, err_console, run_async
from app.cli._runner import session_factory as _factory
from app.cli._runner import with_engine as _with_engine
from app.cli._stale_reason import reason_line
from app.cli.exit_codes import for_result
from app.cli.recalc_preview import preview
from app.core.errors import BadRequest, Conflict
from app.core.wording import count
from app.domain.ingestion import IngestionResult, IngestionState
from app.domain.modules import (
    MODULE_TYPE_TO_DATA_ENTRY_TYPES,
    DataEntryTypeEnum,
    ModuleTypeEnum,
)
from app.domain.recalculation_status import RecalculationStatusRow
from app.models import DataIngestionJob
from app.services.recalculation_jobs import RecalculationJobService
from app.services.recalculation_status_service import RecalculationStatusService, group_by_module

app = typer.Typer(
    help="Emission recalculation: what needs it, what it would change, and run it.",
    no_args_is_help=True,
)
app.command("preview")(preview)


# --- status


@dataclass(frozen=True, slots=True)
class _StatusReport:
    rows: list[RecalculationStatusRow]
    report_modules: dict[tuple[int, int], int]


def _status_label(row: RecalculationStatusRow | None) -> str:
    if row is None:
        return "no factors"
    if row.recalculation_running_job_id is not None:
        return f"running #{row.recalculation_running_job_id}"
    return "needs recalculation" if row.needs_recalculation else "up to date"


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


def _result_name(result: IngestionResult | None, state: IngestionState | None = None) -> str:
    if result is not None:
        return result.name
    return "" if state is None else state.name


@app.command("status")
def status(year: YearOption, wide: WideOption = False, as_json: JsonOption = False) -> None:
    """Per data entry type: up to date, needs recalculation (and why: the factor imports since
    its last recalculation and the entries they affect), running, or no factors yet; entries
    no factor matches are named apart, since recalculating cannot fix them."""

    async def load(engine: AsyncEngine) -> _StatusReport:
        async with _factory(engine)() as session:
            service = RecalculationStatusService(session)
            rows = await service.rows(year)
            stale = await service.stale_scopes_of(rows, year)
        return _StatusReport(
            rows,
            {
                (s.module_type_id, s.data_entry_type_id): len(s.carbon_report_module_ids)
                for s in stale
            },
        )

    report = run_async(_with_engine(load))
    if as_json:
        modules = group_by_module(report.rows)  # the API's models, so the API's JSON
        print(json.dumps([module.model_dump(mode="json") for module in modules]))
        return
    _print_status(year, report, wide=wide)


STATUS_COLUMNS = (
    Column("module", 1),
    Column("type", 0),
    Column("status", 0),
    Column("reason", 1, flex_min=24),
    Column("last factor import", 3, flex_min=12),
    Column("last recalculation", 2, flex_min=12),
    Column("report modules to refresh", 4, "right"),
)


def _print_status(year: int, report: _StatusReport, *, wide: bool) -> None:
    by_pair = {(row.module_type_id, row.data_entry_type_id): row for row in report.rows}
    styles = {"up to date": "green", "needs recalculation": "yellow", "no factors": "dim"}
    rows: list[dict[str, str]] = []
    for module_type, types in MODULE_TYPE_TO_DATA_ENTRY_TYPES.items():
        for position, data_entry_type in enumerate(types):
            row = by_pair.get((int(module_type), int(data_entry_type)))
            label = _status_label(row)
            factor = (
                ""
                if row is None
                else f"#{row.last_factor_job_id} {row.last_factor_job_result.name} "
                f"{_when(row.last_factor_job_finished_at)}"
            )
            recalculation = (
                ""
                if row is None or row.last_recalculation_job_id is None
                else f"#{row.last_recalculation_job_id} "
                + _result_name(row.last_recalculation_job_result, row.last_recalculation_job_state)
            )
            touched = report.report_modules.get((int(module_type), int(data_entry_type)))
            rows.append(
                {
                    "module": f"{module_type.value} {module_type.name}" if position == 0 else "",
                    "type": f"{data_entry_type.value} {data_entry_type.name}",
                    "status": f"[{styles.get(label, 'cyan')}]{label}[/]",
                    "reason": "" if row is None else reason_line(row),
                    "last factor import": factor,
                    "last recalculation": recalculation,
                    "report modules to refresh": "" if touched is None else str(touched),
                }
            )
        rows.append({SECTION: "yes"})
    print_fitting(
        console, f"Emission recalculation status, {year}", STATUS_COLUMNS, rows, wide=wide
    )
    stale = sum(1 for row in report.rows if row.needs_recalculation)
    if not report.rows:
        console.print(f"No completed factor import for {year}: nothing to recalculate.")
    elif stale:
        console.print(
            f"Recalculation needed for {count(stale, 'data entry type')}: "
            f"co2calc recalc run --module M --year {year}"
        )


# --- run


@dataclass(frozen=True, slots=True)
class _Finished:
    job: DataIngestionJob
    children: list[DataIngestionJob]


@app.command("run")
def run(
    module: ModuleOption,
    year: YearOption,
    data_entry_type: TypeOption = None,
    all_types: AllTypesOption = False,
    as_json: JsonOption = False,
) -> None:
    """Recalculate one type (--type) or a module's stale types (all of them with --all),
    in this process, with a live progress bar. Exit code: 0 SUCCESS, 1 WARNING, 3 refused
    (nothing stale, or another recalculation of the scope is active), 4 ERROR."""
    module_type, the_type = parse_scope(module, data_entry_type)
    if the_type is not None and all_types:
        raise typer.BadParameter("--all is for module jobs; leave it out with --type")

    async def work(engine: AsyncEngine) -> Refused | _Finished:
        create = _creator(module_type, the_type, year, only_stale=not all_types, quiet=as_json)
        try:
            job = await run_job_here(engine, create, show_progress=not as_json)
        except Conflict as conflict:
            return Refused(conflict.detail, conflict.extra.get("job_id"))
        except BadRequest as refusal:
            return Refused(refusal.detail)
        async with _factory(engine)() as session:
            children = await RecalculationJobService(session).list_child_jobs(job.id)
        return _Finished(job, children)

    outcome = run_async(_with_engine(work))
    if isinstance(outcome, Refused):
        exit_refused(outcome, as_json=as_json)
    _print_outcome(outcome, as_json)
    raise typer.Exit(for_result(outcome.job.result))


def _creator(
    module_type: ModuleTypeEnum,
    data_entry_type: DataEntryTypeEnum | None,
    year: int,
    *,
    only_stale: bool,
    quiet: bool,
) -> CreateJob:
    """The API's job creation (a module job, or one type's), as this command's user."""
    from app.tasks.context import worker_id

    requested_by = cli_user()

    async def create(session: AsyncSession) -> int:
        service = RecalculationJobService(session)
        if data_entry_type is None:
            scheduled = await service.create_module_job(
                module_type,
                year,
                only_stale=only_stale,
                requested_by=requested_by,
                worker_id=worker_id(),
            )
        else:
            scheduled = await service.create_type_job(
                module_type, data_entry_type, year, requested_by=requested_by, worker_id=worker_id()
            )
        if not quiet:
            err_console.print(f"Job {scheduled.job_id}: {scheduled.message}")
        return scheduled.job_id

    return create


def _print_outcome(outcome: _Finished, as_json: bool) -> None:
    job = outcome.job
    if as_json:
        body = job_json(job)
        body["children"] = [job_json(child) for child in outcome.children]
        print(json.dumps(body))
        return
    result = IngestionResult.ERROR if job.result is None else job.result
    colour = {"SUCCESS": "green", "WARNING": "yellow", "ERROR": "red"}[result.name]
    console.print(f"Job {job.id} [bold {colour}]{result.name}[/]: {job.status_message or ''}")
    stats = job.meta.get("recalculation") if isinstance(job.meta, dict) else None
    if not isinstance(stats, dict):
        return
    per_type = stats if outcome.children else {str(job.data_entry_type_id): stats}
    table = Table(title="Recalculated")
    for column in ("type", "result", "entries", "errors", "report modules refreshed"):
        table.add_column(column, justify="left" if column in ("type", "result") else "right")
    child_results = {str(child.data_entry_type_id): child.result for child in outcome.children}
    for type_id, figures in per_type.items():
        if not isinstance(figures, dict):
            continue
        name = DataEntryTypeEnum(int(type_id)).name if str(type_id).isdigit() else str(type_id)
        child_result = child_results.get(str(type_id), job.result)
        table.add_row(
            f"{type_id} {name}",
            "" if child_result is None else child_result.name,
            str(figures.get("recalculated", "")),
            str(figures.get("errors", "")),
            str(figures.get("modules_refreshed", "")),
        )
    console.print(table)
