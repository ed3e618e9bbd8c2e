"""/api/v1/data-entries: list with emission rows, and single-entry create/patch/delete that
recompute emissions and module + report stats in the same transaction. SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from api_fixtures import LoginAs
from factories import create_entry, create_factor, create_module, create_report, create_unit
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.errors import Conflict
from app.core.permissions import Role
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.models import CarbonReport, CarbonReportModule, DataEntry, DataEntryEmission, Unit
from app.repositories.data_entry_repo import DataEntryRepository
from app.services.data_entry_emission_service import DataEntryEmissionService
from app.services.data_entry_service import DataEntryService

ENTRIES = "/api/v1/data-entries"
PROCESS = DataEntryTypeEnum.process_emissions
CH4 = {"category": "ch4", "quantity_kg": 10.0}

SessionFactory = async_sessionmaker[AsyncSession]


@pytest.fixture
async def admin(login_as: LoginAs) -> dict[str, str]:
    return await login_as(Role.superadmin)


@pytest.fixture
async def unit_code(session_factory: SessionFactory) -> str:
    async with session_factory() as session:
        unit = await create_unit(session)
        await create_factor(session)  # process emissions, ch4, 2025: 28 kg per kg
        await session.commit()
        return unit.institutional_code


async def _module_state(
    session_factory: SessionFactory, code: str, year: int = 2025
) -> tuple[dict[str, Any], dict[str, Any], float, int]:
    """(process module stats, report stats, sum of the module's emission rows, its entries)."""
    async with session_factory() as session:
        module = (
            await session.execute(
                select(CarbonReportModule)
                .join(CarbonReport)
                .join(Unit)
                .where(
                    Unit.institutional_code == code,
                    CarbonReport.year == year,
                    CarbonReportModule.module_type_id == ModuleTypeEnum.process_emissions,
                )
            )
        ).scalar_one()
        report = await session.get_one(CarbonReport, module.carbon_report_id)
        kg = (
            await session.execute(
                select(func.coalesce(func.sum(DataEntryEmission.kg_co2eq), 0.0))
                .join(DataEntry)
                .where(DataEntry.carbon_report_module_id == module.id)
            )
        ).scalar_one()
        entries = (
            await session.execute(
                select(func.count()).where(DataEntry.carbon_report_module_id == module.id)
            )
        ).scalar_one()
        return module.stats, report.stats, float(kg), int(entries)


async def _create(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    code: str,
    data: dict[str, Any],
    *,
    year: int = 2025,
    data_entry_type_id: int = int(PROCESS),
) -> httpx.Response:
    return await client.post(
        ENTRIES,
        json={
            "unit_institutional_code": code,
            "year": year,
            "data_entry_type_id": data_entry_type_id,
            "data": data,
        },
        headers=headers,
    )


async def _patch(
    client: httpx.AsyncClient, headers: dict[str, str], entry_id: int, data: dict[str, Any]
) -> httpx.Response:
    return await client.patch(f"{ENTRIES}/{entry_id}", json={"data": data}, headers=headers)


class TestCreate:
    async def test_computes_rows_and_stats_and_creates_the_report(
        self,
        app_client: httpx.AsyncClient,
        admin: dict[str, str],
        unit_code: str,
        session_factory: SessionFactory,
    ) -> None:
        response = await _create(app_client, admin, unit_code, CH4)

        assert response.status_code == 201, response.text
        body = response.json()
        assert body["emission_error"] is None
        assert body["unit_institutional_code"] == unit_code
        assert (body["year"], body["module_type_id"], body["data_entry_type_id"]) == (2025, 8, 50)
        assert body["source"] == 0
        assert body["revision"] == 1
        assert body["data"] == {"category": "ch4", "quantity_kg": 10.0}
        assert [(e["emission_type_id"], e["kg_co2eq"]) for e in body["emissions"]] == [
            (70100, 280.0)
        ]
        module_stats, report_stats, kg, entries = await _module_state(session_factory, unit_code)
        assert kg == 280.0
        assert entries == 1
        assert module_stats["total"] == kg
        assert module_stats["scope1"] == kg
        assert module_stats["entry_count"] == 1
        assert report_stats["total"] == kg
        assert report_stats["entry_count"] == 1

    async def test_an_entry_error_saves_the_entry_without_rows_and_says_why(
        self,
        app_client: httpx.AsyncClient,
        admin: dict[str, str],
        unit_code: str,
        session_factory: SessionFactory,
    ) -> None:
        # No n2o factor exists for 2025.
        response = await _create(
            app_client, admin, unit_code, {"category": "n2o", "quantity_kg": 1}
        )

        assert response.status_code == 201, response.text
        body = response.json()
        assert body["emissions"] == []
        assert "factor" in body["emission_error"]
        assert "n2o" in body["emission_error"]
        module_stats, _, kg, entries = await _module_state(session_factory, unit_code)
        assert (kg, entries) == (0.0, 1)
        assert module_stats["total"] == 0.0
        assert module_stats["entry_count"] == 1

    async def test_an_override_is_its_single_row(
        self, app_client: httpx.AsyncClient, admin: dict[str, str], unit_code: str
    ) -> None:
        response = await _create(app_client, admin, unit_code, {**CH4, "kg_co2eq": 5})
        assert [(e["emission_type_id"], e["kg_co2eq"]) for e in response.json()["emissions"]] == [
            (70000, 5.0)
        ]

    async def test_an_implausible_result_is_an_entry_error_not_a_failure(
        self, app_client: httpx.AsyncClient, admin: dict[str, str], unit_code: str
    ) -> None:
        response = await _create(app_client, admin, unit_code, {**CH4, "quantity_kg": 1e307})

        assert response.status_code == 201
        assert response.json()["emissions"] == []
        assert "plausible" in response.json()["emission_error"]

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            pytest.param({"category": "ch4"}, "quantity_kg", id="missing-field"),
            pytest.param({"category": "xx", "quantity_kg": 1}, "category", id="bad-choice"),
            pytest.param({"category": "ch4", "quantity_kg": "lots"}, "quantity_kg", id="nan"),
            pytest.param({"category": "ch4", "quantity_kg": -1}, "quantity_kg", id="negative"),
            pytest.param({**CH4, "colour": "red"}, "colour", id="unknown-field"),
            pytest.param({**CH4, "subcategory": {"a": 1}}, "subcategory", id="not-a-scalar"),
        ],
    )
    async def test_invalid_data_is_400_naming_the_field_and_writes_nothing(
        self,
        app_client: httpx.AsyncClient,
        admin: dict[str, str],
        unit_code: str,
        session_factory: SessionFactory,
        data: dict[str, Any],
        field: str,
    ) -> None:
        response = await _create(app_client, admin, unit_code, data)

        assert response.status_code == 400, response.text
        assert field in response.json()["detail"]
        assert response.json()["field"] == field
        async with session_factory() as session:
            assert (await session.execute(select(func.count(CarbonReport.id)))).scalar_one() == 0

    async def test_unknown_type_is_400_with_valid_values(
        self, app_client: httpx.AsyncClient, admin: dict[str, str], unit_code: str
    ) -> None:
        response = await _create(app_client, admin, unit_code, CH4, data_entry_type_id=99)
        assert response.status_code == 400
        assert "99" in response.json()["detail"]
        assert response.json()["valid_values"] == [int(t) for t in DataEntryTypeEnum]

    @pytest.mark.parametrize("year", [1999, 2101])
    async def test_a_year_out_of_range_is_400(
        self, app_client: httpx.AsyncClient, admin: dict[str, str], unit_code: str, year: int
    ) -> None:
        response = await _create(app_client, admin, unit_code, CH4, year=year)
        assert response.status_code == 400
        assert "2000 to 2100" in response.json()["detail"]

    async def test_unknown_unit_is_404_naming_it(
        self, app_client: httpx.AsyncClient, admin: dict[str, str], unit_code: str
    ) -> None:
        response = await _create(app_client, admin, "NOPE", CH4)
        assert response.status_code == 404
        assert "'NOPE'" in response.json()["detail"]


class TestPatch:
    async def test_merges_bumps_revision_and_recomputes(
        self,
        app_client: httpx.AsyncClient,
        admin: dict[str, str],
        unit_code: str,
        session_factory: SessionFactory,
    ) -> None:
        created = (await _create(app_client, admin, unit_code, CH4)).json()

        response = await _patch(app_client, admin, created["id"], {"quantity_kg": 2})

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["data"] == {"category": "ch4", "quantity_kg": 2.0}
        assert body["revision"] == created["revision"] + 1
        assert body["updated_at"] > created["updated_at"]
        assert body["created_at"] == created["created_at"]
        assert [(e["emission_type_id"], e["kg_co2eq"]) for e in body["emissions"]] == [
            (70100, 56.0)
        ]
        module_stats, report_stats, kg, _ = await _module_state(session_factory, unit_code)
        assert kg == 56.0
        assert module_stats["total"] == kg
        assert report_stats["total"] == kg

    async def test_null_removes_a_key_and_an_unchanged_patch_still_bumps(
        self, app_client: httpx.AsyncClient, admin: dict[str, str], unit_code: str
    ) -> None:
        created = (await _create(app_client, admin, unit_code, {**CH4, "kg_co2eq": 1})).json()

        removed = await _patch(app_client, admin, created["id"], {"kg_co2eq": None})
        same = await _patch(app_client, admin, created["id"], {})

        assert removed.json()["data"] == CH4
        assert removed.json()["emissions"][0]["kg_co2eq"] == 280.0
        assert same.json()["revision"] == created["revision"] + 2

    async def test_an_entry_error_removes_the_old_rows_and_says_why(
        self,
        app_client: httpx.AsyncClient,
        admin: dict[str, str],
        unit_code: str,
        session_factory: SessionFactory,
    ) -> None:
        created = (await _create(app_client, admin, unit_code, CH4)).json()

        response = await _patch(app_client, admin, created["id"], {"category": "co2"})

        assert response.status_code == 200
        assert response.json()["emissions"] == []
        assert "co2" in response.json()["emission_error"]
        module_stats, _, kg, _ = await _module_state(session_factory, unit_code)
        assert kg == module_stats["total"] == 0.0

    async def test_invalid_data_is_400_and_keeps_the_entry(
        self, app_client: httpx.AsyncClient, admin: dict[str, str], unit_code: str
    ) -> None:
        created = (await _create(app_client, admin, unit_code, CH4)).json()

        response = await _patch(app_client, admin, created["id"], {"quantity_kg": None})

        assert response.status_code == 400
        assert "quantity_kg" in response.json()["detail"]
        listed = await app_client.get(ENTRIES, params={"year": 2025}, headers=admin)
        assert listed.json()["items"][0]["revision"] == created["revision"]

    async def test_stored_keys_that_are_not_fields_are_dropped_sent_ones_refused(
        self,
        app_client: httpx.AsyncClient,
        admin: dict[str, str],
        unit_code: str,
        session_factory: SessionFactory,
    ) -> None:
        async with session_factory() as session:
            unit = (
                await session.execute(select(Unit).where(Unit.institutional_code == unit_code))
            ).scalar_one()
            entry = await create_entry(
                session, module=await create_module(session, unit=unit), data={**CH4, "old": 1}
            )
            await session.commit()

        refused = await _patch(app_client, admin, entry.id, {"new": 1})
        accepted = await _patch(app_client, admin, entry.id, {"quantity_kg": 1})

        assert refused.status_code == 400
        assert "unknown field in data: new" in refused.json()["detail"]
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["data"] == {"category": "ch4", "quantity_kg": 1.0}

    @pytest.mark.parametrize(("entry_id", "status"), [(12345, 404), (0, 422), (2**40, 422)])
    async def test_unknown_or_impossible_ids(
        self, app_client: httpx.AsyncClient, admin: dict[str, str], entry_id: int, status: int
    ) -> None:
        response = await app_client.patch(f"{ENTRIES}/{entry_id}", json={"data": {}}, headers=admin)
        assert response.status_code == status


class TestDelete:
    async def test_removes_entry_rows_and_refreshes_stats(
        self,
        app_client: httpx.AsyncClient,
        admin: dict[str, str],
        unit_code: str,
        session_factory: SessionFactory,
    ) -> None:
        kept = (await _create(app_client, admin, unit_code, {**CH4, "quantity_kg": 1})).json()
        gone = (await _create(app_client, admin, unit_code, CH4)).json()

        response = await app_client.delete(f"{ENTRIES}/{gone['id']}", headers=admin)

        assert response.status_code == 204
        assert response.content == b""
        module_stats, report_stats, kg, entries = await _module_state(session_factory, unit_code)
        assert (kg, entries) == (28.0, 1)
        assert module_stats["total"] == report_stats["total"] == kg
        assert module_stats["entry_count"] == 1
        async with session_factory() as session:
            orphans = await session.execute(
                select(func.count()).where(DataEntryEmission.data_entry_id == gone["id"])
            )
            assert orphans.scalar_one() == 0
        assert (
            await app_client.delete(f"{ENTRIES}/{gone['id']}", headers=admin)
        ).status_code == 404
        assert kept["id"] != gone["id"]

    async def test_a_viewer_cannot_write(
        self, app_client: httpx.AsyncClient, login_as: LoginAs, unit_code: str
    ) -> None:
        viewer = await login_as(Role.backoffice_viewer)
        assert (await _create(app_client, viewer, unit_code, CH4)).status_code == 403
        assert (await app_client.delete(f"{ENTRIES}/1", headers=viewer)).status_code == 403


class TestList:
    @pytest.fixture
    async def seeded(self, session_factory: SessionFactory) -> dict[str, Any]:
        """Two units with process entries in 2025 (rows computed), one plane entry in 2025
        without rows, one process entry in 2024."""
        async with session_factory() as session:
            factor = await create_factor(session)
            first, second = await create_unit(session), await create_unit(session)
            module_a = await create_module(session, unit=first)
            module_b = await create_module(session, unit=second)
            entries = [
                await create_entry(session, module=module_a, data={**CH4, "quantity_kg": q})
                for q in (1.0, 2.0)
            ]
            entries.append(await create_entry(session, module=module_b, data=CH4))
            service = DataEntryEmissionService(session)
            for entry in entries:
                await service.upsert_by_data_entry(entry, year=2025)
            plane = await create_entry(
                session,
                module=await create_module(session, ModuleTypeEnum.professional_travel, unit=first),
                data_entry_type_id=DataEntryTypeEnum.plane,
                data={"origin_iata": "GVA", "destination_iata": "CDG", "cabin_class": "eco"},
            )
            old = await create_report(session, unit=first, year=2024)
            await create_entry(
                session,
                module=next(m for m in old.modules if m.module_type_id == 8),
                data=CH4,
            )
            await session.commit()
            return {
                "factor_id": factor.id,
                "first": first.institutional_code,
                "second": second.institutional_code,
                "process": [entry.id for entry in entries],
                "plane": plane.id,
            }

    async def test_entries_of_the_year_with_their_rows(
        self, app_client: httpx.AsyncClient, admin: dict[str, str], seeded: dict[str, Any]
    ) -> None:
        response = await app_client.get(ENTRIES, params={"year": 2025}, headers=admin)

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] == 4
        assert [item["id"] for item in body["items"]] == [*seeded["process"], seeded["plane"]]
        first = body["items"][0]
        assert first == {
            "id": seeded["process"][0],
            "unit_institutional_code": seeded["first"],
            "year": 2025,
            "module_type_id": 8,
            "data_entry_type_id": 50,
            "carbon_report_module_id": first["carbon_report_module_id"],
            "source": 0,
            "data": {"category": "ch4", "quantity_kg": 1.0},
            "revision": 1,
            "created_at": first["created_at"],
            "updated_at": first["updated_at"],
            "emissions": [
                {
                    "id": first["emissions"][0]["id"],
                    "emission_type_id": 70100,
                    "kg_co2eq": 28.0,
                    "factor_id": seeded["factor_id"],
                    "meta": first["emissions"][0]["meta"],
                    "computed_at": first["emissions"][0]["computed_at"],
                }
            ],
        }
        assert [len(item["emissions"]) for item in body["items"]] == [1, 1, 1, 0]

    async def test_filters_and_pagination(
        self, app_client: httpx.AsyncClient, admin: dict[str, str], seeded: dict[str, Any]
    ) -> None:
        async def ids(**params: Any) -> tuple[list[int], int]:
            response = await app_client.get(ENTRIES, params={"year": 2025, **params}, headers=admin)
            assert response.status_code == 200, response.text
            return [item["id"] for item in response.json()["items"]], response.json()["total"]

        process = seeded["process"]
        assert await ids(data_entry_type_id=50) == (process, 3)
        assert await ids(module_type_id=2) == ([seeded["plane"]], 1)
        assert await ids(unit_institutional_code=seeded["second"]) == ([process[2]], 1)
        assert await ids(data_entry_type_id=50, unit_institutional_code=seeded["first"]) == (
            process[:2],
            2,
        )
        assert await ids(limit=2, offset=1) == ([process[1], process[2]], 4)
        assert await ids(offset=10) == ([], 4)

    async def test_a_page_costs_the_same_queries_whatever_its_size(
        self,
        app_client: httpx.AsyncClient,
        admin: dict[str, str],
        seeded: dict[str, Any],
        engine: AsyncEngine,
    ) -> None:
        statements: list[str] = []

        def record(*args: Any) -> None:
            statements.append(args[2])

        async def count_for(limit: int) -> int:
            statements.clear()
            response = await app_client.get(
                ENTRIES, params={"year": 2025, "limit": limit}, headers=admin
            )
            assert len(response.json()["items"]) == limit
            return sum("data_entr" in statement for statement in statements)

        event.listen(engine.sync_engine, "before_cursor_execute", record)
        try:
            one, four = await count_for(1), await count_for(4)
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", record)
        assert one == four == 3  # count, the page of entries, their emission rows

    async def test_unknown_unit_is_404(
        self, app_client: httpx.AsyncClient, admin: dict[str, str], seeded: dict[str, Any]
    ) -> None:
        response = await app_client.get(
            ENTRIES, params={"year": 2025, "unit_institutional_code": "nope"}, headers=admin
        )
        assert response.status_code == 404
        assert "'nope'" in response.json()["detail"]

    async def test_a_type_outside_the_module_is_400_with_the_module_types(
        self, app_client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        response = await app_client.get(
            ENTRIES,
            params={"year": 2025, "module_type_id": 2, "data_entry_type_id": 50},
            headers=admin,
        )
        assert response.status_code == 400
        assert response.json()["valid_values"] == [20, 21]
        assert "module 8" in response.json()["detail"]


class TestConcurrentChange:
    async def test_an_edit_of_an_entry_changed_meanwhile_is_a_409(
        self, session_factory: SessionFactory
    ) -> None:
        async with session_factory() as setup:
            entry = await create_entry(setup, data=CH4)
            await setup.commit()
        async with session_factory() as editor, session_factory() as other:
            service = DataEntryService(editor)
            # The editor read the entry (kept referenced: the identity map holds it weakly).
            read = await DataEntryRepository(editor).get_with_context(entry.id)
            changed = await other.get_one(DataEntry, entry.id)
            changed.data = {**CH4, "quantity_kg": 3.0}
            await other.commit()

            with pytest.raises(Conflict, match="changed or deleted by someone else"):
                await service.update(entry.id, {"quantity_kg": 5})
            await editor.rollback()
            assert read is not None
