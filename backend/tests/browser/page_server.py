"""A real `co2calc serve` on a fresh database holding a small demo, for the browser tests.

The demo is small (3 units, one year) so it loads in seconds; one type (plane) gets a few
thousand more entries, so a recalculation of its module lasts long enough to be seen running
and clicked again. The server logs to a file in its work folder; its tail is shown when it
fails to start.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from e2e.live_server import free_port, wait_until_answering

from app.core.permissions import Role

CO2CALC = Path(sys.executable).with_name("co2calc")
YEAR = 2025
SECRET_KEY = "co2calc-browser-test-secret-key-0123456789"
# professional_travel and its plane type: the module whose jobs last (LONG_JOB_ROWS entries).
LONG_MODULE, LONG_TYPE = 2, 20
# Enough that a recalculation outlasts a few progress events even when recalculation gets
# faster: the page must be seen running, not only before and after.
LONG_JOB_ROWS = 20_000
_AIRPORTS = ("GVA", "CDG", "ZRH", "LHR", "FRA", "AMS", "BCN", "VIE")


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    role: Role


ADMIN = Account("admin", "admin-password-browser", Role.superadmin)
VIEWER = Account("viewer", "viewer-password-browser", Role.backoffice_viewer)
OUTSIDER = Account("outsider", "outsider-password-browser", Role.user_standard)


def server_env(database_url: str) -> dict[str, str]:
    """The caller's environment minus any CO2CALC_* setting, pointed at `database_url`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CO2CALC_")}
    env.update(
        CO2CALC_DATABASE_URL=database_url,
        CO2CALC_SECRET_KEY=SECRET_KEY,
        CO2CALC_SSE_POLL_SECONDS="0.2",
        NO_COLOR="1",
        COLUMNS="200",
    )
    return env


@dataclass
class PageServer:
    kind: str  # "sqlite" or "postgresql"
    base_url: str
    database_url: str
    workdir: Path
    _admin_token: str | None = field(default=None, repr=False)

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run `co2calc ARGS` on the server's database, as an operator would."""
        return subprocess.run(
            [str(CO2CALC), *args],
            env=server_env(self.database_url),
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    @contextmanager
    def api(self) -> Iterator[httpx.Client]:
        """An API client logged in as the admin (bearer token). The token is asked for once
        per server: each login costs a password hash, a second or more on a loaded machine."""
        with httpx.Client(base_url=f"{self.base_url}/api/v1", timeout=30) as client:
            if self._admin_token is None:
                token = client.post(
                    "/auth/token", data={"username": ADMIN.username, "password": ADMIN.password}
                )
                token.raise_for_status()
                self._admin_token = str(token.json()["access_token"])
            client.headers["Authorization"] = f"Bearer {self._admin_token}"
            yield client

    def status(self) -> list[dict[str, Any]]:
        """`GET /sync/recalculation-status` of the year: one item per module."""
        with self.api() as api:
            response = api.get("/sync/recalculation-status", params={"year": YEAR})
            response.raise_for_status()
            body: Any = response.json()
        return list(body["items"] if isinstance(body, dict) else body)

    def module_status(self, module_id: int) -> dict[str, Any]:
        return next(m for m in self.status() if m["module_type_id"] == module_id)

    def import_file(self, kind: str, module_id: int, type_id: int, csv: str) -> int:
        """Upload a `factors` or `data-entries` file through the API; wait for its job."""
        with self.api() as api:
            response = api.post(
                f"/sync/{kind}/{module_id}",
                params={"year": YEAR, "data_entry_type_id": type_id},
                files={"file": (f"{kind}.csv", csv.encode(), "text/csv")},
            )
            response.raise_for_status()
            job_id: int = response.json()["job_id"]
        self.wait_for_job(job_id)
        return job_id

    def wait_for_job(self, job_id: int, seconds: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        with self.api() as api:
            while True:
                job: dict[str, Any] = api.get(f"/sync/jobs/{job_id}").json()
                if job["state"] == 3:  # FINISHED
                    return job
                if time.monotonic() > deadline:
                    raise AssertionError(f"job {job_id} did not finish: {job}")
                time.sleep(0.2)

    def delete_entry(self, entry_id: int) -> None:
        with self.api() as api:
            api.delete(f"/data-entries/{entry_id}").raise_for_status()

    def unit_codes(self) -> list[str]:
        with self.api() as api:
            return [u["institutional_code"] for u in api.get("/units").json()["items"]]


def plane_rows(unit_code: str, count: int) -> str:
    lines = ["unit_institutional_code,origin_iata,destination_iata,cabin_class,number_of_trips"]
    for index in range(count):
        origin = _AIRPORTS[index % len(_AIRPORTS)]
        destination = _AIRPORTS[(index * 3 + 1) % len(_AIRPORTS)]
        if destination == origin:
            destination = _AIRPORTS[(index + 1) % len(_AIRPORTS)]
        lines.append(f"{unit_code},{origin},{destination},eco,1")
    return "\n".join(lines) + "\n"


def _run(server: PageServer, *args: str) -> None:
    result = server.cli(*args)
    assert result.returncode == 0, f"co2calc {' '.join(args)}:\n{result.stdout}{result.stderr}"


@contextmanager
def running_page_server(kind: str, database_url: str, workdir: Path) -> Iterator[PageServer]:
    """Demo data, three accounts, then `co2calc serve` on a free port until the block ends."""
    port = free_port()
    server = PageServer(kind, f"http://127.0.0.1:{port}", database_url, workdir)
    _run(server, "demo", "--units", "3", "--years", str(YEAR), "--admin-password", ADMIN.password)
    for account in (VIEWER, OUTSIDER):
        _run(server, "users", "create", "--username", account.username,
             "--password", account.password, "--role", account.role.value)  # fmt: skip
    log_path = workdir / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(CO2CALC), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=server_env(database_url),
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        try:
            wait_until_answering(f"{server.base_url}/api/v1/health", process)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{log_path.read_text()[-4000:]}") from None
        unit = server.unit_codes()[0]
        server.import_file("data-entries", LONG_MODULE, LONG_TYPE, plane_rows(unit, LONG_JOB_ROWS))
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)
