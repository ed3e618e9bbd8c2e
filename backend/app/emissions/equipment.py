"""Electric consumption of scientific, IT and other equipment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.emission_types import DEFAULT_EMISSION_TYPE
from app.domain.modules import DataEntryTypeEnum
from app.emissions.base import EmissionRow
from app.emissions.calculator import row
from app.emissions.errors import InvalidFieldError
from app.emissions.index import FactorIndex
from app.emissions.reading import read_number, read_optional_number, read_optional_text, read_text
from app.emissions.specs import (
    ACTIVE_HOURS,
    ACTIVE_POWER,
    EF_PER_KWH,
    ENTRY_ACTIVE_HOURS,
    ENTRY_STANDBY_HOURS,
    EQUIPMENT_CLASS,
    EQUIPMENT_QUANTITY,
    STANDBY_HOURS,
    STANDBY_POWER,
    SUB_CLASS,
    check_week_hours,
)

WEEKS_PER_YEAR = 52


def equipment(
    type_id: int, data: Mapping[str, Any], year: int, index: FactorIndex
) -> list[EmissionRow]:
    """kg = (active h x active W + standby h x standby W) x 52 / 1000 x quantity x ef.

    Hours the entry leaves out come from the factor (typical use of that class).
    """
    quantity = read_number(data, EQUIPMENT_QUANTITY)
    active = read_optional_number(data, ENTRY_ACTIVE_HOURS)
    standby = read_optional_number(data, ENTRY_STANDBY_HOURS)
    factor = index.lookup(
        type_id,
        year,
        {
            EQUIPMENT_CLASS.name: read_text(data, EQUIPMENT_CLASS),
            SUB_CLASS.name: read_optional_text(data, SUB_CLASS),
        },
    )
    active = factor.number(ACTIVE_HOURS) if active is None else active
    standby = factor.number(STANDBY_HOURS) if standby is None else standby
    try:
        check_week_hours(active, standby)
    except ValueError as error:
        raise InvalidFieldError(str(error)) from None
    weekly_wh = active * factor.number(ACTIVE_POWER) + standby * factor.number(STANDBY_POWER)
    kg = weekly_wh * WEEKS_PER_YEAR / 1000 * quantity * factor.number(EF_PER_KWH)
    code = DEFAULT_EMISSION_TYPE[DataEntryTypeEnum(type_id)]
    return [row(code, kg, factor, active_hours=active, standby_hours=standby)]
