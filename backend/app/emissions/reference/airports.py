"""Airport coordinates by IATA code, from the `airportsdata` package."""

from __future__ import annotations

from functools import cache

import airportsdata

from app.emissions.errors import UnknownAirportError
from app.emissions.reference.geo import Position


@cache
def _positions() -> dict[str, Position]:
    # Keep only what distances need; the package's full records are ~8k dicts of 11 keys.
    return {
        code: Position(float(row["lat"]), float(row["lon"]))
        for code, row in airportsdata.load("IATA").items()
    }


def airport_position(iata_code: str) -> Position:
    """Coordinates of an airport; raises UnknownAirportError naming the code."""
    position = _positions().get(iata_code.strip().upper())
    if position is None:
        raise UnknownAirportError(f'unknown airport code "{iata_code}"')
    return position
