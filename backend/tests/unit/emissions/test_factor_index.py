from __future__ import annotations

from typing import Any

import pytest
from emission_helpers import factor, index_of

from app.domain.modules import DataEntryTypeEnum as T
from app.emissions import FACTOR_FIELDS, FactorIndex, FactorSpec
from app.emissions.errors import (
    AmbiguousFactorError,
    FactorNotFoundError,
    UnusableFactorError,
)
from app.emissions.fields import number, optional, text

GWP = "gwp_kg_co2eq_per_kg"


def _process(gwp: float, id: int, subcategory: str | None = None, year: int = 2024) -> Any:
    return factor(
        T.process_emissions,
        {GWP: gwp},
        id=id,
        year=year,
        category="refrigerants",
        subcategory=subcategory,
    )


def _lookup(index: FactorIndex, subcategory: str | None, year: int = 2024) -> int | None:
    found = index.lookup(
        T.process_emissions, year, {"category": "refrigerants", "subcategory": subcategory}
    )
    return found.id


def test_most_specific_factor_wins_over_wildcard() -> None:
    index = index_of(_process(2000, id=1), _process(1430, id=2, subcategory="R134a"))
    assert _lookup(index, "R134a") == 2


def test_wildcard_is_the_fallback_for_an_unknown_or_missing_optional_key() -> None:
    index = index_of(_process(2000, id=1), _process(1430, id=2, subcategory="R134a"))
    assert _lookup(index, "R404A") == 1
    assert _lookup(index, None) == 1


def test_classification_values_match_case_and_space_insensitively() -> None:
    index = index_of(_process(1430, id=2, subcategory="R134a"))
    assert _lookup(index, "  r134A ") == 2


def test_no_match_names_classification_and_year() -> None:
    index = index_of(_process(1430, id=2, subcategory="R134a"))
    with pytest.raises(FactorNotFoundError) as caught:
        _lookup(index, "R404A")
    assert str(caught.value) == (
        "no process_emissions factor for classification "
        "{'category': 'refrigerants', 'subcategory': 'R404A'} in year 2024"
    )


def test_factors_of_another_year_do_not_match() -> None:
    index = index_of(_process(2000, id=1, year=2024))
    with pytest.raises(FactorNotFoundError, match="in year 2025"):
        _lookup(index, None, year=2025)


def test_empty_index_finds_nothing() -> None:
    with pytest.raises(FactorNotFoundError):
        _lookup(index_of(), "R134a")


def test_one_index_holds_several_types_and_years() -> None:
    index = index_of(
        _process(28, id=1, year=2024),
        _process(29.8, id=2, year=2025),
        factor(T.train, {"ef_kg_co2eq_per_km": 0.04}, id=3, country_code="RoW"),
    )
    assert _lookup(index, None, year=2025) == 2
    assert index.lookup(T.train, 2024, {"country_code": "FR"}).id == 3


def test_two_factors_with_the_same_normalised_classification_are_ambiguous() -> None:
    index = index_of(
        _process(1430, id=7, subcategory="R134a"), _process(1300, id=8, subcategory="r134a")
    )
    with pytest.raises(AmbiguousFactorError) as caught:
        _lookup(index, "R134A")
    assert "factor #7" in str(caught.value)
    assert "factor #8" in str(caught.value)


def test_two_equally_specific_fallbacks_are_ambiguous() -> None:
    # A spec with two optional keys: (x, b, wildcard) and (x, wildcard, c) both match (x, b, c)
    # with one fallback each, so neither is more specific.
    spec = FactorSpec((text("a"), optional(text("b")), optional(text("c"))), (number("ef"),))
    specs = {**FACTOR_FIELDS, T.process_emissions: spec}
    records = [
        factor(T.process_emissions, {"ef": 1}, id=1, a="x", b="b"),
        factor(T.process_emissions, {"ef": 2}, id=2, a="x", c="c"),
        factor(T.process_emissions, {"ef": 3}, id=3, a="x"),
    ]
    index = FactorIndex.build(records, specs)
    with pytest.raises(AmbiguousFactorError, match=r"#1 .* and #2 .* equally well"):
        index.lookup(T.process_emissions, 2024, {"a": "x", "b": "b", "c": "c"})
    assert index.lookup(T.process_emissions, 2024, {"a": "x", "b": "b", "c": "z"}).id == 1
    assert index.lookup(T.process_emissions, 2024, {"a": "x", "b": "y", "c": "z"}).id == 3


def test_a_factor_missing_a_value_is_unusable_with_a_clear_message() -> None:
    index = index_of(factor(T.process_emissions, {}, id=4, category="ch4", subcategory=None))
    with pytest.raises(
        UnusableFactorError, match=f"factor #4 .*: value '{GWP}': a value is required"
    ):
        index.lookup(T.process_emissions, 2024, {"category": "ch4"})


def test_factor_values_get_their_documented_defaults() -> None:
    index = index_of(factor(T.plane, {"ef_kg_co2eq_per_km": 0.2}, category="long_haul"))
    found = index.lookup(T.plane, 2024, {"category": "long_haul", "cabin_class": "eco"})
    assert found.numbers == {"ef_kg_co2eq_per_km": 0.2, "rfi_adjustment": 1.0}


class _NoScanTable(dict[Any, Any]):
    """A table that counts point lookups and refuses every kind of iteration."""

    gets = 0

    def get(self, key: Any, default: Any = None) -> Any:
        type(self).gets += 1
        return super().get(key, default)

    def _refuse(self, *args: Any) -> Any:
        raise AssertionError("the index scanned its table")

    __iter__ = items = keys = values = _refuse  # type: ignore[assignment]


def test_lookups_are_point_accesses_not_scans() -> None:
    records = [_process(float(i), id=i, subcategory=f"R{i}") for i in range(1, 5001)]
    index = index_of(_process(2000, id=0), *records)
    index._table = _NoScanTable(index._table)  # type: ignore[assignment]
    assert _lookup(index, "R4321") == 4321
    assert _NoScanTable.gets == 1
    assert _lookup(index, "R999999") == 0  # specific key, then the wildcard
    assert _NoScanTable.gets == 3


def test_a_repeated_classification_is_resolved_once() -> None:
    index = index_of(_process(2000, id=1), _process(1430, id=2, subcategory="R134a"))

    class Counting(_NoScanTable):
        gets = 0

    index._table = Counting(index._table)  # type: ignore[assignment]
    assert [_lookup(index, "R134a") for _ in range(3)] == [2, 2, 2]
    assert [_lookup(index, "R404A") for _ in range(3)] == [1, 1, 1]
    assert Counting.gets == 3  # R134a: one get; R404A: the specific key, then the wildcard


def test_a_repeated_miss_raises_a_new_error_with_the_same_message_each_time() -> None:
    index = index_of(_process(1430, id=2, subcategory="R134a"))
    errors = []
    for _ in range(2):
        with pytest.raises(FactorNotFoundError) as caught:
            _lookup(index, "R404A")
        errors.append(caught.value)
    assert errors[0] is not errors[1]
    assert str(errors[0]) == str(errors[1])
    assert "'subcategory': 'R404A'" in str(errors[1])


def test_a_repeated_ambiguous_lookup_stays_ambiguous() -> None:
    index = index_of(
        _process(2000, id=1, subcategory="R134a"), _process(2100, id=3, subcategory=" r134a")
    )
    for _ in range(2):
        with pytest.raises(AmbiguousFactorError):
            _lookup(index, "R134a")
