"""The installed `co2calc` script run as a subprocess from an unrelated folder, as an operator
would: the environment it gets, and a runner bound to a folder and a database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

CO2CALC = Path(sys.executable).with_name("co2calc")

RunCli = Callable[..., subprocess.CompletedProcess[str]]


def cli_env(database_url: str | None) -> dict[str, str]:
    """The caller's environment minus any CO2CALC_* setting, pointed at `database_url` (None:
    the default database)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CO2CALC_")}
    env.update(NO_COLOR="1", COLUMNS="200")
    if database_url is not None:
        env["CO2CALC_DATABASE_URL"] = database_url
    return env


def cli_runner(folder: Path, sqlite_url: str) -> RunCli:
    """`run("demo", "--json", XDG_DATA_HOME=...)`: co2calc run in `folder`/elsewhere, on
    `sqlite_url` unless another `database_url` is given; a test's folder or a module's."""
    workdir = folder / "elsewhere"
    workdir.mkdir()

    def run(
        *args: str, database_url: str | None = sqlite_url, timeout: float = 600, **env: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(CO2CALC), *args],
            env={**cli_env(database_url), **env},
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run
