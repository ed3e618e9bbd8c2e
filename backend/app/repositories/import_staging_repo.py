"""A SQLite data import's staging area: TEMP tables on the job's data connection, and the
final copy (PostgreSQL writes each batch straight into the real tables).

The compute phase stages every entry (keyed by `entry_key`, its row's ordinal, in row order) and
its emission rows in TEMP tables, batch by batch, each batch committed (TEMP rows only, no lock
on the main database). The write phase then copies them with INSERT ... SELECT in one short
transaction, a range of entry keys per statement (`KeyRange`), so the job can show progress
between two parts of a long copy. Entry ids are `entry_key + offset`, the offset the first id
after the highest, read inside the write transaction, which holds the database's only write
lock from its first statement (`BEGIN IMMEDIATE`): no other connection (an entry created
through the API takes no scope lock) can insert meanwhile.

The table plumbing (create, drop, per-batch commits, `BEGIN IMMEDIATE`) is shared with the
recalculation: `app.repositories.temp_staging`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Double,
    Integer,
    MetaData,
    Table,
    insert,
    literal,
    select,
    text,
)

from app.domain.ingestion import DataEntrySource
from app.models import DataEntry, DataEntryEmission, IntEnumType, JSONType, UTCDateTime
from app.repositories.base import table_of
from app.repositories.data_entry_emission_repo import WRITTEN_COLUMNS
from app.repositories.data_entry_import_repo import ENTRY_COPY_COLUMNS
from app.repositories.temp_staging import TempStagingRepository

_temp = MetaData()

# The page cache of the final copy: it adds to a leaf page per module in each index of
# data_entries, more pages for 300 modules than SQLite's default 2 MiB (500 pages) holds, so the
# copy spilled and reread them; with 8 MiB (2,048 pages: about 1,000 modules) the copy of
# 100,000 entries took half the CPU (1.5 s -> 0.75 s at load 9; 16 to 64 MiB no better). Only
# for the copy and the stats read after it, so the connections' steady memory stays as it was;
# the job's peak RSS grows by about the cache (16 MiB: 138 -> 168 MB for 100,000 rows through
# `co2calc data import`).
_COPY_CACHE_KIB = 8 * 1024

# One row per entry to create: where it goes (by unit: modules may not exist yet) and its data.
# The key is SQLite's rowid (a column declared INTEGER PRIMARY KEY): one b-tree, where a BIGINT
# key was a second one beside the table, each staged row written in both and each copied one
# read through both.
staged_entries = Table(
    "import_staged_entries",
    _temp,
    Column("entry_key", Integer, primary_key=True, autoincrement=False),
    Column("unit_id", Integer, nullable=False),
    Column("data_entry_type_id", Integer, nullable=False),
    Column("data", JSONType, nullable=False),
    prefixes=["TEMPORARY"],
)

# The emission rows of the staged entries (ids are assigned by the copy). Keyed, so that a part
# of the copy reads its own range of entries, in order, without scanning and sorting them all;
# stored in key order (WITHOUT ROWID: the key's b-tree is the table, no second one).
staged_emissions = Table(
    "import_staged_emissions",
    _temp,
    Column("entry_key", BigInteger, primary_key=True, autoincrement=False),
    # The row's rank among its entry's rows.
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("emission_type_id", Integer, nullable=False),
    Column("kg_co2eq", Double, nullable=False),
    Column("factor_id", Integer),
    Column("factor_revision", Integer),
    Column("meta", JSONType, nullable=False),
    prefixes=["TEMPORARY"],
    sqlite_with_rowid=False,
)

# Filled inside the write transaction, once the reports and modules exist.
staged_modules = Table(
    "import_staged_modules",
    _temp,
    Column("unit_id", Integer, primary_key=True, autoincrement=False),
    Column("module_id", Integer, nullable=False),
    prefixes=["TEMPORARY"],
)


@dataclass(frozen=True, slots=True)
class KeyRange:
    """The staged entries low <= entry_key < high: one part of the final copy."""

    low: int
    high: int

    def of(self, entry_key: ColumnElement[int]) -> ColumnElement[bool]:
        return entry_key.between(self.low, self.high - 1)


def key_ranges(staged: int, part: int) -> list[KeyRange]:
    """The keys 0 .. staged - 1 (staging keys are row ordinals) in parts of `part` keys."""
    return [KeyRange(low, min(low + part, staged)) for low in range(0, staged, part)]


class ImportStagingRepository(TempStagingRepository):
    tables: ClassVar[tuple[Table, ...]] = (staged_entries, staged_emissions, staged_modules)

    async def stage(
        self, entries: Sequence[Mapping[str, Any]], emissions: Sequence[Mapping[str, Any]]
    ) -> None:
        """Add one batch: entry rows (entry_key, unit_id, data_entry_type_id, data) and
        emission rows (entry_key, position, emission_type_id, kg_co2eq, factor_id,
        factor_revision, meta)."""
        await self.add_rows(staged_entries, entries)
        await self.add_rows(staged_emissions, emissions)

    async def set_modules(self, module_of_unit: Mapping[int, int]) -> None:
        """The module each unit's entries go to (call inside the write transaction)."""
        if module_of_unit:
            await self.session.execute(
                insert(staged_modules),
                [{"unit_id": u, "module_id": m} for u, m in module_of_unit.items()],
            )

    async def widen_cache(self) -> int:
        """The connection's page cache raised for the final copy; returns the setting to
        restore (`restore_cache`)."""
        before = int(await self.session.scalar(text("PRAGMA cache_size")) or 0)
        await self.session.execute(text(f"PRAGMA cache_size=-{_COPY_CACHE_KIB}"))
        return before

    async def restore_cache(self, setting: int) -> None:
        await self.session.execute(text(f"PRAGMA cache_size={int(setting)}"))

    async def copy_entries(
        self,
        part: KeyRange,
        *,
        offset: int,
        source: DataEntrySource,
        job_id: int,
        created_at: datetime,
    ) -> int:
        """Create the staged entries of `part` (id = entry_key + offset); returns how many."""
        rows = (
            select(
                staged_entries.c.entry_key + offset,
                staged_modules.c.module_id,
                staged_entries.c.data_entry_type_id,
                staged_entries.c.data,
                literal(source, IntEnumType(DataEntrySource)),
                literal(job_id, Integer),
                literal(1, Integer),
                literal(created_at, UTCDateTime),
                literal(created_at, UTCDateTime),
            )
            .join(staged_modules, staged_modules.c.unit_id == staged_entries.c.unit_id)
            .where(part.of(staged_entries.c.entry_key))
            .order_by(staged_entries.c.entry_key)
        )
        return await self.insert_from_select(table_of(DataEntry), ENTRY_COPY_COLUMNS, rows)

    async def copy_emissions(self, part: KeyRange, *, offset: int, computed_at: datetime) -> int:
        """Create the staged emission rows of the entries of `part` copied with the same
        offset."""
        rows = (
            select(
                staged_emissions.c.entry_key + offset,
                staged_emissions.c.emission_type_id,
                staged_emissions.c.kg_co2eq,
                staged_emissions.c.factor_id,
                staged_emissions.c.factor_id,
                staged_emissions.c.factor_revision,
                staged_emissions.c.meta,
                literal(computed_at, UTCDateTime),
            )
            .where(part.of(staged_emissions.c.entry_key))
            .order_by(staged_emissions.c.entry_key, staged_emissions.c.position)
        )
        return await self.insert_from_select(table_of(DataEntryEmission), WRITTEN_COLUMNS, rows)
