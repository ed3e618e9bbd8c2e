"""Every setting is a CO2CALC_* environment variable read here, and only here."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CO2CALC_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./co2calc.db"
    env: Literal["development", "production"] = "development"
    # Keys the stored token hashes; app.core.secret_key resolves it (and the development file).
    secret_key: SecretStr | None = None
    secret_key_file: Path | None = None
    # Only the embedded runner exists so far; "procrastinate" (PostgreSQL workers) is planned.
    task_backend: Literal["inline"] = "inline"
    max_upload_mb: int = 50
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    sqlite_busy_timeout_ms: int = 30_000
    # Job stream: how often it looks for changes, and how long it stays silent at most.
    sse_poll_seconds: float = 0.5
    sse_keepalive_seconds: float = 15.0
    # Background jobs run at once by the inline runner (others wait, NOT_STARTED).
    max_concurrent_jobs: int = 4
    session_ttl_hours: float = Field(12.0, gt=0)
    token_ttl_hours: float = Field(24.0, gt=0)
    login_max_failures: int = Field(5, ge=1)
    login_failure_window_minutes: float = Field(15.0, gt=0)


@lru_cache
def get_settings() -> Settings:
    return Settings()
