"""The per-user folders of the XDG base directory spec, where co2calc keeps its own files
(the development secret key, the default SQLite database), whatever the current directory."""

from __future__ import annotations

import os
from pathlib import Path

APP_DIR = "co2calc"


def user_dir(variable: str, fallback: str) -> Path:
    """`$VARIABLE/co2calc` when VARIABLE holds an absolute path (the spec ignores a relative
    one), else `~/FALLBACK/co2calc`."""
    value = os.environ.get(variable, "")
    base = Path(value) if value and os.path.isabs(value) else Path.home() / fallback
    return base / APP_DIR


def data_dir() -> Path:
    """`$XDG_DATA_HOME/co2calc`, else `~/.local/share/co2calc`."""
    return user_dir("XDG_DATA_HOME", ".local/share")


def config_dir() -> Path:
    """`$XDG_CONFIG_HOME/co2calc`, else `~/.config/co2calc`."""
    return user_dir("XDG_CONFIG_HOME", ".config")
