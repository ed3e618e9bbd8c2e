"""DataEntry (an operator's or user's input) and its derived DataEntryEmission rows."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, Double, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.ingestion import DataEntrySource
from app.models.base import Base, IntEnumType, JSONType, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.carbon_report import CarbonReportModule
    from app.models.factor import Factor

# BIGINT on PostgreSQL: emission rows are replaced on every recalculation, so ids climb fast.
# SQLite only auto-assigns ids to a column declared exactly INTEGER PRIMARY KEY.
_BigIntId = BigInteger().with_variant(Integer(), "sqlite")


class DataEntry(Base):
    __tablename__ = "data_entries"
    __table_args__ = (
        # The recalculation's keyset scan: WHERE type = ? AND (module_id, id) > (?, ?)
        # ORDER BY module_id, id; also serves per-type counts and per-module listings.
        Index(
            "ix_data_entries_type_module_id",
            "data_entry_type_id",
            "carbon_report_module_id",
            "id",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    carbon_report_module_id: Mapped[int] = mapped_column(
        ForeignKey("carbon_report_modules.id", ondelete="CASCADE"), index=True
    )
    data_entry_type_id: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    source: Mapped[DataEntrySource] = mapped_column(IntEnumType(DataEntrySource))
    # The import job that created the entry ('replace' imports remove their kind by it).
    ingestion_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("data_ingestion_jobs.id", ondelete="SET NULL"), index=True
    )
    # Bumped by every ORM update (version_id_col): a recalculation skips entries whose
    # revision changed after it read them, and concurrent edits fail with StaleDataError.
    revision: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    module: Mapped[CarbonReportModule] = relationship(back_populates="entries", lazy="raise")
    emissions: Mapped[list[DataEntryEmission]] = relationship(
        back_populates="entry",
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="DataEntryEmission.id",
    )

    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012


class DataEntryEmission(Base):
    """A derived row: 0..n per entry, fully replaceable, never edited in place."""

    __tablename__ = "data_entry_emissions"

    id: Mapped[int] = mapped_column(_BigIntId, primary_key=True)
    data_entry_id: Mapped[int] = mapped_column(
        ForeignKey("data_entries.id", ondelete="CASCADE"), index=True
    )
    emission_type_id: Mapped[int] = mapped_column(Integer)
    kg_co2eq: Mapped[float] = mapped_column(Double)
    # Indexed: deleting factors sets these to NULL, which must not scan every emission row.
    factor_id: Mapped[int | None] = mapped_column(
        ForeignKey("factors.id", ondelete="SET NULL"), index=True
    )
    # The factor version the row was computed with: its id (kept when the factor is deleted,
    # unlike factor_id) and its revision. NULL for overrides and multi-factor rows (their
    # meta lists factor_ids and factor_revisions).
    factor_ref_id: Mapped[int | None] = mapped_column(Integer)
    factor_revision: Mapped[int | None] = mapped_column(Integer)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[DataEntry] = relationship(back_populates="emissions", lazy="raise")
    factor: Mapped[Factor | None] = relationship(lazy="raise")
