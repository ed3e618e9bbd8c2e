"""A recalculation's staging area: TEMP tables on the data connection, and the final swap.

Results are staged per entry with the revision the recalculation read, then swapped in with
set-based statements: only entries whose revision is still the staged one get their emission
rows replaced, so a single-entry edit committed meanwhile (which bumped the revision and
recomputed the entry with the same factors) is neither overwritten nor blocked for long.

The TEMP table plumbing (create, drop, per-batch commits on SQLite, `BEGIN IMMEDIATE`) is
shared with the data import: `app.repositories.temp_staging`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Double,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    and_,
    delete,
    false,
    func,
    select,
    update,
)

from app.emissions import EmissionRow, EntryError
from app.emissions.entry import reason
from app.models import DataEntry, DataEntryEmission, JSONType, UTCDateTime
from app.repositories.base import table_of
from app.repositories.data_entry_emission_repo import WRITTEN_COLUMNS, insertable_rows
from app.repositories.data_entry_repo import EntryRow
from app.repositories.temp_staging import TempStagingRepository, rowcount

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
    # Room on every page, so that the swap's UPDATE of `accepted` stays on the row's page
    # (a HOT update: no new primary-key entry); on full pages it took twice as long.
    postgresql_with={"fillfactor": 50},
)

# The new emission rows, shaped like data_entry_emissions (ids are assigned at the swap).
staged_emissions = Table(
    "recalc_staged_emissions",
    _temp,
    Column("data_entry_id", Integer, nullable=False),
    Column("emission_type_id", Integer, nullable=False),
    Column("kg_co2eq", Double, nullable=False),
    Column("factor_id", Integer),
    Column("factor_ref_id", Integer),
    Column("factor_revision", Integer),
    Column("meta", JSONType, nullable=False),
    Column("computed_at", UTCDateTime, nullable=False),
    # A swap in parts reads the rows of one range of entries: without it each part scanned
    # every staged row (a million, once per part of 20,000).
    Index("ix_recalc_staged_emissions_entry", "data_entry_id"),
    prefixes=["TEMPORARY"],
)


STAGED_EMISSION_COLUMNS = WRITTEN_COLUMNS


def staged_rows(
    batch: Iterable[EntryRow],
    computed: Iterable[list[EmissionRow] | EntryError],
    computed_at: datetime,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Pure (run it in a thread, off the event loop): a computed batch as staged rows, one
    entry row each (with its entry error, if any) and its emission rows (keyed as
    STAGED_EMISSION_COLUMNS). Dict displays, not dicts zipped from the column names: the
    zipping was half the time of this loop."""
    entry_rows: list[dict[str, Any]] = []
    emission_rows: list[dict[str, Any]] = []
    for entry, result in zip(batch, computed, strict=True):
        error = None
        if isinstance(result, EntryError):
            error = reason(result)
        else:
            emission_rows += insertable_rows(entry.id, result, computed_at)
        entry_rows.append(
            {
                "entry_id": entry.id,
                "data_entry_type_id": entry.data_entry_type_id,
                "carbon_report_module_id": entry.carbon_report_module_id,
                "revision": entry.revision,
                "error": error,
            }
        )
    return entry_rows, emission_rows


@dataclass(frozen=True, slots=True)
class EntryRange:
    """Staged entries by id, low <= id < high (None: unbounded), for a swap done in parts."""

    low: int | None = None
    high: int | None = None

    def of(self, entry_id: ColumnElement[int]) -> list[ColumnElement[bool]]:
        bounds = []
        if self.low is not None:
            bounds.append(entry_id >= self.low)
        if self.high is not None:
            bounds.append(entry_id < self.high)
        return bounds


EVERY_ENTRY = EntryRange()


class RecalculationStagingRepository(TempStagingRepository):
    tables: ClassVar[tuple[Table, ...]] = (staged_entries, staged_emissions)

    async def stage(
        self, entries: Sequence[Mapping[str, Any]], emissions: Sequence[Mapping[str, Any]]
    ) -> None:
        """Add one batch, as `staged_rows` makes it. COPY on PostgreSQL: a per-row executemany
        there was a third of the job's time."""
        await self.add_rows(staged_entries, entries)
        await self.add_rows(staged_emissions, emissions)

    async def begin_swap(self) -> None:
        """Start the write transaction of the swap (`begin_write`: on SQLite, `BEGIN
        IMMEDIATE` after committing the staging; on PostgreSQL row locks are taken by
        `accept_unchanged`)."""
        await self.begin_write()

    async def count_staged(self, data_entry_type_id: int) -> int:
        return int(
            await self.session.scalar(
                select(func.count()).where(
                    staged_entries.c.data_entry_type_id == data_entry_type_id
                )
            )
            or 0
        )

    async def split(self, data_entry_type_id: int, size: int) -> list[EntryRange]:
        """The type's staged entries in ranges of `size` entries by id, in order, each with
        both bounds."""
        numbered = (
            select(
                staged_entries.c.entry_id,
                func.row_number().over(order_by=staged_entries.c.entry_id).label("n"),
            )
            .where(staged_entries.c.data_entry_type_id == data_entry_type_id)
            .subquery()
        )
        lows = list(
            (
                await self.session.execute(
                    select(numbered.c.entry_id)
                    .where((numbered.c.n - 1) % size == 0)
                    .order_by(numbered.c.entry_id)
                )
            ).scalars()
        )
        if not lows:
            return []
        last = await self.session.scalar(
            select(func.max(staged_entries.c.entry_id)).where(
                staged_entries.c.data_entry_type_id == data_entry_type_id
            )
        )
        # Bounded on both sides, the first and last parts too: without statistics on the TEMP
        # tables PostgreSQL planned the swap's DELETE of an open range as a hash join over a
        # sequential scan of every stored emission row, of all types and years.
        return [
            EntryRange(low, high)
            for low, high in zip(lows, [*lows[1:], int(last) + 1], strict=True)
        ]

    async def accept_unchanged(
        self, data_entry_type_id: int, part: EntryRange = EVERY_ENTRY
    ) -> int:
        """Mark the staged entries of a type (in `part`) whose revision is still the staged
        one; returns how many.

        PostgreSQL locks those entry rows (FOR UPDATE) for the rest of the transaction, so an
        edit cannot slip in between this check and the write: an edit that holds a row is
        waited for, and the row is then re-checked and left out. SQLite holds the database's
        write lock already (`begin_swap`).
        """
        entries = table_of(DataEntry)
        staged = staged_entries.alias("staged")
        unchanged = (
            select(entries.c.id)
            .join(
                staged,
                and_(staged.c.entry_id == entries.c.id, staged.c.revision == entries.c.revision),
            )
            .where(staged.c.data_entry_type_id == data_entry_type_id, *part.of(staged.c.entry_id))
            .with_for_update(of=entries)  # rendered on PostgreSQL only
        )
        return rowcount(
            await self.session.execute(
                update(staged_entries)
                .where(
                    staged_entries.c.data_entry_type_id == data_entry_type_id,
                    *part.of(staged_entries.c.entry_id),
                    staged_entries.c.entry_id.in_(unchanged),
                )
                .values(accepted=True)
            )
        )

    async def replace_emissions(
        self, data_entry_type_id: int, part: EntryRange = EVERY_ENTRY
    ) -> int:
        """Replace the emission rows of the accepted entries of a type (in `part`) by the
        staged rows (entries in error end with none); returns the number of rows written."""
        emissions = table_of(DataEntryEmission)
        accepted_ids = select(staged_entries.c.entry_id).where(
            staged_entries.c.data_entry_type_id == data_entry_type_id,
            staged_entries.c.accepted,
            *part.of(staged_entries.c.entry_id),
        )
        await self.session.execute(
            delete(emissions).where(
                emissions.c.data_entry_id.in_(accepted_ids),
                # The range on the stored rows too, so their index is scanned whatever the
                # statistics say: on a table never analyzed PostgreSQL hash-joined a full scan
                # of every emission row per part (0.2 s a part at a million rows, 44 s a run).
                *part.of(emissions.c.data_entry_id),
            )
        )
        columns = STAGED_EMISSION_COLUMNS
        rows = select(*(staged_emissions.c[name] for name in columns)).join(
            staged_entries,
            and_(
                staged_entries.c.entry_id == staged_emissions.c.data_entry_id,
                staged_entries.c.data_entry_type_id == data_entry_type_id,
                staged_entries.c.accepted,
                *part.of(staged_entries.c.entry_id),
                # The range on this side too: PostgreSQL does not carry it over the join, and
                # without statistics on the TEMP tables it scanned every staged row per part.
                *part.of(staged_emissions.c.data_entry_id),
            ),
        )
        return await self.insert_from_select(emissions, columns, rows)

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
