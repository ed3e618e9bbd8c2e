"""Initial schema: units, reports, entries, emissions, factors, jobs, sync scopes, users.

Revision ID: 0001
Revises:
Create Date: 2026-11-27

Hand-checked autogenerate output. Runs unchanged on SQLite and PostgreSQL: the expression and
partial indexes are written with portable SQL (coalesce, a literal WHERE clause).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _utc(nullable: bool) -> dict[str, object]:
    return {"type_": sa.DateTime(timezone=True), "nullable": nullable}


def upgrade() -> None:
    op.create_table(
        "data_ingestion_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("module_type_id", sa.Integer(), nullable=False),
        sa.Column("data_entry_type_id", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("ingestion_method", sa.Integer(), nullable=False),
        sa.Column("target_type", sa.Integer(), nullable=False),
        sa.Column("entity_type", sa.Integer(), nullable=False),
        sa.Column("state", sa.Integer(), server_default="0", nullable=False),
        sa.Column("result", sa.Integer(), nullable=True),
        sa.Column("status_message", sa.Text(), nullable=True),
        sa.Column("meta", _json(), nullable=False),
        sa.Column("is_current", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", **_utc(False)),
        sa.Column("started_at", **_utc(True)),
        sa.Column("finished_at", **_utc(True)),
        sa.Column("requested_by", sa.String(length=255), nullable=True),
        sa.Column("parent_job_id", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("heartbeat_at", **_utc(True)),
        sa.Column("worker_id", sa.String(length=255), nullable=True),
        sa.Column("progress_done", sa.Integer(), nullable=True),
        sa.Column("progress_total", sa.Integer(), nullable=True),
        sa.Column("factor_sequence", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_job_id"],
            ["data_ingestion_jobs.id"],
            name=op.f("fk_data_ingestion_jobs_parent_job_id_data_ingestion_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_ingestion_jobs")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_data_ingestion_jobs_parent_job_id"), "data_ingestion_jobs", ["parent_job_id"]
    )
    op.create_index(
        "ix_data_ingestion_jobs_year_target",
        "data_ingestion_jobs",
        ["year", "target_type", "module_type_id", "data_entry_type_id", "id"],
    )
    # NULL (module-wide) must collide with NULL: coalesce to 0, which is never a type id.
    op.create_index(
        "uq_data_ingestion_jobs_current",
        "data_ingestion_jobs",
        [
            "module_type_id",
            sa.text("coalesce(data_entry_type_id, 0)"),
            "target_type",
            "ingestion_method",
            "year",
        ],
        unique=True,
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )
    active_recalculation = "target_type = 0 AND ingestion_method = 3 AND state IN (0, 1, 2)"
    op.create_index(
        "uq_data_ingestion_jobs_active_recalculation",
        "data_ingestion_jobs",
        ["module_type_id", sa.text("coalesce(data_entry_type_id, 0)"), "year"],
        unique=True,
        sqlite_where=sa.text(active_recalculation),
        postgresql_where=sa.text(active_recalculation),
    )

    op.create_table(
        "factors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("data_entry_type_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("classification", _json(), nullable=False),
        sa.Column("classification_key", sa.String(length=1000), nullable=False),
        sa.Column("values", _json(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_factors")),
        sa.UniqueConstraint(
            "data_entry_type_id",
            "year",
            "classification_key",
            name=op.f("uq_factors_data_entry_type_id_year_classification_key"),
        ),
    )

    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("attempted_at", **_utc(False)),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    op.create_index(
        "ix_login_attempts_username_attempted_at", "login_attempts", ["username", "attempted_at"]
    )

    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institutional_code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("label_fr", sa.String(length=255), nullable=True),
        sa.Column("label_en", sa.String(length=255), nullable=True),
        sa.Column("parent_institutional_code", sa.String(length=64), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
        sa.UniqueConstraint("institutional_code", name=op.f("uq_units_institutional_code")),
    )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", **_utc(False)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )

    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("csrf_token", sa.String(length=128), nullable=True),
        sa.Column("created_at", **_utc(False)),
        sa.Column("expires_at", **_utc(False)),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_auth_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_auth_sessions_token_hash")),
    )
    op.create_index(op.f("ix_auth_sessions_expires_at"), "auth_sessions", ["expires_at"])
    op.create_index(op.f("ix_auth_sessions_user_id"), "auth_sessions", ["user_id"])

    op.create_table(
        "carbon_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("stats", _json(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_carbon_reports_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carbon_reports")),
        sa.UniqueConstraint("unit_id", "year", name=op.f("uq_carbon_reports_unit_id_year")),
    )
    op.create_index(op.f("ix_carbon_reports_year"), "carbon_reports", ["year"])

    op.create_table(
        "sync_scopes",
        sa.Column("module_type_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("factor_sequence", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lock_holder_job_id", sa.Integer(), nullable=True),
        sa.Column("lock_acquired_at", **_utc(True)),
        sa.Column("lock_heartbeat_at", **_utc(True)),
        sa.ForeignKeyConstraint(
            ["lock_holder_job_id"],
            ["data_ingestion_jobs.id"],
            name=op.f("fk_sync_scopes_lock_holder_job_id_data_ingestion_jobs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("module_type_id", "year", name=op.f("pk_sync_scopes")),
    )

    op.create_table(
        "user_roles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_roles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_roles")),
    )

    op.create_table(
        "carbon_report_modules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("carbon_report_id", sa.Integer(), nullable=False),
        sa.Column("module_type_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.Integer(), server_default="0", nullable=False),
        sa.Column("stats", _json(), nullable=False),
        sa.Column("last_updated", **_utc(False)),
        sa.ForeignKeyConstraint(
            ["carbon_report_id"],
            ["carbon_reports.id"],
            name=op.f("fk_carbon_report_modules_carbon_report_id_carbon_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carbon_report_modules")),
        sa.UniqueConstraint(
            "carbon_report_id",
            "module_type_id",
            name=op.f("uq_carbon_report_modules_carbon_report_id_module_type_id"),
        ),
    )

    op.create_table(
        "data_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("carbon_report_module_id", sa.Integer(), nullable=False),
        sa.Column("data_entry_type_id", sa.Integer(), nullable=False),
        sa.Column("data", _json(), nullable=False),
        sa.Column("source", sa.Integer(), nullable=False),
        sa.Column("ingestion_job_id", sa.Integer(), nullable=True),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", **_utc(False)),
        sa.Column("updated_at", **_utc(False)),
        sa.ForeignKeyConstraint(
            ["carbon_report_module_id"],
            ["carbon_report_modules.id"],
            name=op.f("fk_data_entries_carbon_report_module_id_carbon_report_modules"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ingestion_job_id"],
            ["data_ingestion_jobs.id"],
            name=op.f("fk_data_entries_ingestion_job_id_data_ingestion_jobs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_entries")),
    )
    op.create_index(
        op.f("ix_data_entries_carbon_report_module_id"), "data_entries", ["carbon_report_module_id"]
    )
    op.create_index(op.f("ix_data_entries_ingestion_job_id"), "data_entries", ["ingestion_job_id"])
    op.create_index(
        "ix_data_entries_type_module_id",
        "data_entries",
        ["data_entry_type_id", "carbon_report_module_id", "id"],
    )

    op.create_table(
        "data_entry_emissions",
        # BIGINT on PostgreSQL; SQLite only auto-assigns ids to INTEGER PRIMARY KEY.
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("data_entry_id", sa.Integer(), nullable=False),
        sa.Column("emission_type_id", sa.Integer(), nullable=False),
        sa.Column("kg_co2eq", sa.Double(), nullable=False),
        sa.Column("factor_id", sa.Integer(), nullable=True),
        sa.Column("meta", _json(), nullable=False),
        sa.Column("computed_at", **_utc(False)),
        sa.ForeignKeyConstraint(
            ["data_entry_id"],
            ["data_entries.id"],
            name=op.f("fk_data_entry_emissions_data_entry_id_data_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["factor_id"],
            ["factors.id"],
            name=op.f("fk_data_entry_emissions_factor_id_factors"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_entry_emissions")),
    )
    op.create_index(
        op.f("ix_data_entry_emissions_data_entry_id"), "data_entry_emissions", ["data_entry_id"]
    )
    op.create_index(
        op.f("ix_data_entry_emissions_factor_id"), "data_entry_emissions", ["factor_id"]
    )


def downgrade() -> None:
    # Children first; a table's indexes go with it.
    for table in (
        "data_entry_emissions",
        "data_entries",
        "carbon_report_modules",
        "user_roles",
        "sync_scopes",
        "carbon_reports",
        "auth_sessions",
        "users",
        "units",
        "login_attempts",
        "factors",
        "data_ingestion_jobs",
    ):
        op.drop_table(table)
