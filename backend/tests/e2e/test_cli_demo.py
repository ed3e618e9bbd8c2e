"""`co2calc demo` end to end: a subprocess on a temporary SQLite file, then the stored data.

The tests that only read what one `demo --units 3` left share one run of it (the module's
`demo`); under pytest-xdist this file goes to one worker, so it runs once
(backend/tests/xdist_schedule.py). The test that runs the demo again on a database holding it
starts from a copy of that run's database; the others have databases of their own.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cli_runner import RunCli, cli_runner
from demo_copies import copy_sqlite_database

from app.domain.ingestion import IngestionMethod, IngestionResult, TargetType
from app.domain.modules import MODULE_TYPE_TO_DATA_ENTRY_TYPES, DataEntryTypeEnum

pytestmark = pytest.mark.slow

ALL_TYPES = sorted(int(t) for t in DataEntryTypeEnum)


def _demo_json(run_cli: RunCli, *args: str) -> dict[str, Any]:
    result = run_cli("demo", "--units", "3", "--json", *args)
    assert result.returncode == 0, result.stderr
    summary: dict[str, Any] = json.loads(result.stdout)  # nothing else on stdout
    return summary


def _cli_json(run_cli: RunCli, *args: str) -> Any:
    result = run_cli(*args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _assert_up_to_date(run_cli: RunCli, year: int) -> None:
    """`recalc status`: every type of every module has factors and nothing is stale."""
    modules = _cli_json(run_cli, "recalc", "status", "--year", str(year))
    types = [t for module in modules for t in module["data_entry_types"]]
    assert sorted(t["data_entry_type_id"] for t in types) == ALL_TYPES
    for row in types:
        assert row["needs_recalculation"] is False, row
        assert row["last_factor_job_result"] == IngestionResult.SUCCESS, row
        assert row["last_recalculation_job_result"] == IngestionResult.SUCCESS, row
        assert row["recalculation_running_job_id"] is None, row


def _database_file(sqlite_url: str) -> Path:
    return Path(sqlite_url.removeprefix("sqlite+aiosqlite:///"))


@dataclass(frozen=True)
class Demo:
    """One `demo --units 3 --json` on a SQLite file of its own: its summary, its database and a
    `run_cli` on it. The tests given it only read."""

    summary: dict[str, Any]
    sqlite_url: str
    run_cli: RunCli


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    folder = tmp_path_factory.mktemp("demo")
    sqlite_url = f"sqlite+aiosqlite:///{folder / 'co2calc.db'}"
    run_cli = cli_runner(folder, sqlite_url)
    return Demo(_demo_json(run_cli), sqlite_url, run_cli)


def test_demo_computes_every_type_of_every_year(demo: Demo) -> None:
    summary = demo.summary

    assert summary["units"] == 3
    assert summary["years"] == [2024, 2025]
    rows = summary["data_entry_types"]
    assert set(rows[0]) == {
        "data_entry_type_id",
        "year",
        "entry_count",
        "emission_count",
        "total_kg_co2eq",
    }
    assert sorted((r["year"], r["data_entry_type_id"]) for r in rows) == [
        (year, t) for year in (2024, 2025) for t in ALL_TYPES
    ]
    for row in rows:
        assert row["entry_count"] > 0, row
        assert row["emission_count"] > 0, row
        assert row["total_kg_co2eq"] > 0, row


def test_demo_stats_are_the_sums_of_emission_rows(demo: Demo) -> None:
    with sqlite3.connect(_database_file(demo.sqlite_url)) as connection:
        kg_by_module = dict(
            connection.execute(
                "SELECT e.carbon_report_module_id, SUM(x.kg_co2eq) FROM data_entries e "
                "JOIN data_entry_emissions x ON x.data_entry_id = e.id "
                "GROUP BY e.carbon_report_module_id"
            ).fetchall()
        )
        modules = connection.execute(
            "SELECT id, carbon_report_id, stats FROM carbon_report_modules"
        ).fetchall()
        reports = dict(connection.execute("SELECT id, stats FROM carbon_reports").fetchall())

    assert len(modules) == 3 * 2 * 8
    module_totals: defaultdict[int, float] = defaultdict(float)
    for module_id, report_id, stats in modules:
        total = json.loads(stats)["total"]
        assert total == pytest.approx(kg_by_module.get(module_id, 0.0), rel=1e-9, abs=1e-6)
        module_totals[report_id] += total
    assert len(reports) == 6
    for report_id, stats in reports.items():
        assert json.loads(stats)["total"] == pytest.approx(module_totals[report_id], rel=1e-9)


def test_demo_twice_is_safe_and_reset_rebuilds(
    demo: Demo, run_cli: RunCli, sqlite_url: str
) -> None:
    # The first run is the module's: a copy of its database is this test's to change.
    copy_sqlite_database(demo.sqlite_url, sqlite_url)
    first = demo.summary

    again = run_cli("demo", "--units", "3")
    assert again.returncode == 0, again.stderr
    assert "already there" in again.stdout
    assert _demo_json(run_cli) == first

    rebuilt = _demo_json(run_cli, "--reset", "--years", "2025", "--seed", "7")
    assert rebuilt["units"] == 3
    assert rebuilt["years"] == [2025]
    assert {r["year"] for r in rebuilt["data_entry_types"]} == {2025}
    assert all(r["emission_count"] > 0 for r in rebuilt["data_entry_types"])
    # The reset keeps the earlier jobs; its own imports and recalculations come after them.
    _assert_up_to_date(run_cli, 2025)


def test_demo_leaves_the_job_history_of_an_up_to_date_installation(demo: Demo) -> None:
    run_cli = demo.run_cli
    for year in (2024, 2025):
        _assert_up_to_date(run_cli, year)
        page = _cli_json(run_cli, "jobs", "list", "--year", str(year), "--limit", "500")
        jobs = page["items"]
        assert page["total"] == len(jobs) == 23 + 8
        assert {job["requested_by"] for job in jobs} == {"demo"}
        assert all(job["result"] == IngestionResult.SUCCESS for job in jobs)

        factor_jobs = [j for j in jobs if j["target_type"] == TargetType.FACTORS]
        assert sorted(j["data_entry_type_id"] for j in factor_jobs) == ALL_TYPES
        for job in factor_jobs:
            assert job["ingestion_method"] == IngestionMethod.csv
            assert job["is_current"] is True
            assert job["factor_sequence"] is not None
            assert (
                job["meta"]["file_name"]
                == f"{DataEntryTypeEnum(job['data_entry_type_id']).name}.csv"
            )

        recalculations = [j for j in jobs if j["target_type"] == TargetType.DATA_ENTRIES]
        assert sorted(j["module_type_id"] for j in recalculations) == sorted(
            int(m) for m in MODULE_TYPE_TO_DATA_ENTRY_TYPES
        )
        for job in recalculations:
            assert job["ingestion_method"] == IngestionMethod.computed
            assert job["data_entry_type_id"] is None  # one module job over all its types
            expected = MODULE_TYPE_TO_DATA_ENTRY_TYPES[job["module_type_id"]]
            children = {c["data_entry_type_id"]: c for c in job["children"]}
            assert sorted(children) == sorted(int(t) for t in expected)
            assert all(c["result"] == IngestionResult.SUCCESS for c in children.values())


def test_the_way_in_is_the_last_thing_the_demo_prints(run_cli: RunCli, tmp_path: Path) -> None:
    data_home = tmp_path / "data"
    args = ("demo", "--units", "1", "--years", "2025")

    first = run_cli(*args, "--serving", XDG_DATA_HOME=str(data_home))

    assert first.returncode == 0, first.stderr
    assert " INFO " not in first.stderr  # the jobs' log lines went to the file
    log_file = data_home / "co2calc" / "demo.log"
    assert "job finished" in log_file.read_text()
    *_, logs, account, login, scripts = first.stdout.strip().splitlines()
    assert logs == f"Job logs: {log_file}"
    assert account.startswith("Admin account created: username admin, password ")
    assert login.startswith("Log in at http://127.0.0.1:8000/ as admin")
    assert "`make run` is starting the server there now" in login
    assert scripts.startswith("Scripts: curl -d username=admin")

    again = run_cli(*args, XDG_DATA_HOME=str(data_home))

    assert again.returncode == 0, again.stderr
    *_, account, login, _scripts = again.stdout.strip().splitlines()
    assert "password is unchanged" in account
    assert "once `co2calc serve` runs" in login
