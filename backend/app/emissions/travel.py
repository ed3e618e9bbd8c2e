"""Plane and train trips: great-circle distance, adjusted, times trips and a per-km factor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.emission_types import EmissionTypeEnum as E
from app.emissions.base import EmissionRow
from app.emissions.calculator import row
from app.emissions.index import FactorIndex
from app.emissions.reading import read_number, read_text
from app.emissions.reference import airport_position, find_city, great_circle_km
from app.emissions.specs import (
    COUNTRY_CODE,
    DESTINATION,
    DESTINATION_IATA,
    EF_PER_KM,
    HAUL_CATEGORY,
    NUMBER_OF_TRIPS,
    ORIGIN,
    ORIGIN_IATA,
    PLANE_CABIN_CLASS,
    RFI_ADJUSTMENT,
    TRAIN_CABIN_CLASS,
)

# Take-off, landing and detours: added to the great-circle distance of every flight.
FLIGHT_EXTRA_KM = 95.0
# Rails are not straight: the great-circle distance is stretched by this much.
RAIL_DETOUR_FACTOR = 1.2
HOME_COUNTRY = "CH"

# Upper bounds (exclusive) of the haul categories, by one-trip distance in km.
_HAUL_LIMITS = ((800.0, "very_short_haul"), (1500.0, "short_haul"), (4000.0, "medium_haul"))
_PLANE_CODES = {"first": E.plane_first, "business": E.plane_business, "eco": E.plane_eco}
_TRAIN_CODES = {"first": E.train_class_1, "second": E.train_class_2}


def haul_category(one_trip_km: float) -> str:
    """very_short_haul < 800 km <= short_haul < 1500 km <= medium_haul < 4000 km <= long_haul."""
    for limit, category in _HAUL_LIMITS:
        if one_trip_km < limit:
            return category
    return "long_haul"


def plane(
    type_id: int, data: Mapping[str, Any], year: int, index: FactorIndex
) -> list[EmissionRow]:
    """kg = (great-circle km + 95) x trips x ef x rfi, factor by haul category and cabin."""
    distance = great_circle_km(
        airport_position(read_text(data, ORIGIN_IATA)),
        airport_position(read_text(data, DESTINATION_IATA)),
    )
    one_trip_km = distance + FLIGHT_EXTRA_KM
    category = haul_category(one_trip_km)
    cabin = read_text(data, PLANE_CABIN_CLASS)
    trips = read_number(data, NUMBER_OF_TRIPS)
    factor = index.lookup(
        type_id, year, {HAUL_CATEGORY.name: category, PLANE_CABIN_CLASS.name: cabin}
    )
    kg = one_trip_km * trips * factor.number(EF_PER_KM) * factor.number(RFI_ADJUSTMENT)
    return [row(_PLANE_CODES[cabin], kg, factor, one_trip_km=one_trip_km, haul=category)]


def train_country(origin_country: str, destination_country: str) -> str:
    """CH when both ends are in CH, else the foreign end (the destination when both are)."""
    if destination_country != HOME_COUNTRY:
        return destination_country
    return origin_country


def train(
    type_id: int, data: Mapping[str, Any], year: int, index: FactorIndex
) -> list[EmissionRow]:
    """kg = great-circle km x 1.2 x trips x ef, factor by country (fallback RoW)."""
    origin = find_city(read_text(data, ORIGIN))
    destination = find_city(read_text(data, DESTINATION))
    one_trip_km = great_circle_km(origin.position, destination.position) * RAIL_DETOUR_FACTOR
    country = train_country(origin.country_code, destination.country_code)
    cabin = read_text(data, TRAIN_CABIN_CLASS)
    trips = read_number(data, NUMBER_OF_TRIPS)
    factor = index.lookup(type_id, year, {COUNTRY_CODE.name: country})
    kg = one_trip_km * trips * factor.number(EF_PER_KM)
    return [row(_TRAIN_CODES[cabin], kg, factor, one_trip_km=one_trip_km, country=country)]
