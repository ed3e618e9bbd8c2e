"""A private PostgreSQL cluster for fault injection: restart it, fill it, make it read-only.

The shared server (CO2CALC_TEST_POSTGRES_URL) serves every test at once, so a test that stops
its database must own one: `initdb` and `pg_ctl`, run as the `postgres` user through
`runuser`, make a cluster in a temporary directory, on a free port, with its socket in that
directory; the fixture stops it and removes the directory at the end.

Registered from the root conftest (`pytest_plugins`). Fixture: `private_postgres` (a started
`PrivateCluster`; skips when this machine cannot run one, fails in CI).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

SERVER_USER = "postgres"
# pg_ctl waits this long for a start or a stop (a loaded 2-core machine takes a while).
PG_CTL_SECONDS = 120


def _binaries() -> Path | None:
    """The newest installed server's bin directory (Debian: /usr/lib/postgresql/N/bin)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda path: int(Path(path).parent.parent.name),
    )
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PrivateCluster:
    """One cluster this test owns: `url(db)`, `create_database()`, `restart()`, `stop()`."""

    def __init__(self, bindir: Path, root: Path) -> None:
        self.bindir = bindir
        self.root = root
        self.data_dir = root / "data"
        self.port = _free_port()

    def _run_as_server_user(self, program: str, *args: str) -> None:
        command = ["runuser", "-u", SERVER_USER, "--", str(self.bindir / program), *args]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=PG_CTL_SECONDS + 30, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")

    def init(self) -> None:
        shutil.chown(self.root, user=SERVER_USER)
        self._run_as_server_user(
            "initdb", "-D", str(self.data_dir), "-U", SERVER_USER, "-A", "trust", "--no-sync"
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.root} -c fsync=off"
        )
        self._run_as_server_user(
            "pg_ctl", "start", "-D", str(self.data_dir), "-w", "-t", str(PG_CTL_SECONDS),
            "-l", str(self.root / "server.log"), "-o", options,
        )  # fmt: skip

    def stop(self) -> None:
        """Stop at once: open connections are cut, as when the server goes down."""
        self._run_as_server_user(
            "pg_ctl", "stop", "-D", str(self.data_dir), "-w", "-t", str(PG_CTL_SECONDS),
            "-m", "fast",
        )  # fmt: skip

    def restart(self) -> None:
        """Stop and start again on the same port: every connection of the moment is lost."""
        self.stop()
        self.start()

    def is_running(self) -> bool:
        return (self.data_dir / "postmaster.pid").exists()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        """An autocommit connection to its `postgres` database."""
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=SERVER_USER, dbname="postgres",
            autocommit=True, connect_timeout=10,
        )  # fmt: skip

    def create_database(self, name: str = "co2calc") -> str:
        """A new, empty database; returns its URL."""
        with self.admin() as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)


def _unavailable_reason(bindir: Path | None) -> str | None:
    if bindir is None:
        return "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        return f"a private cluster runs as {SERVER_USER!r} through runuser, which needs root"
    return None


@pytest.fixture
def private_postgres() -> Iterator[PrivateCluster]:
    """A started private cluster, stopped and removed at the end."""
    bindir = _binaries()
    reason = _unavailable_reason(bindir)
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true requires a private PostgreSQL cluster: {reason}")
        pytest.skip(reason)
    assert bindir is not None
    root = Path(tempfile.mkdtemp(prefix="co2calc-private-pg-"))
    cluster = PrivateCluster(bindir, root)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        if cluster.is_running():
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
