"""Factor: one emission factor, identified by (data entry type, year, classification)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JSONType


def classification_key(classification: Mapping[str, Any]) -> str:
    """Canonical text of a classification: JSON cannot be uniquely indexed portably, this can.

    Keys sorted, no whitespace, non-ASCII kept; a missing key and an explicit null are the same
    identity (both are wildcards), so null values are dropped.
    """
    present = {key: value for key, value in classification.items() if value is not None}
    return json.dumps(present, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Factor(Base):
    __tablename__ = "factors"
    __table_args__ = (UniqueConstraint("data_entry_type_id", "year", "classification_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    data_entry_type_id: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer)
    classification: Mapped[dict[str, Any]] = mapped_column(JSONType)
    classification_key: Mapped[str] = mapped_column(String(1000))
    values: Mapped[dict[str, Any]] = mapped_column(JSONType)
