from __future__ import annotations

import pytest
from emission_helpers import factor, index_of

from app.domain.modules import DataEntryTypeEnum as T
from app.emissions import FactorIndex, compute_emissions
from app.emissions.errors import FactorNotFoundError, InvalidFieldError

EF, UNITS = "ef_kg_co2eq_per_unit", "number_of_unit_per_fte"


def _member_index(type_id: int = T.member) -> FactorIndex:
    return index_of(
        factor(type_id, {EF: 3.2, UNITS: 110}, id=1, category="food", **{"class": "lunch"}),
        factor(type_id, {EF: 1.1, UNITS: 90}, id=2, category="food", **{"class": "veggie"}),
        factor(type_id, {EF: 0.45}, id=3, category="waste", **{"class": "incinerated"}),
    )


def test_member_rows_per_category() -> None:
    rows = compute_emissions(T.member, {"fte": 0.5}, 2024, _member_index())
    # food: 0.5 x (3.2 x 110 + 1.1 x 90) = 0.5 x (352 + 99) = 225.5
    # waste: 0.5 x 0.45 x 1 (number_of_unit_per_fte defaults to 1) = 0.225
    assert [(r.emission_type_id, r.kg_co2eq) for r in rows] == [
        (10000, pytest.approx(225.5)),
        (20000, pytest.approx(0.225)),
    ]
    assert rows[0].factor_id is None
    assert rows[0].meta == {"factor_ids": [1, 2], "factor_revisions": [None, None]}


def test_student_fte_above_one_is_allowed() -> None:
    rows = compute_emissions(T.student, {"fte": 2.5}, 2024, _member_index(T.student))
    assert rows[0].kg_co2eq == pytest.approx(2.5 * 451)


def test_fte_zero_gives_zero_rows() -> None:
    rows = compute_emissions(T.member, {"fte": 0}, 2024, _member_index())
    assert [r.kg_co2eq for r in rows] == [0.0, 0.0]


def test_member_fte_above_one_is_an_entry_error() -> None:
    with pytest.raises(InvalidFieldError, match=r"fte.*between 0 and 1"):
        compute_emissions(T.member, {"fte": 1.5}, 2024, _member_index())


def test_empty_factor_set_is_an_entry_error() -> None:
    with pytest.raises(FactorNotFoundError, match="no member factors in year 2024"):
        compute_emissions(T.member, {"fte": 1}, 2024, index_of())
