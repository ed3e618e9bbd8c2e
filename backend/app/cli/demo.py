"""`co2calc demo`: migrate, then load (once) a realistic demo dataset and summarise it."""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from app.cli._options import parse_year_option
from app.cli._runner import console, err_console, run_async, session_factory, with_engine
from app.cli._secret import require_secret_key
from app.cli.db import migrate
from app.cli.users import AdminAccount, ensure_admin
from app.core import xdg
from app.core.logging import info_to_file
from app.core.settings import get_settings
from app.core.wording import agree, count
from app.demo.generator import DEFAULT_SEED, DEFAULT_UNITS, DEFAULT_YEARS, MAX_UNITS
from app.domain.modules import DataEntryTypeEnum

if TYPE_CHECKING:
    from app.demo.loader import DemoSummary

# Beside the default database: the jobs' log lines of the last demo run.
DEMO_LOG = "demo.log"


def demo(
    units: Annotated[
        int, typer.Option(min=1, max=MAX_UNITS, help="Number of demo units (labs, services).")
    ] = DEFAULT_UNITS,
    years: Annotated[
        list[int] | None,
        typer.Option(
            "--years",
            parser=parse_year_option,
            help="Report year; repeat for several.",
            show_default=", ".join(map(str, DEFAULT_YEARS)),
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same data.")] = (
        DEFAULT_SEED
    ),
    reset: Annotated[
        bool, typer.Option("--reset", help="Drop the demo data and build it again.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON, and nothing else.")
    ] = False,
    admin_password: Annotated[
        str | None,
        typer.Option(
            "--admin-password",
            help="Password of the `admin` account (default: generated when the account is "
            "created, unchanged when it exists).",
        ),
    ] = None,
    serving: Annotated[
        bool,
        typer.Option("--serving", hidden=True, help="The caller serves next (`make run`): say so."),
    ] = False,
) -> None:
    """Load demo units, yearly reports and entries of all 23 types, with their emissions.

    Migrates the database first, imports the shipped factor files of each year with factor
    import jobs and computes the emissions with one recalculation job per module and year
    (requested by "demo"), as an operator would. Safe to run twice: when the demo is there it
    says so and changes nothing. Also creates the `admin` account (role calco2.superadmin) and
    prints its password (on stderr with --json). The jobs' log lines go to a file (its path is
    printed) and the account and how to log in are the last lines.
    """
    # Here, not at the top: every other command would import the loader and the jobs with it.
    from app.demo.loader import DemoOptions, load_demo

    settings = get_settings()
    require_secret_key(settings)
    options = DemoOptions(units, tuple(years or DEFAULT_YEARS), seed, reset)
    started = time.perf_counter()
    migrate()

    async def _load(engine: AsyncEngine) -> tuple[DemoSummary, AdminAccount]:
        with err_console.status("Loading the demo data…") as status:
            summary = await load_demo(engine, options, lambda m: status.update(m + "…"))
        return summary, await ensure_admin(session_factory(engine), admin_password)

    log_file = xdg.data_dir() / DEMO_LOG
    with info_to_file(log_file):
        summary, admin = run_async(with_engine(_load))
    if as_json:
        print(json.dumps(summary.as_json()))
        # stdout keeps its exact shape; new credentials go to stderr, as JSON.
        if admin.password is not None:
            credentials = {"admin": {"username": admin.username, "password": admin.password}}
            print(json.dumps(credentials), file=sys.stderr)
        return
    _print_summary(summary, time.perf_counter() - started)
    console.print(f"Job logs: {log_file}", soft_wrap=True)
    # Last, so that the way in is what the terminal shows when the demo is done.
    _print_admin(admin, settings.host, settings.port, serving=serving)


def _print_summary(summary: DemoSummary, elapsed_s: float) -> None:
    table = Table(title="Demo data by data entry type and year")
    for column in ("year", "id", "data entry type"):
        table.add_column(column, justify="right" if column != "data entry type" else "left")
    for column in ("entries", "emission rows", "t CO2e"):
        table.add_column(column, justify="right")
    for row in summary.rows:
        table.add_row(
            str(row.year),
            str(row.data_entry_type_id),
            DataEntryTypeEnum(row.data_entry_type_id).name,
            f"{row.entry_count:,}",
            f"{row.emission_count:,}",
            f"{row.total_kg_co2eq / 1000:,.1f}",
        )
    table.add_section()
    table.add_row(
        "all",
        "",
        "",
        f"{sum(r.entry_count for r in summary.rows):,}",
        f"{sum(r.emission_count for r in summary.rows):,}",
        f"{sum(r.total_kg_co2eq for r in summary.rows) / 1000:,.1f}",
        style="bold",
    )
    console.print(table)
    for note in summary.notes:
        console.print(f"[yellow]Note:[/] {note}")
    years = f"{agree(len(summary.years), 'year')} {', '.join(map(str, summary.years))}"
    if summary.created:
        console.print(
            f"[green]Demo loaded:[/] {count(summary.units, 'unit')}, {years}, in {elapsed_s:.1f} s."
        )
    else:
        console.print(
            f"[cyan]The demo data is already there[/] ({count(summary.units, 'unit')}, "
            f"{years}); "
            "nothing changed. Use --reset to rebuild it."
        )


def _print_admin(admin: AdminAccount, host: str, port: int, *, serving: bool) -> None:
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown_host}:{port}"
    if admin.password is not None:
        state = "created" if admin.created else "password changed"
        console.print(
            f"[green]Admin account {state}:[/] username [bold]{admin.username}[/], "
            f"password [bold]{admin.password}[/]"
        )
    else:
        console.print(
            f"Admin account [bold]{admin.username}[/] exists; its password is unchanged "
            "(--admin-password sets a new one)."
        )
    password = admin.password or "<password>"
    # `co2calc serve` (and `make run`, which exports CO2CALC_HOST/CO2CALC_PORT) listens on
    # the same settings.
    when = "`make run` is starting the server there now" if serving else "once `co2calc serve` runs"
    console.print(
        f"Log in at [bold]{url}/[/] as {admin.username} with that password ({when}).",
        soft_wrap=True,
    )
    console.print(
        f"Scripts: curl -d username={admin.username} -d password={password} "
        f"{url}/api/v1/auth/token gives a bearer token; the API is described at {url}/docs.",
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
