"""What every calculator is, and the one way they build rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.emissions.base import EmissionRow
from app.emissions.index import Factor, FactorIndex

# (data_entry_type_id, entry data, report year, factor index) -> emission rows
Calculator = Callable[[int, Mapping[str, Any], int, FactorIndex], list[EmissionRow]]


def row(code: int, kg_co2eq: float, factor: Factor, **meta: Any) -> EmissionRow:
    """An emission row computed from one factor; meta keeps what a reader needs to check it."""
    return EmissionRow(int(code), kg_co2eq, factor.id, meta, factor.revision)
