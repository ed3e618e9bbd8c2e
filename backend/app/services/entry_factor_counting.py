"""Count, per data entry type and year, the entries the current factors leave out of date.

Runs when a factor import that changed something commits (in its data transaction, so the
counts and the factors become visible together), and in `co2calc db upgrade` for the counts
never taken: every entry of the types is computed with the current factors through
`compute_entry`, in keyset batches, and compared with the factor versions its stored rows name
(app.emissions.factor_versions). Nothing but the counts is written.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Collection, Mapping

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.recalculation_status import EntryCounts
from app.emissions import FactorIndex, compute_entry
from app.emissions.factor_versions import (
    EntryStanding,
    FactorVersions,
    affected_and_unresolvable,
    standing,
)
from app.repositories.data_entry_emission_repo import DataEntryEmissionRepository
from app.repositories.data_entry_repo import DataEntryRepository
from app.repositories.entry_factor_count_repo import EntryFactorCountRepository
from app.services.factor_service import FactorService

logger = logging.getLogger(__name__)

BATCH_SIZE = 2_000


class EntryFactorCountingService:
    def __init__(self, session: AsyncSession, *, batch_size: int = BATCH_SIZE) -> None:
        self.session = session
        self.batch_size = batch_size
        self.entries = DataEntryRepository(session)
        self.emissions = DataEntryEmissionRepository(session)
        self.counts = EntryFactorCountRepository(session)

    async def recount(
        self, data_entry_type_ids: Collection[int], year: int
    ) -> dict[int, EntryCounts]:
        """Count and store the types' entries against the factors as they stand now."""
        await self.counts.lock(data_entry_type_ids, year)
        index = await FactorService(self.session).get_index_for_types(data_entry_type_ids, year)
        counted: dict[int, EntryCounts] = {}
        for type_id in data_entry_type_ids:
            tally = await self.tally(type_id, year, index)
            affected, unresolvable = affected_and_unresolvable(tally)
            counted[type_id] = EntryCounts(tally.total(), affected, unresolvable)
        await self.counts.store(year, counted)
        return counted

    async def tally(
        self,
        type_id: int,
        year: int,
        index: FactorIndex,
        *,
        source: int | None = None,
        other_sources: bool = False,
        keep_job_id: int | None = None,
    ) -> Counter[EntryStanding]:
        """The standings of the type's entries of the year (only those `source` created, when
        given, or with `other_sources` those it did not; never those of the job
        `keep_job_id`), computed in keyset batches; nothing is written."""
        tally: Counter[EntryStanding] = Counter()
        async for batch in self.entries.iter_batches_by_data_entry_type_and_year(
            type_id,
            year,
            self.batch_size,
            source=source,
            other_sources=other_sources,
            keep_job_id=keep_job_id,
        ):
            stored = await self.emissions.map_factor_versions([e.id for e in batch])
            for entry in batch:
                stored_versions = stored.get(entry.id, frozenset())
                tally[entry_standing(type_id, entry.data, year, index, stored_versions)] += 1
        return tally


async def count_uncounted(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Take the counts never taken (NULL since the upgrade that added them, or entries without
    a row), each year in its own transaction (on SQLite the write lock is held for one year's
    count at a time); returns how many (type, year) were counted. Counted ones are left alone."""
    async with sessions() as session:
        pending = await EntryFactorCountRepository(session).list_uncounted()
    for year, type_ids in pending.items():
        async with sessions() as session:
            await EntryFactorCountingService(session).recount(type_ids, year)
            await session.commit()
    return sum(len(type_ids) for type_ids in pending.values())


def entry_standing(
    type_id: int,
    data: Mapping[str, object],
    year: int,
    index: FactorIndex,
    stored: FactorVersions,
) -> EntryStanding:
    """An entry's standing; a calculator bug (anything but an entry error) is logged and
    leaves the entry uncounted as affected, rather than failing the factor import."""
    try:
        return standing(compute_entry(type_id, data, year, index), stored)
    except Exception:
        logger.exception("counting entries of type %s: a calculator failed", type_id)
        return EntryStanding.not_factor_bound
