"""ISO 3166-1 alpha-2 country codes, from `pycountry`."""

from __future__ import annotations

from functools import cache

import pycountry


@cache
def _alpha_2_codes() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


def is_country_code(code: str) -> bool:
    """True for an assigned ISO alpha-2 code, in any letter case."""
    return code.strip().upper() in _alpha_2_codes()
