"""What a factor import changes: incoming records against the stored factors of its scope.

Pure, so the identity rules are tested without a database and the repository only runs the
three writes the diff names. A factor's identity is (type, year, classification key); the
stored id of a known identity is kept, so emission rows keep pointing at their factor.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.emissions.base import ClassificationValue, FactorRecord, FactorValue


def classification_key(classification: Mapping[str, Any]) -> str:
    """Canonical text of a classification: JSON cannot be uniquely indexed portably, this can.

    Keys sorted, no whitespace, non-ASCII kept; a missing key and an explicit null are the same
    identity (both are wildcards), so null values are dropped.
    """
    present = {key: value for key, value in classification.items() if value is not None}
    return json.dumps(present, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class StoredFactor:
    """The part of a stored factor the diff compares."""

    id: int
    data_entry_type_id: int
    classification_key: str
    classification: Mapping[str, ClassificationValue]
    values: Mapping[str, FactorValue]


@dataclass(frozen=True, slots=True)
class NewFactor:
    data_entry_type_id: int
    classification_key: str
    classification: dict[str, ClassificationValue]
    values: dict[str, FactorValue]


@dataclass(frozen=True, slots=True)
class ChangedFactor:
    id: int
    classification: dict[str, ClassificationValue]
    values: dict[str, FactorValue]


@dataclass(frozen=True, slots=True)
class FactorUpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    @property
    def changed_any(self) -> bool:
        """Whether a factor was inserted, updated or removed: only then can stored emissions
        be out of date."""
        return bool(self.inserted or self.updated or self.removed)


@dataclass(frozen=True, slots=True)
class FactorDiff:
    """The writes that make the stored factors match the records; removed ids are sorted."""

    to_insert: list[NewFactor]
    to_update: list[ChangedFactor]
    to_remove: list[int]
    unchanged: int

    @property
    def counts(self) -> FactorUpsertCounts:
        return FactorUpsertCounts(
            inserted=len(self.to_insert),
            updated=len(self.to_update),
            unchanged=self.unchanged,
            removed=len(self.to_remove),
        )


def diff_factors(
    year: int,
    records: Iterable[FactorRecord],
    stored: Iterable[StoredFactor],
    *,
    data_entry_type_ids: Collection[int],
    remove_missing: bool,
) -> FactorDiff:
    """Compare the records of (types, year) with what is stored for that scope.

    A later record of the same identity wins. A known identity whose classification and values
    are equal is unchanged, otherwise updated in place. With `remove_missing`, stored identities
    absent from the records are removed. A record outside the scope raises ValueError.
    """
    scope = set(data_entry_type_ids)
    incoming: dict[tuple[int, str], FactorRecord] = {}
    for record in records:
        if record.year != year or record.data_entry_type_id not in scope:
            raise ValueError(
                f"factor of type {record.data_entry_type_id}, year {record.year} is outside "
                f"the import scope (types {sorted(scope)}, year {year})"
            )
        identity = (record.data_entry_type_id, classification_key(record.classification))
        incoming[identity] = record

    known = {(factor.data_entry_type_id, factor.classification_key): factor for factor in stored}
    to_insert: list[NewFactor] = []
    to_update: list[ChangedFactor] = []
    unchanged = 0
    for (type_id, key), record in incoming.items():
        classification = dict(record.classification)
        values = dict(record.values)
        current = known.get((type_id, key))
        if current is None:
            to_insert.append(NewFactor(type_id, key, classification, values))
        elif current.classification == classification and current.values == values:
            unchanged += 1
        else:
            to_update.append(ChangedFactor(current.id, classification, values))
    to_remove = (
        sorted(factor.id for identity, factor in known.items() if identity not in incoming)
        if remove_missing
        else []
    )
    return FactorDiff(to_insert, to_update, to_remove, unchanged)
