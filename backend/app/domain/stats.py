"""The shape of module and report stats, built from emission sums. Pure.

Module stats: scope1, scope2, scope3, total (kg CO2e), by_emission_type (code as a string ->
kg, every row also counted in each of its ancestors), entry_count, computed_at (ISO 8601 UTC).
A report's stats are the sum of its modules' stats, same keys.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from app.domain.emission_types import ancestors, scope_of

SCOPE_KEYS = ("scope1", "scope2", "scope3")


def empty_stats(computed_at: datetime) -> dict[str, Any]:
    return build_module_stats({}, entry_count=0, computed_at=computed_at)


def build_module_stats(
    kg_by_emission_type: Mapping[int, float], *, entry_count: int, computed_at: datetime
) -> dict[str, Any]:
    """Stats of one module from its emission rows summed per emission type code."""
    scopes = dict.fromkeys(SCOPE_KEYS, 0.0)
    by_type: defaultdict[int, float] = defaultdict(float)
    total = 0.0
    for code, kg in kg_by_emission_type.items():
        total += kg
        scope = scope_of(code)
        if scope is not None:
            scopes[f"scope{scope}"] += kg
        for node in ancestors(code):
            by_type[node] += kg
    return {
        **scopes,
        "total": total,
        "by_emission_type": {str(code): by_type[code] for code in sorted(by_type)},
        "entry_count": entry_count,
        "computed_at": computed_at.isoformat(),
    }


def sum_stats(parts: Iterable[Mapping[str, Any]], *, computed_at: datetime) -> dict[str, Any]:
    """A report's stats: the key-wise sum of its modules' stats."""
    scopes = dict.fromkeys(SCOPE_KEYS, 0.0)
    by_type: defaultdict[int, float] = defaultdict(float)
    total = 0.0
    entry_count = 0
    for part in parts:
        for key in SCOPE_KEYS:
            scopes[key] += float(part.get(key, 0.0))
        total += float(part.get("total", 0.0))
        entry_count += int(part.get("entry_count", 0))
        for code, kg in part.get("by_emission_type", {}).items():
            by_type[int(code)] += float(kg)
    return {
        **scopes,
        "total": total,
        "by_emission_type": {str(code): by_type[code] for code in sorted(by_type)},
        "entry_count": entry_count,
        "computed_at": computed_at.isoformat(),
    }
