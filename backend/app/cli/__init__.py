"""The `co2calc` command line: one module per command group, each kept thin.

Commands parse options, call one async service through `run_async`, and print with rich.
"""

from __future__ import annotations

import typer

from app.cli import db, demo, imports, recalc, serve, users

app = typer.Typer(
    name="co2calc",
    help="co2calc back office: serve the API, migrate the database, load demo data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="users")
app.add_typer(recalc.app, name="recalc")
app.add_typer(imports.factors_app, name="factors")
app.add_typer(imports.data_app, name="data")
serve.register(app)
demo.register(app)


def main() -> None:
    app()
