from __future__ import annotations

import pytest
from emission_helpers import factor, index_of

from app.domain.modules import DataEntryTypeEnum as T
from app.emissions import FactorIndex, compute_emissions
from app.emissions.errors import FactorNotFoundError, MissingFieldError

ROOM_VALUES = {
    "lighting_kwh_per_square_meter": 12,
    "cooling_kwh_per_square_meter": 5,
    "ventilation_kwh_per_square_meter": 10,
    "heating_kwh_per_square_meter": 60,
    "heating_elec_share": 0.25,
    "ef_electricity_kg_per_kwh": 0.125,
    "ef_heat_kg_per_kwh": 0.23,
}


def _rooms() -> FactorIndex:
    return index_of(
        factor(T.building, ROOM_VALUES, id=1, building_name="default", room_type="office"),
        factor(
            T.building,
            {**ROOM_VALUES, "heating_elec_share": 1.0},
            id=2,
            building_name="BC",
            room_type="office",
        ),
    )


def _room(building: str) -> dict[str, object]:
    return {
        "building_name": building,
        "room_name": "101",
        "room_type": "office",
        "room_surface_square_meter": 20,
    }


def test_room_gives_five_rows() -> None:
    rows = compute_emissions(T.building, _room("XY"), 2024, _rooms())
    assert [(r.emission_type_id, r.kg_co2eq, r.factor_id) for r in rows] == [
        (60101, pytest.approx(20 * 12 * 0.125), 1),  # 30
        (60102, pytest.approx(20 * 5 * 0.125), 1),  # 12.5
        (60103, pytest.approx(20 * 10 * 0.125), 1),  # 25
        (60104, pytest.approx(20 * 60 * 0.25 * 0.125), 1),  # 37.5
        (60105, pytest.approx(20 * 60 * 0.75 * 0.23), 1),  # 207
    ]


def test_named_building_beats_default() -> None:
    rows = compute_emissions(T.building, _room("bc"), 2024, _rooms())
    assert {r.factor_id for r in rows} == {2}
    assert rows[4].kg_co2eq == 0.0  # all heating is electric: no thermal part


def test_room_type_without_factor() -> None:
    with pytest.raises(FactorNotFoundError, match="'room_type': 'laboratories'"):
        compute_emissions(T.building, {**_room("BC"), "room_type": "laboratories"}, 2024, _rooms())


def test_missing_surface_is_named() -> None:
    data = _room("BC")
    del data["room_surface_square_meter"]
    with pytest.raises(MissingFieldError, match="'room_surface_square_meter'"):
        compute_emissions(T.building, data, 2024, _rooms())


def test_combustion() -> None:
    index = index_of(
        factor(T.energy_combustion, {"ef_kg_co2eq_per_unit": 0.2}, fuel="natural_gas", unit="kWh"),
        factor(
            T.energy_combustion, {"ef_kg_co2eq_per_unit": 2.65}, id=2, fuel="heating_oil", unit="l"
        ),
    )
    gas = compute_emissions(
        T.energy_combustion, {"fuel": "natural_gas", "quantity": 1000, "unit": "kWh"}, 2024, index
    )
    oil = compute_emissions(
        T.energy_combustion, {"fuel": "heating_oil", "quantity": 300, "unit": "l"}, 2024, index
    )
    assert [(r.emission_type_id, r.kg_co2eq) for r in gas] == [(60201, 1000 * 0.2)]
    assert [(r.emission_type_id, r.kg_co2eq) for r in oil] == [(60202, pytest.approx(300 * 2.65))]


def test_combustion_unit_must_match_a_factor() -> None:
    index = index_of(
        factor(T.energy_combustion, {"ef_kg_co2eq_per_unit": 0.2}, fuel="natural_gas", unit="kWh")
    )
    with pytest.raises(FactorNotFoundError, match="'unit': 'm3'"):
        compute_emissions(
            T.energy_combustion, {"fuel": "natural_gas", "quantity": 1, "unit": "m3"}, 2024, index
        )


def test_embodied_energy_with_default_fallback() -> None:
    ef = "ef_kg_co2eq_per_square_meter"
    index = index_of(
        factor(T.building_embodied_energy, {ef: 10.0}, id=1, building_name="default"),
        factor(T.building_embodied_energy, {ef: 12.0}, id=2, building_name="BC"),
    )
    named = compute_emissions(
        T.building_embodied_energy,
        {"building_name": "BC", "surface_square_meter": 500},
        2024,
        index,
    )
    other = compute_emissions(
        T.building_embodied_energy,
        {"building_name": "ZZ", "surface_square_meter": 500},
        2024,
        index,
    )
    assert [(r.emission_type_id, r.kg_co2eq, r.factor_id) for r in named] == [(60300, 6000.0, 2)]
    assert [(r.kg_co2eq, r.factor_id) for r in other] == [(5000.0, 1)]  # 500 x 10
