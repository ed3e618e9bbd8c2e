"""`co2calc openapi`: write the API's OpenAPI document, the input of the page's typed client."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def openapi(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write; standard output when omitted."),
    ] = None,
) -> None:
    """Print (or write to --output) the OpenAPI JSON; `npm run gen:client` reads it."""
    # Imported here: the app (FastAPI and every route) is a third of the CLI's start-up, which
    # every other command, run once per operator action or test, would pay for nothing.
    from app.openapi_document import render_openapi

    text = render_openapi()
    if output is None:
        typer.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")


def register(app: typer.Typer) -> None:
    app.command("openapi")(openapi)
