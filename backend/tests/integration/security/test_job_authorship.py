"""Who started each job is recorded from the authenticated caller (never from the request
body) and shown in the history, on SQLite and PostgreSQL: an import and a module
recalculation (with its per-type rows) started by two people through the API carry each
one's username in the jobs list and in each job's own answer (a cancel's asker is
checked with the cancel endpoint); an import run with the CLI records `cli:` and the
operating-system account, shown by `co2calc jobs list`."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import httpx
import pytest
from api_fixtures import TEST_PASSWORD, CreateUser
from fastapi import FastAPI
from typer.testing import CliRunner

from app.cli import app as cli
from app.core.permissions import Role
from app.domain.modules import ModuleTypeEnum

JOBS = "/api/v1/sync/jobs"
PROCESS = int(ModuleTypeEnum.process_emissions)
FACTORS = b"category,subcategory,gwp_kg_co2eq_per_kg\nch4,,28\nco2,,1\n"


async def _bearer(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await client.post(
        "/api/v1/auth/token", data={"username": username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_the_history_names_who_started_each_job(
    app: FastAPI, app_client: httpx.AsyncClient, create_user: CreateUser
) -> None:
    await create_user(Role.backoffice_metier, username="ana")
    await create_user(Role.superadmin, username="bea")
    ana = await _bearer(app_client, "ana")
    bea = await _bearer(app_client, "bea")

    imported = await app_client.post(
        f"/api/v1/sync/factors/{PROCESS}?year=2025&data_entry_type_id=50",
        files={"file": ("factors.csv", FACTORS, "text/csv")},
        # A body field cannot pose as someone else.
        data={"requested_by": "mallory"},
        headers=ana,
    )
    assert imported.status_code == 202, imported.text
    await app.state.runner.wait_idle()
    recalculated = await app_client.post(
        f"/api/v1/sync/recalculate-emissions/{PROCESS}?year=2025&only_stale=false", headers=bea
    )
    assert recalculated.status_code == 202, recalculated.text
    await app.state.runner.wait_idle()
    module_job = recalculated.json()["job_id"]

    listed = await app_client.get(JOBS, headers=ana)
    assert listed.status_code == 200, listed.text
    who = {job["id"]: job["requested_by"] for job in listed.json()["items"]}
    children = await app_client.get(JOBS, params={"parent_job_id": module_job}, headers=ana)
    child_ids = [job["id"] for job in children.json()["items"]]
    assert child_ids
    assert who[imported.json()["job_id"]] == "ana"
    assert who[module_job] == "bea"
    for child in child_ids:
        shown = await app_client.get(f"{JOBS}/{child}", headers=ana)
        assert shown.json()["requested_by"] == "bea"


@pytest.mark.usefixtures("cli_database")
def test_a_cli_import_names_the_operating_system_account_in_the_history(tmp_path: Path) -> None:
    factors = tmp_path / "factors.csv"
    factors.write_bytes(FACTORS)
    imported = CliRunner().invoke(
        cli, ["factors", "import", str(factors), "--module", "8", "--year", "2025", "--type", "50"]
    )
    assert imported.exit_code == 0, imported.output

    listed = CliRunner().invoke(cli, ["jobs", "list", "--json"])

    assert listed.exit_code == 0, listed.output
    (job,) = json.loads(listed.output)["items"]
    assert job["requested_by"] == f"cli:{getpass.getuser()}"
