"""Run the installed `co2calc` script as a subprocess, as an operator would."""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

import live_server
import pytest
from cli_runner import CO2CALC, RunCli, cli_env, cli_runner
from demo_copies import DemoCopies
from fixture_types import NewPostgresDatabase
from live_server import ServerHold
from queue_cluster import QueueDemo, demo_args

from app.repositories.recalculation_staging_repo import RecalculationStagingRepository

StartServer = Callable[..., subprocess.Popen[str]]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'co2calc.db'}"


@pytest.fixture
def run_cli(tmp_path: Path, sqlite_url: str) -> RunCli:
    """`run_cli("demo", "--json", XDG_DATA_HOME=...)`: run co2calc from an unrelated directory
    on a temp database, with extra environment variables."""
    return cli_runner(tmp_path, sqlite_url)


@pytest.fixture
def free_port() -> int:
    return live_server.free_port()


@pytest.fixture
def served(run_cli: RunCli, sqlite_url: str, free_port: int, tmp_path: Path) -> Iterator[str]:
    """`co2calc serve` on a migrated temp database and a free port, until it answers.

    Yields the base URL; the server is terminated afterwards and must have printed that URL.
    """
    upgrade = run_cli("db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    base = f"http://127.0.0.1:{free_port}"
    server = subprocess.Popen(
        [str(CO2CALC), "serve", "--host", "127.0.0.1", "--port", str(free_port)],
        env=cli_env(sqlite_url),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        live_server.wait_until_answering(f"{base}/api/v1/health", server)
        yield base
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert base in output, output


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[StartServer]:
    """`start_server(database_url, port, **env)`: a `co2calc serve` subprocess, its output in
    tmp_path/serve-N.log; any still running is killed when the test ends."""
    started: list[tuple[subprocess.Popen[str], IO[str]]] = []

    def start(database_url: str, port: int, **env: str) -> subprocess.Popen[str]:
        log = (tmp_path / f"serve-{len(started) + 1}.log").open("w")
        server = subprocess.Popen(
            [str(CO2CALC), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env={**cli_env(database_url), **env},
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append((server, log))
        return server

    yield start
    for server, log in started:
        if server.poll() is None:
            server.kill()
        server.wait(timeout=60)
        log.close()


@pytest.fixture
def held_recalculation(monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerHold]:
    """A recalculation of the live server stops after its first staged batch, its data
    connection and scope lock held, until `release`."""
    hold = ServerHold()
    original = RecalculationStagingRepository.stage

    @functools.wraps(original)
    async def holding(self: RecalculationStagingRepository, *args: Any, **kwargs: Any) -> None:
        await original(self, *args, **kwargs)
        if not hold.reached.is_set():
            await hold.hold()

    monkeypatch.setattr(RecalculationStagingRepository, "stage", holding)
    yield hold
    hold.release.set()


@pytest.fixture(scope="session")
def demo_copies(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoCopies]:
    """Each `co2calc demo` loaded once per session, copied for every test that asks
    (e2e/demo_copies.py); its PostgreSQL originals are dropped at the end."""
    with ExitStack() as stack:
        yield DemoCopies(tmp_path_factory, stack)


@pytest.fixture
def queue_demo(
    demo_copies: DemoCopies, new_postgres_database: NewPostgresDatabase
) -> Iterator[QueueDemo]:
    """`queue_demo(2025)`: a new PostgreSQL database holding the queue tests' demo of these
    years (queue_cluster.demo_args), copied from the session's; dropped after the test."""
    with ExitStack() as stack:
        yield lambda *years: stack.enter_context(
            demo_copies.postgresql(new_postgres_database, *demo_args(*years))
        )
