"""Which factor versions an entry's emissions were computed with, and whether the factors as
they stand now would compute it differently. Pure: the counting service reads, this decides.

A factor version is (factor id, revision): an import that updates a factor bumps its revision,
one that removes it leaves emission rows naming an id no factor has any more, and one that
inserts a more specific factor changes which id an entry resolves to. So an entry is affected
exactly when the versions its stored rows name differ from the versions computing it now uses;
an entry that now fails is affected when it has rows that name versions (a recalculation
removes them), and may at the same time be unresolvable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any

from app.emissions.base import EmissionRow, EntryError
from app.emissions.errors import AmbiguousFactorError, FactorNotFoundError, UnusableFactorError

FactorVersion = tuple[int, int]
FactorVersions = frozenset[FactorVersion]

# Entry errors that a factor file causes and only a factor file fixes.
_FACTOR_ERRORS = (FactorNotFoundError, AmbiguousFactorError, UnusableFactorError)


class EntryStanding(Enum):
    """Where an entry stands against the current factors."""

    current = "current"  # computed with the factor versions it resolves to now
    affected = "affected"  # a recalculation would change its rows (other versions, or none)
    unresolvable = "unresolvable"  # no usable factor matches it: recalculating cannot help
    # It has rows computed with factors, and no usable factor matches it now (its factor was
    # removed, say): a recalculation removes its rows, then it stays unresolvable.
    affected_unresolvable = "affected_unresolvable"
    not_factor_bound = "not_factor_bound"  # an override, or an entry error of its own data

    @property
    def is_affected(self) -> bool:
        return self in (EntryStanding.affected, EntryStanding.affected_unresolvable)

    @property
    def is_unresolvable(self) -> bool:
        return self in (EntryStanding.unresolvable, EntryStanding.affected_unresolvable)


def affected_and_unresolvable(standings: Mapping[EntryStanding, int]) -> tuple[int, int]:
    """How many of these entries are affected, and how many unresolvable (an entry may be both)."""
    affected = sum(n for standing, n in standings.items() if standing.is_affected)
    unresolvable = sum(n for standing, n in standings.items() if standing.is_unresolvable)
    return affected, unresolvable


def row_versions(
    factor_id: int | None, factor_revision: int | None, meta: Mapping[str, Any] | None
) -> FactorVersions:
    """The versions one emission row names: its own factor, or (rows that aggregate several
    factors) the `factor_ids` and `factor_revisions` its meta lists."""
    if factor_id is not None and factor_revision is not None:
        return frozenset({(factor_id, factor_revision)})
    if not meta:
        return frozenset()
    ids, revisions = meta.get("factor_ids") or [], meta.get("factor_revisions") or []
    return frozenset(
        (int(i), int(r)) for i, r in zip(ids, revisions, strict=False) if i is not None
    )


def computed_versions(rows: Iterable[EmissionRow]) -> FactorVersions:
    """The versions a fresh computation of an entry uses."""
    versions: set[FactorVersion] = set()
    for row in rows:
        versions |= row_versions(row.factor_id, row.factor_revision, row.meta)
    return frozenset(versions)


def _error_standing(error: EntryError, stored: FactorVersions) -> EntryStanding:
    """A failing entry with rows computed with factors loses them in a recalculation."""
    if isinstance(error, _FACTOR_ERRORS):
        return EntryStanding.affected_unresolvable if stored else EntryStanding.unresolvable
    return EntryStanding.affected if stored else EntryStanding.not_factor_bound


def _is_override(rows: list[EmissionRow]) -> bool:
    return any(row.meta.get("override") for row in rows)


def standing(computed: list[EmissionRow] | EntryError, stored: FactorVersions) -> EntryStanding:
    """Compare an entry computed with the current factors to the versions its rows name."""
    if isinstance(computed, EntryError):
        return _error_standing(computed, stored)
    if _is_override(computed):
        return EntryStanding.not_factor_bound
    return (
        EntryStanding.current if computed_versions(computed) == stored else EntryStanding.affected
    )


def fresh_standing(computed: list[EmissionRow] | EntryError) -> EntryStanding:
    """The standing of an entry just computed with the current factors and stored as computed
    (an import or an edit): never affected, unresolvable when no usable factor matched it.
    Its rows name the versions it was computed with, so they are not compared (an import
    calls this once per row)."""
    if isinstance(computed, EntryError):
        return _error_standing(computed, frozenset())
    return EntryStanding.not_factor_bound if _is_override(computed) else EntryStanding.current
