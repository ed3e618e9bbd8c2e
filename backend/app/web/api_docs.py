"""The API's docs pages, /docs (Swagger UI) and /redoc (ReDoc), served entirely by co2calc.

FastAPI's own pages load Swagger UI and ReDoc from a CDN and start Swagger UI with an inline
script. Here the bundles come from the `fastapi-offline` package and the start-up script is a
served file, so the pages work offline and under a policy allowing only the app's own scripts.
Every address in the pages is relative (to the page, so they also work behind a path prefix).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

SWAGGER_PATH = "/docs"
REDOC_PATH = "/redoc"
OPENAPI_PATH = "/openapi.json"
ASSETS_PATH = "/docs/assets"
# Relative to either page (both sit at the root): "docs/assets/..." and "openapi.json".
_ASSETS = ASSETS_PATH.lstrip("/")
_OPENAPI = OPENAPI_PATH.lstrip("/")
_OWN_FILES = Path(__file__).with_name("api_docs_static")
# The bundles and favicon fastapi-offline ships in its package's static/ folder.
_BUNDLES = ("fastapi_offline", "static")


def _page(title: str, stylesheet: str, body: str, scripts: tuple[str, ...]) -> str:
    """A docs page: its favicon, one stylesheet, `body`, then its scripts, all from assets."""
    tags = "".join(f'<script src="{_ASSETS}/{name}"></script>' for name in scripts)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f'<link rel="icon" type="image/png" href="{_ASSETS}/favicon.png">'
        f'<link rel="stylesheet" href="{_ASSETS}/{stylesheet}"></head>'
        f"<body>{body}{tags}</body></html>"
    )


def swagger_html(title: str) -> str:
    body = f'<div id="swagger-ui" data-openapi-url="{_OPENAPI}"></div>'
    scripts = ("swagger-ui-bundle.js", "swagger-init.js")
    return _page(f"{title} - Swagger UI", "swagger-ui.css", body, scripts)


def redoc_html(title: str) -> str:
    # The <redoc> element starts ReDoc by itself once its bundle has loaded: no script of ours.
    body = f'<redoc spec-url="{_OPENAPI}"></redoc>'
    return _page(f"{title} - ReDoc", "api-docs.css", body, ("redoc.standalone.js",))


def mount_api_docs(app: FastAPI) -> None:
    """Add /docs, /redoc and their files. The app must be built with docs_url=None and
    redoc_url=None (FastAPI's CDN pages); /openapi.json stays FastAPI's own."""
    swagger = swagger_html(app.title)
    redoc = redoc_html(app.title)

    async def swagger_page(_: Request) -> HTMLResponse:
        return HTMLResponse(swagger)

    async def redoc_page(_: Request) -> HTMLResponse:
        return HTMLResponse(redoc)

    # Plain routes, not API operations: outside the schema and the access rules, like FastAPI's.
    app.add_route(SWAGGER_PATH, swagger_page, include_in_schema=False)
    app.add_route(REDOC_PATH, redoc_page, include_in_schema=False)
    app.mount(ASSETS_PATH, StaticFiles(directory=_OWN_FILES, packages=[_BUNDLES]))
