"""Emission factors as stored (identity: type, year, classification)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class FactorRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    data_entry_type_id: int
    year: int
    classification: dict[str, Any]
    values: dict[str, Any]
