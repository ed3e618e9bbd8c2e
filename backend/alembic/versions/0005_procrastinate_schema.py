"""Procrastinate's tables, on PostgreSQL only: the queue of the `procrastinate` task backend.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

The schema is the one shipped by the Procrastinate release pinned in the lockfile
(`PROCRASTINATE_VERSION`); a later release brings its own upgrade scripts, applied by a later
migration of this project, so this one refuses to install any other version's schema. SQLite
gets nothing: the `procrastinate` backend is refused there at start-up.
"""

from collections.abc import Sequence
from importlib import metadata

from alembic import op
from procrastinate.schema import SchemaManager

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROCRASTINATE_VERSION = "3.10.0"

# Its own PostgreSQL schema: the queue's tables stay apart from the project's (which the
# models describe), and go with one DROP SCHEMA. The app's queue connections put it first on
# their search_path.
SCHEMA = "procrastinate"


def _on_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _on_postgresql():
        return
    installed = metadata.version("procrastinate")
    if installed != PROCRASTINATE_VERSION:
        raise RuntimeError(
            f"migration 0005 installs Procrastinate {PROCRASTINATE_VERSION}'s schema, but "
            f"{installed} is installed: install the version of the lockfile (uv sync --frozen)"
        )
    bind = op.get_bind()
    bind.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
    previous = bind.exec_driver_sql("SELECT current_setting('search_path')").scalar_one()
    bind.exec_driver_sql(f"SELECT set_config('search_path', '{SCHEMA}', true)")
    # The driver reads '%' as a placeholder even without parameters: doubled, as Procrastinate
    # itself does when it applies its schema.
    bind.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))
    bind.exec_driver_sql("SELECT set_config('search_path', %s, true)", (previous,))


def downgrade() -> None:
    if not _on_postgresql():
        return
    op.execute(f"DROP SCHEMA {SCHEMA} CASCADE")
