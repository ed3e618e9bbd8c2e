"""Factor versions: emission rows remember the factor version they were computed with.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

Factors get a revision (bumped by each import that changes them) and the import that last
changed them; emission rows get the factor's id, kept when the factor row is deleted (unlike
factor_id, set to NULL then), and the revision they were computed with. Existing rows are
filled: every factor at revision 1, changed by the last factor import of its type (or
module-wide file) and year that changed something; every emission row with a factor at that
revision.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain ALTER TABLE on both databases, as in 0003 (no table rebuild on SQLite).

# The module of each data entry type when this revision was written (frozen here: a
# migration must not change with the code).
_MODULE_OF_TYPE = {
    1: 1, 2: 1, 20: 2, 21: 2, 30: 3, 31: 3, 32: 3, 10: 4, 11: 4, 12: 4, 60: 5, 61: 5,
    62: 5, 63: 5, 64: 5, 65: 5, 66: 5, 67: 5, 70: 6, 71: 6, 40: 7, 41: 7, 50: 8,
}  # fmt: skip
_MODULE = "CASE factors.data_entry_type_id {} END".format(
    " ".join(f"WHEN {t} THEN {m}" for t, m in _MODULE_OF_TYPE.items())
)
# The latest FINISHED (state 3) SUCCESS or WARNING factor import (target_type 1) that
# committed a change (a sequence), of the factor's year and type or module-wide file.
_FILL_CHANGED_BY = f"""
UPDATE factors SET changed_by_job_id = (
    SELECT job.id FROM data_ingestion_jobs AS job
    WHERE job.target_type = 1 AND job.state = 3 AND job.result IN (0, 1)
      AND job.factor_sequence IS NOT NULL AND job.year = factors.year
      AND (job.data_entry_type_id = factors.data_entry_type_id
           OR (job.data_entry_type_id IS NULL AND job.module_type_id = {_MODULE}))
    ORDER BY job.factor_sequence DESC, job.id DESC
    LIMIT 1
)
"""


def upgrade() -> None:
    op.add_column(
        "factors", sa.Column("revision", sa.Integer(), server_default="1", nullable=False)
    )
    op.add_column("factors", sa.Column("changed_by_job_id", sa.Integer(), nullable=True))
    op.add_column("data_entry_emissions", sa.Column("factor_ref_id", sa.Integer(), nullable=True))
    op.add_column("data_entry_emissions", sa.Column("factor_revision", sa.Integer(), nullable=True))
    op.execute(_FILL_CHANGED_BY)
    op.execute(
        "UPDATE data_entry_emissions SET factor_ref_id = factor_id, factor_revision = 1 "
        "WHERE factor_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_column("data_entry_emissions", "factor_revision")
    op.drop_column("data_entry_emissions", "factor_ref_id")
    op.drop_column("factors", "changed_by_job_id")
    op.drop_column("factors", "revision")
