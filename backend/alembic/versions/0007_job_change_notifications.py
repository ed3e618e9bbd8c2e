"""Job change notifications, on PostgreSQL only: every change of a job row is announced.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

A trigger sends `NOTIFY co2calc_job_changes, '<job id>'` (and the parent's id for a per-type
row) when a job row changes, whichever process changed it; each API process listens on one
connection and wakes the streams of that job, instead of their only polling. The notification
is delivered when the change commits, never for a rolled-back one. SQLite has no NOTIFY: its
streams poll.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FUNCTION = """
CREATE FUNCTION co2calc_notify_job_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('co2calc_job_changes', NEW.id::text);
    IF NEW.parent_job_id IS NOT NULL THEN
        PERFORM pg_notify('co2calc_job_changes', NEW.parent_job_id::text);
    END IF;
    RETURN NULL;
END;
$$
"""
_TRIGGER = """
CREATE TRIGGER data_ingestion_jobs_notify_change
    AFTER UPDATE ON data_ingestion_jobs
    FOR EACH ROW EXECUTE FUNCTION co2calc_notify_job_change()
"""


def _on_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _on_postgresql():
        return
    op.execute(_FUNCTION)
    op.execute(_TRIGGER)


def downgrade() -> None:
    if not _on_postgresql():
        return
    op.execute("DROP TRIGGER data_ingestion_jobs_notify_change ON data_ingestion_jobs")
    op.execute("DROP FUNCTION co2calc_notify_job_change()")
