"""Queries on carbon reports and their modules."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import contains_eager, selectinload

from app.domain.modules import ModuleTypeEnum
from app.domain.stats import empty_stats
from app.models import CarbonReport, CarbonReportModule, Unit
from app.models.base import utcnow
from app.repositories.base import Repository, insert_for, table_of
from app.repositories.sync_scope_repo import advisory_key


@dataclass(frozen=True, slots=True)
class UnitRef:
    """A unit as a report of figures names it."""

    unit_id: int
    institutional_code: str
    name: str


def report_creation_key(year: int) -> int:
    """The advisory lock key of creating reports for `year`: a module id no module has, so it
    never meets a scope's key."""
    return advisory_key(0xFFFF, year)


class CarbonReportRepository(Repository[CarbonReport]):
    model = CarbonReport

    async def get_by_unit_and_year(
        self, unit_id: int, year: int, *, with_modules: bool = False
    ) -> CarbonReport | None:
        statement = select(CarbonReport).where(
            CarbonReport.unit_id == unit_id, CarbonReport.year == year
        )
        if with_modules:
            statement = statement.options(selectinload(CarbonReport.modules))
        return await self.get_one_or_none(statement)

    async def get_or_create(self, unit_id: int, year: int) -> CarbonReport:
        """The unit's report of the year with its 8 modules loaded, created when missing."""
        await self.ensure_reports([unit_id], year)
        report = await self.get_by_unit_and_year(unit_id, year, with_modules=True)
        assert report is not None  # just ensured
        return report

    async def ensure_reports(self, unit_ids: Collection[int], year: int) -> dict[int, int]:
        """Create the missing reports (each with its 8 modules) of these units for the year.

        Set-based and safe against a concurrent creator (ON CONFLICT DO NOTHING): two inserts
        whatever the number of units. Returns report id by unit id.

        On PostgreSQL a transaction that creates reports first takes the year's report
        creation lock, held until it ends. A new report stays its creator's until then (a data
        import's batches wait in the real tables until the import commits), and a second
        creator of it waits for it: with the lock, two imports meeting new units of a year in
        other orders wait for each other in turn instead of deadlocking.
        """
        if not unit_ids:
            return {}
        now = utcnow()
        unique_units = sorted(set(unit_ids))
        if self.session.get_bind().dialect.name == "postgresql":
            existing = await self.map_report_ids(unique_units, year)
            if len(existing) < len(unique_units):
                await self.session.execute(
                    select(func.pg_advisory_xact_lock(report_creation_key(year)))
                )
        reports = table_of(CarbonReport)
        await self.session.execute(
            insert_for(self.session, reports).on_conflict_do_nothing(
                index_elements=["unit_id", "year"]
            ),
            [{"unit_id": unit, "year": year, "stats": empty_stats(now)} for unit in unique_units],
        )
        report_ids = await self.map_report_ids(unique_units, year)
        modules = table_of(CarbonReportModule)
        await self.session.execute(
            insert_for(self.session, modules).on_conflict_do_nothing(
                index_elements=["carbon_report_id", "module_type_id"]
            ),
            [
                {
                    "carbon_report_id": report_id,
                    "module_type_id": int(module_type),
                    "status": 0,
                    "stats": empty_stats(now),
                    "last_updated": now,
                }
                for report_id in report_ids.values()
                for module_type in ModuleTypeEnum
            ],
        )
        return report_ids

    async def map_report_ids(self, unit_ids: Collection[int], year: int) -> dict[int, int]:
        rows = await self.session.execute(
            select(CarbonReport.unit_id, CarbonReport.id).where(
                CarbonReport.unit_id.in_(set(unit_ids)), CarbonReport.year == year
            )
        )
        return {unit_id: report_id for unit_id, report_id in rows}

    async def map_module_ids(
        self, unit_ids: Collection[int], year: int, module_type_id: int
    ) -> dict[int, int]:
        """Module id by unit id for one module type and year (existing reports only)."""
        rows = await self.session.execute(
            select(CarbonReport.unit_id, CarbonReportModule.id)
            .join(CarbonReportModule, CarbonReportModule.carbon_report_id == CarbonReport.id)
            .where(
                CarbonReport.unit_id.in_(set(unit_ids)),
                CarbonReport.year == year,
                CarbonReportModule.module_type_id == module_type_id,
            )
        )
        return {unit_id: module_id for unit_id, module_id in rows}

    async def list_years_of_units(self, unit_ids: Collection[int]) -> list[int]:
        """The years these units have reports for, ascending."""
        rows = await self.session.execute(
            select(CarbonReport.year).where(CarbonReport.unit_id.in_(set(unit_ids))).distinct()
        )
        return sorted(rows.scalars())

    async def delete_by_unit_ids(self, unit_ids: Collection[int]) -> None:
        """Delete the reports of these units; modules, entries and emissions go by cascade."""
        await self.session.execute(
            delete(CarbonReport).where(CarbonReport.unit_id.in_(set(unit_ids)))
        )

    async def get_module(self, module_id: int) -> CarbonReportModule | None:
        return await self.session.get(CarbonReportModule, module_id)

    async def list_modules(self, module_ids: Collection[int]) -> list[CarbonReportModule]:
        result = await self.session.execute(
            select(CarbonReportModule)
            .where(CarbonReportModule.id.in_(set(module_ids)))
            .order_by(CarbonReportModule.id)
        )
        return list(result.scalars().all())

    async def list_by_year(self, year: int) -> list[CarbonReport]:
        return await self.get_all(
            select(CarbonReport)
            .where(CarbonReport.year == year)
            .options(selectinload(CarbonReport.modules))
            .order_by(CarbonReport.unit_id)
        )

    async def map_report_ids_of_modules(self, module_ids: Collection[int]) -> dict[int, int]:
        """Report id by module id."""
        if not module_ids:
            return {}
        rows = await self.session.execute(
            select(CarbonReportModule.id, CarbonReportModule.carbon_report_id).where(
                CarbonReportModule.id.in_(set(module_ids))
            )
        )
        return {module_id: report_id for module_id, report_id in rows}

    async def map_units_of_modules(self, module_ids: Collection[int]) -> dict[int, UnitRef]:
        """The unit (id, institutional code, name) of each of these modules, by module id."""
        if not module_ids:
            return {}
        rows = await self.session.execute(
            select(CarbonReportModule.id, Unit.id, Unit.institutional_code, Unit.name)
            .join(CarbonReport, CarbonReport.id == CarbonReportModule.carbon_report_id)
            .join(Unit, Unit.id == CarbonReport.unit_id)
            .where(CarbonReportModule.id.in_(set(module_ids)))
        )
        return {module_id: UnitRef(unit_id, code, name) for module_id, unit_id, code, name in rows}

    async def lock_stats(self, report_ids: Collection[int]) -> None:
        """Serialize the writers of these reports' stats and of their modules' stats, until
        the transaction ends; the sums a writer reads afterwards include every committed
        change, and no other writer can read them before this one commits.

        PostgreSQL: the report rows, locked in id order (two writers of overlapping reports
        cannot deadlock), FOR NO KEY UPDATE (adding a module or an entry under the report is
        not blocked). SQLite: a no-op write on those rows, so the transaction holds the
        database's write lock before anything is read (a no-op when it holds it already).
        """
        if not report_ids:
            return
        table = table_of(CarbonReport)
        ids = sorted(set(report_ids))
        if self.session.get_bind().dialect.name == "sqlite":
            await self.session.execute(
                update(table).where(table.c.id.in_(ids)).values(id=table.c.id)
            )
            return
        await self.session.execute(
            select(table.c.id)
            .where(table.c.id.in_(ids))
            .order_by(table.c.id)
            .with_for_update(key_share=True)
        )

    async def list_module_stats_of_reports(
        self, report_ids: Collection[int]
    ) -> list[tuple[int, dict[str, Any]]]:
        """(report id, module stats) of every module of these reports."""
        if not report_ids:
            return []
        rows = await self.session.execute(
            select(CarbonReportModule.carbon_report_id, CarbonReportModule.stats)
            .where(CarbonReportModule.carbon_report_id.in_(set(report_ids)))
            .order_by(CarbonReportModule.carbon_report_id, CarbonReportModule.module_type_id)
        )
        return [(report_id, stats) for report_id, stats in rows]

    async def set_module_stats(
        self, stats_by_module_id: Mapping[int, dict[str, Any]], *, updated_at: datetime
    ) -> None:
        """Write the stats of many modules in one executemany UPDATE."""
        if not stats_by_module_id:
            return
        table = table_of(CarbonReportModule)
        await self.session.execute(
            update(table)
            .where(table.c.id == bindparam("module_id"))
            .values(stats=bindparam("new_stats"), last_updated=bindparam("updated_at")),
            [
                {"module_id": module_id, "new_stats": stats, "updated_at": updated_at}
                for module_id, stats in stats_by_module_id.items()
            ],
        )

    async def set_report_stats(self, stats_by_report_id: Mapping[int, dict[str, Any]]) -> None:
        if not stats_by_report_id:
            return
        table = table_of(CarbonReport)
        await self.session.execute(
            update(table)
            .where(table.c.id == bindparam("report_id"))
            .values(stats=bindparam("new_stats")),
            [
                {"report_id": report_id, "new_stats": stats}
                for report_id, stats in stats_by_report_id.items()
            ],
        )

    # --- read API (GET /carbon-reports)

    async def list_page_by_year(
        self, year: int, *, unit_id: int | None = None, limit: int, offset: int
    ) -> tuple[list[CarbonReport], int]:
        """Reports of the year with their unit and modules loaded, ordered by unit code."""
        statement = (
            select(CarbonReport)
            .join(Unit, Unit.id == CarbonReport.unit_id)
            .where(CarbonReport.year == year)
            .options(contains_eager(CarbonReport.unit), selectinload(CarbonReport.modules))
            .order_by(Unit.institutional_code, CarbonReport.id)
        )
        if unit_id is not None:
            statement = statement.where(CarbonReport.unit_id == unit_id)
        return await self.paginate(statement, limit=limit, offset=offset)
