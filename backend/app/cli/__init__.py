"""The `co2calc` command line: one module per command group, each kept thin.

Commands parse options, call one async service through `run_async`, and print with rich.
"""

from __future__ import annotations

import typer

from app.cli import (
    db,
    demo,
    exit_codes,
    imports,
    jobs,
    openapi,
    recalc,
    serve,
    units,
    users,
    worker,
)
from app.cli._secret import refuse
from app.core.logging import configure_logging
from app.core.settings import InvalidSettings, get_settings

app = typer.Typer(
    name="co2calc",
    help="co2calc back office: serve the API, migrate the database, load demo data.",
    epilog=exit_codes.HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    # Read as Markdown, every paragraph of a docstring is reflowed to the terminal (Typer's
    # rich mode keeps the source's line breaks after the first) and `code` is shown as code.
    rich_markup_mode="markdown",
)
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="users")
app.add_typer(units.app, name="units")
app.add_typer(recalc.app, name="recalc")
app.add_typer(jobs.app, name="jobs")
app.add_typer(imports.factors_app, name="factors")
app.add_typer(imports.data_app, name="data")
serve.register(app)
demo.register(app)
openapi.register(app)
worker.register(app)


@app.callback()
def _settings_and_logging() -> None:
    # Every command checks the settings first (a bad one: its reason on one line, exit 2),
    # then logs key=value lines to stderr (serve and its uvicorn loggers included).
    try:
        settings = get_settings()
    except InvalidSettings as error:
        raise refuse(str(error)) from None
    configure_logging(settings.log_level)


def main() -> None:
    app()
