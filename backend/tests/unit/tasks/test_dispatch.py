"""One dispatcher: the job's kind (method, target, type or module) picks its task."""

from __future__ import annotations

import pytest

from app.domain.ingestion import IngestionMethod, TargetType
from app.models import DataIngestionJob
from app.tasks.dispatch import task_for
from app.tasks.emission_recalculation_tasks import run_recalculation_job
from app.tasks.ingestion_tasks import run_data_import_task, run_factor_import_task


def _job(method: IngestionMethod, target: TargetType, type_id: int | None = 50) -> DataIngestionJob:
    return DataIngestionJob(
        id=1,
        module_type_id=8,
        data_entry_type_id=type_id,
        year=2025,
        ingestion_method=int(method),
        target_type=int(target),
    )


@pytest.mark.parametrize(
    ("job", "task"),
    [
        (_job(IngestionMethod.csv, TargetType.FACTORS), run_factor_import_task),
        (_job(IngestionMethod.csv, TargetType.FACTORS, None), run_factor_import_task),
        (_job(IngestionMethod.csv, TargetType.DATA_ENTRIES), run_data_import_task),
        (_job(IngestionMethod.computed, TargetType.DATA_ENTRIES), run_recalculation_job),
        (_job(IngestionMethod.computed, TargetType.DATA_ENTRIES, None), run_recalculation_job),
    ],
)
def test_the_job_kind_picks_the_task(job: DataIngestionJob, task: object) -> None:
    assert task_for(job) is task


def test_a_job_without_a_task_is_refused() -> None:
    with pytest.raises(ValueError, match="no task"):
        task_for(_job(IngestionMethod.manual, TargetType.DATA_ENTRIES))
