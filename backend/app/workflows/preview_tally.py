"""What a preview counts of each computed entry against its stored emission rows. Pure.

Counts are kept per carbon report module, which in a preview's scope (one module type, one
year) is one per unit, and rolled up per type and for the whole module. Sums are exact
(`ExactSum`), so a total does not depend on the order entries came in: the previewed new
total is the correctly rounded sum of the rows the recalculation will write, whatever order
it writes them in.

An entry "fails" when it has no emission rows: stored, since an entry error leaves it
without any; previewed, when `compute_entry` returns an entry error.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.emissions import EntryError
from app.emissions.entry import reason
from app.repositories.data_entry_repo import EntryRow
from app.workflows.entry_batches import Computed

# (emission type, kg) of one entry's rows, sorted: what "its emissions change" compares.
Rows = list[tuple[int, float]]


class ExactSum:
    """A running float sum without rounding error: the non-overlapping partials math.fsum
    keeps internally (Shewchuk), so sums can also be merged without loss."""

    __slots__ = ("partials",)

    def __init__(self) -> None:
        self.partials: list[float] = []

    def add(self, value: float) -> None:
        kept = 0
        for partial in self.partials:
            if abs(value) < abs(partial):
                value, partial = partial, value
            high = value + partial
            low = partial - (high - value)
            if low:
                self.partials[kept] = low
                kept += 1
            value = high
        self.partials[kept:] = [value]

    def merge(self, other: ExactSum, *, sign: float = 1.0) -> None:
        for partial in other.partials:
            self.add(sign * partial)

    @property
    def value(self) -> float:
        return math.fsum(self.partials)


@dataclass(slots=True)
class Tally:
    """Entries of one scope (a unit's module, a type, the module) and their totals."""

    entries: int = 0
    changed: int = 0
    errors_after: int = 0
    newly_failing: int = 0
    stopped_failing: int = 0
    current: ExactSum = field(default_factory=ExactSum)
    new: ExactSum = field(default_factory=ExactSum)

    def merge(self, other: Tally) -> None:
        self.entries += other.entries
        self.changed += other.changed
        self.errors_after += other.errors_after
        self.newly_failing += other.newly_failing
        self.stopped_failing += other.stopped_failing
        self.current.merge(other.current)
        self.new.merge(other.new)

    @property
    def delta_kg(self) -> float:
        delta = ExactSum()
        delta.merge(self.new)
        delta.merge(self.current, sign=-1.0)
        return delta.value

    def figures(self) -> dict[str, Any]:
        """The figures a preview's meta shows for the scope (kg CO2e; % of the current total,
        null when that is 0)."""
        current, delta = self.current.value, self.delta_kg
        return {
            "entries": self.entries,
            "changed": self.changed,
            "current_kg": current,
            "new_kg": self.new.value,
            "delta_kg": delta,
            "delta_pct": None if current == 0 else delta / current * 100,
            "errors_after": self.errors_after,
            "newly_failing": self.newly_failing,
            "stopped_failing": self.stopped_failing,
        }


@dataclass(frozen=True, slots=True)
class FailingEntry:
    entry_id: int
    carbon_report_module_id: int
    reason: str


class TypeTally:
    """One type's tally, by carbon report module, with the first entries that would newly
    fail (`max_details` of them; `Tally.newly_failing` counts them all)."""

    def __init__(self, data_entry_type_id: int, max_details: int) -> None:
        self.data_entry_type_id = data_entry_type_id
        self.max_details = max_details
        self.by_module: dict[int, Tally] = {}
        self.newly_failing: list[FailingEntry] = []

    def add(
        self, batch: Sequence[EntryRow], computed: Sequence[Computed], stored: dict[int, Rows]
    ) -> None:
        """Tally a computed batch; `stored` holds each entry's stored rows (absent: none)."""
        for entry, result in zip(batch, computed, strict=True):
            tally = self.by_module.get(entry.carbon_report_module_id)
            if tally is None:
                tally = self.by_module[entry.carbon_report_module_id] = Tally()
            before = stored.get(entry.id, [])
            tally.entries += 1
            for _, kg in before:
                tally.current.add(kg)
            if isinstance(result, EntryError):
                tally.errors_after += 1
                tally.changed += bool(before)
                if before:
                    tally.newly_failing += 1
                    self._keep_failing(entry, result)
                continue
            after = sorted((row.emission_type_id, row.kg_co2eq) for row in result)
            for _, kg in after:
                tally.new.add(kg)
            tally.changed += after != before
            tally.stopped_failing += not before and bool(after)

    def total(self) -> Tally:
        return merged(self.by_module.values())

    def _keep_failing(self, entry: EntryRow, error: EntryError) -> None:
        if len(self.newly_failing) < self.max_details:
            self.newly_failing.append(
                FailingEntry(entry.id, entry.carbon_report_module_id, reason(error))
            )


def merged(tallies: Iterable[Tally]) -> Tally:
    total = Tally()
    for tally in tallies:
        total.merge(tally)
    return total


def top_modules(by_module: dict[int, Tally], limit: int) -> list[tuple[int, Tally]]:
    """The modules (units) whose total changes most, by absolute delta, then by id; those
    whose emissions do not change at all are left out."""
    moved = [
        (module_id, tally, tally.delta_kg)
        for module_id, tally in by_module.items()
        if tally.changed or tally.newly_failing or tally.stopped_failing
    ]
    moved.sort(key=lambda item: (-abs(item[2]), item[0]))
    return [(module_id, tally) for module_id, tally, _ in moved[:limit]]
