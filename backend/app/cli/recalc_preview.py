"""`co2calc recalc preview`: what a recalculation would change, before running it.

The preview job is created with the API's service and run in this process like `recalc run`
(app.cli._job_run), with a progress bar; then its `meta.preview` is printed as tables: per type
and for the module, the units that change most, the entries that would newly fail. It writes
nothing but its job. Exit codes: 0 SUCCESS, 1 WARNING (a type's preview failed), 3 refused
(nothing stale), 4 ERROR.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import typer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.cli._columns import SECTION, Column, WideOption, print_fitting
from app.cli._job_run import Refused, cli_user, exit_refused, job_json, run_job_here
from app.cli._options import (
    AllTypesOption,
    JsonOption,
    ModuleOption,
    TypeOption,
    YearOption,
    parse_scope,
)
from app.cli._runner import console, err_console, run_async
from app.cli._runner import with_engine as _with_engine
from app.cli.exit_codes import for_result
from app.core.errors import BadRequest
from app.models import DataIngestionJob
from app.services.preview_jobs import PreviewJobService

# Newly failing entries listed per type (the job keeps up to 100, and counts them all).
SHOWN_FAILING = 10


def preview(
    module: ModuleOption,
    year: YearOption,
    data_entry_type: TypeOption = None,
    all_types: AllTypesOption = False,
    as_json: JsonOption = False,
    wide: WideOption = False,
) -> None:
    """Preview the recalculation of one type (--type) or of a module's stale types (all of
    them with --all): entries that would change, totals before and after, the units that
    change most, entries that would newly fail. Writes nothing but its job. Exit code:
    0 SUCCESS, 1 WARNING, 3 refused (nothing stale), 4 ERROR."""
    module_type, the_type = parse_scope(module, data_entry_type)
    if the_type is not None and all_types:
        raise typer.BadParameter("--all is for module previews; leave it out with --type")

    async def create(session: AsyncSession) -> int:
        from app.tasks.context import worker_id

        scheduled = await PreviewJobService(session).create(
            module_type,
            the_type,
            year,
            only_stale=not all_types,
            requested_by=cli_user(),
            worker_id=worker_id(),
        )
        if not as_json:
            err_console.print(f"Job {scheduled.job_id}: {scheduled.message}")
        return scheduled.job_id

    async def work(engine: AsyncEngine) -> Refused | DataIngestionJob:
        try:
            return await run_job_here(engine, create, show_progress=not as_json)
        except BadRequest as refusal:
            return Refused(refusal.detail)

    outcome = run_async(_with_engine(work))
    if isinstance(outcome, Refused):
        exit_refused(outcome, as_json=as_json)
    if as_json:
        print(json.dumps(job_json(outcome)))
    else:
        _print_preview(outcome, wide=wide)
    raise typer.Exit(for_result(outcome.result))


def _kg(value: Any) -> str:
    return f"{value:,.1f}" if isinstance(value, int | float) else ""


def _delta(figures: Mapping[str, Any]) -> tuple[str, str]:
    pct = figures.get("delta_pct")
    return f"{figures.get('delta_kg', 0):+,.1f}", "" if pct is None else f"{pct:+.1f} %"


def _figure_cells(figures: Mapping[str, Any]) -> dict[str, str]:
    delta, pct = _delta(figures)
    return {
        "entries": f"{figures.get('entries', 0):,}",
        "change": f"{figures.get('changed', 0):,}",
        "current kg CO2e": _kg(figures.get("current_kg")),
        "new kg CO2e": _kg(figures.get("new_kg")),
        "delta kg": delta,
        "delta %": pct,
        "newly failing": f"{figures.get('newly_failing', 0):,}",
        "stop failing": f"{figures.get('stopped_failing', 0):,}",
    }


_FIGURE_COLUMNS = (
    Column("entries", 1, "right"),
    Column("change", 1, "right"),
    Column("current kg CO2e", 2, "right"),
    Column("new kg CO2e", 2, "right"),
    Column("delta kg", 0, "right"),
    Column("delta %", 0, "right"),
    Column("newly failing", 1, "right"),
    Column("stop failing", 3, "right"),
)


def _print_preview(job: DataIngestionJob, *, wide: bool) -> None:
    colour = {"SUCCESS": "green", "WARNING": "yellow", "ERROR": "red"}
    result = job.result.name if job.result is not None else "ERROR"
    console.print(f"Job {job.id} [bold {colour[result]}]{result}[/]: {job.status_message or ''}")
    preview = job.meta.get("preview")
    if not isinstance(preview, dict):
        return
    types: Sequence[Mapping[str, Any]] = preview.get("types", [])
    rows = [
        {"type": f"{t['data_entry_type_id']} {t['data_entry_type']}"}
        | ({"entries": f"failed: {t.get('reason', '')}"} if t.get("failed") else _figure_cells(t))
        for t in types
    ]
    rows += [{SECTION: "yes"}, {"type": "module"} | _figure_cells(preview)]
    print_fitting(
        console,
        f"Recalculation preview, module {preview['module_type_id']}, {preview['year']}",
        (Column("type", 0), *_FIGURE_COLUMNS),
        rows,
        wide=wide,
    )
    units = preview.get("top_units", [])
    if units:
        print_fitting(
            console,
            "Largest changes, by unit",
            (Column("unit", 0), Column("name", 4), *_FIGURE_COLUMNS),
            [
                {"unit": u["institutional_code"], "name": u["unit_name"]} | _figure_cells(u)
                for u in units
            ],
            wide=wide,
        )
    else:
        console.print("No unit's emissions would change.")
    _print_failing(types, wide=wide)


def _print_failing(types: Sequence[Mapping[str, Any]], *, wide: bool) -> None:
    failing = [
        {"type": t["data_entry_type"], "entry": str(f["entry_id"]), "unit": f["institutional_code"]}
        | {"reason": f["reason"]}
        for t in types
        for f in t.get("newly_failing_details", [])[:SHOWN_FAILING]
    ]
    if not failing:
        return
    print_fitting(
        console,
        "Entries that would newly fail (no emissions after the recalculation)",
        (
            Column("type", 0),
            Column("entry", 0),
            Column("unit", 1),
            Column("reason", 0, flex_min=20),
        ),
        failing,
        wide=wide,
    )
    total = sum(t.get("newly_failing", 0) for t in types)
    if total > len(failing):
        console.print(f"…and {total - len(failing)} more (--json lists up to 100 per type).")
