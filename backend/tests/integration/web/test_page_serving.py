"""The built page at `/`: deep links answer index.html, hashed assets are cached for a year,
index.html never; `/api/...` stays JSON; no login needed; without a build, `/` says how."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from api_fixtures import BASE_URL, TEST_SECRET_KEY
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from app import paths
from app.core.settings import Settings
from app.main import create_app

INDEX = (
    '<!doctype html><html><head><script type="module" src="/assets/index-a1b2c3.js">'
    '</script></head><body><div id="q-app"></div></body></html>'
)


@pytest.fixture
def page_dir(tmp_path: Path) -> Path:
    """A small stand-in for `frontend/dist`: index.html, one hashed asset, a favicon."""
    directory = tmp_path / "dist"
    (directory / "assets").mkdir(parents=True)
    (directory / "index.html").write_text(INDEX, encoding="utf-8")
    (directory / "assets" / "index-a1b2c3.js").write_text("export {};\n", encoding="utf-8")
    (directory / "favicon.ico").write_bytes(b"\x00\x00\x01\x00")
    return directory


def _page_app(
    directory: Path, monkeypatch: pytest.MonkeyPatch, engine: AsyncEngine | None = None
) -> FastAPI:
    monkeypatch.setattr(paths, "static_dir", lambda: directory)
    return create_app(Settings(secret_key=TEST_SECRET_KEY), engine=engine)


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)


@pytest.fixture
async def page_client(
    page_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    """The app serving `page_dir`. No lifespan: the page's answers use no database."""
    async with _client(_page_app(page_dir, monkeypatch)) as client:
        yield client


@asynccontextmanager
async def _running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client on `app` with its lifespan run, for answers that use the database."""
    async with app.router.lifespan_context(app), _client(app) as client:
        yield client


async def test_root_answers_index_html_without_login_and_revalidated(
    page_client: httpx.AsyncClient,
) -> None:
    response = await page_client.get("/")

    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    "deep_link",
    ["/back-office/data-management?year=2025", "/login?redirect=/back-office", "/no-access"],
)
async def test_a_deep_link_answers_index_html(
    page_client: httpx.AsyncClient, deep_link: str
) -> None:
    response = await page_client.get(deep_link)

    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["cache-control"] == "no-cache"


async def test_hashed_assets_are_cached_for_a_year_and_unhashed_files_revalidated(
    page_client: httpx.AsyncClient,
) -> None:
    asset = await page_client.get("/assets/index-a1b2c3.js")
    favicon = await page_client.get("/favicon.ico")

    assert asset.status_code == 200
    assert asset.text == "export {};\n"
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert favicon.status_code == 200
    assert favicon.headers["cache-control"] == "no-cache"


async def test_a_missing_asset_is_a_404_not_the_page(page_client: httpx.AsyncClient) -> None:
    response = await page_client.get("/assets/index-gone00.js")

    assert response.status_code == 404
    assert INDEX not in response.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api"),
        ("GET", "/api/v1/nothing-here"),
        ("GET", "/api/v2/years"),
        ("POST", "/api/x"),
    ],
)
async def test_unknown_api_paths_answer_a_json_404_never_the_page(
    page_client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await page_client.request(method, path)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "Not Found"}


async def test_api_routes_and_docs_still_win_over_the_page(
    page_dir: Path, monkeypatch: pytest.MonkeyPatch, engine: AsyncEngine
) -> None:
    async with _running(_page_app(page_dir, monkeypatch, engine)) as client:
        health = await client.get("/api/v1/health")
        years = await client.get("/api/v1/years")
        schema = await client.get("/openapi.json")
        docs = await client.get("/docs")

    assert health.json() == {"status": "ok", "database": "ok", "task_backend": "inline"}
    assert years.status_code == 401
    assert schema.json()["info"]["title"]
    assert "swagger" in docs.text.lower()


async def test_without_a_build_root_says_how_to_build_and_the_api_answers(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    engine: AsyncEngine,
) -> None:
    missing = tmp_path / "not-built"
    with caplog.at_level(logging.WARNING, logger="app.web.page"):
        app = _page_app(missing, monkeypatch, engine)
    async with _running(app) as client:
        root = await client.get("/")
        health = await client.get("/api/v1/health")
        deep_link = await client.get("/back-office/data-management")

    assert root.status_code == 404
    assert "make page" in root.text
    assert str(missing / "index.html") in root.text
    assert any("make page" in record.getMessage() for record in caplog.records)
    assert health.json() == {"status": "ok", "database": "ok", "task_backend": "inline"}
    assert deep_link.status_code == 404
    assert deep_link.headers["content-type"] == "application/json"


def test_the_source_tree_serves_frontend_dist_built_or_not() -> None:
    """Without a page shipped inside the package, the page is the source tree's build, and the
    'not built' message names that folder (not the package's)."""
    assert paths.static_dir() == Path(__file__).resolve().parents[4] / "frontend" / "dist"
