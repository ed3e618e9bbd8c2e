"""Queries on data entries, notably the cross-module scan of one type and year."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Select, Text, cast, func, select

from app.models import CarbonReport, CarbonReportModule, DataEntry, Unit
from app.repositories.base import Repository


@dataclass(frozen=True, slots=True)
class EntryRow:
    """What a recalculation needs of an entry, read without ORM identity overhead."""

    id: int
    carbon_report_module_id: int
    data_entry_type_id: int
    data: dict[str, Any]
    revision: int


# An entry as read for a batch: (id, module id, type id, data as JSON text, revision).
RawEntry = Sequence[Any]


def decode_entries(rows: Iterable[RawEntry]) -> list[EntryRow]:
    """Pure: raw entries as EntryRows, their data decoded. orjson decodes several times faster
    than the standard module (the decoding was a fifth of a recalculation's time); what it
    refuses (NaN, say, which an old SQLite row may hold) goes to the standard decoder."""
    return [
        EntryRow(
            id=row[0],
            carbon_report_module_id=row[1],
            data_entry_type_id=row[2],
            data=_decoded(row[3]),
            revision=row[4],
        )
        for row in rows
    ]


def _decoded(text: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = orjson.loads(text)
    except orjson.JSONDecodeError:
        data = json.loads(text)
    return data


def _of_type_and_year(
    statement: Select[*tuple[Any, ...]], data_entry_type_id: int, year: int
) -> Select[*tuple[Any, ...]]:
    return (
        statement.join(
            CarbonReportModule, CarbonReportModule.id == DataEntry.carbon_report_module_id
        )
        .join(CarbonReport, CarbonReport.id == CarbonReportModule.carbon_report_id)
        .where(DataEntry.data_entry_type_id == data_entry_type_id, CarbonReport.year == year)
    )


# --- read API: an entry with its unit code, year and module type


@dataclass(frozen=True, slots=True)
class EntryWithContext:
    """An entry (ORM object) and where it lives: unit code, year, module type."""

    entry: DataEntry
    unit_institutional_code: str
    year: int
    module_type_id: int


_CONTEXT_COLUMNS = select(
    DataEntry, Unit.institutional_code, CarbonReport.year, CarbonReportModule.module_type_id
)


def _with_context(statement: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    return (
        statement.join(
            CarbonReportModule, CarbonReportModule.id == DataEntry.carbon_report_module_id
        )
        .join(CarbonReport, CarbonReport.id == CarbonReportModule.carbon_report_id)
        .join(Unit, Unit.id == CarbonReport.unit_id)
    )


class DataEntryRepository(Repository[DataEntry]):
    model = DataEntry

    async def list_by_data_entry_type_and_year(
        self, data_entry_type_id: int, year: int
    ) -> list[DataEntry]:
        """Entries of one type in every report of the year (DataEntry ⋈ module ⋈ report)."""
        statement = _of_type_and_year(select(DataEntry), data_entry_type_id, year).order_by(
            DataEntry.carbon_report_module_id, DataEntry.id
        )
        return await self.get_all(statement)

    async def count_by_data_entry_type_and_year(self, data_entry_type_id: int, year: int) -> int:
        statement = _of_type_and_year(
            select(func.count()).select_from(DataEntry), data_entry_type_id, year
        )
        return int((await self.session.execute(statement)).scalar_one())

    async def iter_batches_by_data_entry_type_and_year(
        self,
        data_entry_type_id: int,
        year: int,
        batch_size: int = 1000,
        *,
        after: tuple[int, int] | None = None,
        source: int | None = None,
        other_sources: bool = False,
        keep_job_id: int | None = None,
    ) -> AsyncIterator[list[EntryRow]]:
        """The same entries as light rows, in keyset batches on (module id, entry id).

        Each batch is read by short indexed queries (ix_data_entries_type_module_id), so
        nothing holds all entries in memory and no read transaction has to stay open between
        batches.
        `after` = (module id, entry id) of the last row already handled; `source`: only the
        entries it created (`other_sources`: only those it did not); `keep_job_id`: not those
        this import job created.
        """
        async for rows in self.iter_raw_batches_by_data_entry_type_and_year(
            data_entry_type_id,
            year,
            batch_size,
            after=after,
            source=source,
            other_sources=other_sources,
            keep_job_id=keep_job_id,
        ):
            yield decode_entries(rows)

    async def iter_raw_batches_by_data_entry_type_and_year(
        self,
        data_entry_type_id: int,
        year: int,
        batch_size: int = 1000,
        *,
        after: tuple[int, int] | None = None,
        source: int | None = None,
        other_sources: bool = False,
        keep_job_id: int | None = None,
    ) -> AsyncGenerator[Sequence[RawEntry]]:
        """`iter_batches_by_data_entry_type_and_year` with `data` left as JSON text, for a
        caller that decodes it off the event loop (`decode_entries`, in a worker thread).

        Read module by module (the year's modules holding entries of the type, listed once):
        each query is a range of one module's entries on ix_data_entries_type_module_id,
        whatever the planner knows. One keyset query joined over the modules was planned on
        tables without statistics yet (right after a big import) as a walk of every remaining
        entry per batch: 2,000 rows returned for 94,000 read, quadratic in the entries.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        columns = select(
            DataEntry.id,
            DataEntry.carbon_report_module_id,
            DataEntry.data_entry_type_id,
            cast(DataEntry.data, Text),
            DataEntry.revision,
        ).where(DataEntry.data_entry_type_id == data_entry_type_id)
        if source is not None:
            columns = columns.where(
                DataEntry.source != source if other_sources else DataEntry.source == source
            )
        if keep_job_id is not None:
            columns = columns.where(DataEntry.ingestion_job_id.is_distinct_from(keep_job_id))
        modules = await self.map_module_ids_by_data_entry_type([data_entry_type_id], year)
        batch: list[RawEntry] = []
        for module_id in modules.get(data_entry_type_id, []):
            if after is not None and module_id < after[0]:
                continue
            last_id = after[1] if after is not None and module_id == after[0] else None
            while True:
                wanted = batch_size - len(batch)
                page = columns.where(DataEntry.carbon_report_module_id == module_id)
                if last_id is not None:
                    page = page.where(DataEntry.id > last_id)
                rows = (await self.session.execute(page.order_by(DataEntry.id).limit(wanted))).all()
                batch += rows
                if len(batch) == batch_size:
                    yield batch
                    batch = []
                if len(rows) < wanted:
                    break  # the module is done
                last_id = rows[-1][0]
        if batch:
            yield batch

    async def map_revisions(self, entry_ids: Collection[int]) -> dict[int, int]:
        """Current revision by entry id (deleted entries are absent)."""
        if not entry_ids:
            return {}
        rows = await self.session.execute(
            select(DataEntry.id, DataEntry.revision).where(DataEntry.id.in_(set(entry_ids)))
        )
        return {entry_id: revision for entry_id, revision in rows}

    async def get_year_of_module(self, module_id: int) -> int | None:
        statement = (
            select(CarbonReport.year)
            .join(CarbonReportModule, CarbonReportModule.carbon_report_id == CarbonReport.id)
            .where(CarbonReportModule.id == module_id)
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def count_by_module(self, module_ids: Collection[int]) -> dict[int, int]:
        """Entry count by module id (modules without entries are absent)."""
        if not module_ids:
            return {}
        rows = await self.session.execute(
            select(DataEntry.carbon_report_module_id, func.count())
            .where(DataEntry.carbon_report_module_id.in_(set(module_ids)))
            .group_by(DataEntry.carbon_report_module_id)
        )
        return {module_id: count for module_id, count in rows}

    async def map_module_ids_by_data_entry_type(
        self, data_entry_type_ids: Collection[int], year: int
    ) -> dict[int, list[int]]:
        """Carbon report module ids holding entries of each type in the year's reports
        (types without entries are absent): what recalculating those types touches."""
        modules: dict[int, list[int]] = {}
        for data_entry_type_id in sorted(set(data_entry_type_ids)):
            # One probe of ix_data_entries_type_module_id per module of the year, not a walk of
            # every entry of the type (1,000,000 entries: about a second before the first batch).
            holding = (
                select(DataEntry.id)
                .where(
                    DataEntry.data_entry_type_id == data_entry_type_id,
                    DataEntry.carbon_report_module_id == CarbonReportModule.id,
                )
                .exists()
            )
            found = list(
                (
                    await self.session.execute(
                        select(CarbonReportModule.id)
                        .join(CarbonReport, CarbonReport.id == CarbonReportModule.carbon_report_id)
                        .where(CarbonReport.year == year, holding)
                        .order_by(CarbonReportModule.id)
                    )
                ).scalars()
            )
            if found:
                modules[data_entry_type_id] = found
        return modules

    # --- read API (/data-entries, /reports/emissions): entries with where they belong

    async def list_page_with_context(
        self,
        *,
        year: int,
        module_type_id: int | None = None,
        data_entry_type_id: int | None = None,
        unit_id: int | None = None,
        limit: int,
        offset: int,
    ) -> tuple[list[EntryWithContext], int]:
        """One page of the year's entries (by id) with their unit code and module
        type, and the number of matching entries: two queries."""
        conditions = [CarbonReport.year == year]
        if module_type_id is not None:
            conditions.append(CarbonReportModule.module_type_id == module_type_id)
        if data_entry_type_id is not None:
            conditions.append(DataEntry.data_entry_type_id == data_entry_type_id)
        if unit_id is not None:
            conditions.append(CarbonReport.unit_id == unit_id)
        total = (
            await self.session.execute(
                _with_context(select(func.count()).select_from(DataEntry)).where(*conditions)
            )
        ).scalar_one()
        rows = await self.session.execute(
            _with_context(_CONTEXT_COLUMNS)
            .where(*conditions)
            .order_by(DataEntry.id)
            .limit(limit)
            .offset(offset)
        )
        return [EntryWithContext(*row) for row in rows], int(total)

    async def get_with_context(self, entry_id: int) -> EntryWithContext | None:
        row = (
            await self.session.execute(
                _with_context(_CONTEXT_COLUMNS).where(DataEntry.id == entry_id)
            )
        ).one_or_none()
        return None if row is None else EntryWithContext(*row)

    async def count_by_module_type_and_data_entry_type(
        self, year: int, *, unit_id: int | None = None
    ) -> list[tuple[int, int, int]]:
        """(module type, data entry type, entries) over the reports of the year."""
        statement = (
            select(CarbonReportModule.module_type_id, DataEntry.data_entry_type_id, func.count())
            .join(CarbonReportModule, CarbonReportModule.id == DataEntry.carbon_report_module_id)
            .join(CarbonReport, CarbonReport.id == CarbonReportModule.carbon_report_id)
            .where(CarbonReport.year == year)
            .group_by(CarbonReportModule.module_type_id, DataEntry.data_entry_type_id)
        )
        if unit_id is not None:
            statement = statement.where(CarbonReport.unit_id == unit_id)
        rows = await self.session.execute(statement)
        return [(module_type, entry_type, int(count)) for module_type, entry_type, count in rows]

    async def delete_entry(self, entry: DataEntry) -> None:
        """Delete one loaded entry (its version is checked: StaleDataError if it changed)."""
        await self.session.delete(entry)
        await self.session.flush()
