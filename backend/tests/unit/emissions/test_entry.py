"""compute_entry: an entry's rows or its entry error, the plausible bound included."""

from __future__ import annotations

from typing import Any

import pytest
from emission_helpers import factor, index_of

from app.domain.modules import DataEntryTypeEnum as T
from app.emissions import EmissionRow, EntryError, compute_entry, registry
from app.emissions.entry import MAX_ABS_KG_PER_ROW, reason
from app.emissions.errors import FactorNotFoundError, ImplausibleEmissionsError

YEAR = 2024
CH4 = index_of(factor(T.process_emissions, {"gwp_kg_co2eq_per_kg": 28.0}, category="ch4"))


def compute(data: dict[str, Any]) -> list[EmissionRow] | EntryError:
    return compute_entry(T.process_emissions, data, YEAR, CH4)


def test_rows_within_the_bound_are_returned() -> None:
    assert compute({"category": "ch4", "quantity_kg": 10.0}) == [EmissionRow(70100, 280.0, 1, {})]


def test_a_row_exactly_at_the_bound_is_plausible() -> None:
    rows = compute({"category": "ch4", "quantity_kg": 1.0, "kg_co2eq": MAX_ABS_KG_PER_ROW})
    assert isinstance(rows, list)
    assert rows[0].kg_co2eq == MAX_ABS_KG_PER_ROW


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"category": "ch4", "quantity_kg": 1e300}, id="computed"),
        pytest.param({"category": "ch4", "quantity_kg": 1e308}, id="computed-infinite"),
        pytest.param({"category": "ch4", "quantity_kg": 1.0, "kg_co2eq": 1e16}, id="override"),
        pytest.param(
            {"category": "n2o", "quantity_kg": 1.0, "kg_co2eq": 2e15}, id="override-no-factor"
        ),
    ],
)
def test_a_row_beyond_the_bound_is_an_entry_error(data: dict[str, Any]) -> None:
    error = compute(data)
    assert isinstance(error, ImplausibleEmissionsError)
    assert "exceed the plausible bound of 1e+15 kg per row" in reason(error)


def test_a_missing_factor_is_returned_not_raised() -> None:
    error = compute({"category": "n2o", "quantity_kg": 1.0})
    assert isinstance(error, FactorNotFoundError)
    assert "n2o" in reason(error)


def test_an_override_needs_no_factor() -> None:
    assert compute({"category": "n2o", "quantity_kg": 1.0, "kg_co2eq": 42.0}) == [
        EmissionRow(70000, 42.0, None, {"override": True})
    ]


def test_a_calculator_bug_propagates(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any) -> Any:
        raise RuntimeError("calculator bug")

    monkeypatch.setitem(registry.CALCULATORS, T.process_emissions, broken)
    with pytest.raises(RuntimeError, match="calculator bug"):
        compute({"category": "ch4", "quantity_kg": 1.0})


def test_an_error_without_message_is_named_by_its_kind() -> None:
    assert reason(FactorNotFoundError()) == "FactorNotFoundError"
