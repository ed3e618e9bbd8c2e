"""Writes and the year's read of the per (data entry type, year) entry factor counts."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import exists, or_, select, union, update

from app.domain.recalculation_status import EntryCountChange, EntryCounts
from app.models import CarbonReport, CarbonReportModule, DataEntry, EntryFactorCount, utcnow
from app.repositories.base import Repository, insert_for, table_of


class EntryFactorCountRepository(Repository[EntryFactorCount]):
    model = EntryFactorCount

    async def store(self, year: int, counts: Mapping[int, EntryCounts]) -> None:
        """Replace the counts of these types (by id) for the year."""
        for type_id, found in counts.items():
            await self._put(
                type_id,
                year,
                entries=found.entries,
                affected=found.affected,
                unresolvable=found.unresolvable,
            )

    async def mark_recalculated(self, data_entry_type_id: int, year: int, entries: int) -> None:
        """A successful recalculation computed every entry with the current factors: none is
        affected any more. Unresolvable entries stay what they were (it could not fix them).
        `entries` (what it counted when it started) is written only for a type without a row:
        in a row, entry writes keep it exact, those that landed while it ran included."""
        stamped = {"affected": 0, "counted_at": utcnow()}
        await self.session.execute(
            insert_for(self.session, table_of(EntryFactorCount))
            .values(data_entry_type_id=data_entry_type_id, year=year, entries=entries, **stamped)
            .on_conflict_do_update(index_elements=["data_entry_type_id", "year"], set_=stamped)
        )

    async def adjust(self, year: int, changes: Mapping[int, EntryCountChange]) -> None:
        """Move the counts of these types (by id) by what a write added and removed. A type
        without a row stays uncounted, and a count that is NULL (not counted yet) stays NULL
        (`col + n` is NULL)."""
        table = table_of(EntryFactorCount)
        for type_id, change in changes.items():
            if change == EntryCountChange():
                continue
            await self.session.execute(
                update(table)
                .where(table.c.data_entry_type_id == type_id, table.c.year == year)
                .values(
                    entries=table.c.entries + change.entries,
                    affected=table.c.affected + change.affected,
                    unresolvable=table.c.unresolvable + change.unresolvable,
                    counted_at=utcnow(),
                )
            )

    async def lock(self, data_entry_type_ids: Collection[int], year: int) -> None:
        """Before counting the types' entries: hold their rows (PostgreSQL) or the write lock
        (SQLite) until the transaction ends, by an UPDATE that changes nothing. An entry write
        that moves the counts then either moved them and committed before (the count sees its
        entry) or waits for the count to commit and moves what it stored: none is lost."""
        table = table_of(EntryFactorCount)
        await self.session.execute(
            update(table)
            .where(table.c.data_entry_type_id.in_(data_entry_type_ids), table.c.year == year)
            .values(counted_at=table.c.counted_at)
        )

    async def list_uncounted(self) -> dict[int, list[int]]:
        """Per year, the types whose counts were never taken: a row with a NULL count (the
        upgrade that added the table could not count them), or entries and no row."""
        table = table_of(EntryFactorCount)
        null_counts = select(table.c.data_entry_type_id, table.c.year).where(
            or_(table.c.affected.is_(None), table.c.unresolvable.is_(None))
        )
        type_id, year = DataEntry.data_entry_type_id, CarbonReport.year
        without_row = (
            select(type_id, year)
            .join(CarbonReportModule, CarbonReportModule.id == DataEntry.carbon_report_module_id)
            .join(CarbonReport, CarbonReport.id == CarbonReportModule.carbon_report_id)
            .where(~exists().where(table.c.data_entry_type_id == type_id, table.c.year == year))
        )
        found: dict[int, list[int]] = {}
        for type_found, year_found in await self.session.execute(union(null_counts, without_row)):
            found.setdefault(year_found, []).append(type_found)
        return {y: sorted(types) for y, types in sorted(found.items())}

    async def _put(self, data_entry_type_id: int, year: int, **values: int | None) -> None:
        """Insert the type's row, or update these columns of it; `counted_at` is now."""
        stamped = {**values, "counted_at": utcnow()}
        await self.session.execute(
            insert_for(self.session, table_of(EntryFactorCount))
            .values(data_entry_type_id=data_entry_type_id, year=year, **stamped)
            .on_conflict_do_update(index_elements=["data_entry_type_id", "year"], set_=stamped)
        )

    async def read_year(self, year: int) -> dict[int, EntryCounts]:
        """The year's counts by type id, in one query."""
        table = table_of(EntryFactorCount)
        rows = await self.session.execute(
            select(
                table.c.data_entry_type_id,
                table.c.entries,
                table.c.affected,
                table.c.unresolvable,
                table.c.counted_at,
            ).where(table.c.year == year)
        )
        return {
            type_id: EntryCounts(entries, affected, unresolvable, counted_at)
            for type_id, entries, affected, unresolvable, counted_at in rows
        }
