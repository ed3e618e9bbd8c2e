from __future__ import annotations

import pytest
from emission_helpers import factor, index_of

from app.domain.modules import DataEntryTypeEnum as T
from app.emissions import FactorIndex, compute_emissions
from app.emissions.errors import FactorNotFoundError, InvalidFieldError

VALUES = {
    "active_power_w": 60,
    "standby_power_w": 2,
    "active_usage_hours_per_week": 40,
    "standby_usage_hours_per_week": 128,
    "ef_kg_co2eq_per_kwh": 0.125,
}


def _index(type_id: int = T.it) -> FactorIndex:
    return index_of(
        factor(type_id, VALUES, id=1, equipment_class="Desktop PC"),
        factor(
            type_id,
            {**VALUES, "active_power_w": 250, "standby_power_w": 5},
            id=2,
            equipment_class="Desktop PC",
            sub_class="Workstation",
        ),
    )


def test_hours_from_the_factor_when_the_entry_has_none() -> None:
    rows = compute_emissions(
        T.it, {"name": "pc", "equipment_class": "Desktop PC", "quantity": 3}, 2024, _index()
    )
    # (40 h x 60 W + 128 h x 2 W) x 52 / 1000 x 3 x 0.125 = 2656 x 52 / 1000 x 0.375 = 51.792
    assert [(r.emission_type_id, r.factor_id) for r in rows] == [(80200, 1)]
    assert rows[0].kg_co2eq == pytest.approx(51.792)


@pytest.mark.parametrize(("type_id", "code"), [(T.scientific, 80100), (T.other, 80300)])
def test_each_equipment_type_has_its_code(type_id: int, code: int) -> None:
    rows = compute_emissions(
        type_id, {"name": "x", "equipment_class": "Desktop PC"}, 2024, _index(type_id)
    )
    assert rows[0].emission_type_id == code


def test_entry_hours_override_the_factor_hours() -> None:
    data = {
        "name": "pc",
        "equipment_class": "Desktop PC",
        "active_usage_hours_per_week": 168,
        "standby_usage_hours_per_week": 0,
    }
    rows = compute_emissions(T.it, data, 2024, _index())
    assert rows[0].kg_co2eq == pytest.approx(168 * 60 * 52 / 1000 * 0.125)  # 65.52


def test_sub_class_wins_and_falls_back_to_class_only() -> None:
    data = {"name": "pc", "equipment_class": "desktop pc"}
    workstation = compute_emissions(T.it, {**data, "sub_class": "Workstation"}, 2024, _index())
    unknown = compute_emissions(T.it, {**data, "sub_class": "Gaming rig"}, 2024, _index())
    assert (workstation[0].factor_id, unknown[0].factor_id) == (2, 1)


def test_hours_summing_to_exactly_168_are_fine() -> None:
    data = {"name": "pc", "equipment_class": "Desktop PC", "active_usage_hours_per_week": 40}
    rows = compute_emissions(T.it, data, 2024, _index())  # 40 + the factor's 128 = 168
    assert rows[0].meta == {"active_hours": 40.0, "standby_hours": 128.0}


def test_hours_summing_to_169_are_an_entry_error() -> None:
    data = {"name": "pc", "equipment_class": "Desktop PC", "active_usage_hours_per_week": 41}
    with pytest.raises(InvalidFieldError, match="hours 41 \\+ 128 exceed 168"):
        compute_emissions(T.it, data, 2024, _index())


def test_unknown_class() -> None:
    with pytest.raises(FactorNotFoundError, match="'equipment_class': 'Toaster'"):
        compute_emissions(T.it, {"name": "t", "equipment_class": "Toaster"}, 2024, _index())
