"""GET /api/v1/modules: module types with their data entry types and names."""

from __future__ import annotations

import httpx
from api_fixtures import LoginAs

from app.core.permissions import Role


async def test_modules_and_their_types(app_client: httpx.AsyncClient, login_as: LoginAs) -> None:
    response = await app_client.get("/api/v1/modules", headers=await login_as(Role.superadmin))

    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 8
    assert [(m["module_type_id"], m["name"]) for m in body["items"]] == [
        (1, "headcount"),
        (2, "professional_travel"),
        (3, "buildings"),
        (4, "equipment_electric_consumption"),
        (5, "purchase"),
        (6, "research_facilities"),
        (7, "external_cloud_and_ai"),
        (8, "process_emissions"),
    ]
    assert body["items"][1]["data_entry_types"] == [
        {"data_entry_type_id": 20, "name": "plane"},
        {"data_entry_type_id": 21, "name": "train"},
    ]
    assert sum(len(m["data_entry_types"]) for m in body["items"]) == 23
