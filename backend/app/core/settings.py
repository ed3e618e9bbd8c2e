"""Every setting is a CO2CALC_* environment variable read here, and only here.

Each one has a range, checked when the settings are read: a bad value stops a command (the
server included) at start with one line naming the variable, instead of failing later on
every request that uses it (a session lifetime of 1e12 hours cannot make a cookie).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from app.core import xdg

ENV_PREFIX = "CO2CALC_"
DATABASES = ("sqlite", "postgresql")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
HOURS_PER_YEAR = 8760
# Shown at most this long when a value is refused, so an error line stays one short line.
SHOWN_VALUE_LENGTH = 60


def default_database_path() -> Path:
    """`$XDG_DATA_HOME/co2calc/co2calc.db`, else `~/.local/share/co2calc/co2calc.db`."""
    return xdg.data_dir() / "co2calc.db"


def default_database_url() -> str:
    return f"sqlite+aiosqlite:///{default_database_path()}"


class InvalidSettings(ValueError):
    """A CO2CALC_* variable is out of its range; the message names it and the range."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    # One file per user, not per directory: the CLI and `make run` agree from anywhere.
    database_url: str = Field(default_factory=default_database_url, min_length=1)
    env: Literal["development", "production"] = "development"
    # Keys the stored token hashes; app.core.secret_key resolves it (and the development file).
    secret_key: SecretStr | None = None
    secret_key_file: Path | None = None
    # Where background jobs run: "inline" (in the API process) or "procrastinate" (any number
    # of `co2calc worker` processes sharing a PostgreSQL database).
    task_backend: Literal["inline", "procrastinate"] = "inline"
    # Procrastinate workers: a job whose heartbeat is this old has lost its worker; the stall
    # finder looks this often, and retries such a job until it has run this many times. The
    # stall limit spans two heartbeats of a running job (every 5 s) at least.
    worker_stall_seconds: float = Field(60.0, ge=10, le=3600, allow_inf_nan=False)
    worker_sweep_seconds: float = Field(30.0, ge=0.5, le=3600, allow_inf_nan=False)
    job_max_attempts: int = Field(3, ge=1, le=100)
    max_upload_mb: int = Field(50, ge=1, le=1024)
    host: str = Field("127.0.0.1", min_length=1, max_length=253)
    port: int = Field(8000, ge=1, le=65535)
    log_level: str = "INFO"
    sqlite_busy_timeout_ms: int = Field(30_000, ge=0, le=600_000)
    # Job stream: how often it looks for changes, and how long it stays silent at most.
    sse_poll_seconds: float = Field(0.5, ge=0.01, le=60, allow_inf_nan=False)
    sse_keepalive_seconds: float = Field(15.0, ge=0.1, le=300, allow_inf_nan=False)
    # Background jobs run at once by the inline runner (others wait, NOT_STARTED).
    max_concurrent_jobs: int = Field(4, ge=1, le=64)
    session_ttl_hours: float = Field(12.0, gt=0, le=HOURS_PER_YEAR, allow_inf_nan=False)
    token_ttl_hours: float = Field(24.0, gt=0, le=HOURS_PER_YEAR, allow_inf_nan=False)
    login_max_failures: int = Field(5, ge=1, le=1000)
    login_failure_window_minutes: float = Field(15.0, gt=0, le=1440, allow_inf_nan=False)

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError:
            backend = ""
        if backend not in DATABASES:
            raise ValueError("use sqlite+aiosqlite:///path.db or postgresql+psycopg://user@host/db")
        return value

    @field_validator("task_backend")
    @classmethod
    def _backend_fits_database(cls, value: str, info: ValidationInfo) -> str:
        url = info.data.get("database_url")
        if value == "procrastinate" and url and make_url(url).get_backend_name() != "postgresql":
            raise ValueError(
                "procrastinate needs PostgreSQL (CO2CALC_DATABASE_URL=postgresql+psycopg://...); "
                "use inline with SQLite"
            )
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"one of {', '.join(LOG_LEVELS)}")
        return value.upper()


def describe(error: ValidationError) -> str:
    """One line naming each refused variable, its value (never a secret's) and the rule."""
    problems = []
    for item in error.errors(include_url=False):
        field = str(item["loc"][0]) if item["loc"] else ""
        variable = f"{ENV_PREFIX}{field.upper()}"
        shown = "" if "secret" in field else str(item.get("input", ""))[:SHOWN_VALUE_LENGTH]
        rule = str(item["msg"]).removeprefix("Value error, ")
        problems.append(f"{variable}={shown}: {rule}" if shown else f"{variable}: {rule}")
    return "invalid settings: " + "; ".join(problems)


def load_settings() -> Settings:
    """The settings from the environment; InvalidSettings (one line) when one is out of range."""
    try:
        return Settings()
    except ValidationError as error:
        raise InvalidSettings(describe(error)) from None


@lru_cache
def get_settings() -> Settings:
    return load_settings()
