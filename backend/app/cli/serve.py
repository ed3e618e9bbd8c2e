"""`co2calc serve`: run the API (and the built page, when there is one) with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from app.cli._runner import console, run_async, with_engine
from app.cli._secret import require_secret_key, resolve_secret_key_or_exit
from app.core.settings import get_settings


def serve(
    host: Annotated[
        str | None,
        typer.Option(help="Address to listen on.", show_default="CO2CALC_HOST, 127.0.0.1"),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(help="Port to listen on.", show_default="CO2CALC_PORT, 8000"),
    ] = None,
) -> None:
    """Serve the HTTP API. Run `co2calc db upgrade` first (a missing or unmigrated database
    is refused); this never builds anything.

    Production (CO2CALC_ENV=production) needs CO2CALC_SECRET_KEY; development generates a
    local key once and keeps it (CO2CALC_SECRET_KEY_FILE).
    """
    import uvicorn

    from app.cli._server import SHUTDOWN_GRACE_SECONDS
    from app.cli._server import serve as serve_until_stopped

    settings = get_settings()
    # Refuse before uvicorn starts (no traceback); the app resolves the same key again.
    require_secret_key(settings)
    run_async(with_engine(_reachable))
    resolve_secret_key_or_exit(settings)
    bind_host = host or settings.host
    bind_port = port if port is not None else settings.port
    shown_host = "127.0.0.1" if bind_host in ("0.0.0.0", "::") else bind_host
    url = f"http://{shown_host}:{bind_port}"
    # One sentence a line, never wrapped by the console: a URL split at 80 columns is unusable.
    console.print(f"[bold green]co2calc[/] is starting at {url}", soft_wrap=True)
    console.print(f"API docs: {url}/docs", soft_wrap=True)
    serve_until_stopped(
        uvicorn.Config(
            "app.main:create_app",
            factory=True,
            host=bind_host,
            port=bind_port,
            # The CLI's callback configured logging (app.core.logging): uvicorn's loggers
            # write through it instead of installing their own handlers.
            log_config=None,
            log_level=settings.log_level.lower(),
            timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
        )
    )


async def _reachable(_: AsyncEngine) -> None:
    """Nothing more to do: `with_engine` checked the database exists at the right schema."""


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
