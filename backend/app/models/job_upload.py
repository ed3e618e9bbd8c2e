"""JobUpload: the file an import job reads, stored with the job so any process can run it.

The file is stored as numbered chunks (JobUploadChunk), never as one value: it is written
chunk by chunk from the received file and read back chunk by chunk by the job, so no process
holds a whole file, whatever its size.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, utcnow


class JobUpload(Base):
    """Written in the transaction that creates the job; deleted in the job's final
    transaction, or by the runner's sweep once a job that failed is past the retention.
    The newline count gives the job's progress its total without reading the file first."""

    __tablename__ = "data_ingestion_job_uploads"

    job_id: Mapped[int] = mapped_column(
        ForeignKey("data_ingestion_jobs.id", ondelete="CASCADE"), primary_key=True
    )
    byte_size: Mapped[int] = mapped_column(BigInteger)
    newlines: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JobUploadChunk(Base):
    """Bytes `seq` of a job's file, in order; deleted with the job's JobUpload."""

    __tablename__ = "data_ingestion_job_upload_chunks"

    job_id: Mapped[int] = mapped_column(
        ForeignKey("data_ingestion_jobs.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    content: Mapped[bytes] = mapped_column(LargeBinary)
