"""Model-based consistency test: random sequences of what operators do, on SQLite and PostgreSQL,
through the real API, the real inline runner and its jobs; the promise checked after every step.

Steps: factor imports (values changed, rows added and removed, module-wide files, files with
rejected rows, unchanged files), data imports (append, replace, entries without factor,
overrides, rejected rows), several single-entry edits at once, per-type and module
recalculations (only stale and all), a recalculation whose write phase fails, and a restart of
the runner in the middle of a recalculation.

After every step: a pair whose status says up to date has exactly the emission rows a
from-scratch computation with the current factors gives; a pair whose factors changed since
its last successful recalculation says it needs one; module and report stats are the sums of
their rows; no entry is lost or changed behind the model's back; no job is left unfinished.

By default a few fixed examples run (derandomized); `--hypothesis-profile=long` runs many
random ones (see the README).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from api_fixtures import TEST_PASSWORD, TEST_SECRET_KEY, make_client
from consistency_dataset import (
    BAD_NUMBER,
    ENTRY_DATA,
    FACTOR_CLASSIFICATIONS,
    MODULES,
    OVERRIDE,
    QUANTITY,
    TYPES,
    UNITS,
    YEAR,
    EntryRow,
    FactorRow,
    data_file,
    factor_file,
    types_of,
)
from consistency_oracle import (
    emission_mismatches,
    factor_set,
    read_entries,
    read_factors,
    unfinished_jobs,
)
from factories import create_unit
from fixture_types import DatabaseMaker
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from hypothesis_profiles import unless_long
from sqlalchemy.ext.asyncio import AsyncEngine
from stats_audit import committed_stats_mismatches

from app.core.permissions import Role
from app.core.settings import Settings
from app.db import create_engine, create_session_factory
from app.domain.ingestion import IngestionResult, IngestionState
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum, module_of
from app.main import create_app
from app.repositories.recalculation_staging_repo import RecalculationStagingRepository
from app.services.auth_service import AuthService
from app.services.carbon_report_module_service import CarbonReportModuleService
from app.tasks.runner import InlineRunner

# 6 examples of 12 API steps, each on a fresh database with real jobs: about a minute on the
# loaded 2-core CI machine.
pytestmark = pytest.mark.slow

SYNC = "/api/v1/sync"
ENTRIES = "/api/v1/data-entries"
GOOD = (IngestionResult.SUCCESS, IngestionResult.WARNING)
# Long enough for a loaded machine; only a job that never gets there waits this long.
REACH_SECONDS = 120

CI_SETTINGS = settings(
    max_examples=6,
    stateful_step_count=12,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    # The explain phase traces every line executed: minutes for one failing example here.
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
)

AMOUNTS = ("1", "2.5", "10", "0.1", "1000")
TRIPS = ("1", "2", "10")


def quantities(data_entry_type: DataEntryTypeEnum) -> st.SearchStrategy[str]:
    """Cells of the type's quantity column (trips are whole numbers)."""
    return st.sampled_from(TRIPS if QUANTITY[data_entry_type] == "number_of_trips" else AMOUNTS)


def quantity_value(cell: str) -> float | int:
    return float(cell) if "." in cell else int(cell)


overrides = st.sampled_from(["", "", "", "0", "42.5"])
factor_values = st.sampled_from(["0.5", "1", "2", "28", "0.007"])


class InjectedWriteFailure(RuntimeError):
    """The fault put into a recalculation's write phase."""


def _factor_rows(draw: st.DrawFn, data_entry_type: DataEntryTypeEnum) -> list[FactorRow]:
    pool = range(len(FACTOR_CLASSIFICATIONS[data_entry_type]))
    chosen = draw(st.lists(st.sampled_from(pool), unique=True, max_size=len(pool)))
    rows = [FactorRow(data_entry_type, i, draw(factor_values)) for i in chosen]
    if draw(st.integers(0, 4)) == 0:
        rows.append(FactorRow(data_entry_type, draw(st.sampled_from(pool)), BAD_NUMBER))
    return rows


@st.composite
def factor_files(draw: st.DrawFn) -> tuple[ModuleTypeEnum, DataEntryTypeEnum | None, bytes]:
    """(module, type or None for a module-wide file, content)."""
    module = draw(st.sampled_from(MODULES))
    types = types_of(module)
    module_wide = len(types) > 1 and draw(st.booleans())
    scope = types if module_wide else (draw(st.sampled_from(types)),)
    rows = [row for t in scope for row in _factor_rows(draw, t)]
    return module, None if module_wide else scope[0], factor_file(scope, rows)


@st.composite
def entry_rows(draw: st.DrawFn, data_entry_type: DataEntryTypeEnum) -> EntryRow:
    rejected = draw(st.integers(0, 6)) == 0
    return EntryRow(
        data_entry_type,
        draw(st.sampled_from(UNITS)),
        draw(st.integers(0, len(ENTRY_DATA[data_entry_type]) - 1)),
        BAD_NUMBER if rejected else draw(quantities(data_entry_type)),
        draw(overrides),
    )


@st.composite
def data_files(
    draw: st.DrawFn,
) -> tuple[ModuleTypeEnum, DataEntryTypeEnum | None, list[EntryRow]]:
    module = draw(st.sampled_from(MODULES))
    types = types_of(module)
    module_wide = len(types) > 1 and draw(st.booleans())
    scope = types if module_wide else (draw(st.sampled_from(types)),)
    rows = draw(st.lists(st.sampled_from(scope).flatmap(entry_rows), min_size=1, max_size=4))
    return module, None if module_wide else scope[0], rows


def _query(module: ModuleTypeEnum, data_entry_type: DataEntryTypeEnum | None) -> str:
    type_part = "" if data_entry_type is None else f"&data_entry_type_id={int(data_entry_type)}"
    return f"{int(module)}?year={YEAR}{type_part}"


def _upload(content: bytes) -> dict[str, tuple[str, bytes, str]]:
    return {"file": ("model.csv", content, "text/csv")}


class ConsistencyModel(RuleBasedStateMachine):
    """One example: a fresh database, the app with its runner, and what the model knows."""

    make_database: DatabaseMaker

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.resources = ExitStack()
        self.resources.callback(self.loop.close)
        url = self.resources.enter_context(self.make_database())
        self.engine: AsyncEngine = create_engine(url)
        self.app = create_app(Settings(database_url=url, secret_key=TEST_SECRET_KEY), self.engine)
        self.lifespan = self.app.router.lifespan_context(self.app)
        self.client = make_client(self.app)
        # What the model knows: every entry's data by id, and the pairs whose factors changed
        # since their last successful recalculation.
        self.entries: dict[int, dict[str, Any]] = {}
        self.entry_types: dict[int, int] = {}
        self.changed_since_recalculation: set[int] = set()
        self.last_factor_file: dict[tuple[int, int | None], bytes] = {}
        self.headers = self.run(self._start())

    def run(self, work: Awaitable[Any]) -> Any:
        return self.loop.run_until_complete(work)

    async def _start(self) -> dict[str, str]:
        await self.lifespan.__aenter__()
        session_factory = create_session_factory(self.engine)
        async with session_factory() as session:
            for code in UNITS:
                await create_unit(session, institutional_code=code)
            settings_ = Settings(database_url="sqlite://", secret_key=TEST_SECRET_KEY)
            await AuthService(session, settings=settings_).create_user(
                "operator", TEST_PASSWORD, [str(Role.superadmin)]
            )
            await session.commit()
        response = await self.client.post(
            "/api/v1/auth/token", data={"username": "operator", "password": TEST_PASSWORD}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def teardown(self) -> None:
        async def stop() -> None:
            await self.client.aclose()
            await self.runner.shutdown()  # a restarted one, which the lifespan does not know
            await self.lifespan.__aexit__(None, None, None)
            await self.engine.dispose()

        try:
            self.run(stop())
        finally:
            self.resources.close()

    # --- helpers

    @property
    def runner(self) -> InlineRunner:
        runner: InlineRunner = self.app.state.runner
        return runner

    async def _post(self, url: str, **kwargs: Any) -> httpx.Response:
        response = await self.client.post(url, headers=self.headers, **kwargs)
        assert response.status_code < 500, response.text
        return response

    async def _job(self, job_id: int) -> dict[str, Any]:
        await self.runner.wait_idle()
        response = await self.client.get(f"{SYNC}/jobs/{job_id}", headers=self.headers)
        assert response.status_code == 200, response.text
        job: dict[str, Any] = response.json()
        assert job["state"] == IngestionState.FINISHED, job
        return job

    async def _factor_sets(self) -> dict[int, set[str]]:
        async with self.engine.connect() as connection:
            factors = await read_factors(connection)
        return {int(t): factor_set(factors, t) for t in TYPES}

    async def _stored_entries(self) -> dict[int, dict[str, Any]]:
        async with self.engine.connect() as connection:
            return {i: e.data for i, e in (await read_entries(connection)).items()}

    async def _record_recalculation(self, job: dict[str, Any]) -> None:
        """The types a recalculation job finished SUCCESS or WARNING are recalculated."""
        rows = job["children"] or [job]
        for row in rows:
            if row["state"] == IngestionState.FINISHED and row["result"] in GOOD:
                self.changed_since_recalculation.discard(row["data_entry_type_id"])

    async def _recalculate(self, url: str) -> dict[str, Any] | None:
        response = await self._post(url)
        if response.status_code != 202:
            assert response.status_code == 400, response.text  # only stale, nothing stale
            return None
        job = await self._job(response.json()["job_id"])
        await self._record_recalculation(job)
        return job

    # --- factor imports

    async def _import_factors(
        self, module: ModuleTypeEnum, data_entry_type: DataEntryTypeEnum | None, content: bytes
    ) -> None:
        before = await self._factor_sets()
        response = await self._post(
            f"{SYNC}/factors/{_query(module, data_entry_type)}", files=_upload(content)
        )
        if content.count(b"\n") == 1:  # a header alone is refused before any job
            assert response.status_code == 422, response.text
        else:
            assert response.status_code == 202, response.text
            await self._job(response.json()["job_id"])
        after = await self._factor_sets()
        self.changed_since_recalculation |= {t for t in TYPES if before[t] != after[t]}
        self.last_factor_file[(int(module), data_entry_type)] = content

    @rule(file=factor_files())
    def import_factors(self, file: tuple[ModuleTypeEnum, DataEntryTypeEnum | None, bytes]) -> None:
        self.run(self._import_factors(*file))

    @rule(data=st.data())
    def import_an_unchanged_factor_file(self, data: st.DataObject) -> None:
        if not self.last_factor_file:
            return
        (module, data_entry_type), content = data.draw(
            st.sampled_from(sorted(self.last_factor_file.items(), key=str))
        )
        self.run(self._import_factors(ModuleTypeEnum(module), data_entry_type, content))

    # --- data imports

    async def _import_data(
        self,
        module: ModuleTypeEnum,
        data_entry_type: DataEntryTypeEnum | None,
        rows: list[EntryRow],
        replace: bool,
    ) -> None:
        types = {int(t) for t in ([data_entry_type] if data_entry_type else types_of(module))}
        async with self.engine.connect() as connection:
            stored = await read_entries(connection)
        # A file without a valid row imports nothing and replaces nothing.
        replaces = replace and any(not row.rejected for row in rows)
        kept = {
            i: data
            for i, data in self.entries.items()
            if not (replaces and stored[i].source == 1 and stored[i].data_entry_type_id in types)
        }
        mode = "replace" if replace else "append"
        response = await self._post(
            f"{SYNC}/data-entries/{_query(module, data_entry_type)}&mode={mode}",
            files=_upload(
                data_file(types_of(module) if data_entry_type is None else [data_entry_type], rows)
            ),
        )
        assert response.status_code == 202, response.text
        job = await self._job(response.json()["job_id"])
        async with self.engine.connect() as connection:
            now = await read_entries(connection)
        # Not "ids the model did not know": SQLite gives a replaced entry's id to a new one.
        added = {i: e.data for i, e in now.items() if i not in kept}
        self.entry_types |= {i: now[i].data_entry_type_id for i in added}
        accepted = [row for row in rows if not row.rejected]
        assert len(added) == len(accepted), (job["status_message"], job["meta"], rows)
        assert {i: now[i].data for i in kept if i in now} == kept, "an entry was lost or changed"
        self.entries = kept | added

    @rule(file=data_files(), replace=st.booleans())
    def import_data(
        self,
        file: tuple[ModuleTypeEnum, DataEntryTypeEnum | None, list[EntryRow]],
        replace: bool,
    ) -> None:
        self.run(self._import_data(*file, replace))

    # --- single-entry edits, several at once

    async def _edit(self, entry_id: int, patch: dict[str, Any]) -> None:
        response = await self.client.patch(
            f"{ENTRIES}/{entry_id}", json={"data": patch}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        # A key given as null is removed; an empty text is "no value" and is not stored.
        merged = self.entries[entry_id] | patch
        expected = {k: v for k, v in merged.items() if v is not None and v != ""}
        assert set(data) >= set(expected), (data, expected)
        self.entries[entry_id] = data

    async def _create(
        self, data_entry_type: DataEntryTypeEnum, unit: str, data: dict[str, Any]
    ) -> None:
        response = await self._post(
            ENTRIES,
            json={
                "unit_institutional_code": unit,
                "year": YEAR,
                "data_entry_type_id": int(data_entry_type),
                "data": data,
            },
        )
        assert response.status_code == 201, response.text
        self.entries[response.json()["id"]] = response.json()["data"]
        self.entry_types[response.json()["id"]] = int(data_entry_type)

    async def _delete(self, entry_id: int) -> None:
        response = await self.client.delete(f"{ENTRIES}/{entry_id}", headers=self.headers)
        assert response.status_code == 204, response.text
        del self.entries[entry_id]

    def _patch_of(self, entry_id: int, data: st.DataObject) -> dict[str, Any]:
        data_entry_type = DataEntryTypeEnum(self.entry_types[entry_id])
        choice = data.draw(st.sampled_from(["quantity", "override", "no override", "data"]))
        if choice == "quantity":
            cell = data.draw(quantities(data_entry_type))
            return {QUANTITY[data_entry_type]: quantity_value(cell)}
        if choice == "override":
            return {OVERRIDE: float(data.draw(overrides) or "7")}
        if choice == "no override":
            return {OVERRIDE: None}
        return dict(data.draw(st.sampled_from(ENTRY_DATA[data_entry_type])))

    @rule(data=st.data())
    def edit_entries_at_once(self, data: st.DataObject) -> None:
        """Up to three writes sent at the same instant, each on its own entry: changed fields,
        an override set or removed, a deletion, a new entry."""
        ids = sorted(self.entries)
        chosen = data.draw(st.lists(st.sampled_from(ids), unique=True, max_size=3)) if ids else []
        # Callables, not coroutines: a draw that fails (while shrinking) leaves none unawaited.
        writes: list[Callable[[], Awaitable[None]]] = []
        for entry_id in chosen:
            if data.draw(st.integers(0, 5)) == 0:
                writes.append(functools.partial(self._delete, entry_id))
            else:
                patch = self._patch_of(entry_id, data)
                writes.append(functools.partial(self._edit, entry_id, patch))
        if not writes or data.draw(st.booleans()):
            data_entry_type = data.draw(st.sampled_from(TYPES))
            fields = dict(data.draw(st.sampled_from(ENTRY_DATA[data_entry_type])))
            cell = data.draw(quantities(data_entry_type))
            fields[QUANTITY[data_entry_type]] = quantity_value(cell)
            unit = data.draw(st.sampled_from(UNITS))
            writes.append(functools.partial(self._create, data_entry_type, unit, fields))

        async def all_at_once() -> None:
            await asyncio.gather(*(write() for write in writes))

        self.run(all_at_once())

    # --- recalculations

    @rule(data_entry_type=st.sampled_from(TYPES))
    def recalculate_type(self, data_entry_type: DataEntryTypeEnum) -> None:
        module = int(module_of(data_entry_type))
        self.run(
            self._recalculate(
                f"{SYNC}/recalculate-emissions/{module}/{int(data_entry_type)}?year={YEAR}"
            )
        )

    @rule(module=st.sampled_from(MODULES), only_stale=st.booleans())
    def recalculate_module(self, module: ModuleTypeEnum, only_stale: bool) -> None:
        only = str(only_stale).lower()
        url = f"{SYNC}/recalculate-emissions/{int(module)}?year={YEAR}&only_stale={only}"
        self.run(self._recalculate(url))

    @rule(module=st.sampled_from(MODULES), where=st.sampled_from(["emission rows", "stats"]))
    def recalculate_with_a_failing_write(self, module: ModuleTypeEnum, where: str) -> None:
        """A write of the swap raises: the emission rows of the first type written, or the
        stats refresh after every type was written."""
        owner, name = (
            (RecalculationStagingRepository, "replace_emissions")
            if where == "emission rows"
            else (CarbonReportModuleService, "recompute_stats")
        )
        calls: list[int] = []
        original = getattr(owner, name)

        async def failing(self_: Any, *args: Any, **kwargs: Any) -> Any:
            calls.append(1)
            if len(calls) == 1:
                raise InjectedWriteFailure(f"injected failure of {name}")
            return await original(self_, *args, **kwargs)

        url = f"{SYNC}/recalculate-emissions/{int(module)}?year={YEAR}&only_stale=false"
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(owner, name, failing)
            job = self.run(self._recalculate(url))
        assert job is not None
        if calls:
            assert job["result"] != IngestionResult.SUCCESS, job
            assert "injected failure" in str(job), job

    @rule()
    def restart_the_runner_during_a_recalculation(self) -> None:
        """The runner stops (as the server does on shutdown) while a recalculation is staging
        its first batch, and a new one starts and sweeps."""
        self.run(self._restart_during_recalculation())

    async def _restart_during_recalculation(self) -> None:
        reached, release = asyncio.Event(), asyncio.Event()
        original = RecalculationStagingRepository.stage

        async def held(self_: Any, *args: Any, **kwargs: Any) -> Any:
            outcome = await original(self_, *args, **kwargs)
            reached.set()
            await release.wait()
            return outcome

        module = ModuleTypeEnum.process_emissions
        url = f"{SYNC}/recalculate-emissions/{int(module)}?year={YEAR}&only_stale=false"
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(RecalculationStagingRepository, "stage", held)
            response = await self._post(url)
            assert response.status_code == 202, response.text
            idle = asyncio.ensure_future(self.runner.wait_idle())
            waiting = asyncio.ensure_future(reached.wait())
            await asyncio.wait(
                {idle, waiting}, timeout=REACH_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
            waiting.cancel()
            await self.runner.shutdown()
            await idle
        replacement = InlineRunner(self.engine)
        self.app.state.runner = replacement
        await replacement.start()
        job = await self._job(response.json()["job_id"])
        if reached.is_set():
            assert job["result"] == IngestionResult.ERROR, job
        await self._record_recalculation(job)

    # --- the promise, after every step

    @invariant()
    def up_to_date_pairs_hold_what_the_factors_give(self) -> None:
        self.run(self._check_emissions())

    async def _check_emissions(self) -> None:
        response = await self.client.get(
            f"{SYNC}/recalculation-status?year={YEAR}", headers=self.headers
        )
        assert response.status_code == 200, response.text
        statuses = [t for m in response.json() for t in m["data_entry_types"]]
        stale = {s["data_entry_type_id"] for s in statuses if s["needs_recalculation"]}
        up_to_date = {s["data_entry_type_id"] for s in statuses} - stale
        missed = self.changed_since_recalculation - stale
        assert not missed, (
            f"factors changed since their last recalculation, status says up to date: {missed}"
        )
        async with self.engine.connect() as connection:
            problems = await emission_mismatches(connection, up_to_date)
        assert not problems, "\n".join(problems)

    @invariant()
    def stats_are_the_sums_of_their_rows(self) -> None:
        problems = self.run(committed_stats_mismatches(create_session_factory(self.engine)))
        assert not problems, "\n".join(problems)

    @invariant()
    def no_entry_is_lost_and_no_job_is_unfinished(self) -> None:
        async def check() -> None:
            assert await self._stored_entries() == self.entries
            async with self.engine.connect() as connection:
                assert await unfinished_jobs(connection) == []

        self.run(check())


def test_stored_emissions_stats_and_entries_stay_consistent(database_maker: DatabaseMaker) -> None:
    model = type("Model", (ConsistencyModel,), {"make_database": staticmethod(database_maker)})
    run_state_machine_as_test(model, settings=unless_long(CI_SETTINGS))
