"""Factor: one emission factor, identified by (data entry type, year, classification)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JSONType


class Factor(Base):
    """`classification_key` is `app.emissions.factor_diff.classification_key(classification)`."""

    __tablename__ = "factors"
    __table_args__ = (UniqueConstraint("data_entry_type_id", "year", "classification_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    data_entry_type_id: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer)
    classification: Mapped[dict[str, Any]] = mapped_column(JSONType)
    classification_key: Mapped[str] = mapped_column(String(1000))
    values: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # Bumped by every import that changes the factor: an emission row computed with an older
    # revision is out of date.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The factor import that inserted or last updated the factor (a plain id, no foreign
    # key: the job's history may be pruned, the fact stays).
    changed_by_job_id: Mapped[int | None] = mapped_column(Integer)
