"""JobUpload: the file an import job reads, stored with the job so any process can run it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, utcnow


class JobUpload(Base):
    """Written in the transaction that creates the job; deleted in the job's final
    transaction, or by the runner's sweep once a job that failed is past the retention."""

    __tablename__ = "data_ingestion_job_uploads"

    job_id: Mapped[int] = mapped_column(
        ForeignKey("data_ingestion_jobs.id", ondelete="CASCADE"), primary_key=True
    )
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
