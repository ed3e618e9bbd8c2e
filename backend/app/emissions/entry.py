"""One entry's emissions or its entry error: the rule every path that stores emissions uses.

A CSV import, a single-entry edit and a recalculation all call `compute_entry`, so the same
entry data and factors give the same rows, or the same entry error, whichever path wrote them.
The error is returned, not raised: it is a normal outcome each path counts and reports, and
the hot loop of a recalculation stays free of exception handling for good entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.emissions.base import EmissionRow, EntryError
from app.emissions.compute import compute_emissions
from app.emissions.errors import ImplausibleEmissionsError
from app.emissions.index import FactorIndex

# One row emitting more than a petagram is a typo, and sums of such numbers overflow a double
# (PostgreSQL then fails the whole report): the bound holds for computed and override rows.
MAX_ABS_KG_PER_ROW = 1e15


def compute_entry(
    data_entry_type_id: int, data: Mapping[str, Any], year: int, index: FactorIndex
) -> list[EmissionRow] | EntryError:
    """The entry's emission rows, or the EntryError that leaves it without any.

    A row outside +-MAX_ABS_KG_PER_ROW (or not finite) is an entry error. Anything else a
    calculator raises is a bug and propagates: the caller decides whether it fails the run.
    """
    try:
        rows = compute_emissions(data_entry_type_id, data, year, index)
    except EntryError as error:
        return error
    for row in rows:
        # One chained comparison, also False for NaN and the infinities.
        if not -MAX_ABS_KG_PER_ROW <= row.kg_co2eq <= MAX_ABS_KG_PER_ROW:
            return ImplausibleEmissionsError(
                f"the emissions ({row.kg_co2eq:g} kg CO2e) exceed the plausible bound of "
                f"{MAX_ABS_KG_PER_ROW:g} kg per row; check the entry's numbers"
            )
    return rows


def reason(error: EntryError) -> str:
    """What a person reads about an entry error (its message, else its kind)."""
    return str(error) or type(error).__name__
