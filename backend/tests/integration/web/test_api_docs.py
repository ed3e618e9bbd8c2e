"""/docs and /redoc are served whole by co2calc: every address they name is relative and
answers from the app itself, and no script is inline (so the no-inline policy holds)."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from api_fixtures import BASE_URL, TEST_SECRET_KEY

from app.core.settings import Settings
from app.main import create_app

# The attributes through which these pages make the browser fetch something.
ADDRESS_ATTRIBUTES = frozenset({"src", "href", "data-openapi-url", "spec-url"})


class _Addresses(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.addresses: list[str] = []
        self.inline_scripts = 0
        self.favicons = 0
        self._script_without_src = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        self.addresses += [value for name, value in attrs if name in ADDRESS_ATTRIBUTES and value]
        self._script_without_src = tag == "script" and not named.get("src")
        self.favicons += tag == "link" and named.get("rel") == "icon"

    def handle_data(self, data: str) -> None:
        self.inline_scripts += self._script_without_src and bool(data.strip())

    def handle_endtag(self, tag: str) -> None:
        self._script_without_src = False


@pytest.fixture
async def docs_client() -> httpx.AsyncClient:
    """The app without a database: the docs pages and the schema need none."""
    app = create_app(Settings(secret_key=TEST_SECRET_KEY))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_every_address_in_the_docs_page_is_relative_and_served(
    docs_client: httpx.AsyncClient, page: str
) -> None:
    async with docs_client as client:
        response = await client.get(page)
        assert response.status_code == 200
        parsed = _Addresses()
        parsed.feed(response.text)
        fetched = {
            address: await client.get(urljoin(f"{BASE_URL}{page}", address))
            for address in parsed.addresses
        }

    assert parsed.favicons == 1
    assert parsed.inline_scripts == 0
    assert "openapi.json" in parsed.addresses
    for address, answer in fetched.items():
        parts = urlsplit(address)
        assert not parts.scheme, address
        assert not parts.netloc, address
        assert not parts.path.startswith("/"), address
        assert answer.status_code == 200, address
    scripts = [address for address in fetched if address.endswith(".js")]
    assert scripts, "the page loads its scripts"
    for address in scripts:
        assert "javascript" in fetched[address].headers["content-type"], address


async def test_the_docs_init_script_is_served_and_points_at_the_schema(
    docs_client: httpx.AsyncClient,
) -> None:
    async with docs_client as client:
        script = await client.get("/docs/assets/swagger-init.js")

    assert script.status_code == 200
    assert "SwaggerUIBundle(" in script.text
    assert "dataset.openapiUrl" in script.text
