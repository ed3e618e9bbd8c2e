"""The per (module, year) sync scope row: factor sequence and SQLite's lock row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, text, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ingestion import ACTIVE_STATES
from app.models import DataIngestionJob, SyncScope, utcnow
from app.repositories.base import Repository, insert_for, table_of


class SyncScopeRepository(Repository[SyncScope]):
    model = SyncScope

    async def get(self, module_type_id: int, year: int) -> SyncScope | None:
        return await self.get_one_or_none(
            select(SyncScope).where(
                SyncScope.module_type_id == module_type_id, SyncScope.year == year
            )
        )

    async def get_or_create(self, module_type_id: int, year: int) -> SyncScope:
        """The scope row, inserted when missing (safe against a concurrent creator)."""
        await self.session.execute(
            insert_for(self.session, table_of(SyncScope))
            .values(module_type_id=module_type_id, year=year, factor_sequence=0)
            .on_conflict_do_nothing(index_elements=["module_type_id", "year"])
        )
        scope = await self.get(module_type_id, year)
        assert scope is not None  # just ensured
        return scope


def _held_by(module_type_id: int, year: int, job_id: int) -> ColumnElement[bool]:
    """The scope's lock row, while `job_id` holds it."""
    return and_(
        SyncScope.module_type_id == module_type_id,
        SyncScope.year == year,
        SyncScope.lock_holder_job_id == job_id,
    )


def advisory_key(module_type_id: int, year: int) -> int:
    """A 64-bit advisory lock key for one (module, year), namespaced to co2calc."""
    return (0x636F32 << 32) | (module_type_id << 16) | year


# A bigint advisory key shows in pg_locks as classid (its high half) and objid (its low half).
_HOLDS_ADVISORY_LOCK = text(
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
    " AND pid = pg_backend_pid() AND granted AND objsubid = 1"
    " AND classid = CAST(:high AS oid) AND objid = CAST(:low AS oid))"
)


class ScopeLockRepository:
    """The two lock mechanisms of a (module, year) scope; see docs/jobs-and-locking.md."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def try_advisory_lock(self, module_type_id: int, year: int) -> bool:
        """PostgreSQL: a session-level advisory lock on this session's connection."""
        key = advisory_key(module_type_id, year)
        result = await self.session.execute(select(func.pg_try_advisory_lock(key)))
        return bool(result.scalar_one())

    async def holds_advisory_lock(self, module_type_id: int, year: int) -> bool:
        """PostgreSQL: whether this session's connection holds the scope's advisory lock."""
        key = advisory_key(module_type_id, year)
        held = await self.session.scalar(
            _HOLDS_ADVISORY_LOCK, {"high": key >> 32, "low": key & 0xFFFFFFFF}
        )
        return bool(held)

    async def advisory_unlock(self, module_type_id: int, year: int) -> None:
        key = advisory_key(module_type_id, year)
        await self.session.execute(select(func.pg_advisory_unlock(key)))

    async def try_lock_row(
        self, module_type_id: int, year: int, job_id: int, *, stale_before: datetime
    ) -> bool:
        """SQLite: take the scope row for `job_id` if free, already ours, or left by a dead job.

        The holder is dead when its heartbeat is older than `stale_before` or its job is no
        longer active (ended by the interrupted-job sweep).
        """
        await SyncScopeRepository(self.session).get_or_create(module_type_id, year)
        holder_active = (
            select(DataIngestionJob.id)
            .where(
                DataIngestionJob.id == SyncScope.lock_holder_job_id,
                DataIngestionJob.state.in_(ACTIVE_STATES),
            )
            .exists()
        )
        now = utcnow()
        result = await self.session.execute(
            update(SyncScope)
            .where(
                SyncScope.module_type_id == module_type_id,
                SyncScope.year == year,
                or_(
                    SyncScope.lock_holder_job_id.is_(None),
                    SyncScope.lock_holder_job_id == job_id,
                    SyncScope.lock_heartbeat_at < stale_before,
                    ~holder_active,
                ),
            )
            .values(lock_holder_job_id=job_id, lock_acquired_at=now, lock_heartbeat_at=now)
        )
        assert isinstance(result, CursorResult)
        return bool(result.rowcount)

    async def refresh_lock_row(self, module_type_id: int, year: int, job_id: int) -> None:
        await self.session.execute(
            update(SyncScope)
            .where(_held_by(module_type_id, year, job_id))
            .values(lock_heartbeat_at=utcnow())
        )

    async def release_lock_row(self, module_type_id: int, year: int, job_id: int) -> None:
        await self.session.execute(
            update(SyncScope)
            .where(_held_by(module_type_id, year, job_id))
            .values(lock_holder_job_id=None, lock_acquired_at=None, lock_heartbeat_at=None)
        )

    async def take_next_factor_sequence(self, module_type_id: int, year: int) -> int:
        """Bump the scope's factor sequence (caller holds the scope lock) and return it."""
        await SyncScopeRepository(self.session).get_or_create(module_type_id, year)
        await self.session.execute(
            update(SyncScope)
            .where(SyncScope.module_type_id == module_type_id, SyncScope.year == year)
            .values(factor_sequence=SyncScope.factor_sequence + 1)
        )
        return await self.read_factor_sequence(module_type_id, year)

    async def read_factor_sequence(self, module_type_id: int, year: int) -> int:
        value = await self.session.scalar(
            select(SyncScope.factor_sequence).where(
                SyncScope.module_type_id == module_type_id, SyncScope.year == year
            )
        )
        return int(value or 0)
