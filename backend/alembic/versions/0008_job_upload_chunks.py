"""Job uploads in chunks: a job's file is stored as numbered chunks, not as one value.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

A file written and read chunk by chunk is never held whole by the process that receives it
or by the one that imports it. The file's row keeps its size and newline count (the job's
progress total). Existing files are moved into chunks one file at a time.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The application's chunk size when this was written; any size reads back the same.
_CHUNK_BYTES = 1024 * 1024
_UPLOADS = "data_ingestion_job_uploads"
_CHUNKS = "data_ingestion_job_upload_chunks"

_chunks = sa.table(
    _CHUNKS,
    sa.column("job_id", sa.Integer()),
    sa.column("seq", sa.Integer()),
    sa.column("content", sa.LargeBinary()),
)


def _job_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["job_id"],
        ["data_ingestion_jobs.id"],
        name=op.f(f"fk_{table}_job_id_data_ingestion_jobs"),
        ondelete="CASCADE",
    )


def _create_uploads(*file_columns: sa.Column[Any]) -> sa.Table:
    # A new table instead of altered columns: SQLite cannot make a column NOT NULL in place,
    # and a batch rebuild would reflect the jobs table, whose expression indexes it cannot.
    return op.create_table(
        _UPLOADS,
        sa.Column("job_id", sa.Integer(), nullable=False),
        *file_columns,
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _job_fk(_UPLOADS),
        sa.PrimaryKeyConstraint("job_id", name=op.f(f"pk_{_UPLOADS}")),
    )


def _files(connection: sa.Connection) -> list[sa.Row[Any]]:
    """(job_id, created_at) of each stored file, typed (SQLite stores timestamps as text)."""
    table = sa.table(
        _UPLOADS, sa.column("job_id", sa.Integer()), sa.column("created_at", sa.DateTime())
    )
    return list(connection.execute(sa.select(table.c.job_id, table.c.created_at)))


def upgrade() -> None:
    connection = op.get_bind()
    op.create_table(
        _CHUNKS,
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        _job_fk(_CHUNKS),
        sa.PrimaryKeyConstraint("job_id", "seq", name=op.f(f"pk_{_CHUNKS}")),
    )
    files = []
    for job_id, created_at in _files(connection):
        content = connection.execute(
            sa.text(f"SELECT content FROM {_UPLOADS} WHERE job_id = :id"), {"id": job_id}
        ).scalar_one()
        for seq, start in enumerate(range(0, len(content), _CHUNK_BYTES)):
            connection.execute(
                _chunks.insert().values(
                    job_id=job_id, seq=seq, content=content[start : start + _CHUNK_BYTES]
                )
            )
        files.append(
            {
                "job_id": job_id,
                "byte_size": len(content),
                "newlines": content.count(b"\n"),
                "created_at": created_at,
            }
        )
    op.drop_table(_UPLOADS)
    uploads = _create_uploads(
        sa.Column("byte_size", sa.BigInteger(), nullable=False),
        sa.Column("newlines", sa.BigInteger(), nullable=False),
    )
    if files:
        op.bulk_insert(uploads, files)


def downgrade() -> None:
    connection = op.get_bind()
    files = _files(connection)
    op.drop_table(_UPLOADS)
    uploads = _create_uploads(sa.Column("content", sa.LargeBinary(), nullable=False))
    for job_id, created_at in files:
        parts = connection.scalars(
            sa.select(_chunks.c.content).where(_chunks.c.job_id == job_id).order_by(_chunks.c.seq)
        )
        connection.execute(
            uploads.insert().values(job_id=job_id, content=b"".join(parts), created_at=created_at)
        )
    op.drop_table(_CHUNKS)
