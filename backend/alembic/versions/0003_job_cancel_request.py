"""Job cancel requests: who asked a running job to stop.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

A cancel request is a column of the job row, not process memory, so a job run by one process
(a CLI command) can be cancelled from another (the server), and the reverse: the running job
reads the column between two batches.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases (SQLite 3.35+ drops a column in place): a batch
# operation would rebuild the table on SQLite, and its expression indexes cannot be reflected.


def upgrade() -> None:
    op.add_column(
        "data_ingestion_jobs",
        sa.Column("cancel_requested_by", sa.String(length=255), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("data_ingestion_jobs", "cancel_requested_by")
