"""SyncScope: per (module, year) factor sequence and the cross-process lock row (SQLite)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class SyncScope(Base):
    __tablename__ = "sync_scopes"

    module_type_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Bumped by each factor import when it commits; recalculations record what they read.
    factor_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # SQLite's writer lock (PostgreSQL uses advisory locks instead).
    lock_holder_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("data_ingestion_jobs.id", ondelete="SET NULL")
    )
    lock_acquired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lock_heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
