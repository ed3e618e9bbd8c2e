"""Reference data from maintained packages behind thin, cached wrappers.

Calculators only call these functions, never the packages: each table is loaded on first use
(`functools.cache`) and turned into plain dicts so a lookup costs one dict access.
"""

from app.emissions.reference.airports import airport_position
from app.emissions.reference.cities import City, find_city
from app.emissions.reference.countries import is_country_code
from app.emissions.reference.currency import (
    Conversion,
    YearlyRate,
    convert,
    is_known_currency,
    yearly_rate,
)
from app.emissions.reference.geo import EARTH_RADIUS_KM, Position, great_circle_km

__all__ = [
    "EARTH_RADIUS_KM",
    "City",
    "Conversion",
    "Position",
    "YearlyRate",
    "airport_position",
    "convert",
    "find_city",
    "great_circle_km",
    "is_country_code",
    "is_known_currency",
    "yearly_rate",
]
