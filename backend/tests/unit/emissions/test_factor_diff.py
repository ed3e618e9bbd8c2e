from __future__ import annotations

from typing import Any

import pytest

from app.emissions.base import FactorRecord
from app.emissions.factor_diff import (
    ChangedFactor,
    FactorUpsertCounts,
    NewFactor,
    StoredFactor,
    classification_key,
    diff_factors,
)

PROCESS = 50
LN2 = 67
GWP = "gwp_kg_co2eq_per_kg"


def _record(category: str, gwp: float, type_id: int = PROCESS, **extra: Any) -> FactorRecord:
    return FactorRecord(type_id, 2025, {"category": category, **extra}, {GWP: gwp})


def _stored(id: int, category: str, gwp: float, type_id: int = PROCESS) -> StoredFactor:
    classification = {"category": category}
    return StoredFactor(id, type_id, classification_key(classification), classification, {GWP: gwp})


def _diff(records: list[FactorRecord], stored: list[StoredFactor], remove: bool = True) -> Any:
    return diff_factors(
        2025, records, stored, data_entry_type_ids=[PROCESS, LN2], remove_missing=remove
    )


class TestClassificationKey:
    def test_sorted_compact_and_non_ascii_kept(self) -> None:
        assert classification_key({"b": "é", "a": "x"}) == '{"a":"x","b":"é"}'

    def test_null_and_missing_are_the_same_identity(self) -> None:
        assert classification_key({"a": "x", "b": None}) == classification_key({"a": "x"})


class TestDiffFactors:
    def test_new_identity_is_inserted(self) -> None:
        diff = _diff([_record("ch4", 28)], [])
        assert diff.to_insert == [
            NewFactor(PROCESS, '{"category":"ch4"}', {"category": "ch4"}, {GWP: 28})
        ]
        assert diff.counts == FactorUpsertCounts(inserted=1)

    def test_known_identity_with_other_values_is_updated_in_place(self) -> None:
        diff = _diff([_record("ch4", 29)], [_stored(7, "ch4", 28)])
        assert diff.to_update == [ChangedFactor(7, {"category": "ch4"}, {GWP: 29})]
        assert diff.counts == FactorUpsertCounts(updated=1)

    def test_equal_identity_and_values_is_unchanged(self) -> None:
        diff = _diff([_record("ch4", 28)], [_stored(7, "ch4", 28)])
        assert diff.counts == FactorUpsertCounts(unchanged=1)
        assert (diff.to_insert, diff.to_update, diff.to_remove) == ([], [], [])

    def test_explicit_null_matches_a_stored_missing_key_but_is_an_update(self) -> None:
        diff = _diff([_record("ch4", 28, subcategory=None)], [_stored(7, "ch4", 28)])
        assert diff.to_insert == []
        assert diff.to_update == [
            ChangedFactor(7, {"category": "ch4", "subcategory": None}, {GWP: 28})
        ]

    def test_absent_identities_are_removed_sorted_only_when_asked(self) -> None:
        stored = [_stored(9, "n2o", 265), _stored(3, "co2", 1), _stored(5, "ch4", 28)]
        assert _diff([_record("ch4", 28)], stored).to_remove == [3, 9]
        kept = _diff([_record("ch4", 28)], stored, remove=False)
        assert kept.counts == FactorUpsertCounts(unchanged=1)

    def test_same_classification_of_another_type_is_another_identity(self) -> None:
        diff = _diff([_record("ch4", 28, type_id=LN2)], [_stored(7, "ch4", 28)])
        assert diff.counts == FactorUpsertCounts(inserted=1, removed=1)
        assert diff.to_remove == [7]

    def test_a_later_record_of_the_same_identity_wins(self) -> None:
        diff = _diff([_record("ch4", 25), _record("ch4", 28)], [_stored(7, "ch4", 25)])
        assert diff.to_update == [ChangedFactor(7, {"category": "ch4"}, {GWP: 28})]
        assert diff.counts == FactorUpsertCounts(updated=1)

    def test_record_outside_the_scope_is_refused(self) -> None:
        with pytest.raises(ValueError, match="outside the import scope"):
            _diff([_record("ch4", 28, type_id=99)], [])
        other_year = FactorRecord(PROCESS, 2024, {"category": "ch4"}, {GWP: 28})
        with pytest.raises(ValueError, match="type 50, year 2024 is outside"):
            _diff([other_year], [])
