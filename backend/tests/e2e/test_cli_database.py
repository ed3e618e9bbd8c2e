"""Which database a command uses, and what it says when it cannot use it.

Run from an unrelated directory without CO2CALC_DATABASE_URL, as a new operator would: the
default file lives under XDG_DATA_HOME, only `db upgrade` and `demo` create it, and a missing,
unmigrated or unreachable database is one line naming it (password hidden) with exit code 5.
"""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

# Every test here runs `co2calc` subprocesses: seconds each.
pytestmark = pytest.mark.slow

RunCli = Callable[..., subprocess.CompletedProcess[str]]
DATABASE_EXIT = 5
UPGRADE_HINT = "run `co2calc db upgrade`"


@pytest.fixture
def run(run_cli: RunCli, tmp_path: Path) -> RunCli:
    """`co2calc ARGS` from tmp_path/elsewhere, XDG_DATA_HOME=tmp_path/data, and no
    CO2CALC_DATABASE_URL unless given."""

    def run_here(*args: str, database_url: str | None = None) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, database_url=database_url, XDG_DATA_HOME=str(tmp_path / "data"))

    return run_here


def _one_line_refusal(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == DATABASE_EXIT, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if "Database error:" in line]
    assert len(lines) == 1, result.stderr
    for text in expected:
        assert text in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["recalc", "status", "--year", "2025"],
        ["jobs", "list"],
        ["users", "list"],
        ["serve", "--port", "1"],
    ],
    ids=["recalc-status", "jobs-list", "users-list", "serve"],
)
def test_a_missing_default_database_is_named_and_never_created(
    run: RunCli, tmp_path: Path, args: list[str]
) -> None:
    result = run(*args)

    default = tmp_path / "data" / "co2calc" / "co2calc.db"
    _one_line_refusal(result, str(default), "does not exist", UPGRADE_HINT)
    assert not default.exists()
    assert list((tmp_path / "elsewhere").iterdir()) == []  # no ./co2calc.db either


def test_db_upgrade_creates_the_default_database_every_command_then_uses(
    run: RunCli, tmp_path: Path
) -> None:
    upgraded = run("db", "upgrade")

    default = tmp_path / "data" / "co2calc" / "co2calc.db"
    assert upgraded.returncode == 0, upgraded.stderr
    assert str(default) in upgraded.stdout
    assert default.is_file()
    status = run("recalc", "status", "--year", "2025", "--json")
    assert status.returncode == 0, status.stderr
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_an_unmigrated_database_says_to_upgrade(run: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()  # a SQLite file without co2calc's tables
    url = f"sqlite+aiosqlite:///{path}"

    result = run("jobs", "list", database_url=url)

    _one_line_refusal(result, url, "has no tables yet", UPGRADE_HINT)


def test_a_file_that_is_not_a_database_is_one_line(run: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not a database\n")

    result = run("db", "upgrade", database_url=f"sqlite+aiosqlite:///{path}")

    _one_line_refusal(result, str(path), "file is not a database")


@pytest.mark.parametrize("args", [["db", "upgrade"], ["jobs", "list"]], ids=["upgrade", "list"])
def test_an_unreachable_postgresql_is_one_line_without_its_password(
    run: RunCli, args: list[str]
) -> None:
    # Port 1 on the loopback: nothing listens there, the connection is refused at once.
    url = "postgresql+psycopg://co2calc:s3cret-pw@127.0.0.1:1/co2calc"

    result = run(*args, database_url=url)

    _one_line_refusal(result, "Cannot reach the database", "co2calc:***@127.0.0.1:1/co2calc")
    assert "s3cret-pw" not in result.stderr + result.stdout
