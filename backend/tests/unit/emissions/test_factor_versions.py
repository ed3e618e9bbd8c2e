"""An entry's standing against the current factors: the factor versions (id, revision) its
stored rows name against those a fresh computation uses."""

from __future__ import annotations

from app.emissions.base import EmissionRow
from app.emissions.errors import FactorNotFoundError, UnknownAirportError
from app.emissions.factor_versions import (
    EntryStanding,
    affected_and_unresolvable,
    fresh_standing,
    row_versions,
    standing,
)


def computed(*versions: tuple[int, int]) -> list[EmissionRow]:
    return [EmissionRow(70100, 1.0, factor_id, {}, revision) for factor_id, revision in versions]


def test_same_versions_are_current_any_difference_is_affected() -> None:
    assert standing(computed((7, 1)), frozenset({(7, 1)})) is EntryStanding.current
    assert standing(computed((7, 2)), frozenset({(7, 1)})) is EntryStanding.affected  # updated
    assert standing(computed((8, 1)), frozenset({(7, 1)})) is EntryStanding.affected  # better
    assert standing(computed((7, 1)), frozenset()) is EntryStanding.affected  # had no rows


def test_factor_errors_are_unresolvable_other_entry_errors_and_overrides_are_not_bound() -> None:
    assert standing(FactorNotFoundError("no"), frozenset()) is EntryStanding.unresolvable
    assert standing(UnknownAirportError("ZZZ"), frozenset()) is EntryStanding.not_factor_bound
    override = [EmissionRow(70000, 5.0, None, {"override": True})]
    assert standing(override, frozenset({(7, 1)})) is EntryStanding.not_factor_bound


def test_an_entry_that_fails_now_is_affected_when_it_has_rows_a_recalculation_removes() -> None:
    gone = standing(FactorNotFoundError("no"), frozenset({(7, 1)}))
    assert gone is EntryStanding.affected_unresolvable
    assert gone.is_affected
    assert gone.is_unresolvable
    own_error = standing(UnknownAirportError("ZZZ"), frozenset({(7, 1)}))
    assert own_error is EntryStanding.affected
    assert not own_error.is_unresolvable


def test_the_counts_of_standings_count_an_entry_both_affected_and_unresolvable_in_both() -> None:
    tally = {
        EntryStanding.current: 4,
        EntryStanding.affected: 3,
        EntryStanding.unresolvable: 2,
        EntryStanding.affected_unresolvable: 1,
        EntryStanding.not_factor_bound: 5,
    }
    assert affected_and_unresolvable(tally) == (4, 3)


def test_an_entry_stored_as_just_computed_is_never_affected() -> None:
    assert fresh_standing(computed((7, 2), (8, 1))) is EntryStanding.current
    assert fresh_standing([]) is EntryStanding.current
    assert fresh_standing(FactorNotFoundError("no")) is EntryStanding.unresolvable
    assert fresh_standing(UnknownAirportError("ZZZ")) is EntryStanding.not_factor_bound
    override = [EmissionRow(70000, 5.0, None, {"override": True})]
    assert fresh_standing(override) is EntryStanding.not_factor_bound


def test_rows_of_several_factors_name_them_in_meta() -> None:
    meta = {"factor_ids": [3, 4], "factor_revisions": [1, 2]}

    assert row_versions(None, None, meta) == frozenset({(3, 1), (4, 2)})
    assert row_versions(5, 2, meta) == frozenset({(5, 2)})
    assert row_versions(None, None, None) == frozenset()
    headcount = [EmissionRow(10000, 1.0, None, meta)]
    assert standing(headcount, frozenset({(3, 1), (4, 2)})) is EntryStanding.current
