"""What a recalculation run takes (its scope), tells as it goes (a listener) and returns.

A run covers some data entry types of one module for one year: the scope a job locks. A
single-type job is a run of one type; a module job, a run of several. The report says, per
type, what was written or why the type failed, so the caller only turns it into its outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class RecalculationScope:
    """The types to recalculate, in order, for one module and year."""

    module_type_id: int
    data_entry_type_ids: tuple[int, ...]
    year: int


class RecalculationListener:
    """Hooks a run calls as it goes; the defaults do nothing.

    A task publishes them as job progress. `writing` is called before the swap's write
    transaction starts: on SQLite a progress commit inside it would wait for ourselves.
    """

    async def found(self, totals: Mapping[int, int]) -> None:
        """Entries per type, in run order, counted before anything is computed."""
        return None

    async def started(self, data_entry_type_id: int, position: int, total: int) -> None:
        """A type's turn (position counts from 1), also for a type without entries."""
        return None

    async def computed(self, data_entry_type_id: int, done: int, total: int) -> None:
        return None

    async def writing(self) -> None:
        return None

    async def wrote(self, data_entry_type_id: int, done: int, total: int) -> None:
        """How far a type's swap got, after each of its parts. Called inside the swap's write
        transaction: on SQLite it holds the write lock, so nothing may be committed here."""
        return None

    async def refreshing(self, done: int, modules: int) -> None:
        """The stats of these many modules are being rewritten (inside the swap's
        transaction, as `wrote`): told with `done` 0 before, then after each part of a big
        refresh."""
        return None


@dataclass(frozen=True, slots=True)
class TypeReport:
    """One type's figures, or the failure that left it as it was (and stale).

    `errors` are entry errors (counted exactly, the first ones listed in `error_details`):
    the type still succeeded. `failure` is what the type's calculator or writes raised.
    """

    data_entry_type_id: int
    recalculated: int = 0
    modules_refreshed: int = 0
    errors: int = 0
    error_details: list[dict[str, Any]] = field(default_factory=list)
    skipped_changed: int = 0
    rows_written: int = 0
    failure: Exception | None = None

    def figures(self) -> dict[str, Any]:
        """The figures a job's meta shows for the type."""
        return {
            "recalculated": self.recalculated,
            "modules_refreshed": self.modules_refreshed,
            "errors": self.errors,
            "error_details": self.error_details,
            "skipped_changed": self.skipped_changed,
            "rows_written": self.rows_written,
        }


@dataclass(frozen=True, slots=True)
class RecalculationReport:
    """A run's outcome: the factor set it computed with, and one report per type, in order."""

    factor_sequence: int
    types: tuple[TypeReport, ...]

    @property
    def failures(self) -> list[TypeReport]:
        return [report for report in self.types if report.failure is not None]

    @property
    def all_failed(self) -> bool:
        return bool(self.types) and len(self.failures) == len(self.types)

    @property
    def recalculated(self) -> int:
        return sum(report.recalculated for report in self.types)

    @property
    def errors(self) -> int:
        return sum(report.errors for report in self.types)
