"""Set-based writes of entry imports: ids allocated up front, entries written by executemany
(or COPY on PostgreSQL).

Kept apart from DataEntryRepository (reads and per-entry work) so imports, the demo loader
and benchmarks share one bulk path, never one ORM object per row.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, case, cast, delete, func, insert, select
from sqlalchemy.dialects.postgresql import REGCLASS
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ingestion import DataEntrySource
from app.models import CarbonReport, CarbonReportModule, DataEntry, DataEntryEmission
from app.repositories.base import table_of
from app.repositories.copy_rows import copy_formatted, copy_lines
from app.repositories.data_entry_emission_repo import WRITTEN_COLUMNS

# Rows per executemany call: the driver batches further (insertmanyvalues), this only bounds
# how much one call holds.
CHUNK = 10_000

# The columns an import writes of each entry, in this order: the PostgreSQL COPY (`copy_in`)
# and the SQLite copy from staging. First the ids and modules, which an import knows once its
# batch is on the loop, then the columns whose text the COPY has formatted ahead in a worker
# thread (`entry_copy_cells`, `emission_copy_cells`).
ENTRY_COPY_COLUMNS = (
    "id",
    "carbon_report_module_id",
    "data_entry_type_id",
    "data",
    "source",
    "ingestion_job_id",
    "revision",
    "created_at",
    "updated_at",
)
_ENTRY_CELLS = ENTRY_COPY_COLUMNS[2:]
_EMISSION_CELLS = WRITTEN_COLUMNS[1:]


def entry_copy_cells(entries: Sequence[Mapping[str, Any]]) -> list[str]:
    """Each entry's COPY text of the columns after its id and module (keys: those of
    ENTRY_COPY_COLUMNS; others are not read). Pure: run it in a thread."""
    return copy_lines(table_of(DataEntry), _ENTRY_CELLS, entries)


def emission_copy_cells(emissions: Sequence[Mapping[str, Any]]) -> list[str]:
    """Each emission row's COPY text of the columns after its entry id (keys: those of
    WRITTEN_COLUMNS; data_entry_id is not read). Pure: run it in a thread."""
    return copy_lines(table_of(DataEntryEmission), _EMISSION_CELLS, emissions)


def _modules_of_year(year: int) -> Select[int]:
    return (
        select(CarbonReportModule.id)
        .join(CarbonReport, CarbonReport.id == CarbonReportModule.carbon_report_id)
        .where(CarbonReport.year == year)
    )


class DataEntryImportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def allocate_ids(self, count: int) -> list[int]:
        """`count` fresh entry ids, so entries and their emission rows can be written with
        plain executemany (INSERT ... RETURNING in parameter order is several times slower).

        PostgreSQL takes them from the id sequence. SQLite continues after the highest id:
        call it in a transaction that has already written (it holds the database's only write
        lock until it commits, so no other connection can insert meanwhile).
        """
        if count <= 0:
            return []
        if self.session.get_bind().dialect.name == "postgresql":
            # The sequence looked up once, in a subquery: called per id, the lookup was nine
            # tenths of the statement (100,000 ids in psql: 540 to 1,000 ms, 55 to 110 once).
            sequence = select(func.pg_get_serial_sequence(DataEntry.__tablename__, "id"))
            next_id = func.nextval(cast(sequence.scalar_subquery(), REGCLASS))
            rows = await self.session.execute(
                select(next_id).select_from(func.generate_series(1, count))
            )
            return sorted(int(value) for value in rows.scalars())
        start = await self.next_free_id()
        return list(range(start, start + count))

    async def next_free_id(self) -> int:
        """SQLite: the first id after the highest entry id. Only safe in a transaction that
        holds the write lock (it has written, or began with `BEGIN IMMEDIATE`)."""
        highest = await self.session.scalar(select(func.max(DataEntry.id)))
        return int(highest or 0) + 1

    async def insert_many(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert entries with one executemany (keys: id from allocate_ids,
        carbon_report_module_id, data_entry_type_id, data, source, ingestion_job_id,
        revision, created_at, updated_at)."""
        if not rows:
            return 0
        await self.session.execute(insert(table_of(DataEntry)), list(rows))
        return len(rows)

    async def copy_in(self, entries: bytes, emissions: bytes) -> None:
        """PostgreSQL: write entries (COPY text of ENTRY_COPY_COLUMNS) and their emission
        rows (of WRITTEN_COLUMNS) with one COPY each."""
        await copy_formatted(self.session, table_of(DataEntry), ENTRY_COPY_COLUMNS, entries)
        if emissions:
            await copy_formatted(
                self.session, table_of(DataEntryEmission), WRITTEN_COLUMNS, emissions
            )

    async def list_module_ids_by_source(
        self,
        source: DataEntrySource,
        data_entry_type_ids: Collection[int],
        year: int,
        *,
        keep_job_id: int | None = None,
    ) -> list[int]:
        """Modules of the year holding entries of these types created by `source` (but by
        the job `keep_job_id`)."""
        rows = await self.session.execute(
            select(DataEntry.carbon_report_module_id)
            .where(*_by_source(source, data_entry_type_ids, year, keep_job_id))
            .distinct()
        )
        return sorted(rows.scalars())

    async def count_by_type_and_source(
        self,
        source: DataEntrySource,
        data_entry_type_ids: Collection[int],
        year: int,
        *,
        keep_job_id: int | None = None,
    ) -> dict[int, tuple[int, int]]:
        """(all entries, entries created by `source`) of the year by type, in one grouped
        query, leaving out those of the job `keep_job_id`; a type without entries is absent."""
        from_source = func.sum(case((DataEntry.source == int(source), 1), else_=0))
        statement = select(DataEntry.data_entry_type_id, func.count(), from_source).where(
            DataEntry.data_entry_type_id.in_(set(data_entry_type_ids)),
            DataEntry.carbon_report_module_id.in_(_modules_of_year(year)),
        )
        if keep_job_id is not None:
            statement = statement.where(DataEntry.ingestion_job_id.is_distinct_from(keep_job_id))
        rows = await self.session.execute(statement.group_by(DataEntry.data_entry_type_id))
        return {type_id: (int(total), int(found)) for type_id, total, found in rows}

    async def delete_by_source(
        self,
        source: DataEntrySource,
        data_entry_type_ids: Collection[int],
        year: int,
        *,
        keep_job_id: int | None = None,
    ) -> int:
        """Delete the year's entries of these types created by `source`, but those of the job
        `keep_job_id` (an import replacing earlier ones may have written its own already);
        their emission rows go by cascade. Returns how many entries went."""
        result = await self.session.execute(
            delete(table_of(DataEntry)).where(
                *_by_source(source, data_entry_type_ids, year, keep_job_id)
            )
        )
        return max(int(getattr(result, "rowcount", 0) or 0), 0)


def _by_source(
    source: DataEntrySource,
    data_entry_type_ids: Collection[int],
    year: int,
    keep_job_id: int | None,
) -> list[ColumnElement[bool]]:
    conditions = [
        DataEntry.source == int(source),
        DataEntry.data_entry_type_id.in_(set(data_entry_type_ids)),
        DataEntry.carbon_report_module_id.in_(_modules_of_year(year)),
    ]
    if keep_job_id is not None:
        conditions.append(DataEntry.ingestion_job_id.is_distinct_from(keep_job_id))
    return conditions
