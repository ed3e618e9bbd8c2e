"""Purchases by institutional code (spend based) and additional purchases (mass based)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.emission_types import DEFAULT_EMISSION_TYPE
from app.domain.emission_types import EmissionTypeEnum as E
from app.domain.modules import DataEntryTypeEnum
from app.emissions.base import EmissionRow
from app.emissions.calculator import row
from app.emissions.index import FactorIndex
from app.emissions.money import spend_in_factor_currency
from app.emissions.reading import read_number, read_text
from app.emissions.specs import (
    ADDITIONAL_NAME,
    ANNUAL_CONSUMPTION,
    COEF_TO_KG,
    EF_PER_CURRENCY,
    EF_PER_KG,
    PURCHASE_CODE,
    PURCHASE_CURRENCY,
    TOTAL_SPENT,
)

_ADDITIONAL_CODES = {"ln2": E.additional_purchases_ln2, "other": E.additional_purchases_other}


def purchase(
    type_id: int, data: Mapping[str, Any], year: int, index: FactorIndex
) -> list[EmissionRow]:
    """kg = amount converted to the factor's currency (yearly ECB average) x ef."""
    code, spent = read_text(data, PURCHASE_CODE), read_number(data, TOTAL_SPENT)
    currency = read_text(data, PURCHASE_CURRENCY)
    factor = index.lookup(type_id, year, {PURCHASE_CODE.name: code})
    amount, meta = spend_in_factor_currency(spent, currency, factor, year)
    kg = amount * factor.number(EF_PER_CURRENCY)
    return [row(DEFAULT_EMISSION_TYPE[DataEntryTypeEnum(type_id)], kg, factor, **meta)]


def additional_purchase(
    type_id: int, data: Mapping[str, Any], year: int, index: FactorIndex
) -> list[EmissionRow]:
    """kg = annual consumption x coef_to_kg x ef per kg; ln2 and other have their own codes."""
    name = read_text(data, ADDITIONAL_NAME)
    mass_kg = read_number(data, ANNUAL_CONSUMPTION) * read_number(data, COEF_TO_KG)
    factor = index.lookup(type_id, year, {ADDITIONAL_NAME.name: name})
    return [row(_ADDITIONAL_CODES[name], mass_kg * factor.number(EF_PER_KG), factor)]
