"""Run Alembic migrations from code, wherever the current directory is.

The CLI (`co2calc db upgrade`) calls `upgrade(url)`; code already running an event loop (tests,
the application's start-up) awaits `upgrade_async(url)`. URLs may be async or plain.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import ResolutionError
from alembic.util import CommandError
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

import app
from app.core.settings import get_settings
from app.db import create_engine

_Command = Callable[[Config], None]


def script_location() -> Path:
    """The migrations folder: packaged inside `app` in a wheel, beside it in the source tree."""
    package_dir = Path(app.__file__).resolve().parent
    for candidate in (package_dir / "_shipped" / "alembic", package_dir.parent / "alembic"):
        if (candidate / "env.py").is_file():
            return candidate
    raise RuntimeError(f"Alembic migrations not found next to {package_dir}")


def _scripts_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location()))
    return config


def head_revision() -> str | None:
    """The newest revision this installation's migrations know."""
    return ScriptDirectory.from_config(_scripts_config()).get_current_head()


def knows_revision(revision: str) -> bool:
    """Whether `revision` is one of this installation's migrations (a database migrated by a
    newer co2calc is at a revision it does not know)."""
    try:
        return ScriptDirectory.from_config(_scripts_config()).get_revision(revision) is not None
    except (CommandError, ResolutionError):
        return False


def make_config(url: str | None = None) -> Config:
    config = _scripts_config()
    # Passed as an attribute, not an ini option: a password with "%" would break interpolation.
    config.attributes["url"] = url or get_settings().database_url
    return config


def _ensure_no_running_loop(name: str) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(f"{name}() runs its own event loop; inside async code use {name}_async()")


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Migrate the database at `url` (default CO2CALC_DATABASE_URL) up to `revision`."""
    _ensure_no_running_loop("upgrade")
    command.upgrade(make_config(url), revision)


def downgrade(url: str | None, revision: str) -> None:
    """Migrate the database at `url` down to `revision` ("base" empties it)."""
    _ensure_no_running_loop("downgrade")
    command.downgrade(make_config(url), revision)


async def upgrade_async(url: str | None = None, revision: str = "head") -> None:
    await _run_async(url, lambda config: command.upgrade(config, revision))


async def downgrade_async(url: str | None, revision: str) -> None:
    await _run_async(url, lambda config: command.downgrade(config, revision))


async def current_revision_async(url: str | None = None) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    engine = create_engine(url or get_settings().database_url, poolclass=pool.NullPool)
    try:
        return await revision_of(engine)
    finally:
        await engine.dispose()


async def revision_of(engine: AsyncEngine) -> str | None:
    """The revision the database of `engine` is at, or None when it was never migrated."""
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


async def _run_async(url: str | None, run: _Command) -> None:
    config = make_config(url)
    engine = create_engine(str(config.attributes["url"]), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:

            def _in_sync(sync_connection: Connection) -> None:
                config.attributes["connection"] = sync_connection
                run(config)

            await connection.run_sync(_in_sync)
            await connection.commit()
    finally:
        await engine.dispose()
