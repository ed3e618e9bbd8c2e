"""`co2calc --help` and `co2calc serve`, run as an operator runs them."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import httpx
import live_server
import pytest

# Every test here runs `co2calc` subprocesses: seconds each.
pytestmark = pytest.mark.slow


def test_help_lists_every_command(run_cli: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    result = run_cli("--help")

    assert result.returncode == 0, result.stderr
    for command in ("serve", "db", "demo"):
        assert command in result.stdout
    assert "upgrade" in run_cli("db", "--help").stdout


def test_help_gives_the_exit_code_table(
    run_cli: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    shown = " ".join(run_cli("--help").stdout.split())

    for line in (
        "0 success",
        "1 the job ended WARNING",
        "2 usage error",
        "3 refused, nothing changed",
        "4 the job ended ERROR",
        "5 the database is missing, not migrated or unreachable",
    ):
        assert line in shown


def test_serve_answers_health_and_docs(served: str) -> None:
    health = httpx.get(f"{served}/api/v1/health", timeout=5)

    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok", "task_backend": "inline"}
    assert httpx.get(f"{served}/docs", timeout=5).status_code == 200


def test_startup_message_keeps_each_sentence_on_one_line_at_80_columns(
    run_cli: Callable[..., subprocess.CompletedProcess[str]],
    start_server: Callable[..., subprocess.Popen[str]],
    sqlite_url: str,
    free_port: int,
    tmp_path: Path,
) -> None:
    assert run_cli("db", "upgrade").returncode == 0
    base = f"http://127.0.0.1:{free_port}"
    server = start_server(sqlite_url, free_port, COLUMNS="80")
    live_server.wait_until_answering(f"{base}/api/v1/health", server)
    server.terminate()
    server.wait(timeout=30)

    lines = (tmp_path / "serve-1.log").read_text().splitlines()
    assert f"co2calc is starting at {base}" in lines
    assert f"API docs: {base}/docs" in lines
