"""Typed errors of the emission engine.

`EntryError` (in base.py) marks an entry whose emissions cannot be computed; the subclasses let
callers and tests tell the causes apart while the message stays the thing a person reads.
Validation errors are `ValueError`s: they reject an input row before anything is stored.
"""

from __future__ import annotations

from app.emissions.base import EntryError


class MissingFieldError(EntryError):
    """A required entry field is absent or empty."""


class InvalidFieldError(EntryError):
    """An entry field holds a value the calculator cannot use."""


class FactorNotFoundError(EntryError):
    """No factor matches the entry's classification, fallbacks included."""


class AmbiguousFactorError(EntryError):
    """Two factors match one lookup equally well, so neither can be chosen."""


class UnusableFactorError(EntryError):
    """The matching factor lacks a value the formula needs, or holds a wrong one."""


class UnknownAirportError(EntryError):
    """An IATA code that the airport reference does not know."""


class UnknownCityError(EntryError):
    """A city or station name that the city reference does not know."""


class UnknownCurrencyError(EntryError):
    """A currency without ECB reference rates."""


class UnknownCountryError(EntryError):
    """A country code that is not ISO 3166-1 alpha-2."""


class ImplausibleEmissionsError(EntryError):
    """A row beyond the plausible bound: a typo in the entry (or its override), not a result."""


class CalculatorFailure(EntryError):
    """A calculator raised something other than an EntryError (a bug), where one entry must
    not sink the others: an import row, an edit through the API."""


class EntryValidationError(ValueError):
    """An entry row rejected by validation; the message names the field and what is allowed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class FactorFileError(ValueError):
    """A factor file that cannot be read at all (no header, missing required columns, ...)."""
