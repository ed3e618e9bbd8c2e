"""Configuration checks of the commands: the settings' ranges (every command) and the secret
key (the commands that serve, or make accounts): exit 2 with the reason."""

from __future__ import annotations

import typer
from rich.markup import escape

from app.cli._runner import err_console
from app.cli.exit_codes import ExitCode
from app.core.secret_key import ConfigurationError, configured_secret_key, resolve_secret_key
from app.core.settings import Settings


def refuse(reason: str) -> typer.Exit:
    """Print the reason on stderr; the exit to raise (code 2)."""
    err_console.print(f"[bold red]Configuration error:[/] {escape(reason)}", soft_wrap=True)
    return typer.Exit(ExitCode.USAGE)


def require_secret_key(settings: Settings) -> None:
    """Production without an acceptable CO2CALC_SECRET_KEY: the message, exit 2. Development
    needs nothing here (the server generates its key when it starts)."""
    try:
        configured_secret_key(settings)
    except ConfigurationError as error:
        raise refuse(str(error)) from None


def resolve_secret_key_or_exit(settings: Settings) -> str:
    """The key the server will use (generating the development one); exit 2 when none."""
    try:
        return resolve_secret_key(settings)
    except ConfigurationError as error:
        raise refuse(str(error)) from None
