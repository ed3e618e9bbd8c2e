"""The one entry point that turns an entry into emission rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.emission_types import DEFAULT_EMISSION_TYPE
from app.domain.modules import DataEntryTypeEnum
from app.emissions.base import EmissionRow
from app.emissions.index import FactorIndex
from app.emissions.reading import read_optional_number
from app.emissions.registry import CALCULATORS
from app.emissions.specs import KG_CO2EQ

# The enum's members by value: a dict access, where calling the enum costs a few times more
# per entry (an unknown value still goes to the enum, which raises ValueError).
_ENTRY_TYPES = {int(member): member for member in DataEntryTypeEnum}


def compute_emissions(
    data_entry_type_id: int, data: Mapping[str, Any], year: int, index: FactorIndex
) -> list[EmissionRow]:
    """Emission rows of one entry for the report's year.

    An operator override (`kg_co2eq` in data, 0 included) wins: one row under the type's
    default code, no factor. Raises an EntryError subclass naming what is missing or wrong,
    and ValueError for an unknown data entry type (a caller bug, not an entry problem).
    """
    entry_type = _ENTRY_TYPES.get(data_entry_type_id) or DataEntryTypeEnum(data_entry_type_id)
    # Most entries carry no override: their data lacks the key, which is all there is to read.
    override = None if data.get(KG_CO2EQ.name) is None else read_optional_number(data, KG_CO2EQ)
    if override is not None:
        return [
            EmissionRow(int(DEFAULT_EMISSION_TYPE[entry_type]), override, None, {"override": True})
        ]
    return CALCULATORS[entry_type](entry_type, data, year, index)
