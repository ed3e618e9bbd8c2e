"""Configuration as an operator meets it: `co2calc serve`, `users create` and `demo` refuse
production without a key (exit 2, the reason on stderr, no traceback); development `serve`
generates its key file and says so; any command refuses a setting out of its range."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from live_server import free_port, wait_until_answering

# Every test here runs `co2calc` subprocesses: seconds each.
pytestmark = pytest.mark.slow

CO2CALC = Path(sys.executable).with_name("co2calc")
GENERATE_HINT = "python3 -c 'import secrets; print(secrets.token_hex(32))'"


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """No CO2CALC_* from the caller; a temp database and a temp XDG_CONFIG_HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CO2CALC_")}
    env.update(
        CO2CALC_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'co2calc.db'}",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        NO_COLOR="1",
        COLUMNS="200",
    )
    env.update(settings)
    return env


def _run(tmp_path: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CO2CALC), *args],
        env=_env(tmp_path, **settings),
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _assert_refused(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    for text in expected:
        assert text in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["serve", "--port", "1"],
        ["users", "create", "--username", "ana", "--role", "calco2.superadmin"],
        ["demo", "--units", "1"],
    ],
    ids=["serve", "users-create", "demo"],
)
def test_production_without_a_key_refuses_to_start(tmp_path: Path, args: list[str]) -> None:
    result = _run(tmp_path, *args, CO2CALC_ENV="production")

    _assert_refused(result, "CO2CALC_SECRET_KEY", GENERATE_HINT)
    assert "starting" not in result.stdout
    assert "Password" not in result.stdout + result.stderr  # refused before any prompt
    assert not (tmp_path / "co2calc.db").exists()  # nothing migrated, nothing written
    assert not (tmp_path / "config").exists()


def test_a_short_key_is_refused(tmp_path: Path) -> None:
    result = _run(tmp_path, "serve", CO2CALC_ENV="production", CO2CALC_SECRET_KEY="short")

    _assert_refused(result, "CO2CALC_SECRET_KEY", "too short", "at least 32")


def test_production_with_a_key_creates_users(tmp_path: Path) -> None:
    assert _run(tmp_path, "db", "upgrade").returncode == 0
    result = _run(
        tmp_path,
        *("users", "create", "--username", "ana", "--password", "long enough"),
        *("--role", "calco2.superadmin"),
        CO2CALC_ENV="production",
        CO2CALC_SECRET_KEY="0123456789abcdef" * 4,
    )

    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "config").exists()


def test_development_serve_generates_a_private_key_file_and_says_where(tmp_path: Path) -> None:
    assert _run(tmp_path, "db", "upgrade").returncode == 0
    port = free_port()
    server = subprocess.Popen(
        [str(CO2CALC), "serve", "--port", str(port)],
        env=_env(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/api/v1/health", server)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)

    key_file = tmp_path / "config" / "co2calc" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_text().strip()) >= 32
    assert output.count("generated a development secret key") == 1, output
    assert str(key_file) in output


@pytest.mark.parametrize(
    ("args", "variable", "value", "rule"),
    [
        (["serve"], "CO2CALC_SESSION_TTL_HOURS", "1e12", "less than or equal to 8760"),
        (["serve"], "CO2CALC_PORT", "70000", "less than or equal to 65535"),
        (["db", "upgrade"], "CO2CALC_MAX_CONCURRENT_JOBS", "0", "greater than or equal to 1"),
        (["jobs", "list"], "CO2CALC_LOG_LEVEL", "LOUD", "one of DEBUG, INFO"),
    ],
)
def test_a_setting_out_of_range_stops_any_command_at_start_naming_it(
    tmp_path: Path, args: list[str], variable: str, value: str, rule: str
) -> None:
    result = _run(tmp_path, *args, **{variable: value})

    _assert_refused(result, f"{variable}={value}", rule)
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "co2calc.db").exists()  # nothing started
