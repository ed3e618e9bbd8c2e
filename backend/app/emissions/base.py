"""The contract between calculators and everything that stores or schedules them.

Persistence, imports and recalculation only ever use these names; calculators stay pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ClassificationValue = str | None
FactorValue = float | str


@dataclass(frozen=True, slots=True)
class FactorRecord:
    """One emission factor: identity (type, year, classification) and its values.

    `id` is None for factors parsed from a file that are not stored yet.
    """

    data_entry_type_id: int
    year: int
    classification: Mapping[str, ClassificationValue]
    values: Mapping[str, FactorValue]
    id: int | None = None


@dataclass(frozen=True, slots=True)
class EmissionRow:
    """One derived emission row of an entry, ready to be written as DataEntryEmission."""

    emission_type_id: int
    kg_co2eq: float
    factor_id: int | None
    meta: dict[str, Any] = field(default_factory=dict)


class EntryError(Exception):
    """An entry whose emissions cannot be computed; the message names what is missing or wrong.

    Imports and recalculations count and list these; the entry then has no emission rows.
    """
