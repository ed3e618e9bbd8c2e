"""/docs and /redoc in Chromium under their real policies: every operation of the schema is
shown, nothing is fetched from another host, and the policy is not broken."""

from __future__ import annotations

import httpx
import pytest
from browser_env import BROWSER_TESTS, OpenPage
from page_server import PageServer
from playwright.sync_api import Browser, Page, Response, expect

pytestmark = [*BROWSER_TESTS, pytest.mark.slow]

# ReDoc's sidebar credit always shows Redocly's logo from their CDN; the policy blocks it and
# ReDoc then drops the image. The one policy report /redoc is expected to give.
REDOC_CREDIT_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def _operation_count(server: PageServer) -> int:
    schema = httpx.get(f"{server.base_url}/openapi.json", timeout=10).json()
    return sum(len(methods) for methods in schema["paths"].values())


def _served_from_elsewhere(page: Page, server: PageServer) -> list[str]:
    """Collects the address of every answer the page gets from another origin."""
    elsewhere: list[str] = []

    def note(response: Response) -> None:
        # blob: addresses are made in the page itself (ReDoc's search worker).
        if not response.url.startswith((server.base_url, f"blob:{server.base_url}")):
            elsewhere.append(response.url)

    page.on("response", note)
    return elsewhere


def _goto_under_policy(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None
    assert "script-src 'self';" in response.headers["content-security-policy"]


def test_swagger_ui_shows_every_operation(sqlite_server: PageServer, open_page: OpenPage) -> None:
    # open_page fails the test on any policy report or script error.
    page = open_page(sqlite_server)
    elsewhere = _served_from_elsewhere(page, sqlite_server)
    _goto_under_policy(page, "/docs")

    expect(page.locator(".opblock")).to_have_count(_operation_count(sqlite_server))
    expect(page.locator(".info .title")).to_contain_text("co2calc")
    assert elsewhere == []


def test_redoc_shows_every_operation(sqlite_server: PageServer, browser: Browser) -> None:
    context = browser.new_context(base_url=sqlite_server.base_url)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if "Content Security Policy" in message.text and REDOC_CREDIT_LOGO not in message.text
            else None
        ),
    )
    elsewhere = _served_from_elsewhere(page, sqlite_server)
    _goto_under_policy(page, "/redoc")

    operations = page.locator("[data-section-id^='operation/']")
    expect(operations).to_have_count(_operation_count(sqlite_server))
    context.close()
    assert problems == []
    assert elsewhere == []
