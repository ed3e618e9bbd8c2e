"""Small builders for emission tests: factor records and indexes with readable defaults."""

from __future__ import annotations

from typing import Any

from app.emissions import FactorIndex, FactorRecord


def factor(
    type_id: int,
    values: dict[str, Any],
    *,
    id: int = 1,
    year: int = 2024,
    **classification: str | None,
) -> FactorRecord:
    return FactorRecord(type_id, year, classification, values, id)


def index_of(*records: FactorRecord) -> FactorIndex:
    return FactorIndex.build(records)
