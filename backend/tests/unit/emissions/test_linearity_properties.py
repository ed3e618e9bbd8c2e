"""Formulas linear in a quantity: doubling it doubles the kg, whatever the other inputs."""

from __future__ import annotations

from typing import Any

import pytest
from emission_helpers import factor, index_of
from hypothesis import given
from hypothesis import strategies as st

from app.domain.modules import DataEntryTypeEnum as T
from app.emissions import compute_emissions

quantities = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
factors = st.floats(min_value=0, max_value=1e4, allow_nan=False, allow_infinity=False)


def _kg(type_id: int, data: dict[str, Any], record: Any) -> list[float]:
    return [row.kg_co2eq for row in compute_emissions(type_id, data, 2024, index_of(record))]


def _doubles(type_id: int, data: dict[str, Any], field: str, record: Any) -> None:
    once = _kg(type_id, data, record)
    twice = _kg(type_id, {**data, field: data[field] * 2}, record)
    assert twice == pytest.approx([2 * kg for kg in once], rel=1e-12)


@given(quantities, factors)
def test_process_emissions_are_linear_in_mass(quantity: float, gwp: float) -> None:
    record = factor(T.process_emissions, {"gwp_kg_co2eq_per_kg": gwp}, category="co2")
    _doubles(
        T.process_emissions, {"category": "co2", "quantity_kg": quantity}, "quantity_kg", record
    )


@given(quantities, factors)
def test_combustion_is_linear_in_quantity(quantity: float, ef: float) -> None:
    record = factor(T.energy_combustion, {"ef_kg_co2eq_per_unit": ef}, fuel="pellets", unit="kg")
    data = {"fuel": "pellets", "unit": "kg", "quantity": quantity}
    _doubles(T.energy_combustion, data, "quantity", record)


@given(st.floats(min_value=0, max_value=1e6), factors)
def test_equipment_is_linear_in_quantity(quantity: float, power: float) -> None:
    values = {
        "active_power_w": power,
        "standby_power_w": power / 10,
        "active_usage_hours_per_week": 40,
        "standby_usage_hours_per_week": 128,
        "ef_kg_co2eq_per_kwh": 0.125,
    }
    record = factor(T.scientific, values, equipment_class="Freezer -80")
    data = {"name": "f", "equipment_class": "Freezer -80", "quantity": quantity}
    _doubles(T.scientific, data, "quantity", record)


@given(st.floats(min_value=0, max_value=1e3), factors)
def test_headcount_is_linear_in_fte(fte: float, ef: float) -> None:
    record = factor(T.student, {"ef_kg_co2eq_per_unit": ef}, category="food", **{"class": "x"})
    _doubles(T.student, {"fte": fte}, "fte", record)


@given(quantities, factors)
def test_purchases_are_linear_in_spend(amount: float, ef: float) -> None:
    record = factor(T.services, {"ef_kg_co2eq_per_currency": ef}, purchase_institutional_code="1")
    data = {"name": "x", "purchase_institutional_code": "1", "total_spent_amount": amount}
    _doubles(T.services, data, "total_spent_amount", record)


@given(st.integers(min_value=1, max_value=10_000), factors)
def test_plane_is_linear_in_trips(trips: int, ef: float) -> None:
    record = factor(T.plane, {"ef_kg_co2eq_per_km": ef}, category="long_haul")
    data = {
        "origin_iata": "GVA",
        "destination_iata": "NRT",
        "cabin_class": "eco",
        "number_of_trips": trips,
    }
    _doubles(T.plane, data, "number_of_trips", record)


@given(st.floats(min_value=0, max_value=1e6), st.floats(min_value=1e-3, max_value=1e6))
def test_research_facilities_are_linear_in_use(use: float, total_use: float) -> None:
    values = {"kg_co2eq_sum": 1000.0, "total_use": total_use, "use_unit": "hours"}
    record = factor(T.research_facilities, values, researchfacility_id="RF")
    data = {"researchfacility_id": "RF", "use": use, "use_unit": "hours"}
    _doubles(T.research_facilities, data, "use", record)
