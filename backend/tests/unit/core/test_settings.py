"""Every setting has a range; a value outside it is refused in one line naming the variable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.settings import InvalidSettings, Settings, load_settings

IN_RANGE = {
    "CO2CALC_DATABASE_URL": "postgresql+psycopg://co2calc@db.example:5432/co2calc",
    "CO2CALC_MAX_UPLOAD_MB": "1024",
    "CO2CALC_HOST": "0.0.0.0",
    "CO2CALC_PORT": "1",
    "CO2CALC_LOG_LEVEL": "debug",
    "CO2CALC_SQLITE_BUSY_TIMEOUT_MS": "0",
    "CO2CALC_SSE_POLL_SECONDS": "60",
    "CO2CALC_SSE_KEEPALIVE_SECONDS": "0.1",
    "CO2CALC_MAX_CONCURRENT_JOBS": "64",
    "CO2CALC_SESSION_TTL_HOURS": "8760",
    "CO2CALC_TOKEN_TTL_HOURS": "0.5",
    "CO2CALC_LOGIN_MAX_FAILURES": "1000",
    "CO2CALC_LOGIN_FAILURE_WINDOW_MINUTES": "1440",
}

OUT_OF_RANGE = [
    ("CO2CALC_DATABASE_URL", "mysql://root@localhost/co2calc", "use sqlite+aiosqlite"),
    ("CO2CALC_DATABASE_URL", "not a url", "use sqlite+aiosqlite"),
    ("CO2CALC_ENV", "staging", "'development' or 'production'"),
    ("CO2CALC_TASK_BACKEND", "celery", "'inline'"),
    ("CO2CALC_MAX_UPLOAD_MB", "0", "greater than or equal to 1"),
    ("CO2CALC_MAX_UPLOAD_MB", "1025", "less than or equal to 1024"),
    ("CO2CALC_HOST", "", "at least 1 character"),
    ("CO2CALC_PORT", "0", "greater than or equal to 1"),
    ("CO2CALC_PORT", "65536", "less than or equal to 65535"),
    ("CO2CALC_LOG_LEVEL", "LOUD", "one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ("CO2CALC_SQLITE_BUSY_TIMEOUT_MS", "-1", "greater than or equal to 0"),
    ("CO2CALC_SSE_POLL_SECONDS", "0", "greater than or equal to 0.01"),
    ("CO2CALC_SSE_KEEPALIVE_SECONDS", "inf", "finite number"),
    ("CO2CALC_MAX_CONCURRENT_JOBS", "0", "greater than or equal to 1"),
    ("CO2CALC_SESSION_TTL_HOURS", "1e12", "less than or equal to 8760"),
    ("CO2CALC_SESSION_TTL_HOURS", "nan", "finite number"),
    ("CO2CALC_TOKEN_TTL_HOURS", "0", "greater than 0"),
    ("CO2CALC_LOGIN_MAX_FAILURES", "0", "greater than or equal to 1"),
    ("CO2CALC_LOGIN_FAILURE_WINDOW_MINUTES", "1441", "less than or equal to 1440"),
]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in os.environ if name.startswith("CO2CALC_")]:
        monkeypatch.delenv(name)


def test_the_defaults_are_in_range() -> None:
    assert load_settings() == Settings()


def test_the_ends_of_every_range_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in IN_RANGE.items():
        monkeypatch.setenv(name, value)

    settings = load_settings()

    assert settings.port == 1
    assert settings.log_level == "DEBUG"
    assert settings.session_ttl_hours == 8760


@pytest.mark.parametrize(("variable", "value", "rule"), OUT_OF_RANGE)
def test_a_value_out_of_range_is_refused_naming_the_variable_and_the_rule(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, rule: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(InvalidSettings) as refused:
        load_settings()

    message = str(refused.value)
    assert "\n" not in message
    assert (f"{variable}={value}:" if value else f"{variable}:") in message
    assert rule in message


def test_every_bad_variable_is_named_on_the_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CO2CALC_PORT", "0")
    monkeypatch.setenv("CO2CALC_TOKEN_TTL_HOURS", "-1")

    with pytest.raises(InvalidSettings) as refused:
        load_settings()

    assert "CO2CALC_PORT=0" in str(refused.value)
    assert "CO2CALC_TOKEN_TTL_HOURS=-1" in str(refused.value)


def test_a_refused_value_is_shown_shortened(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CO2CALC_LOG_LEVEL", "X" * 5000)

    with pytest.raises(InvalidSettings) as refused:
        load_settings()

    assert len(str(refused.value)) < 200


def test_the_default_database_is_a_per_user_file_not_one_in_the_current_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert Settings().database_url == f"sqlite+aiosqlite:///{tmp_path}/xdg/co2calc/co2calc.db"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    expected = tmp_path / "home" / ".local" / "share" / "co2calc" / "co2calc.db"
    assert Settings().database_url == f"sqlite+aiosqlite:///{expected}"
