"""Unit: a lab or service of the university."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base

if TYPE_CHECKING:
    from app.models.carbon_report import CarbonReport


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    institutional_code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    label_fr: Mapped[str | None] = mapped_column(String(255))
    label_en: Mapped[str | None] = mapped_column(String(255))
    parent_institutional_code: Mapped[str | None] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    reports: Mapped[list[CarbonReport]] = relationship(
        back_populates="unit", lazy="raise", passive_deletes=True
    )
