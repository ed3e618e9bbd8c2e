"""Great-circle distance on a spherical Earth."""

from __future__ import annotations

from math import asin, cos, radians, sin, sqrt
from typing import NamedTuple

# IUGG mean Earth radius: every great-circle distance is defined with it.
EARTH_RADIUS_KM = 6371.0088


class Position(NamedTuple):
    latitude: float
    longitude: float


def great_circle_km(a: Position, b: Position) -> float:
    """Haversine distance in km; unrounded, as every number along a calculation."""
    lat1, lat2 = radians(a.latitude), radians(b.latitude)
    half_dlat = (lat2 - lat1) / 2
    half_dlon = radians(b.longitude - a.longitude) / 2
    h = sin(half_dlat) ** 2 + cos(lat1) * cos(lat2) * sin(half_dlon) ** 2
    return 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(h)))
