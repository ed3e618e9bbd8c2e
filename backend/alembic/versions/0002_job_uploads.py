"""Job uploads: the file of an import job, stored with the job until it finishes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

Any process can then run an import job from its id alone. Portable types only (LargeBinary
is BLOB on SQLite, bytea on PostgreSQL).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_ingestion_job_uploads",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["data_ingestion_jobs.id"],
            name=op.f("fk_data_ingestion_job_uploads_job_id_data_ingestion_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_data_ingestion_job_uploads")),
    )


def downgrade() -> None:
    op.drop_table("data_ingestion_job_uploads")
