"""Research and animal facilities: the entry's share of a facility's yearly footprint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.emission_types import DEFAULT_EMISSION_TYPE
from app.domain.modules import DataEntryTypeEnum
from app.emissions.base import EmissionRow
from app.emissions.calculator import row
from app.emissions.errors import InvalidFieldError
from app.emissions.index import FactorIndex
from app.emissions.reading import read_number, read_text
from app.emissions.specs import FACILITY_ID, KG_CO2EQ_SUM, TOTAL_USE, USE, USE_UNIT


def research_facility(
    type_id: int, data: Mapping[str, Any], year: int, index: FactorIndex
) -> list[EmissionRow]:
    """kg = use / total_use x kg_co2eq_sum (0 when total_use is 0); units must agree."""
    facility, use = read_text(data, FACILITY_ID), read_number(data, USE)
    unit = read_text(data, USE_UNIT)
    factor = index.lookup(type_id, year, {FACILITY_ID.name: facility})
    factor_unit = factor.text(USE_UNIT)
    if unit.casefold() != factor_unit.casefold():
        raise InvalidFieldError(
            f'use_unit "{unit}" differs from facility {facility}\'s use_unit "{factor_unit}"'
        )
    total_use = factor.number(TOTAL_USE)
    share = use / total_use if total_use else 0.0
    kg = share * factor.number(KG_CO2EQ_SUM)
    return [row(DEFAULT_EMISSION_TYPE[DataEntryTypeEnum(type_id)], kg, factor)]
