"""Which database a command uses, and what it says when it cannot use it.

Run from an unrelated directory without CO2CALC_DATABASE_URL, as a new operator would: the
default file lives under XDG_DATA_HOME, only `db upgrade` and `demo` create it, and a missing,
unmigrated or unreachable database is one line naming it (password hidden) with exit code 5.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

# Every test here runs `co2calc` subprocesses: seconds each.
pytestmark = pytest.mark.slow

CO2CALC = Path(sys.executable).with_name("co2calc")
DATABASE_EXIT = 5
UPGRADE_HINT = "run `co2calc db upgrade`"


def _run(
    tmp_path: Path, *args: str, database_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`co2calc ARGS` from tmp_path/elsewhere, XDG_DATA_HOME=tmp_path/data, no other setting."""
    workdir = tmp_path / "elsewhere"
    workdir.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CO2CALC_")}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), NO_COLOR="1", COLUMNS="200")
    if database_url is not None:
        env["CO2CALC_DATABASE_URL"] = database_url
    return subprocess.run(
        [str(CO2CALC), *args],
        env=env,
        cwd=workdir,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


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
    tmp_path: Path, args: list[str]
) -> None:
    result = _run(tmp_path, *args)

    default = tmp_path / "data" / "co2calc" / "co2calc.db"
    _one_line_refusal(result, str(default), "does not exist", UPGRADE_HINT)
    assert not default.exists()
    assert list((tmp_path / "elsewhere").iterdir()) == []  # no ./co2calc.db either


def test_db_upgrade_creates_the_default_database_every_command_then_uses(tmp_path: Path) -> None:
    upgraded = _run(tmp_path, "db", "upgrade")

    default = tmp_path / "data" / "co2calc" / "co2calc.db"
    assert upgraded.returncode == 0, upgraded.stderr
    assert str(default) in upgraded.stdout
    assert default.is_file()
    status = _run(tmp_path, "recalc", "status", "--year", "2025", "--json")
    assert status.returncode == 0, status.stderr
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_an_unmigrated_database_says_to_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()  # a SQLite file without co2calc's tables
    url = f"sqlite+aiosqlite:///{path}"

    result = _run(tmp_path, "jobs", "list", database_url=url)

    _one_line_refusal(result, url, "has no tables yet", UPGRADE_HINT)


def test_a_file_that_is_not_a_database_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not a database\n")

    result = _run(tmp_path, "db", "upgrade", database_url=f"sqlite+aiosqlite:///{path}")

    _one_line_refusal(result, str(path), "file is not a database")


@pytest.mark.parametrize("args", [["db", "upgrade"], ["jobs", "list"]], ids=["upgrade", "list"])
def test_an_unreachable_postgresql_is_one_line_without_its_password(
    tmp_path: Path, args: list[str]
) -> None:
    # Port 1 on the loopback: nothing listens there, the connection is refused at once.
    url = "postgresql+psycopg://co2calc:s3cret-pw@127.0.0.1:1/co2calc"

    result = _run(tmp_path, *args, database_url=url)

    _one_line_refusal(result, "Cannot reach the database", "co2calc:***@127.0.0.1:1/co2calc")
    assert "s3cret-pw" not in result.stderr + result.stdout
