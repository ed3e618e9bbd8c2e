"""TEMP staging tables on a job's data connection, shared by the recalculation and the data
import: create and drop them, commit staged batches on SQLite, open the final write.

TEMP tables live on one connection (the job's data session is bound to one for the whole
job). On SQLite they are in their own file, so staging writes never take the main database's
write lock; on PostgreSQL they are private to the session and never conflict with anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from sqlalchemy import Select, Table, insert, text
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.copy_rows import copy_rows, insert_rows_sqlite


def rowcount(result: Any) -> int:
    """Rows touched by an UPDATE, DELETE, or an INSERT run with `preserve_rowcount=True`."""
    assert isinstance(result, CursorResult)
    return max(result.rowcount, 0)


class TempStagingRepository:
    """Base of the staging repositories; subclasses name their TEMP tables in `tables`."""

    tables: ClassVar[tuple[Table, ...]] = ()

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def is_sqlite(self) -> bool:
        return self.session.get_bind().dialect.name == "sqlite"

    async def create(self) -> None:
        """Fresh, empty staging tables on the session's connection.

        A run that failed on SQLite may have left its tables on this (pooled) connection:
        they are dropped first. On PostgreSQL a failed run's rollback already removed them.
        """
        await self.drop()
        connection = await self.session.connection()
        for table in self.tables:
            await connection.run_sync(table.create)

    async def drop(self) -> None:
        for table in self.tables:
            await self.session.execute(text(f"DROP TABLE IF EXISTS {table.name}"))

    async def commit_staged_on_sqlite(self) -> None:
        """SQLite only: commit the staged batch (the only writes of the transaction are TEMP
        rows) so no read snapshot of the main database is held between batches; a snapshot
        that another connection's commit (job progress, an edit) made stale could never be
        upgraded to write. On PostgreSQL the whole job stays one transaction."""
        if self.is_sqlite:
            await self.session.commit()

    async def add_rows(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        """Stage rows (all with the same keys): PostgreSQL takes them with COPY, formatted in
        a thread (several times faster than an executemany INSERT); SQLite by executemany."""
        if not rows:
            return
        if self.is_sqlite:
            await insert_rows_sqlite(self.session, table, rows)
            return
        await copy_rows(self.session, table, rows)

    async def insert_from_select(
        self, table: Table, columns: Sequence[str], rows: Select[Any]
    ) -> int:
        """Copy staged rows into a real table; returns how many were inserted."""
        result = await self.session.execute(
            insert(table)
            .from_select(columns, rows)
            # An INSERT's rowcount is dropped by default (kept for UPDATE/DELETE only).
            .execution_options(preserve_rowcount=True)
        )
        return rowcount(result)

    async def begin_write(self) -> None:
        """Start the job's final write transaction.

        SQLite: commit the staging (TEMP rows only), then `BEGIN IMMEDIATE` as the first
        statement of the new transaction: it takes the write lock up front, so the write
        never meets a stale snapshot, and other writers wait on the busy timeout, then succeed.
        PostgreSQL: nothing to do (the job is one transaction; row locks come with the writes).
        """
        if self.is_sqlite:
            await self.session.commit()
            await self.session.execute(text("BEGIN IMMEDIATE"))
