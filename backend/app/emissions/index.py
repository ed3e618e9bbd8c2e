"""Resolution of factors for entries: most specific classification first, then fallbacks.

One `FactorIndex` may hold the factors of any number of data entry types and years: the table
key is (type id, year, normalised classification values in the spec's key order), so a
recalculation of one type or of a whole module builds a single index. A lookup resolves a
classification once (a few dict accesses: at most 2^k for k optional keys, k <= 1 for the
shipped types; nothing scans) and remembers the outcome under the classification's values, so
a run of many entries pays one dict access per entry for each distinct factor key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import product
from typing import Any

from app.domain.modules import DataEntryTypeEnum
from app.emissions.base import ClassificationValue, EntryError, FactorRecord
from app.emissions.errors import AmbiguousFactorError, FactorNotFoundError, UnusableFactorError
from app.emissions.fields import Field, match_key
from app.emissions.specs import FACTOR_FIELDS, FactorSpec

Key = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Factor:
    """A factor ready for formulas: defaults applied and values typed once, at build time."""

    id: int | None
    revision: int | None
    classification: Mapping[str, ClassificationValue]
    numbers: Mapping[str, float]
    texts: Mapping[str, str]

    def number(self, field: Field) -> float:
        return self.numbers[field.name]

    def text(self, field: Field) -> str:
        return self.texts[field.name]


@dataclass(frozen=True, slots=True)
class _Unusable:
    """Stands in for a factor no lookup may use (in the table), or for a lookup that found
    none (among the resolved); the message says why."""

    message: str
    error: type[EntryError] = UnusableFactorError


def _describe(record: FactorRecord) -> str:
    return f"factor #{record.id} {dict(record.classification)}"


def _prepare(record: FactorRecord, spec: FactorSpec) -> Factor | _Unusable:
    numbers: dict[str, float] = {}
    texts: dict[str, str] = {}
    for field in spec.values:
        try:
            value = field.resolve(record.values.get(field.name))
        except ValueError as error:
            return _Unusable(f"{_describe(record)}: value {field.name!r}: {error}")
        if value is None:
            continue
        if field.kind == "text":
            texts[field.name] = str(value)
        else:
            numbers[field.name] = float(value)
    return Factor(record.id, record.revision, record.classification, numbers, texts)


def _fallback_plan(spec: FactorSpec) -> tuple[tuple[tuple[bool, ...], ...], ...]:
    """Masks of "use this key's fallback", grouped in tiers of equal specificity."""
    per_key = [(False, True) if not key.required else (False,) for key in spec.keys]
    masks = sorted(product(*per_key), key=sum)
    tiers: dict[int, list[tuple[bool, ...]]] = defaultdict(list)
    for mask in masks:
        tiers[sum(mask)].append(mask)
    return tuple(tuple(tier) for tier in tiers.values())


class FactorIndex:
    """Factors keyed by (type, year, normalised classification); build once per run."""

    __slots__ = ("_groups", "_key_names", "_plans", "_resolved", "_specs", "_table")

    def __init__(
        self,
        table: dict[Key, Factor | _Unusable],
        groups: dict[tuple[int, int], dict[str, tuple[Factor, ...]] | _Unusable],
        specs: Mapping[int, FactorSpec],
    ) -> None:
        self._table = table
        self._groups = groups
        self._specs = specs
        self._plans = {type_id: _fallback_plan(spec) for type_id, spec in specs.items()}
        self._key_names = {
            type_id: tuple(key.name for key in spec.keys) for type_id, spec in specs.items()
        }
        # Outcome of each lookup by (type, year, classification values as given).
        self._resolved: dict[Key, Factor | _Unusable] = {}

    @classmethod
    def build(
        cls, factors: Iterable[FactorRecord], specs: Mapping[int, FactorSpec] = FACTOR_FIELDS
    ) -> FactorIndex:
        """Index factors of any types and years.

        Two factors whose classifications normalise to the same key are both kept out: a
        lookup that reaches them raises AmbiguousFactorError naming them.
        """
        table: dict[Key, Factor | _Unusable] = {}
        members: dict[tuple[int, int], dict[str, list[Factor | _Unusable]]] = defaultdict(
            lambda: defaultdict(list)
        )
        first_of: dict[Key, FactorRecord] = {}
        for record in factors:
            spec = specs[record.data_entry_type_id]
            key = (
                record.data_entry_type_id,
                record.year,
                *(
                    match_key(record.classification.get(k.name)) or match_key(k.default)
                    for k in spec.keys
                ),
            )
            prepared = _prepare(record, spec)
            if key in first_of:
                prepared = _Unusable(
                    f"{_describe(first_of[key])} and {_describe(record)} "
                    f"match the same classification in year {record.year}",
                    AmbiguousFactorError,
                )
            else:
                first_of[key] = record
            table[key] = prepared
            if spec.group_by is not None:
                group = match_key(record.classification.get(spec.group_by)) or ""
                members[(record.data_entry_type_id, record.year)][group].append(prepared)
        return cls(table, {scope: _freeze(groups) for scope, groups in members.items()}, specs)

    def lookup(
        self, data_entry_type_id: int, year: int, classification: Mapping[str, object]
    ) -> Factor:
        """The most specific factor for a classification, fallbacks included.

        Raises FactorNotFoundError, AmbiguousFactorError or UnusableFactorError (EntryErrors).
        """
        given = (
            data_entry_type_id,
            year,
            *map(classification.get, self._key_names[data_entry_type_id]),
        )
        try:
            outcome = self._resolved.get(given)
        except TypeError:  # an unhashable value: resolved each time, like any other
            outcome = self._resolve(data_entry_type_id, year, classification)
        if outcome is None:
            outcome = self._resolve(data_entry_type_id, year, classification)
            self._resolved[given] = outcome
        if isinstance(outcome, _Unusable):
            raise outcome.error(outcome.message)  # a new exception each time, no shared state
        return outcome

    def _resolve(
        self, data_entry_type_id: int, year: int, classification: Mapping[str, object]
    ) -> Factor | _Unusable:
        """The lookup's outcome: the factor, or why there is none."""
        spec = self._specs[data_entry_type_id]
        values = [match_key(classification.get(key.name)) for key in spec.keys]
        fallbacks = [match_key(key.default) for key in spec.keys]
        tried: set[Key] = set()
        for tier in self._plans[data_entry_type_id]:
            found: dict[Key, Factor | _Unusable] = {}
            for mask in tier:
                key = (
                    data_entry_type_id,
                    year,
                    *(
                        fallback if use_fallback else value
                        for value, fallback, use_fallback in zip(
                            values, fallbacks, mask, strict=True
                        )
                    ),
                )
                if key in tried:
                    continue
                tried.add(key)
                hit = self._table.get(key)
                if hit is not None:
                    found[key] = hit
            if found:
                return _one(found, classification, year)
        name = DataEntryTypeEnum(data_entry_type_id).name
        return _Unusable(
            f"no {name} factor for classification {_shown(spec, classification)} in year {year}",
            FactorNotFoundError,
        )

    def groups(self, data_entry_type_id: int, year: int) -> Mapping[str, tuple[Factor, ...]]:
        """All factors of a type and year by the spec's `group_by` key (e.g. by category)."""
        groups = self._groups.get((data_entry_type_id, year), {})
        if isinstance(groups, _Unusable):
            raise groups.error(groups.message)
        return groups


def _freeze(
    groups: Mapping[str, list[Factor | _Unusable]],
) -> dict[str, tuple[Factor, ...]] | _Unusable:
    frozen: dict[str, tuple[Factor, ...]] = {}
    for name, members in groups.items():
        factors = []
        for member in members:
            if isinstance(member, _Unusable):
                return member
            factors.append(member)
        frozen[name] = tuple(factors)
    return frozen


def _one(
    found: Mapping[Key, Factor | _Unusable], classification: Mapping[str, object], year: int
) -> Factor | _Unusable:
    if len(found) > 1:
        described = " and ".join(
            f"#{hit.id} {dict(hit.classification)}" if isinstance(hit, Factor) else hit.message
            for hit in found.values()
        )
        return _Unusable(
            f"factors {described} match {dict(classification)} in year {year} equally well",
            AmbiguousFactorError,
        )
    (hit,) = found.values()
    return hit


def _shown(spec: FactorSpec, classification: Mapping[str, object]) -> dict[str, object]:
    return {key.name: classification.get(key.name) for key in spec.keys}
