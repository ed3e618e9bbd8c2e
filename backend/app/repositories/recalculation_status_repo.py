"""Read queries on recalculations: the status of a year (four queries, whatever the number of
jobs and entries) and the active recalculation of a scope.

They return light summaries or ids (no ORM object, no job `meta`); the staleness rule that
turns summaries into status rows lives in app.domain.recalculation_status.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from app.domain.ingestion import (
    ACTIVE_STATES,
    IngestionMethod,
    IngestionResult,
    IngestionState,
    TargetType,
)
from app.domain.modules import MODULE_TYPE_TO_DATA_ENTRY_TYPES, ModuleTypeEnum
from app.domain.recalculation_status import (
    FactorChange,
    FactorImportSummary,
    RecalculationSummary,
    StatusSources,
)
from app.models import DataIngestionJob
from app.repositories.base import Repository
from app.repositories.entry_factor_count_repo import EntryFactorCountRepository

_Job = DataIngestionJob
_SUCCESSFUL = [IngestionResult.SUCCESS, IngestionResult.WARNING]
_ACTIVE = list(ACTIVE_STATES)
# Orders NULL (an import that changed no factor) before every real sequence.
_NO_SEQUENCE = -1


class RecalculationStatusRepository(Repository[DataIngestionJob]):
    model = DataIngestionJob

    async def read_year(self, year: int) -> StatusSources:
        """The year's factor imports, recalculations, factor changes since them and entry
        counts; one query when there is no factor import (nothing can be stale then), four
        otherwise."""
        factor_imports = await self.latest_factor_imports(year)
        if not factor_imports:
            return StatusSources([], [])
        recalculations = await self.recalculations_by_type(year)
        modules = {summary.module_type_id for summary in factor_imports}
        return StatusSources(
            factor_imports,
            recalculations,
            await self.factor_changes_since(year, _oldest_read(modules, recalculations)),
            await EntryFactorCountRepository(self.session).read_year(year),
        )

    async def factor_changes_since(
        self, year: int, read_by_module: dict[int, int]
    ) -> list[FactorChange]:
        """The year's factor imports that changed factors with a sequence above their module's
        given one (its oldest recalculation's), latest first. Reads four keys of `meta`, not
        the rejected rows it lists."""
        meta = _Job.meta
        result = await self.session.execute(
            select(
                _Job.id,
                _Job.module_type_id,
                _Job.data_entry_type_id,
                _Job.factor_sequence,
                _Job.finished_at,
                _Job.requested_by,
                meta["file_name"].as_string(),
                meta["inserted"].as_integer(),
                meta["updated"].as_integer(),
                meta["removed"].as_integer(),
            )
            .where(
                _Job.year == year,
                _Job.target_type == TargetType.FACTORS,
                _Job.state == IngestionState.FINISHED,
                _Job.result.in_(_SUCCESSFUL),
                or_(
                    *(
                        and_(_Job.module_type_id == module, _Job.factor_sequence > read)
                        for module, read in read_by_module.items()
                    )
                ),
            )
            .order_by(_Job.factor_sequence.desc(), _Job.id.desc())
        )
        return [
            FactorChange(
                job_id=row[0],
                module_type_id=row[1],
                data_entry_type_id=row[2],
                factor_sequence=row[3],
                finished_at=row[4],
                requested_by=row[5],
                file_name=row[6],
                inserted=row[7] or 0,
                updated=row[8] or 0,
                removed=row[9] or 0,
            )
            for row in result
        ]

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


def _oldest_read(
    modules: Collection[int], recalculations: Collection[RecalculationSummary]
) -> dict[int, int]:
    """Per module: the lowest factor sequence a successful recalculation of one of its types
    read (0, below every committed sequence, when a type has none)."""
    read = {
        (summary.module_type_id, summary.data_entry_type_id): summary.best_factor_sequence
        for summary in recalculations
    }
    return {
        module: min(
            read.get((module, int(type_id))) or 0
            for type_id in MODULE_TYPE_TO_DATA_ENTRY_TYPES[ModuleTypeEnum(module)]
        )
        for module in modules
    }


def _is_recalculation() -> ColumnElement[bool]:
    return and_(
        _Job.target_type == TargetType.DATA_ENTRIES,
        _Job.ingestion_method == IngestionMethod.computed,
    )
