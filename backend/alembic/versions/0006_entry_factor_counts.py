"""Entry factor counts: per (data entry type, year), the entries the factors leave out of date.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

Which factor an entry resolves to is decided by the calculators (fallbacks, distances), which
SQL cannot repeat, so existing rows are filled with what SQL knows: the number of entries of
each type and year, and NULL for the affected and unresolvable counts ("not counted yet").
The next factor import that changes the type's factors counts them; a recalculation of the
type sets affected to 0.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FILL = """
INSERT INTO entry_factor_counts (data_entry_type_id, year, entries, counted_at)
SELECT data_entries.data_entry_type_id, carbon_reports.year, COUNT(*), CURRENT_TIMESTAMP
FROM data_entries
JOIN carbon_report_modules ON carbon_report_modules.id = data_entries.carbon_report_module_id
JOIN carbon_reports ON carbon_reports.id = carbon_report_modules.carbon_report_id
GROUP BY data_entries.data_entry_type_id, carbon_reports.year
"""


def upgrade() -> None:
    op.create_table(
        "entry_factor_counts",
        sa.Column("data_entry_type_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("affected", sa.Integer(), nullable=True),
        sa.Column("unresolvable", sa.Integer(), nullable=True),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("data_entry_type_id", "year", name=op.f("pk_entry_factor_counts")),
    )
    op.execute(_FILL)


def downgrade() -> None:
    op.drop_table("entry_factor_counts")
