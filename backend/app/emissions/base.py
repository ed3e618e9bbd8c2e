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

    `id` and `revision` are None for factors parsed from a file that are not stored yet.
    """

    data_entry_type_id: int
    year: int
    classification: Mapping[str, ClassificationValue]
    values: Mapping[str, FactorValue]
    id: int | None = None
    revision: int | None = None


@dataclass(frozen=True, slots=True)
class EmissionRow:
    """One derived emission row of an entry, ready to be written as DataEntryEmission.

    `factor_revision` is the revision of the factor `factor_id` names, as computed with.
    """

    emission_type_id: int
    kg_co2eq: float
    factor_id: int | None
    meta: dict[str, Any] = field(default_factory=dict)
    factor_revision: int | None = None


class EntryError(Exception):
    """An entry whose emissions cannot be computed; the message names what is missing or wrong.

    Imports and recalculations count and list these; the entry then has no emission rows.
    """
