"""CarbonReport (one per unit and year) and its 8 CarbonReportModules."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.ingestion import ModuleStatus
from app.models.base import Base, IntEnumType, JSONType, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.data_entry import DataEntry
    from app.models.unit import Unit


class CarbonReport(Base):
    __tablename__ = "carbon_reports"
    __table_args__ = (UniqueConstraint("unit_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # RESTRICT: a unit with reports is deactivated, never deleted with its data.
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    year: Mapped[int] = mapped_column(Integer, index=True)
    # Sum of its modules' stats (same keys); rewritten with them.
    stats: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    unit: Mapped[Unit] = relationship(back_populates="reports", lazy="raise")
    modules: Mapped[list[CarbonReportModule]] = relationship(
        back_populates="report",
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="CarbonReportModule.module_type_id",
    )


class CarbonReportModule(Base):
    __tablename__ = "carbon_report_modules"
    __table_args__ = (UniqueConstraint("carbon_report_id", "module_type_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    carbon_report_id: Mapped[int] = mapped_column(
        ForeignKey("carbon_reports.id", ondelete="CASCADE")
    )
    module_type_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[ModuleStatus] = mapped_column(
        IntEnumType(ModuleStatus),
        default=ModuleStatus.not_started,
        server_default=str(ModuleStatus.not_started.value),
    )
    stats: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    last_updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[CarbonReport] = relationship(back_populates="modules", lazy="raise")
    entries: Mapped[list[DataEntry]] = relationship(
        back_populates="module", lazy="raise", passive_deletes=True
    )
