"""The small world the consistency model plays in: three units, one year, five data entry types
of three modules, and the CSV files (factor files and data files) the model uploads.

Small on purpose: every step stays fast, and random operations keep hitting the same pairs, so
factor changes, edits and recalculations interleave on shared rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.domain.modules import DataEntryTypeEnum as T
from app.domain.modules import ModuleTypeEnum as M
from app.domain.modules import module_of
from app.emissions.specs import FACTOR_FIELDS

YEAR = 2025
UNITS = ("M1", "M2", "M3")
TYPES = (T.plane, T.train, T.scientific_equipment, T.it_equipment, T.process_emissions)
MODULES = (M.professional_travel, M.purchase, M.process_emissions)
# A cell no number column accepts: the row is rejected with its line number.
BAD_NUMBER = "not-a-number"

Cells = Mapping[str, str]

# Factor identities each type may have (classification cells), and the value columns drawn.
FACTOR_CLASSIFICATIONS: dict[T, tuple[Cells, ...]] = {
    T.plane: (
        {"category": "short_haul", "cabin_class": ""},
        {"category": "medium_haul", "cabin_class": ""},
        {"category": "long_haul", "cabin_class": ""},
        {"category": "long_haul", "cabin_class": "business"},
    ),
    T.train: ({"country_code": "CH"}, {"country_code": "FR"}, {"country_code": "RoW"}),
    T.scientific_equipment: (
        {"purchase_institutional_code": "P1"},
        {"purchase_institutional_code": "P2"},
    ),
    T.it_equipment: (
        {"purchase_institutional_code": "P1"},
        {"purchase_institutional_code": "P3"},
    ),
    T.process_emissions: (
        {"category": "ch4", "subcategory": ""},
        {"category": "co2", "subcategory": ""},
        {"category": "n2o", "subcategory": ""},
        {"category": "ch4", "subcategory": "landfill"},
    ),
}
# The value column a factor file varies; the other value columns get fixed cells.
FACTOR_VALUE: dict[T, str] = {
    T.plane: "ef_kg_co2eq_per_km",
    T.train: "ef_kg_co2eq_per_km",
    T.scientific_equipment: "ef_kg_co2eq_per_currency",
    T.it_equipment: "ef_kg_co2eq_per_currency",
    T.process_emissions: "gwp_kg_co2eq_per_kg",
}
FIXED_FACTOR_CELLS: dict[str, str] = {"rfi_adjustment": "2", "currency": "EUR"}

# Entry data each type may have (some reach no factor: entries without factor).
ENTRY_DATA: dict[T, tuple[Cells, ...]] = {
    T.plane: (
        {"origin_iata": "GVA", "destination_iata": "CDG", "cabin_class": "eco"},
        {"origin_iata": "GVA", "destination_iata": "JFK", "cabin_class": "business"},
        {"origin_iata": "ZRH", "destination_iata": "LHR", "cabin_class": "first"},
    ),
    T.train: (
        {"origin": "Geneva", "destination": "Zurich", "cabin_class": "second"},
        {"origin": "Lausanne", "destination": "Paris", "cabin_class": "first"},
        {"origin": "Geneva", "destination": "Berlin", "cabin_class": "second"},
    ),
    T.scientific_equipment: (
        {"name": "microscope", "purchase_institutional_code": "P1", "currency": "CHF"},
        {"name": "centrifuge", "purchase_institutional_code": "P2", "currency": "EUR"},
        {"name": "laser", "purchase_institutional_code": "P3", "currency": "CHF"},
    ),
    T.it_equipment: (
        {"name": "laptop", "purchase_institutional_code": "P1", "currency": "CHF"},
        {"name": "server", "purchase_institutional_code": "P3", "currency": "EUR"},
    ),
    T.process_emissions: (
        {"category": "ch4", "subcategory": ""},
        {"category": "ch4", "subcategory": "landfill"},
        {"category": "co2", "subcategory": ""},
        {"category": "refrigerants", "subcategory": ""},
    ),
}
# The number column an entry's size is in (what the files and the edits vary).
QUANTITY: dict[T, str] = {
    T.plane: "number_of_trips",
    T.train: "number_of_trips",
    T.scientific_equipment: "total_spent_amount",
    T.it_equipment: "total_spent_amount",
    T.process_emissions: "quantity_kg",
}
OVERRIDE = "kg_co2eq"


def types_of(module: M) -> tuple[T, ...]:
    return tuple(t for t in TYPES if module_of(t) == module)


def _factor_columns(data_entry_type: T) -> list[str]:
    spec = FACTOR_FIELDS[data_entry_type]
    return [field.name for field in (*spec.keys, *spec.values)]


def _entry_columns(data_entry_type: T) -> list[str]:
    first = ENTRY_DATA[data_entry_type][0]
    return ["unit_institutional_code", *first, QUANTITY[data_entry_type], OVERRIDE]


def _csv(header: Sequence[str], rows: Sequence[Mapping[str, str]]) -> bytes:
    lines = [",".join(header)]
    lines += [",".join(row.get(column, "") for column in header) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _header(types: Sequence[T], columns_of: dict[T, list[str]]) -> list[str]:
    """One type's columns, or the union of the module's with the `data_entry_type` column."""
    header = [] if len(types) == 1 else ["data_entry_type"]
    for data_entry_type in types:
        header += [c for c in columns_of[data_entry_type] if c not in header]
    return header


@dataclass(frozen=True, slots=True)
class FactorRow:
    data_entry_type: T
    classification: int  # index in FACTOR_CLASSIFICATIONS
    value: str  # the varied value column's cell (BAD_NUMBER for a rejected row)

    def cells(self) -> dict[str, str]:
        return {
            "data_entry_type": self.data_entry_type.name,
            **FIXED_FACTOR_CELLS,
            **FACTOR_CLASSIFICATIONS[self.data_entry_type][self.classification],
            FACTOR_VALUE[self.data_entry_type]: self.value,
        }


def factor_file(types: Sequence[T], rows: Sequence[FactorRow]) -> bytes:
    columns = {t: _factor_columns(t) for t in types}
    return _csv(_header(types, columns), [row.cells() for row in rows])


@dataclass(frozen=True, slots=True)
class EntryRow:
    data_entry_type: T
    unit: str
    data: int  # index in ENTRY_DATA
    quantity: str  # BAD_NUMBER for a rejected row
    override: str  # "" for none

    @property
    def rejected(self) -> bool:
        return self.quantity == BAD_NUMBER

    def cells(self) -> dict[str, str]:
        return {
            "data_entry_type": self.data_entry_type.name,
            "unit_institutional_code": self.unit,
            **ENTRY_DATA[self.data_entry_type][self.data],
            QUANTITY[self.data_entry_type]: self.quantity,
            OVERRIDE: self.override,
        }


def data_file(types: Sequence[T], rows: Sequence[EntryRow]) -> bytes:
    columns = {t: _entry_columns(t) for t in types}
    return _csv(_header(types, columns), [row.cells() for row in rows])
