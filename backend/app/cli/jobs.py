"""`co2calc jobs list|show|cancel`: the job history, as `GET /api/v1/sync/jobs[/{id}]` returns
it, and `POST /api/v1/sync/jobs/{id}/cancel`.

No migration is run. `--json` prints exactly the API's body; the tables name the
enums (module, type, state, result) and put a module recalculation's per-type rows under it.
Unknown job id: exit 3 (refused) with the reason.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Annotated, Any, TypeVar

import typer
from rich.json import JSON
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from app.cli._columns import Column, WideOption, print_fitting
from app.cli._options import parse_year_option
from app.cli._runner import console, run_async, session_factory, with_engine
from app.core.wording import count
from app.domain.ingestion import (
    EntityType,
    IngestionMethod,
    IngestionResult,
    IngestionState,
    TargetType,
)
from app.domain.modules import (
    DataEntryTypeEnum,
    ModuleTypeEnum,
    parse_data_entry_type,
    parse_module_type,
)
from app.repositories.data_ingestion import JobFilters
from app.schemas.common import Page
from app.schemas.jobs import JobRead, JobWithChildren
from app.services.job_cancel import JobCancelService
from app.services.job_history import JobHistoryService

app = typer.Typer(help="Job history: imports and recalculations.", no_args_is_help=True)

E = TypeVar("E", bound=IntEnum)

RESULT_STYLES = {"SUCCESS": "green", "WARNING": "yellow", "ERROR": "red"}


class Target(StrEnum):
    factors = "factors"
    data_entries = "data-entries"


class State(StrEnum):
    not_started = "not-started"
    queued = "queued"
    running = "running"
    finished = "finished"


TARGETS = {Target.factors: TargetType.FACTORS, Target.data_entries: TargetType.DATA_ENTRIES}
STATES = {state: IngestionState[state.name.upper()] for state in State}

JsonOption = Annotated[bool, typer.Option("--json", help="Print the API's JSON, and nothing else.")]


def _parsed(parse: Callable[[str], E], value: str | None, hint: str) -> E | None:
    try:
        return None if value is None else parse(value)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint=hint) from None


# --- list


@app.command("list")
def list_jobs(
    year: Annotated[
        int | None, typer.Option(parser=parse_year_option, help="Report year, 2000 to 2100.")
    ] = None,
    module: Annotated[str | None, typer.Option(help="Module type, by id or name.")] = None,
    data_entry_type: Annotated[
        str | None, typer.Option("--type", help="Data entry type, by id or name.")
    ] = None,
    target: Annotated[Target | None, typer.Option(help="What the job wrote.")] = None,
    state: Annotated[State | None, typer.Option(help="Job state.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="Newest jobs shown.")] = 50,
    wide: WideOption = False,
    as_json: JsonOption = False,
) -> None:
    """Jobs newest first, each module recalculation with its per-type rows under it."""
    module_type = _parsed(parse_module_type, module, "--module")
    entry_type = _parsed(parse_data_entry_type, data_entry_type, "--type")
    filters = JobFilters(
        year=year,
        module_type_id=None if module_type is None else int(module_type),
        data_entry_type_id=None if entry_type is None else int(entry_type),
        target_type=None if target is None else int(TARGETS[target]),
        state=None if state is None else int(STATES[state]),
        top_level_only=True,
    )

    async def load(engine: AsyncEngine) -> Page[JobWithChildren]:
        async with session_factory(engine)() as session:
            return await JobHistoryService(session).page(filters, limit=limit, offset=0)

    page = run_async(with_engine(load))
    if as_json:
        print(json.dumps(page.model_dump(mode="json")))
        return
    _print_jobs("Jobs, newest first", page.items, wide=wide)
    if not page.items:
        console.print("No jobs match.")
    elif page.total > len(page.items):
        console.print(
            f"{len(page.items)} of {count(page.total, 'job')} shown (--limit to see more)."
        )


# --- show


@app.command("show")
def show(
    job_id: Annotated[int, typer.Argument(min=1, help="The job id.")],
    wide: WideOption = False,
    as_json: JsonOption = False,
) -> None:
    """Every column of one job, its meta (JSON) and its per-type rows."""

    async def load(engine: AsyncEngine) -> JobWithChildren:
        async with session_factory(engine)() as session:
            return await JobHistoryService(session).get(job_id)

    job = run_async(with_engine(load))
    if as_json:
        print(json.dumps(job.model_dump(mode="json")))
        return
    fields = Table(title=f"Job {job.id}", show_header=False)
    fields.add_column("field", style="bold")
    fields.add_column("value")
    for name, value in _columns(job).items():
        fields.add_row(name, value)
    console.print(fields)
    console.print("meta:")
    console.print(JSON.from_data(job.meta, indent=2, sort_keys=True))
    if job.children:
        _print_jobs("Per-type rows", job.children, wide=wide)


# --- cancel


@app.command("cancel")
def cancel(
    job_id: Annotated[int, typer.Argument(min=1, help="The job id.")],
    as_json: JsonOption = False,
) -> None:
    """Cancel an import or a recalculation, whichever process runs it: one that has not
    started ends at once, a running one at its next batch, its data exactly as before."""
    requested_by = f"cli:{getpass.getuser()}"

    async def request(engine: AsyncEngine) -> JobWithChildren:
        async with session_factory(engine)() as session:
            job = await JobCancelService(session).cancel(job_id, requested_by=requested_by)
            await session.commit()
            return job

    job = run_async(with_engine(request))
    if as_json:
        print(json.dumps(job.model_dump(mode="json")))
    elif job.state == IngestionState.FINISHED:
        console.print(f"Job {job.id} cancelled: {job.status_message}")
    else:
        console.print(
            f"Job {job.id} is running: it stops at its next batch "
            f"(`co2calc jobs show {job.id}` shows when it has ended)."
        )


# --- rendering


def _name(enum: type[IntEnum], value: int | None, empty: str = "") -> str:
    if value is None:
        return empty
    try:
        return enum(value).name
    except ValueError:
        return str(value)


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")


def _target(value: int) -> str:
    names = {int(kind): target.value for target, kind in TARGETS.items()}
    return names.get(value, str(value))


def _result(job: JobRead) -> str:
    name = _name(IngestionResult, job.result)
    return f"[{RESULT_STYLES[name]}]{name}[/]" if name in RESULT_STYLES else name


JOB_COLUMNS = (
    Column("id", 0, "right"),
    Column("module", 3),
    Column("type", 1),
    Column("year", 2, "right"),
    Column("target", 6),
    Column("method", 8),
    Column("state", 4),
    Column("result", 2),
    Column("message", 1, flex_min=24),
    Column("created (UTC)", 5),
    Column("finished (UTC)", 7),
    Column("requested by", 9),
    Column("worker", 10),
)


def _print_jobs(title: str, jobs: list[JobWithChildren] | list[JobRead], *, wide: bool) -> None:
    """The jobs, each module recalculation's per-type rows under it, in the columns that fit."""
    rows: list[dict[str, str]] = []
    for job in jobs:
        rows.append(_job_row(job))
        for child in getattr(job, "children", []):
            rows.append(_job_row(child, child=True))
    print_fitting(console, title, JOB_COLUMNS, rows, wide=wide)


def _job_row(job: JobRead, *, child: bool = False) -> dict[str, str]:
    return {
        "id": f"└ {job.id}" if child else str(job.id),
        "module": "" if child else _name(ModuleTypeEnum, job.module_type_id),
        "type": ("  " if child else "") + _name(DataEntryTypeEnum, job.data_entry_type_id, "(all)"),
        "year": str(job.year),
        "target": _target(job.target_type),
        "method": _name(IngestionMethod, job.ingestion_method),
        "state": _name(IngestionState, job.state),
        "result": _result(job),
        "message": job.status_message or "",
        "created (UTC)": _when(job.created_at),
        "finished (UTC)": _when(job.finished_at),
        "requested by": job.requested_by or "",
        "worker": job.worker_id or "",
    }


def _columns(job: JobRead) -> dict[str, str]:
    """Every column but meta and children, enums with their names."""
    named: dict[str, Callable[[Any], str]] = {
        "module_type_id": lambda v: f"{v} {_name(ModuleTypeEnum, v)}",
        "data_entry_type_id": lambda v: (
            "(all types)" if v is None else f"{v} {_name(DataEntryTypeEnum, v)}"
        ),
        "ingestion_method": lambda v: f"{v} {_name(IngestionMethod, v)}",
        "target_type": lambda v: f"{v} {_name(TargetType, v)}",
        "entity_type": lambda v: f"{v} {_name(EntityType, v)}",
        "state": lambda v: f"{v} {_name(IngestionState, v)}",
        "result": lambda v: "" if v is None else f"{v} {_result(job)}",
    }
    values: dict[str, str] = {}
    for name in JobRead.model_fields:
        if name == "meta":
            continue
        value = getattr(job, name)
        if name in named:
            values[name] = named[name](value)
        elif isinstance(value, datetime):
            values[name] = _when(value) + " UTC"
        else:
            values[name] = "" if value is None else str(value)
    return values
