"""Spend converted into the currency a factor is expressed in."""

from __future__ import annotations

from typing import Any

from app.emissions.index import Factor
from app.emissions.reference import convert
from app.emissions.specs import FACTOR_CURRENCY


def spend_in_factor_currency(
    amount: float, currency: str, factor: Factor, year: int
) -> tuple[float, dict[str, Any]]:
    """The amount in the factor's currency, and row meta stating the rate used."""
    target = factor.text(FACTOR_CURRENCY)
    conversion = convert(amount, currency, target, year)
    meta: dict[str, Any] = {
        "currency": currency,
        "factor_currency": target,
        "rate": conversion.rate,
        "rate_year": conversion.rate_year,
    }
    if conversion.note is not None:
        meta["note"] = conversion.note
    return conversion.amount, meta
