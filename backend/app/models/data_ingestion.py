"""DataIngestionJob: the single record of every import and recalculation, and its history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.ingestion import (
    ACTIVE_STATES,
    EntityType,
    IngestionMethod,
    IngestionResult,
    IngestionState,
    TargetType,
)
from app.models.base import Base, IntEnumType, JSONType, UTCDateTime, utcnow

# The module-wide scope (data_entry_type_id NULL) must collide with itself in unique indexes,
# and NULLs never collide; coalesce(.., 0) does, the same way on SQLite and PostgreSQL
# (0 is never a data entry type id).
_TYPE_OR_MODULE = func.coalesce(text("data_entry_type_id"), 0)

_ACTIVE_RECALCULATION = (
    f"target_type = {TargetType.DATA_ENTRIES.value} "
    f"AND ingestion_method = {IngestionMethod.computed.value} "
    f"AND state IN ({', '.join(str(state.value) for state in ACTIVE_STATES)})"
)


class DataIngestionJob(Base):
    __tablename__ = "data_ingestion_jobs"
    __table_args__ = (
        # At most one current job per (module, type or module-wide, target, method, year).
        Index(
            "uq_data_ingestion_jobs_current",
            "module_type_id",
            _TYPE_OR_MODULE,
            "target_type",
            "ingestion_method",
            "year",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        # One active recalculation (target DATA_ENTRIES, method computed, state NOT_STARTED,
        # QUEUED or RUNNING) per scope. A module recalculation inserts its parent row
        # (type NULL) and one child row per covered type, so it collides with an active
        # per-type recalculation of any of those types, and with another module recalculation.
        Index(
            "uq_data_ingestion_jobs_active_recalculation",
            "module_type_id",
            _TYPE_OR_MODULE,
            "year",
            unique=True,
            sqlite_where=text(_ACTIVE_RECALCULATION),
            postgresql_where=text(_ACTIVE_RECALCULATION),
        ),
        # Latest jobs per (year, target_type[, module, type]) and the status derivation.
        Index(
            "ix_data_ingestion_jobs_year_target",
            "year",
            "target_type",
            "module_type_id",
            "data_entry_type_id",
            "id",
        ),
        {"sqlite_autoincrement": True},  # ids never reused: a higher id is a later job
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    module_type_id: Mapped[int] = mapped_column(Integer)
    data_entry_type_id: Mapped[int | None] = mapped_column(Integer)  # NULL: module-wide
    year: Mapped[int] = mapped_column(Integer)
    ingestion_method: Mapped[IngestionMethod] = mapped_column(IntEnumType(IngestionMethod))
    target_type: Mapped[TargetType] = mapped_column(IntEnumType(TargetType))
    entity_type: Mapped[EntityType] = mapped_column(IntEnumType(EntityType))
    state: Mapped[IngestionState] = mapped_column(
        IntEnumType(IngestionState),
        default=IngestionState.NOT_STARTED,
        server_default=str(IngestionState.NOT_STARTED.value),
    )
    # Set once FINISHED.
    result: Mapped[IngestionResult | None] = mapped_column(IntEnumType(IngestionResult))
    status_message: Mapped[str | None] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_by: Mapped[str | None] = mapped_column(String(255))
    # A module recalculation's per-type rows point to it; they go when it goes.
    parent_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("data_ingestion_jobs.id", ondelete="CASCADE"), index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worker_id: Mapped[str | None] = mapped_column(String(255))
    progress_done: Mapped[int | None] = mapped_column(Integer)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    # FACTORS job: the scope's factor sequence it took when it committed.
    # Recalculation: the factor sequence it read when it locked the scope.
    factor_sequence: Mapped[int | None] = mapped_column(Integer)
    # Who asked the job to stop; the running job reads it between batches and ends ERROR
    # "cancelled by ..." with its data as before (any process may set it).
    cancel_requested_by: Mapped[str | None] = mapped_column(String(255))

    parent: Mapped[DataIngestionJob | None] = relationship(
        remote_side=[id], back_populates="children", lazy="raise"
    )
    children: Mapped[list[DataIngestionJob]] = relationship(
        back_populates="parent", lazy="raise", passive_deletes=True, order_by=id
    )
