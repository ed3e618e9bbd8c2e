"""A data import's staging area: TEMP tables on the job's data connection, and the final copy.

The compute phase stages every entry (keyed by `entry_key`, in row order) and its emission rows
in TEMP tables, batch by batch (on SQLite each batch is committed: TEMP rows only, no lock on
the main database). The write phase then copies them with INSERT ... SELECT in one short
transaction. Entry ids are `entry_key + offset`:

- PostgreSQL: `entry_key` is already the entry id, taken from the id sequence while staging
  (a sequence value is never handed out twice), and the offset is 0;
- SQLite: `entry_key` is the row's ordinal and the offset is the first id after the highest,
  read inside the write transaction, which holds the database's only write lock from its
  first statement (`BEGIN IMMEDIATE`): no other connection (an entry created through the API
  takes no scope lock) can insert meanwhile.

The table plumbing (create, drop, per-batch commits, `BEGIN IMMEDIATE`) is shared with the
recalculation: `app.repositories.temp_staging`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Column,
    Double,
    Integer,
    MetaData,
    Table,
    insert,
    literal,
    select,
)

from app.domain.ingestion import DataEntrySource
from app.models import DataEntry, DataEntryEmission, IntEnumType, JSONType, UTCDateTime
from app.repositories.base import table_of
from app.repositories.data_entry_emission_repo import WRITTEN_COLUMNS
from app.repositories.temp_staging import TempStagingRepository

_temp = MetaData()

# One row per entry to create: where it goes (by unit: modules may not exist yet) and its data.
staged_entries = Table(
    "import_staged_entries",
    _temp,
    Column("entry_key", BigInteger, primary_key=True, autoincrement=False),
    Column("unit_id", Integer, nullable=False),
    Column("data_entry_type_id", Integer, nullable=False),
    Column("data", JSONType, nullable=False),
    prefixes=["TEMPORARY"],
)

# The emission rows of the staged entries (ids are assigned by the copy).
staged_emissions = Table(
    "import_staged_emissions",
    _temp,
    Column("entry_key", BigInteger, nullable=False),
    Column("position", Integer, nullable=False),  # the row's rank among its entry's rows
    Column("emission_type_id", Integer, nullable=False),
    Column("kg_co2eq", Double, nullable=False),
    Column("factor_id", Integer),
    Column("factor_revision", Integer),
    Column("meta", JSONType, nullable=False),
    prefixes=["TEMPORARY"],
)

# Filled inside the write transaction, once the reports and modules exist.
staged_modules = Table(
    "import_staged_modules",
    _temp,
    Column("unit_id", Integer, primary_key=True, autoincrement=False),
    Column("module_id", Integer, nullable=False),
    prefixes=["TEMPORARY"],
)


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

    async def copy_entries(
        self, *, offset: int, source: DataEntrySource, job_id: int, created_at: datetime
    ) -> int:
        """Create the staged entries (id = entry_key + offset); returns how many."""
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
            .order_by(staged_entries.c.entry_key)
        )
        columns = [
            "id",
            "carbon_report_module_id",
            "data_entry_type_id",
            "data",
            "source",
            "ingestion_job_id",
            "revision",
            "created_at",
            "updated_at",
        ]
        return await self.insert_from_select(table_of(DataEntry), columns, rows)

    async def copy_emissions(self, *, offset: int, computed_at: datetime) -> int:
        """Create the staged emission rows of the entries copied with the same offset."""
        rows = select(
            staged_emissions.c.entry_key + offset,
            staged_emissions.c.emission_type_id,
            staged_emissions.c.kg_co2eq,
            staged_emissions.c.factor_id,
            staged_emissions.c.factor_id,
            staged_emissions.c.factor_revision,
            staged_emissions.c.meta,
            literal(computed_at, UTCDateTime),
        ).order_by(staged_emissions.c.entry_key, staged_emissions.c.position)
        return await self.insert_from_select(table_of(DataEntryEmission), WRITTEN_COLUMNS, rows)
