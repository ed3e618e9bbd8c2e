"""Browser tests: Debian's Chromium, driven by Playwright, against a real `co2calc serve`.

No browser is downloaded (`playwright install` is never run): Chromium is `/usr/bin/chromium`
(`CO2CALC_TEST_CHROMIUM` elsewhere). Without it, or without a built page (`make page`), the
tests skip with the reason, except in CI (CI=true), where that is a failure.

One server per database kind for the whole session (SQLite, and PostgreSQL for the main path):
a demo takes seconds to load, a browser context milliseconds. The servers start from empty
databases (`co2calc demo` migrates them): migrating in this process could not run while a
Playwright browser is open, since its sync API keeps an event loop marked running. Tests
never assume the state another test left: each makes the state it needs, on its own module.
Screenshots land in `test-artifacts/screenshots/` (`CO2CALC_TEST_ARTIFACTS` elsewhere).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_env import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    SCREENSHOTS,
    SERVER_WAIT_MS,
    OpenPage,
    Screenshot,
    unavailable,
)
from data_management import log_in
from page_server import Account, PageServer, running_page_server
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Locator,
    Page,
    expect,
    sync_playwright,
)

from app import paths

# Every `expect` may wait on the server as long as a page action does (5 s by default).
expect.set_options(timeout=SERVER_WAIT_MS)


@pytest.fixture(scope="session")
def browser_ready() -> None:
    """Chromium and the built page are there (checked before any server is started)."""
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"chromium unavailable at {CHROMIUM} (apt-get install chromium)")
    if not (paths.static_dir() / "index.html").is_file():
        unavailable(f"the page is not built ({paths.static_dir()}); run `make page`")


# Module scope, not session: the sync API keeps its event loop marked running in this thread
# while it lives, and the async tests that follow in the same process need it gone.
@pytest.fixture(scope="module")
def browser(browser_ready: None) -> Iterator[Browser]:
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def sqlite_server(
    tmp_path_factory: pytest.TempPathFactory, browser_ready: None
) -> Iterator[PageServer]:
    workdir = tmp_path_factory.mktemp("page-sqlite")
    database = workdir / "co2calc.db"
    with running_page_server("sqlite", f"sqlite+aiosqlite:///{database}", workdir) as server:
        yield server


@pytest.fixture(scope="session")
def postgresql_server(
    session_postgres_url: str, tmp_path_factory: pytest.TempPathFactory, browser_ready: None
) -> Iterator[PageServer]:
    workdir = tmp_path_factory.mktemp("page-postgresql")
    with running_page_server("postgresql", session_postgres_url, workdir) as server:
        yield server


@pytest.fixture(
    scope="session",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
def page_server(request: pytest.FixtureRequest) -> PageServer:
    """The main path runs on both databases."""
    server: PageServer = request.getfixturevalue(f"{request.param}_server")
    return server


def _policy_violation(message: ConsoleMessage) -> bool:
    return "Content Security Policy" in message.text or "Refused to" in message.text


@pytest.fixture
def open_page(browser: Browser) -> Iterator[OpenPage]:
    """`open_page(server, logged_in=ADMIN, viewport=PHONE, bypass_csp=True)`: a page in a fresh
    browser context (no cookies), on Data Management as that account when given. Script errors
    and Content-Security-Policy violations seen by any of them fail the test at the end."""
    contexts = []
    problems: list[str] = []

    def open_one(
        server: PageServer,
        *,
        logged_in: Account | None = None,
        viewport: dict[str, int] = DESKTOP,
        bypass_csp: bool = False,
    ) -> Page:
        context = browser.new_context(
            base_url=server.base_url, viewport=viewport, locale="en-US", bypass_csp=bypass_csp
        )
        context.set_default_timeout(SERVER_WAIT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                problems.append(f"console: {message.text}") if _policy_violation(message) else None
            ),
        )
        if logged_in is not None:
            log_in(page, logged_in)
        return page

    yield open_one
    for context in contexts:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Screenshot:
    """`screenshot(page, "dialog-open", show=locator)` saves `<test>--<state>.png` under the
    artifacts: the viewport, scrolled to `show` when given, or the whole page."""
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")

    def save(
        page: Page, state: str, *, show: Locator | None = None, full_page: bool = False
    ) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{test_name.removeprefix('test_')}--{state}.png"
        if show is not None:
            show.scroll_into_view_if_needed()
        page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        return path

    return save
