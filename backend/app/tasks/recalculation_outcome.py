"""A recalculation report turned into the job's result, message and `meta.recalculation`.

SUCCESS without entry errors, WARNING with some (or, in a module job, when some types failed),
ERROR when every type failed. A single-type job's `meta.recalculation` is flat (the type's
figures and the factor sequence); a module job's is keyed by type id, each with `failed` and,
for a failed type, its `reason`. Pure: the task writes what these functions return.
"""

from __future__ import annotations

from typing import Any

from app.core.wording import count
from app.domain.ingestion import IngestionResult
from app.tasks.execution import JobOutcome, describe_failure
from app.tasks.recalculation_progress import type_name
from app.workflows.emission_recalculation import RecalculationReport, TypeReport


def _summary(report: TypeReport) -> str:
    text = (
        f"Recalculated {count(report.recalculated, 'data entry')} "
        f"({count(report.modules_refreshed, 'module')} refreshed)"
    )
    if report.errors:
        text += f"; {_without_emissions(report.errors)}"
    if report.skipped_changed:
        text += (
            f"; {count(report.skipped_changed, 'entry')} edited meanwhile kept their new emissions"
        )
    return text


def _without_emissions(errors: int) -> str:
    return f"{count(errors, 'entry')} without emissions (entry errors, see details)"


def _result(report: TypeReport) -> IngestionResult:
    if report.failure is not None:
        return IngestionResult.ERROR
    return IngestionResult.WARNING if report.errors else IngestionResult.SUCCESS


def _failure_figures(report: TypeReport) -> dict[str, Any]:
    if report.failure is None:
        return {}
    return {"failed": True, "reason": describe_failure(report.failure)}


def type_job_outcome(report: RecalculationReport) -> JobOutcome:
    """The outcome of a single-type job (a run of one type)."""
    (type_report,) = report.types
    figures = {**type_report.figures(), "factor_sequence": report.factor_sequence}
    failure = _failure_figures(type_report)
    message = failure["reason"] if failure else _summary(type_report)
    return JobOutcome(
        _result(type_report),
        message,
        meta={"recalculation": {**figures, **failure}},
        factor_sequence=report.factor_sequence,
    )


def per_type_outcome(report: TypeReport, factor_sequence: int) -> JobOutcome:
    """The outcome of one per-type row of a module job; its meta is its `recalculation`."""
    figures = {
        **report.figures(),
        "failed": False,
        **_failure_figures(report),
        "factor_sequence": factor_sequence,
    }
    if report.failure is not None:
        message = f"{type_name(report.data_entry_type_id)} failed: {figures['reason']}"
    else:
        message = _summary(report)
    return JobOutcome(_result(report), message, figures, factor_sequence)


def module_job_outcomes(report: RecalculationReport) -> tuple[JobOutcome, dict[int, JobOutcome]]:
    """The outcome of a module job, and that of each of its per-type rows, by type id."""
    children = {
        t.data_entry_type_id: per_type_outcome(t, report.factor_sequence) for t in report.types
    }
    failed = report.failures
    if report.all_failed:
        reasons = "; ".join(
            f"{type_name(t.data_entry_type_id)}: {children[t.data_entry_type_id].meta['reason']}"
            for t in failed
        )
        result = IngestionResult.ERROR
        every = "The only" if len(report.types) == 1 else "All"
        message = f"{every} {count(len(report.types), 'data entry type')} failed: {reasons}"
    else:
        message = (
            f"Recalculated {count(report.recalculated, 'data entry')} of "
            f"{count(len(report.types), 'data entry type')}"
        )
        if report.errors:
            message += f"; {_without_emissions(report.errors)}"
        if failed:
            names = ", ".join(type_name(t.data_entry_type_id) for t in failed)
            message += f"; failed, left unchanged: {names}"
        warn = report.errors or failed
        result = IngestionResult.WARNING if warn else IngestionResult.SUCCESS
    per_type = {str(type_id): outcome.meta for type_id, outcome in children.items()}
    parent = JobOutcome(
        result, message, meta={"recalculation": per_type}, factor_sequence=report.factor_sequence
    )
    return parent, children
