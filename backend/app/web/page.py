"""Serve the built single-page app at `/`, next to the API under `/api/v1`.

The page is a build output (`frontend/dist`, or its copy inside a wheel, see app/paths.py);
serving never builds it. Without a build the API still works and `/` says how to build.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from app.core.logging import log_extra

logger = logging.getLogger(__name__)

BUILD_COMMAND = "make page"
# Vite names every file under assets/ after a hash of its content: a new build gets new names.
IMMUTABLE = "public, max-age=31536000, immutable"
# index.html (and the unhashed files next to it) must be revalidated, so a new build shows.
REVALIDATE = "no-cache"


def _is_api(path: str) -> bool:
    return path == "api" or path.startswith("api/")


def _is_asset(path: str) -> bool:
    return path.startswith("assets/")


class PageFiles(StaticFiles):
    """The build's files; any other path outside `/api/` and `/assets/` is a deep link into
    the page, answered with index.html so the page's router shows it."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if _is_api(path):
            raise HTTPException(status_code=404)
        try:
            response = await super().get_response(path, scope)
        except HTTPException as error:
            if error.status_code != 404 or _is_asset(path):
                raise
            response = await super().get_response("index.html", scope)
        response.headers["Cache-Control"] = IMMUTABLE if _is_asset(path) else REVALIDATE
        return response


def page_missing_message(directory: Path) -> str:
    return (
        f"The co2calc page is not built (no {directory / 'index.html'}). Build it with "
        f"`{BUILD_COMMAND}` (npm ci and npm run build in frontend/), then restart "
        "`co2calc serve`. The API works meanwhile under /api/v1 (docs at /docs)."
    )


def mount_page(app: FastAPI, directory: Path) -> None:
    """Serve the page for whatever no route matches.

    It is the router's fallback rather than a mount at `/`: a mount would match before any
    route added later, whereas the fallback only answers once every route has declined.
    """
    if (directory / "index.html").is_file():
        app.router.default = PageFiles(directory=directory, html=True)
        return
    message = page_missing_message(directory)
    logger.warning(message, extra=log_extra("page.missing", directory=str(directory)))

    async def page_not_built(_: Request) -> PlainTextResponse:
        return PlainTextResponse(message, status_code=404)

    # A plain route, not an API operation: it is outside the schema and the access rules.
    app.add_route("/", page_not_built)
