"""A recalculation's staging area: TEMP tables on the data connection, and the final swap.

Results are staged per entry with the revision the recalculation read, then swapped in with
set-based statements: only entries whose revision is still the staged one get their emission
rows replaced, so a single-entry edit committed meanwhile (which bumped the revision and
recomputed the entry with the same factors) is neither overwritten nor blocked for long.

TEMP tables live on one connection (the job's data session is bound to one for the whole
job). On SQLite they are in their own file, so staging writes never take the main database's
write lock; on PostgreSQL they are private to the session and never conflict with anything.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Double,
    Integer,
    MetaData,
    Table,
    Text,
    and_,
    delete,
    false,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import DataEntry, DataEntryEmission, JSONType, UTCDateTime
from app.repositories.base import table_of

_temp = MetaData()

# One row per entry read: what it was (revision) and how its computation went (error).
staged_entries = Table(
    "recalc_staged_entries",
    _temp,
    Column("entry_id", Integer, primary_key=True),
    Column("data_entry_type_id", Integer, nullable=False),
    Column("carbon_report_module_id", Integer, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("error", Text),
    # Set by the swap: the entry is unchanged since it was read and gets the staged rows.
    Column("accepted", Boolean, nullable=False, server_default=false()),
    prefixes=["TEMPORARY"],
)

# The new emission rows, shaped like data_entry_emissions (ids are assigned at the swap).
staged_emissions = Table(
    "recalc_staged_emissions",
    _temp,
    Column("data_entry_id", Integer, nullable=False),
    Column("emission_type_id", Integer, nullable=False),
    Column("kg_co2eq", Double, nullable=False),
    Column("factor_id", Integer),
    Column("meta", JSONType, nullable=False),
    Column("computed_at", UTCDateTime, nullable=False),
    prefixes=["TEMPORARY"],
)

_TABLES = (staged_entries, staged_emissions)


def _rowcount(result: Any) -> int:
    assert isinstance(result, CursorResult)
    return max(result.rowcount, 0)


class RecalculationStagingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def is_sqlite(self) -> bool:
        return self.session.get_bind().dialect.name == "sqlite"

    async def create(self) -> None:
        """Fresh, empty staging tables on the session's connection.

        A run that failed on SQLite may have left its tables on this (pooled) connection:
        they are dropped first. On PostgreSQL a failed run's rollback already removed them.
        """
        await self.drop()
        connection = await self.session.connection()
        for table in _TABLES:
            await connection.run_sync(table.create)

    async def drop(self) -> None:
        for table in _TABLES:
            await self.session.execute(text(f"DROP TABLE IF EXISTS {table.name}"))

    async def stage(
        self, entries: Sequence[Mapping[str, Any]], emissions: Sequence[Mapping[str, Any]]
    ) -> None:
        """Add one batch: entry rows (entry_id, data_entry_type_id, carbon_report_module_id,
        revision, error) and emission rows (the keys of data_entry_emissions)."""
        if entries:
            await self.session.execute(insert(staged_entries), list(entries))
        if emissions:
            await self.session.execute(insert(staged_emissions), list(emissions))

    async def commit_staged_on_sqlite(self) -> None:
        """SQLite only: commit the staged batch (the only writes of the transaction are TEMP
        rows) so no read snapshot of the main database is held between batches; a snapshot
        that another connection's commit (job progress, an edit) made stale could never be
        upgraded to write. On PostgreSQL the whole recalculation stays one transaction."""
        if self.is_sqlite:
            await self.session.commit()

    async def begin_swap(self) -> None:
        """Start the write transaction of the swap.

        SQLite: commit the staging (TEMP rows only), then `BEGIN IMMEDIATE` as the first
        statement of the new transaction: it takes the write lock up front, so the swap never
        meets a stale snapshot, and other writers wait on the busy timeout, then succeed.
        PostgreSQL: nothing to do (row locks are taken by `accept_unchanged`).
        """
        if self.is_sqlite:
            await self.session.commit()
            await self.session.execute(text("BEGIN IMMEDIATE"))

    async def accept_unchanged(self, data_entry_type_id: int) -> tuple[int, int]:
        """Mark the staged entries of a type whose revision is still the staged one.

        PostgreSQL locks those entry rows (FOR UPDATE) for the rest of the transaction, so an
        edit cannot slip in between this check and the write: an edit that holds a row is
        waited for, and the row is then re-checked and left out. SQLite holds the database's
        write lock already (`begin_swap`). Returns (accepted, staged) counts.
        """
        entries = table_of(DataEntry)
        staged = staged_entries.alias("staged")
        unchanged = (
            select(entries.c.id)
            .join(
                staged,
                and_(staged.c.entry_id == entries.c.id, staged.c.revision == entries.c.revision),
            )
            .where(staged.c.data_entry_type_id == data_entry_type_id)
            .with_for_update(of=entries)  # rendered on PostgreSQL only
        )
        accepted = _rowcount(
            await self.session.execute(
                update(staged_entries)
                .where(
                    staged_entries.c.data_entry_type_id == data_entry_type_id,
                    staged_entries.c.entry_id.in_(unchanged),
                )
                .values(accepted=True)
            )
        )
        total = await self.session.scalar(
            select(func.count()).where(staged_entries.c.data_entry_type_id == data_entry_type_id)
        )
        return accepted, int(total or 0)

    async def replace_emissions(self, data_entry_type_id: int) -> int:
        """Replace the emission rows of the accepted entries of a type by the staged rows
        (entries in error end with none); returns the number of rows written."""
        emissions = table_of(DataEntryEmission)
        accepted_ids = select(staged_entries.c.entry_id).where(
            staged_entries.c.data_entry_type_id == data_entry_type_id,
            staged_entries.c.accepted,
        )
        await self.session.execute(
            delete(emissions).where(emissions.c.data_entry_id.in_(accepted_ids))
        )
        columns = ["data_entry_id", "emission_type_id", "kg_co2eq", "factor_id", "meta"]
        rows = select(
            *(staged_emissions.c[name] for name in columns), staged_emissions.c.computed_at
        ).join(
            staged_entries,
            and_(
                staged_entries.c.entry_id == staged_emissions.c.data_entry_id,
                staged_entries.c.data_entry_type_id == data_entry_type_id,
                staged_entries.c.accepted,
            ),
        )
        result = await self.session.execute(
            insert(emissions)
            .from_select([*columns, "computed_at"], rows)
            # An INSERT's rowcount is dropped by default (kept for UPDATE/DELETE only).
            .execution_options(preserve_rowcount=True)
        )
        return _rowcount(result)

    async def count_accepted_errors(self, data_entry_type_id: int) -> int:
        return int(
            await self.session.scalar(
                select(func.count()).where(
                    staged_entries.c.data_entry_type_id == data_entry_type_id,
                    staged_entries.c.accepted,
                    staged_entries.c.error.is_not(None),
                )
            )
            or 0
        )

    async def list_accepted_errors(
        self, data_entry_type_id: int, limit: int
    ) -> list[tuple[int, str]]:
        """(entry id, reason) of the first accepted entries in error, by entry id."""
        rows = await self.session.execute(
            select(staged_entries.c.entry_id, staged_entries.c.error)
            .where(
                staged_entries.c.data_entry_type_id == data_entry_type_id,
                staged_entries.c.accepted,
                staged_entries.c.error.is_not(None),
            )
            .order_by(staged_entries.c.entry_id)
            .limit(limit)
        )
        return [(entry_id, str(error)) for entry_id, error in rows]

    async def list_module_ids(self, data_entry_type_ids: Collection[int]) -> list[int]:
        """The modules whose entries of these types were staged (their stats must be redone)."""
        if not data_entry_type_ids:
            return []
        rows = await self.session.execute(
            select(staged_entries.c.carbon_report_module_id)
            .where(staged_entries.c.data_entry_type_id.in_(list(data_entry_type_ids)))
            .distinct()
        )
        return list(rows.scalars())
