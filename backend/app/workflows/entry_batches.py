"""One type's entries of a year, computed batch by batch: the loop a recalculation and its
preview share, so both see the same entries in the same batches and compute each with
`compute_entry` against the run's one factor index.

Entries are read in keyset batches with their data as JSON text. Decoding and computing run
in a worker thread, slice by slice (`SLICE_ROWS`), so the event loop keeps answering requests
and moving the bar (by time) while a batch computes, and the read of the next batch runs on
the database meanwhile. Each computed batch goes to the caller's `on_batch` (stage it, or
tally it) once that read is done, then the listener hears how far the type got.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextlib import aclosing

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.progress_pace import SLICE_ROWS, ProgressPace
from app.emissions import EmissionRow, EntryError, FactorIndex, compute_entry
from app.repositories.data_entry_repo import (
    DataEntryRepository,
    EntryRow,
    RawEntry,
    decode_entries,
)
from app.repositories.entry_factor_count_repo import EntryFactorCountRepository
from app.workflows.recalculation_run import RecalculationListener, RecalculationScope

Computed = list[EmissionRow] | EntryError
OnBatch = Callable[[list[EntryRow], list[Computed]], Awaitable[None]]


class CalculatorBug(Exception):
    """A calculator raised something other than an entry error: the type's failure."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _compute_slice(
    raw: Sequence[RawEntry], year: int, index: FactorIndex
) -> tuple[list[EntryRow], list[Computed]]:
    """Pure (runs in a worker thread): the entries decoded, and each one computed."""
    entries = decode_entries(raw)
    try:
        computed = [
            compute_entry(entry.data_entry_type_id, entry.data, year, index) for entry in entries
        ]
    except Exception as error:  # pure code: a calculator bug, this type's failure
        raise CalculatorBug(error) from error
    return entries, computed


async def _next(batches: AsyncGenerator[Sequence[RawEntry]]) -> Sequence[RawEntry] | None:
    return await anext(batches, None)


async def compute_in_batches(
    entries: DataEntryRepository,
    type_id: int,
    year: int,
    total: int,
    index: FactorIndex,
    *,
    batch_size: int,
    listener: RecalculationListener,
    on_batch: OnBatch,
) -> None:
    """Compute the type's entries batch by batch; raises CalculatorBug for a calculator bug."""
    done = 0
    pace = ProgressPace()
    batches = entries.iter_raw_batches_by_data_entry_type_and_year(type_id, year, batch_size)
    async with aclosing(batches):
        raw = await anext(batches, None)
        while raw is not None:
            reading = asyncio.ensure_future(_next(batches))  # overlaps the compute
            try:
                batch: list[EntryRow] = []
                computed: list[Computed] = []
                for start in range(0, len(raw), SLICE_ROWS):
                    part = raw[start : start + SLICE_ROWS]
                    rows, results = await asyncio.to_thread(_compute_slice, part, year, index)
                    batch += rows
                    computed += results
                    if start + len(part) < len(raw) and pace.due():
                        so_far = done + start + len(part)
                        await listener.computed(type_id, so_far, max(total, so_far))
            finally:
                # The session is the read's until it ends, whatever happened to the compute.
                following = await asyncio.gather(reading, return_exceptions=True)
            if isinstance(following[0], BaseException):
                raise following[0]
            await on_batch(batch, computed)
            done += len(batch)
            total = max(total, done)
            pace.due(final=True)
            await listener.computed(type_id, done, total)
            raw = following[0]


class BatchedRun:
    """What a run over a scope's entries holds (its data session, batch size, listener), and
    the two steps every such run takes: count the entries, compute them batch by batch."""

    def __init__(
        self, data_session: AsyncSession, batch_size: int, listener: RecalculationListener | None
    ) -> None:
        self.session = data_session
        self.batch_size = batch_size
        self.listener = listener or RecalculationListener()
        self.entries = DataEntryRepository(data_session)

    async def count_entries(self, scope: RecalculationScope) -> dict[int, int]:
        """Entries per type, in the scope's order, for the progress bar: the year's entry
        counts, which every data write keeps exact in its own transaction (one small read;
        counting 1,000,000 entries just imported took PostgreSQL about 3 s, with no progress
        meanwhile). A type without a count, or counted at none, is counted here: a wrong zero
        must never skip a type, and counting a type without entries is cheap."""
        kept = await EntryFactorCountRepository(self.session).read_year(scope.year)
        totals: dict[int, int] = {}
        for type_id in scope.data_entry_type_ids:
            counts = kept.get(type_id)
            totals[type_id] = (
                counts.entries
                if counts is not None and counts.entries
                else await self.entries.count_by_data_entry_type_and_year(type_id, scope.year)
            )
        return totals

    async def compute(
        self, type_id: int, year: int, total: int, index: FactorIndex, on_batch: OnBatch
    ) -> None:
        await compute_in_batches(
            self.entries,
            type_id,
            year,
            total,
            index,
            batch_size=self.batch_size,
            listener=self.listener,
            on_batch=on_batch,
        )
