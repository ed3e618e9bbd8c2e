"""A recalculation run's progress as the job shows it, and the per-type rows turning RUNNING.

Messages: "Starting emission recalculation...", "Found {N} data entries to recalculate",
"Recalculating emissions... {done}/{total}" (module job: "Recalculating {type} ({i}/{N})...
{done}/{total}"), then "Writing ..." right before the swap, "Writing the recalculated
emissions... {done}/{total}" after each part of a long swap and "Refreshing the stats of {N}
modules..." (on SQLite only the streams of the process running the job show these two: the
swap holds the write lock a progress commit needs). A preview: "Found {N} data entries to
preview", "Previewing {type} ({i}/{N})... {done}/{total}".
"""

from __future__ import annotations

from collections.abc import Mapping

from app.core.wording import count
from app.domain.modules import DataEntryTypeEnum
from app.repositories.data_ingestion import DataIngestionRepository
from app.services.carbon_report_module_service import refreshing_stats
from app.tasks.job_handle import JobHandle
from app.workflows.emission_recalculation import RecalculationListener

STARTING = "Starting emission recalculation..."


def type_name(data_entry_type_id: int) -> str:
    """The name of a type (plane, train, ...), as progress messages show it."""
    return DataEntryTypeEnum(data_entry_type_id).name


def _found(totals: Mapping[int, int], purpose: str = "recalculate") -> tuple[str, int]:
    total = sum(totals.values())
    return f"Found {count(total, 'data entry')} to {purpose}", total


class TypeJobProgress(RecalculationListener):
    """A single-type job: one count, one progress line."""

    def __init__(self, handle: JobHandle) -> None:
        self.handle = handle

    async def found(self, totals: Mapping[int, int]) -> None:
        message, total = _found(totals)
        await self.handle.progress(message, done=0, total=total)

    async def computed(self, data_entry_type_id: int, done: int, total: int) -> None:
        await self.handle.progress(
            f"Recalculating emissions... {done}/{total}", done=done, total=total
        )

    async def writing(self) -> None:
        await self.handle.progress("Writing the recalculated emissions and stats...")

    async def wrote(self, data_entry_type_id: int, done: int, total: int) -> None:
        await self.handle.progress_while_writing(
            f"Writing the recalculated emissions... {done}/{total}"
        )

    async def refreshing(self, done: int, modules: int) -> None:
        await self.handle.progress_while_writing(refreshing_stats(done, modules))


class ModuleJobProgress(RecalculationListener):
    """A module job: one bar over all its types, each type named, its per-type row started.

    A preview shows its run the same way, with its own words and no per-type rows.
    """

    def __init__(self, handle: JobHandle, *, previewing: bool = False) -> None:
        self.handle = handle
        self.previewing = previewing
        self.totals: Mapping[int, int] = {}
        self.grand_total = 0
        self.position = 0
        self.done_before = 0

    async def found(self, totals: Mapping[int, int]) -> None:
        self.totals = totals
        purpose = "preview" if self.previewing else "recalculate"
        message, self.grand_total = _found(totals, purpose)
        await self.handle.progress(message, done=0, total=self.grand_total)

    async def started(self, data_entry_type_id: int, position: int, total: int) -> None:
        self.position = position
        self.done_before = sum(list(self.totals.values())[: position - 1])
        prefix = self._prefix(data_entry_type_id)
        if not self.previewing:
            await self._start_child(data_entry_type_id, prefix)
        await self.handle.progress(
            f"{prefix} 0/{total}", done=self.done_before, total=self.grand_total
        )

    async def computed(self, data_entry_type_id: int, done: int, total: int) -> None:
        await self.handle.progress(
            f"{self._prefix(data_entry_type_id)} {done}/{total}",
            done=self.done_before + done,
            total=max(self.grand_total, self.done_before + done),
        )

    async def writing(self) -> None:
        await self.handle.progress(
            "Writing the recalculated emissions and stats of "
            f"{count(len(self.totals), 'data entry type')}..."
        )

    async def wrote(self, data_entry_type_id: int, done: int, total: int) -> None:
        await self.handle.progress_while_writing(
            f"Writing the recalculated emissions of {type_name(data_entry_type_id)}... "
            f"{done}/{total}"
        )

    async def refreshing(self, done: int, modules: int) -> None:
        await self.handle.progress_while_writing(refreshing_stats(done, modules))

    def _prefix(self, data_entry_type_id: int) -> str:
        verb = "Previewing" if self.previewing else "Recalculating"
        return f"{verb} {type_name(data_entry_type_id)} ({self.position}/{len(self.totals)})..."

    async def _start_child(self, data_entry_type_id: int, message: str) -> None:
        """The type's per-type row turns RUNNING, at once (job session, visible to the stream)."""
        async with self.handle.session_factory() as session:
            await DataIngestionRepository(session).start_child(
                self.handle.job_id, data_entry_type_id, self.handle.worker_id, message=message
            )
            await session.commit()
