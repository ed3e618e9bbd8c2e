"""Security headers on every answer: the page, its assets, an API answer, an API error."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from api_fixtures import (
    BASE_URL,
    TEST_PASSWORD,
    TEST_SECRET_KEY,
    CreateUser,
    LoginAs,
)
from fastapi import APIRouter, FastAPI

from app import paths
from app.core.permissions import Role
from app.core.settings import Settings
from app.main import create_app

COMMON = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def _directives(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    pairs = (part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return {name: value for name, value in pairs}


def _assert_page_policy(response: httpx.Response) -> None:
    for name, value in COMMON.items():
        assert response.headers[name] == value
    directives = _directives(response)
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no inline script, no other origin
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


async def test_the_page_and_its_assets_carry_the_headers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>co2calc</title>")
    (tmp_path / "assets" / "index-00ff.css").write_text("body{}")
    monkeypatch.setattr(paths, "static_dir", lambda: tmp_path)
    app = create_app(Settings(secret_key=TEST_SECRET_KEY))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        for url in ("/", "/back-office/data-management?year=2025", "/assets/index-00ff.css"):
            response = await client.get(url)
            assert response.status_code == 200, url
            # The page's own caching stands (the API's no-store is not for it).
            assert "no-store" not in response.headers["cache-control"], url
            _assert_page_policy(response)


async def test_an_api_answer_and_an_api_error_carry_the_headers(
    app_client: httpx.AsyncClient, login_as: LoginAs
) -> None:
    answer = await app_client.get("/api/v1/years", headers=await login_as(Role.superadmin))
    refused = await app_client.get("/api/v1/years")
    unknown = await app_client.get("/api/v1/nothing-here")

    assert (answer.status_code, refused.status_code, unknown.status_code) == (200, 401, 404)
    for response in (answer, refused, unknown):
        _assert_page_policy(response)


async def test_the_api_docs_load_only_their_own_scripts(app_client: httpx.AsyncClient) -> None:
    swagger = await app_client.get("/docs")
    redoc = await app_client.get("/redoc")

    assert (swagger.status_code, redoc.status_code) == (200, 200)
    # Swagger UI needs nothing the page's policy does not allow.
    _assert_page_policy(swagger)
    # ReDoc writes <style> elements: inline style, but still no inline or foreign script.
    for name, value in COMMON.items():
        assert redoc.headers[name] == value
    directives = _directives(redoc)
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert directives["frame-ancestors"] == "'none'"
    for response in (swagger, redoc):
        assert "http" not in response.headers["content-security-policy"]


async def test_login_and_token_answers_are_never_stored(
    app_client: httpx.AsyncClient, create_user: CreateUser
) -> None:
    user = await create_user(Role.backoffice_viewer)
    good = {"username": user.username, "password": TEST_PASSWORD}
    bad = {"username": user.username, "password": "not the password"}

    answers = [
        await app_client.post("/api/v1/auth/login", json=good),
        await app_client.post("/api/v1/auth/token", data=good),
        await app_client.post("/api/v1/auth/login", json=bad),
        await app_client.post("/api/v1/auth/token", data=bad),
        await app_client.get("/openapi.json"),
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 401, 401, 200]
    for answer in answers[:4]:
        assert answer.headers["cache-control"] == "no-store"
        _assert_page_policy(answer)
    assert "set-cookie" in answers[0].headers


async def test_an_unexpected_error_is_a_json_500_with_the_headers(app: FastAPI) -> None:
    router = APIRouter()

    @router.get("/api/v1/_test/broken")
    async def broken() -> None:
        raise RuntimeError("a bug")

    app.include_router(router)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        response = await client.get("/api/v1/_test/broken")

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    assert "internal server error" in response.json()["detail"]
    assert "a bug" not in response.text
    assert response.headers["cache-control"] == "no-store"
    _assert_page_policy(response)
