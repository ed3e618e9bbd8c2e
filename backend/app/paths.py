"""Where the installation keeps its shipped files, whatever the current directory.

Two layouts are supported: an editable install (the source tree, where `data/` sits at the
repository root) and a wheel, where the build force-includes `data/` as `app/_shipped/data`.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_SHIPPED_DIR = PACKAGE_DIR / "_shipped"
_SOURCE_ROOT = PACKAGE_DIR.parents[1]


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[0]


def data_dir() -> Path:
    """The shipped data folder (factor files, demo inputs)."""
    return _first_existing(_SHIPPED_DIR / "data", _SOURCE_ROOT / "data")


def factors_dir(year: int | None = None) -> Path:
    """`data/factors`, or the folder of one year's factor files."""
    base = data_dir() / "factors"
    return base if year is None else base / str(year)


def static_dir() -> Path:
    """The built page: inside a wheel when it shipped one, else the source tree's
    `frontend/dist` (named even when missing: that is where `make page` builds it)."""
    shipped = _SHIPPED_DIR / "static"
    return shipped if shipped.is_dir() else _SOURCE_ROOT / "frontend" / "dist"
