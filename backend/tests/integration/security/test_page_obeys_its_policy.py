"""The built page works under its own Content-Security-Policy (`script-src 'self'`, no inline
script, no other origin): served at `/` with that policy, its HTML carries no inline script,
no inline event handler, no `javascript:` link and loads scripts and styles only from its own
origin, and every asset it names is served. Needs the page built (`make page`, part of
`make setup`); without a build the test is skipped, and fails in CI."""

from __future__ import annotations

import os
from html.parser import HTMLParser

import httpx
import pytest
from api_fixtures import BASE_URL, TEST_SECRET_KEY

from app import paths
from app.core.settings import Settings
from app.main import create_app


class _PageScan(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.assets: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>: an inline event handler")
            if value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}>: a javascript: URL")
        if tag == "style":
            self.problems.append("<style>: an inline style sheet")
        source = values.get("src") if tag == "script" else None
        if tag == "link" and values.get("rel") in ("stylesheet", "modulepreload"):
            source = values.get("href")
        if tag == "script" and not source:
            self._in_inline_script = True
        if source is not None:
            if not source.startswith("/") or source.startswith("//"):
                self.problems.append(f"<{tag}> loads {source!r}: not the page's own origin")
            self.assets.append(source)

    def handle_data(self, data: str) -> None:
        if self._in_inline_script and data.strip():
            self.problems.append(f"an inline script: {data.strip()[:80]!r}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False


async def test_the_built_page_needs_no_inline_script_and_loads_only_its_own_assets() -> None:
    if not (paths.static_dir() / "index.html").is_file():
        reason = f"the page is not built in {paths.static_dir()}: run `make page`"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    app = create_app(Settings(secret_key=TEST_SECRET_KEY))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        page = await client.get("/")
        assert page.status_code == 200
        policy = page.headers["content-security-policy"]
        assert "script-src 'self';" in policy + ";"
        assert "unsafe-inline" not in policy
        scan = _PageScan()
        scan.feed(page.text)
        assert not scan.problems, "\n".join(scan.problems)
        assert any(asset.endswith(".js") for asset in scan.assets)
        for asset in scan.assets:
            response = await client.get(asset)
            assert response.status_code == 200, asset
            assert response.headers["x-content-type-options"] == "nosniff"
