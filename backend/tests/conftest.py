"""Database fixtures: every SQL test runs on SQLite and on a real PostgreSQL.

The schema is built once per test session by the real migrations, then cloned per test:
SQLite copies a migrated file, PostgreSQL runs `CREATE DATABASE .. TEMPLATE`. A missing
PostgreSQL skips its tests with the reason shown (`-ra`), except in CI (CI=true), where it fails.
Under pytest-xdist every worker process builds its own templates (random database names, its
own temporary directory) and its own XDG_CONFIG_HOME, so workers share no database or file.

Fixtures: `database_url` (parametrized: sqlite, postgresql), `engine`, `session_factory`, `db`
(an AsyncSession on a fresh database; tests commit or not, the database is thrown away),
`cli_database` (CO2CALC_DATABASE_URL pointed at `database_url` for in-process CLI runs), and
`database_maker` (parametrized like `database_url`) for a test that needs a fresh database
again and again, and `new_postgres_database` for a PostgreSQL database made from another.
"""

from __future__ import annotations

import functools
import itertools
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import hypothesis_profiles  # noqa: F401  (registers the long profile)
import psycopg
import pytest
from factories import create_unit_with_factors
from fixture_types import DatabaseMaker, NewPostgresDatabase
from psycopg import sql
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from xdist.remote import Producer
from xdist.scheduler import Scheduling
from xdist_schedule import SharedSetupScheduling

from app.core.settings import get_settings
from app.db import create_engine, create_session_factory
from app.db_migrations import upgrade

pytest_plugins = ["api_fixtures", "private_postgres"]

POSTGRES_URL = os.environ.get(
    "CO2CALC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() == "true"

_test_config_home: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    """No test writes the real ~/.config: a development secret key (app.core.secret_key) made
    by an app, or a `co2calc` subprocess (which inherits the environment), lands in a
    temporary XDG_CONFIG_HOME, removed at the end."""
    global _test_config_home
    _test_config_home = tempfile.mkdtemp(prefix="co2calc-test-config-")
    os.environ["XDG_CONFIG_HOME"] = _test_config_home
    # Nor the real ~/.local/share: the default database of a command run without a URL.
    os.environ["XDG_DATA_HOME"] = os.path.join(_test_config_home, "data")
    os.environ.pop("CO2CALC_SECRET_KEY_FILE", None)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _test_config_home is not None:
        shutil.rmtree(_test_config_home, ignore_errors=True)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> Scheduling | None:
    """`--dist loadgroup` (pyproject's addopts) with the tests of a shared set-up on one worker."""
    if config.getvalue("dist") != "loadgroup":
        return None
    return SharedSetupScheduling(config, log)


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def postgres_url(database: str) -> str:
    return make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)


def _admin_connect() -> psycopg.Connection[tuple[object, ...]]:
    url = make_url(POSTGRES_URL)
    return psycopg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        dbname=url.database or "postgres",
        autocommit=True,
        connect_timeout=3,
    )


def _drop_database(name: str) -> None:
    with _admin_connect() as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextmanager
def _scratch_postgres_database(prefix: str, template: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database (a copy of `template` when given), dropped afterwards."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with _admin_connect() as admin:
        admin.execute(statement)
    try:
        yield postgres_url(name)
    finally:
        _drop_database(name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head, once per test session."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade(sqlite_url(path))
    # The migration's engine is disposed: the WAL is checkpointed into the main file.
    assert not path.with_name(path.name + "-wal").exists()
    return path


def _require_postgres() -> None:
    """Skip the test when PostgreSQL does not answer; in CI, fail it."""
    try:
        with _admin_connect():
            pass
    except psycopg.OperationalError as error:
        reason = f"PostgreSQL not reachable at {make_url(POSTGRES_URL)!r}: {error}".strip()
        if IN_CI:
            pytest.fail(f"CI=true requires PostgreSQL. {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A PostgreSQL database migrated to head, once per test session; dropped at the end."""
    _require_postgres()
    name = f"co2calc_tmpl_{secrets.token_hex(4)}"
    with _admin_connect() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        upgrade(postgres_url(name))
        yield name
    finally:
        _drop_database(name)


@pytest.fixture(scope="session")
def new_postgres_database() -> NewPostgresDatabase:
    """`with new_postgres_database(template) as url:` a new PostgreSQL database, empty or a
    copy of the database named `template` (which must have no connection), dropped on leaving."""
    _require_postgres()
    return functools.partial(_scratch_postgres_database, "co2calc_e2e")


@pytest.fixture(scope="session")
def session_postgres_url() -> Iterator[str]:
    """An empty PostgreSQL database kept for the whole session, for a server many tests share
    (a `co2calc` command migrates it)."""
    _require_postgres()
    with _scratch_postgres_database("co2calc_session") as url:
        yield url


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, migrated database of each kind."""
    with _fresh_database(request, tmp_path / "test.db") as url:
        yield url


@contextmanager
def _fresh_database(request: pytest.FixtureRequest, sqlite_path: Path) -> Iterator[str]:
    """A migrated database of the kind `request.param` names, copied from its template."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        shutil.copyfile(template, sqlite_path)
        yield sqlite_url(sqlite_path)
        return
    template_name: str = request.getfixturevalue("postgres_template")
    with _scratch_postgres_database("co2calc_test", template_name) as url:
        yield url


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def database_maker(request: pytest.FixtureRequest, tmp_path: Path) -> DatabaseMaker:
    """`with database_maker() as url:` a fresh migrated database of each kind, as many as the
    test needs (a stateful test takes one per example); it is removed on leaving."""
    paths = (tmp_path / f"db{n}.db" for n in itertools.count())

    @contextmanager
    def make() -> Iterator[str]:
        path = next(paths)
        with _fresh_database(request, path) as url:
            yield url
        path.unlink(missing_ok=True)

    return make


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh database of each kind with no schema at all (migration tests)."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "empty.db")
        return
    request.getfixturevalue("postgres_template")  # reachability check, skip or fail
    with _scratch_postgres_database("co2calc_empty") as url:
        yield url


@pytest.fixture
def dialect_name(database_url: str) -> str:
    return make_url(database_url).get_backend_name()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def db(session_factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with session_factory() as session:
        yield session


@pytest.fixture
async def unit_code(session_factory: async_sessionmaker[AsyncSession]) -> str:
    """The institutional code of a committed unit, with its factors, for data entries."""
    async with session_factory() as session:
        unit = await create_unit_with_factors(session)
        await session.commit()
        return unit.institutional_code


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The CLI run in-process (typer's CliRunner) reads CO2CALC_DATABASE_URL: the test's
    database, with the cached settings reread before and after."""
    monkeypatch.setenv("CO2CALC_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()
