"""Engine and session factories for SQLite (aiosqlite) and PostgreSQL (psycopg 3).

One setting picks the database: CO2CALC_DATABASE_URL. Sessions never expire on commit, so
objects stay readable after a commit without a lazy load (which async code cannot do).

SQLite keeps the driver's default transaction handling: a transaction begins at the first
write, so reads before it hold no WAL snapshot and a later write waits on the busy timeout
instead of failing with "database is locked". Code that must take the write lock up front
(the recalculation's final swap) runs `BEGIN IMMEDIATE` itself on a fresh connection.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

from app.core.settings import get_settings

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg"}


def normalize_url(url: str | URL) -> URL:
    """The async form of a database URL: `sqlite://` and `postgresql://` gain their driver."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in _ASYNC_DRIVERS:
        raise ValueError(
            f"unsupported database {backend!r} in CO2CALC_DATABASE_URL; "
            "use sqlite+aiosqlite:///path.db or postgresql+psycopg://user@host/db"
        )
    return parsed.set(drivername=_ASYNC_DRIVERS[backend])


def libpq_address(url: str | URL) -> str:
    """A PostgreSQL URL as libpq reads it (`postgresql://...`), for connections made
    without SQLAlchemy (the queue's, the job change listener's)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def create_engine(
    url: str | URL, *, busy_timeout_ms: int | None = None, **kwargs: Any
) -> AsyncEngine:
    """An async engine for any URL; SQLite connections get WAL, busy timeout and foreign keys."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
    engine = _create_async_engine(parsed, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        timeout = (
            busy_timeout_ms
            if busy_timeout_ms is not None
            else get_settings().sqlite_busy_timeout_ms
        )
        _configure_sqlite(engine, timeout)
    return engine


def _configure_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            # journal_mode is persistent in the file; busy_timeout and foreign_keys are not.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def ping(engine: AsyncEngine) -> None:
    """One round trip (`SELECT 1`) on a fresh connection; raises when the database does not
    answer."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


@lru_cache
def get_engine() -> AsyncEngine:
    """The process-wide engine for CO2CALC_DATABASE_URL."""
    return create_engine(get_settings().database_url)


@lru_cache
def get_session_factory() -> async_sessionmaker[AsyncSession]:
    """The process-wide session factory (`async with get_session_factory()() as session:`)."""
    return create_session_factory(get_engine())


async def dispose_engine() -> None:
    """Close the process-wide engine's connections (application shutdown, end of a CLI run)."""
    if get_engine.cache_info().currsize:
        await get_engine().dispose()
    get_session_factory.cache_clear()
    get_engine.cache_clear()
