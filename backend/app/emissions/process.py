"""Direct process emissions: released mass times its global warming potential."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.emission_types import EmissionTypeEnum as E
from app.emissions.base import EmissionRow
from app.emissions.calculator import row
from app.emissions.index import FactorIndex
from app.emissions.reading import read_number, read_optional_text, read_text
from app.emissions.specs import GWP, PROCESS_CATEGORY, QUANTITY_KG, SUBCATEGORY

# The emission type of each category (looked up per entry: a dict, not the enum by name).
_CODES = {category: E[f"process_{category}"] for category in PROCESS_CATEGORY.choices}


def process_emissions(
    type_id: int, data: Mapping[str, Any], year: int, index: FactorIndex
) -> list[EmissionRow]:
    """kg = quantity_kg x gwp, factor by category and subcategory (fallback category only)."""
    category, quantity = read_text(data, PROCESS_CATEGORY), read_number(data, QUANTITY_KG)
    factor = index.lookup(
        type_id,
        year,
        {PROCESS_CATEGORY.name: category, SUBCATEGORY.name: read_optional_text(data, SUBCATEGORY)},
    )
    kg = quantity * factor.number(GWP)
    return [row(_CODES[category], kg, factor)]
