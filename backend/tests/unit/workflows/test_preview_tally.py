"""The preview's tally: exact sums whatever the order, what counts as a change or a failure,
and which units are the largest changes."""

from __future__ import annotations

import math
import random

from app.emissions import EmissionRow
from app.emissions.errors import CalculatorFailure
from app.repositories.data_entry_repo import EntryRow
from app.workflows.preview_tally import ExactSum, Tally, TypeTally, top_modules

AMOUNTS = [0.1, 1e16, 3.3333333, -1e16, 7e-9, 0.7, 1e-300, 2.5e15]


def sum_of(values: list[float]) -> ExactSum:
    total = ExactSum()
    for value in values:
        total.add(value)
    return total


def test_an_exact_sum_is_the_correctly_rounded_sum_in_any_order() -> None:
    shuffled = AMOUNTS.copy()
    random.Random(7).shuffle(shuffled)

    assert sum_of(AMOUNTS).value == sum_of(shuffled).value == math.fsum(AMOUNTS)
    assert sum(AMOUNTS) != math.fsum(AMOUNTS)  # the naive sum would not do


def test_merged_exact_sums_lose_nothing() -> None:
    left, right = sum_of(AMOUNTS[:3]), sum_of(AMOUNTS[3:])

    left.merge(right)
    difference = sum_of(AMOUNTS)
    difference.merge(sum_of(AMOUNTS), sign=-1.0)

    assert left.value == math.fsum(AMOUNTS)
    assert difference.value == 0.0


def entry(entry_id: int, module_id: int) -> EntryRow:
    return EntryRow(entry_id, module_id, 50, {}, 1)


def rows(*kgs: float) -> list[EmissionRow]:
    return [EmissionRow(70100, kg, None) for kg in kgs]


def test_changes_and_failures_are_counted_against_the_stored_rows() -> None:
    tally = TypeTally(50, max_details=1)
    batch = [entry(n, 1) for n in range(1, 7)]
    computed = [
        rows(2.0),  # unchanged
        rows(3.0),  # changed
        CalculatorFailure("no factor"),  # newly failing
        CalculatorFailure("no factor either"),  # newly failing, not listed (max 1)
        CalculatorFailure("still"),  # failed before too
        rows(4.0),  # stops failing
    ]
    stored = {1: [(70100, 2.0)], 2: [(70100, 1.0)], 3: [(70100, 5.0)], 4: [(70100, 6.0)]}

    tally.add(batch, computed, stored)

    figures = tally.total().figures()
    assert figures == {
        "entries": 6,
        "changed": 4,
        "current_kg": 14.0,
        "new_kg": 9.0,
        "delta_kg": -5.0,
        "delta_pct": -5.0 / 14.0 * 100,
        "errors_after": 3,
        "newly_failing": 2,
        "stopped_failing": 1,
    }
    assert [(f.entry_id, f.reason) for f in tally.newly_failing] == [(3, "no factor")]


def test_the_largest_changes_come_first_and_unchanged_units_are_left_out() -> None:
    by_module = {}
    for module_id, (before, after) in {1: (1, 2), 2: (10, 4), 3: (5, 5), 4: (0, 3)}.items():
        tally = Tally(entries=1, changed=int(before != after))
        tally.current.add(before)
        tally.new.add(after)
        by_module[module_id] = tally

    assert [module_id for module_id, _ in top_modules(by_module, 2)] == [2, 4]
    assert [module_id for module_id, _ in top_modules(by_module, 5)] == [2, 4, 1]
