"""The Procrastinate locks each job kind's task gets: a preview none, so that on the queue too
it neither waits for a writer of its scope nor holds one up."""

from __future__ import annotations

from app.domain.ingestion import EntityType, IngestionMethod, TargetType
from app.models import DataIngestionJob
from app.tasks.procrastinate_backend import RECALCULATIONS_QUEUE, defer_options


def job(target: TargetType, method: IngestionMethod = IngestionMethod.computed) -> DataIngestionJob:
    return DataIngestionJob(
        id=7,
        module_type_id=8,
        data_entry_type_id=50,
        year=2025,
        ingestion_method=method,
        target_type=target,
        entity_type=EntityType.MODULE_PER_YEAR,
    )


def test_a_preview_takes_no_lock() -> None:
    assert defer_options(job(TargetType.EMISSION_PREVIEW)) == {"queue": RECALCULATIONS_QUEUE}


def test_a_recalculation_locks_its_scope_and_queues_once() -> None:
    assert defer_options(job(TargetType.DATA_ENTRIES)) == {
        "queue": RECALCULATIONS_QUEUE,
        "lock": "scope:8:2025",
        "queueing_lock": "recalculation:8:2025:50",
    }
