"""Read queries on recalculations: the status of a year (two queries, whatever the number of
jobs) and the active recalculation of a scope.

They return light summaries or ids (no ORM object, no job `meta`); the staleness rule that
turns summaries into status rows lives in app.domain.recalculation_status.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, and_, case, func, select

from app.domain.ingestion import (
    ACTIVE_STATES,
    IngestionMethod,
    IngestionResult,
    IngestionState,
    TargetType,
)
from app.domain.recalculation_status import (
    FactorImportSummary,
    RecalculationSummary,
    StatusSources,
)
from app.models import DataIngestionJob
from app.repositories.base import Repository

_Job = DataIngestionJob
_SUCCESSFUL = [IngestionResult.SUCCESS, IngestionResult.WARNING]
_ACTIVE = list(ACTIVE_STATES)
# Orders NULL (an import that changed no factor) before every real sequence.
_NO_SEQUENCE = -1


class RecalculationStatusRepository(Repository[DataIngestionJob]):
    model = DataIngestionJob

    async def read_year(self, year: int) -> StatusSources:
        """The year's factor imports and recalculations; one query when there is no factor
        import (nothing can be stale then), two otherwise."""
        factor_imports = await self.latest_factor_imports(year)
        if not factor_imports:
            return StatusSources([], [])
        return StatusSources(factor_imports, await self.recalculations_by_type(year))

    async def latest_factor_imports(self, year: int) -> list[FactorImportSummary]:
        """Per (module, type or None for module-wide): the factor import committed last among
        those that FINISHED with SUCCESS or WARNING. One that changed no factor has no
        sequence and ranks below every one that did, so the last change is what is shown."""
        sequence = func.coalesce(_Job.factor_sequence, _NO_SEQUENCE)
        rank = (
            func.row_number()
            .over(
                partition_by=(_Job.module_type_id, func.coalesce(_Job.data_entry_type_id, 0)),
                order_by=(sequence.desc(), _Job.id.desc()),
            )
            .label("recency")
        )
        ranked = (
            select(
                _Job.id,
                _Job.module_type_id,
                _Job.data_entry_type_id,
                _Job.result,
                _Job.finished_at,
                _Job.progress_done,
                _Job.progress_total,
                _Job.factor_sequence,
                rank,
            )
            .where(
                _Job.year == year,
                _Job.target_type == TargetType.FACTORS,
                _Job.state == IngestionState.FINISHED,
                _Job.result.in_(_SUCCESSFUL),
            )
            .subquery()
        )
        result = await self.session.execute(select(ranked).where(ranked.c.recency == 1))
        return [
            FactorImportSummary(
                module_type_id=row.module_type_id,
                data_entry_type_id=row.data_entry_type_id,
                job_id=row.id,
                result=row.result,
                finished_at=row.finished_at,
                rows_done=row.progress_done,
                rows_total=row.progress_total,
                factor_sequence=row.factor_sequence,
            )
            for row in result
        ]

    async def recalculations_by_type(self, year: int) -> list[RecalculationSummary]:
        """Per (module, type): the latest attempt, the best sequence a successful one read,
        and the active job. A module job's per-type rows carry their type; the parent (type
        NULL) is represented by them and left out."""
        finished_ok = and_(_Job.state == IngestionState.FINISHED, _Job.result.in_(_SUCCESSFUL))
        # Window functions over the year's rows of each (module, type): one indexed scan of
        # that year only, where a self-join back to the latest row by id would read the
        # whole job table (every year) once its hash join stops paying for index lookups.
        scope = (_Job.module_type_id, _Job.data_entry_type_id)
        ranked = (
            select(
                _Job.module_type_id,
                _Job.data_entry_type_id,
                _Job.id.label("last_id"),
                _Job.state,
                _Job.result,
                _Job.finished_at,
                func.max(case((finished_ok, _Job.factor_sequence)))
                .over(partition_by=scope)
                .label("best_sequence"),
                func.max(
                    case((_Job.state.in_(_ACTIVE), func.coalesce(_Job.parent_job_id, _Job.id)))
                )
                .over(partition_by=scope)
                .label("active_job_id"),
                func.row_number()
                .over(partition_by=scope, order_by=_Job.id.desc())
                .label("recency"),
            )
            .where(_Job.year == year, _is_recalculation(), _Job.data_entry_type_id.is_not(None))
            .subquery()
        )
        result = await self.session.execute(select(ranked).where(ranked.c.recency == 1))
        return [
            RecalculationSummary(
                module_type_id=row.module_type_id,
                data_entry_type_id=row.data_entry_type_id,
                last_job_id=row.last_id,
                last_state=row.state,
                last_result=row.result,
                last_finished_at=row.finished_at,
                best_factor_sequence=row.best_sequence,
                active_job_id=row.active_job_id,
            )
            for row in result
        ]

    async def find_active_recalculation_job_id(
        self, module_type_id: int, year: int, data_entry_type_ids: Collection[int | None]
    ) -> int | None:
        """The top-level id of an active recalculation of these types (None: module-wide)."""
        keys = [0 if type_id is None else type_id for type_id in data_entry_type_ids]
        return await self.session.scalar(
            select(func.coalesce(_Job.parent_job_id, _Job.id))
            .where(
                _is_recalculation(),
                _Job.state.in_(_ACTIVE),
                _Job.module_type_id == module_type_id,
                _Job.year == year,
                func.coalesce(_Job.data_entry_type_id, 0).in_(keys),
            )
            .order_by(_Job.id)
            .limit(1)
        )


def _is_recalculation() -> ColumnElement[bool]:
    return and_(
        _Job.target_type == TargetType.DATA_ENTRIES,
        _Job.ingestion_method == IngestionMethod.computed,
    )
