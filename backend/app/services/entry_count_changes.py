"""Keep the entry factor counts exact as entries are imported, edited and deleted.

A factor import counts every entry of its types and a recalculation resets `affected`; in
between, each entry write moves its type's counts by the standing (app.emissions.
factor_versions) of what it removed and of what it wrote, in the write's own transaction, so
the counts commit or roll back with it. A type never counted (no row) stays uncounted until
its next count, and a count that is NULL stays NULL: a change can only be added to a count
that was exact.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ingestion import DataEntrySource
from app.domain.recalculation_status import EntryCountChange, EntryCounts
from app.emissions import FactorIndex
from app.emissions.factor_versions import EntryStanding, affected_and_unresolvable
from app.repositories.data_entry_emission_repo import DataEntryEmissionRepository
from app.repositories.data_entry_import_repo import DataEntryImportRepository
from app.repositories.entry_factor_count_repo import EntryFactorCountRepository
from app.services.entry_factor_counting import EntryFactorCountingService, entry_standing
from app.services.factor_service import FactorService


def change_of(standings: Mapping[EntryStanding, int]) -> EntryCountChange:
    """The counts these entries add (negate it for entries removed)."""
    affected, unresolvable = affected_and_unresolvable(standings)
    return EntryCountChange(sum(standings.values()), affected, unresolvable)


def _all_of(counts: EntryCounts) -> EntryCountChange:
    """Everything a counts row holds (a NULL count as 0: adding to NULL keeps it NULL)."""
    return EntryCountChange(counts.entries, counts.affected or 0, counts.unresolvable or 0)


class EntryCountChanges:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.counts = EntryFactorCountRepository(session)

    async def apply(self, year: int, changes: Mapping[int, EntryCountChange]) -> None:
        await self.counts.adjust(year, changes)

    async def entry_replaced(
        self,
        data_entry_type_id: int,
        year: int,
        *,
        before: EntryStanding | None,
        after: EntryStanding | None,
    ) -> None:
        """One entry written (`before` None), changed, or deleted (`after` None)."""
        change = EntryCountChange()
        if before is not None:
            change += -change_of({before: 1})
        if after is not None:
            change += change_of({after: 1})
        await self.apply(year, {data_entry_type_id: change})

    async def stored_standing(
        self,
        entry_id: int,
        data_entry_type_id: int,
        data: Mapping[str, object],
        year: int,
        index: FactorIndex,
    ) -> EntryStanding:
        """Where a stored entry stands now: its data computed with the current factors against
        the factor versions its emission rows name."""
        found = await DataEntryEmissionRepository(self.session).map_factor_versions([entry_id])
        return entry_standing(
            data_entry_type_id, data, year, index, found.get(entry_id, frozenset())
        )

    async def removal_by_source(
        self,
        source: DataEntrySource,
        data_entry_type_ids: Collection[int],
        year: int,
        *,
        keep_job_id: int | None = None,
    ) -> dict[int, EntryCountChange]:
        """What deleting the year's entries of these types that `source` created (but the
        job `keep_job_id`'s, written already and not counted yet) takes off their counts;
        read before the delete. Entries are only computed where the counts do not already
        tell: a counted type losing all its entries loses its whole row, one with no affected
        or unresolvable entry loses only entries. Otherwise the smaller side is computed in
        keyset batches: the entries that stay (the type then keeps exactly their standings,
        whatever its counts held) or those removed."""
        counted = await self.counts.read_year(year)
        sizes = await DataEntryImportRepository(self.session).count_by_type_and_source(
            source, data_entry_type_ids, year, keep_job_id=keep_job_id
        )
        removal: dict[int, EntryCountChange] = {}
        index: FactorIndex | None = None
        for type_id, (total, removed) in sizes.items():
            counts = counted.get(type_id)
            if counts is None or not removed:
                continue
            if removed == total:
                removal[type_id] = -_all_of(counts)
            elif not counts.affected and not counts.unresolvable:
                removal[type_id] = EntryCountChange(entries=-removed)
            else:
                if index is None:
                    index = await FactorService(self.session).get_index_for_types(
                        data_entry_type_ids, year
                    )
                kept_fewer = total - removed < removed
                tally: Counter[EntryStanding] = await EntryFactorCountingService(
                    self.session
                ).tally(
                    type_id,
                    year,
                    index,
                    source=int(source),
                    other_sources=kept_fewer,
                    keep_job_id=keep_job_id,
                )
                removal[type_id] = (
                    change_of(tally) + -_all_of(counts) if kept_fewer else -change_of(tally)
                )
        return removal
