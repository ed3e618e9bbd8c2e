"""`co2calc users create/list` and the demo's admin account, run as an operator would."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable

import pytest

# Every test here runs `co2calc` subprocesses: seconds each.
pytestmark = pytest.mark.slow

RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(autouse=True)
def _migrated(run_cli: RunCli) -> None:
    """`users` commands use the database `db upgrade` made; they never create one."""
    assert run_cli("db", "upgrade").returncode == 0


def test_users_create_then_list(run_cli: RunCli) -> None:
    created = run_cli(
        "users", "create", "--username", "ana", "--password", "long enough",
        "--role", "calco2.backoffice.viewer", "--role", "calco2.superadmin",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert "ana" in created.stdout

    listed = run_cli("users", "list", "--json")

    assert listed.returncode == 0, listed.stderr
    users = json.loads(listed.stdout)
    assert [(u["username"], u["roles"], u["is_active"]) for u in users] == [
        ("ana", ["calco2.backoffice.viewer", "calco2.superadmin"], True)
    ]
    table = run_cli("users", "list")
    assert "ana" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "admin"], "valid roles: calco2.superadmin"),
        (["--role", "calco2.superadmin", "--password", "short"], "at least 8"),
    ],
)
def test_users_create_errors_exit_non_zero_with_the_reason(
    run_cli: RunCli, args: list[str], message: str
) -> None:
    base = ["users", "create", "--username", "bea", "--password", "long enough"]

    result = run_cli(*base, *args)

    assert result.returncode != 0
    assert message in " ".join(result.stderr.split())


def test_a_duplicate_username_exits_non_zero(run_cli: RunCli) -> None:
    args = ["users", "create", "--username", "cid", "--password", "long enough"]
    assert run_cli(*args, "--role", "calco2.superadmin").returncode == 0

    again = run_cli(*args, "--role", "calco2.user.standard")

    assert again.returncode == 3  # refused, nothing changed
    assert "already exists" in again.stderr


def test_demo_creates_an_admin_once_and_prints_its_password(run_cli: RunCli) -> None:
    demo = ["demo", "--units", "1", "--years", "2024"]
    first = run_cli(*demo, "--json")
    assert first.returncode == 0, first.stderr
    assert "admin" not in json.loads(first.stdout)  # the --json shape is unchanged
    credentials = json.loads(first.stderr.strip().splitlines()[-1])["admin"]
    assert credentials["username"] == "admin"
    assert len(credentials["password"]) >= 16

    again = run_cli(*demo)
    assert again.returncode == 0, again.stderr
    assert credentials["password"] not in again.stdout
    assert "password is unchanged" in again.stdout
    assert "/api/v1/auth/token" in again.stdout

    changed = run_cli(*demo, "--json", "--admin-password", "new admin password")
    assert json.loads(changed.stderr.strip().splitlines()[-1])["admin"] == {
        "username": "admin",
        "password": "new admin password",
    }
    listed = json.loads(run_cli("users", "list", "--json").stdout)
    assert [(u["username"], u["roles"]) for u in listed] == [("admin", ["calco2.superadmin"])]
