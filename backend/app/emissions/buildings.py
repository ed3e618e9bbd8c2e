"""Rooms, fuel combustion and embodied energy of buildings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.emission_types import EmissionTypeEnum as E
from app.emissions.base import EmissionRow
from app.emissions.calculator import row
from app.emissions.index import FactorIndex
from app.emissions.reading import read_number, read_text
from app.emissions.specs import (
    BUILDING_NAME,
    COOLING,
    EF_ELECTRICITY,
    EF_HEAT,
    EF_PER_SQUARE_METER,
    EF_PER_UNIT,
    FUEL,
    HEATING,
    HEATING_ELEC_SHARE,
    LIGHTING,
    QUANTITY,
    ROOM_SURFACE,
    ROOM_TYPE,
    SURFACE,
    UNIT,
    VENTILATION,
)


def building(
    type_id: int, data: Mapping[str, Any], year: int, index: FactorIndex
) -> list[EmissionRow]:
    """Five rows per room, each surface x kWh per m2 x the electricity or heat factor.

    Heating is split by `heating_elec_share`: the electric part is scope 2, the rest scope 1.
    """
    surface = read_number(data, ROOM_SURFACE)
    factor = index.lookup(
        type_id,
        year,
        {
            BUILDING_NAME.name: read_text(data, BUILDING_NAME),
            ROOM_TYPE.name: read_text(data, ROOM_TYPE),
        },
    )
    ef_el, ef_heat = factor.number(EF_ELECTRICITY), factor.number(EF_HEAT)
    heating, share = factor.number(HEATING), factor.number(HEATING_ELEC_SHARE)
    return [
        row(E.rooms_lighting, surface * factor.number(LIGHTING) * ef_el, factor),
        row(E.rooms_cooling, surface * factor.number(COOLING) * ef_el, factor),
        row(E.rooms_ventilation, surface * factor.number(VENTILATION) * ef_el, factor),
        row(E.rooms_heating_elec, surface * heating * share * ef_el, factor),
        row(E.rooms_heating_thermal, surface * heating * (1 - share) * ef_heat, factor),
    ]


def energy_combustion(
    type_id: int, data: Mapping[str, Any], year: int, index: FactorIndex
) -> list[EmissionRow]:
    """kg = quantity x ef of the (fuel, unit) pair."""
    fuel, quantity = read_text(data, FUEL), read_number(data, QUANTITY)
    factor = index.lookup(type_id, year, {FUEL.name: fuel, UNIT.name: read_text(data, UNIT)})
    kg = quantity * factor.number(EF_PER_UNIT)
    return [row(E[f"combustion_{fuel}"], kg, factor)]


def building_embodied_energy(
    type_id: int, data: Mapping[str, Any], year: int, index: FactorIndex
) -> list[EmissionRow]:
    """kg = surface x ef per m2 of the building (fallback "default")."""
    surface = read_number(data, SURFACE)
    factor = index.lookup(type_id, year, {BUILDING_NAME.name: read_text(data, BUILDING_NAME)})
    kg = surface * factor.number(EF_PER_SQUARE_METER)
    return [row(E.building_embodied_energy, kg, factor)]
