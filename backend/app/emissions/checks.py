"""Text checks that need reference data; each returns the canonical form or raises ValueError."""

from __future__ import annotations

from app.core.wording import shown
from app.emissions.reference import is_country_code, is_known_currency
from app.emissions.vocabularies import REST_OF_WORLD


def iata_code(text: str) -> str:
    code = text.upper()
    if len(code) != 3 or not code.isalpha():
        raise ValueError(f"{shown(text)} is not an IATA airport code (three letters)")
    return code


def country_code_or_rest_of_world(text: str) -> str:
    if text.casefold() == REST_OF_WORLD.casefold():
        return REST_OF_WORLD
    if not is_country_code(text):
        raise ValueError(
            f"{shown(text)} is not an ISO 3166-1 alpha-2 country code nor {REST_OF_WORLD}"
        )
    return text.upper()


def currency_code(text: str) -> str:
    if not is_known_currency(text):
        raise ValueError(
            f"{shown(text)} is not a currency with ECB reference rates (e.g. CHF, EUR)"
        )
    return text.upper()
