from __future__ import annotations

import pytest
from emission_helpers import index_of

from app.domain.emission_types import DEFAULT_EMISSION_TYPE
from app.domain.modules import DataEntryTypeEnum as T
from app.emissions import EmissionRow, compute_emissions
from app.emissions.errors import FactorNotFoundError, InvalidFieldError, MissingFieldError
from app.emissions.registry import CALCULATORS


def test_every_type_has_a_calculator() -> None:
    assert set(CALCULATORS) == set(T)


@pytest.mark.parametrize("type_id", list(T))
def test_override_wins_with_the_default_emission_type(type_id: T) -> None:
    rows = compute_emissions(type_id, {"kg_co2eq": 12.5}, 2024, index_of())
    assert rows == [
        EmissionRow(int(DEFAULT_EMISSION_TYPE[type_id]), 12.5, None, {"override": True})
    ]


def test_override_of_zero_is_an_override() -> None:
    rows = compute_emissions(T.member, {"fte": 1, "kg_co2eq": 0}, 2024, index_of())
    assert [(r.emission_type_id, r.kg_co2eq, r.factor_id) for r in rows] == [(10000, 0.0, None)]


def test_override_given_as_text() -> None:
    rows = compute_emissions(T.plane, {"kg_co2eq": "7.25"}, 2024, index_of())
    assert rows[0].kg_co2eq == 7.25


def test_empty_override_is_no_override() -> None:
    with pytest.raises(FactorNotFoundError):
        compute_emissions(T.member, {"fte": 1, "kg_co2eq": ""}, 2024, index_of())


def test_override_that_is_not_a_number() -> None:
    with pytest.raises(InvalidFieldError, match="field 'kg_co2eq': 'lots' is not a number"):
        compute_emissions(T.member, {"kg_co2eq": "lots"}, 2024, index_of())


def test_missing_required_field_is_named() -> None:
    with pytest.raises(MissingFieldError, match="missing required field 'quantity_kg'"):
        compute_emissions(T.process_emissions, {"category": "ch4"}, 2024, index_of())


def test_unknown_type_is_a_caller_error() -> None:
    with pytest.raises(ValueError, match="99"):
        compute_emissions(99, {}, 2024, index_of())
