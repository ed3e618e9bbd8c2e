"""Module types and data entry types (DOMAIN.md §2). Ids are public API: never renumber."""

from __future__ import annotations

from enum import IntEnum


class ModuleTypeEnum(IntEnum):
    headcount = 1
    professional_travel = 2
    buildings = 3
    equipment_electric_consumption = 4
    purchase = 5
    research_facilities = 6
    external_cloud_and_ai = 7
    process_emissions = 8


class DataEntryTypeEnum(IntEnum):
    member = 1
    student = 2
    scientific = 10
    it = 11
    other = 12
    plane = 20
    train = 21
    building = 30
    energy_combustion = 31
    building_embodied_energy = 32
    external_clouds = 40
    external_ai = 41
    process_emissions = 50
    scientific_equipment = 60
    it_equipment = 61
    consumable_accessories = 62
    biological_chemical_gaseous_product = 63
    services = 64
    vehicles = 65
    other_purchases = 66
    additional_purchases = 67
    research_facilities = 70
    mice_and_fish_animal_facilities = 71


_M = ModuleTypeEnum
_D = DataEntryTypeEnum

MODULE_TYPE_TO_DATA_ENTRY_TYPES: dict[ModuleTypeEnum, tuple[DataEntryTypeEnum, ...]] = {
    _M.headcount: (_D.member, _D.student),
    _M.professional_travel: (_D.plane, _D.train),
    _M.buildings: (_D.building, _D.energy_combustion, _D.building_embodied_energy),
    _M.equipment_electric_consumption: (_D.scientific, _D.it, _D.other),
    _M.purchase: (
        _D.scientific_equipment,
        _D.it_equipment,
        _D.consumable_accessories,
        _D.biological_chemical_gaseous_product,
        _D.services,
        _D.vehicles,
        _D.other_purchases,
        _D.additional_purchases,
    ),
    _M.research_facilities: (_D.research_facilities, _D.mice_and_fish_animal_facilities),
    _M.external_cloud_and_ai: (_D.external_clouds, _D.external_ai),
    _M.process_emissions: (_D.process_emissions,),
}

DATA_ENTRY_TYPE_TO_MODULE_TYPE: dict[DataEntryTypeEnum, ModuleTypeEnum] = {
    data_entry_type: module_type
    for module_type, data_entry_types in MODULE_TYPE_TO_DATA_ENTRY_TYPES.items()
    for data_entry_type in data_entry_types
}


def module_of(data_entry_type: DataEntryTypeEnum | int) -> ModuleTypeEnum:
    """The module a data entry type belongs to (every type has exactly one)."""
    return DATA_ENTRY_TYPE_TO_MODULE_TYPE[DataEntryTypeEnum(data_entry_type)]


def parse_data_entry_type(value: str) -> DataEntryTypeEnum:
    """Read a type given by id ("20") or name ("plane"), as CSV files and the CLI allow.

    Raises ValueError naming the valid values.
    """
    text = value.strip()
    try:
        return DataEntryTypeEnum(int(text)) if text.isdigit() else DataEntryTypeEnum[text]
    except (KeyError, ValueError):
        valid = ", ".join(f"{t.value} {t.name}" for t in DataEntryTypeEnum)
        raise ValueError(f"unknown data entry type {value!r}; valid values: {valid}") from None


def parse_module_type(value: str) -> ModuleTypeEnum:
    """Read a module given by id ("2") or name ("professional_travel")."""
    text = value.strip()
    try:
        return ModuleTypeEnum(int(text)) if text.isdigit() else ModuleTypeEnum[text]
    except (KeyError, ValueError):
        valid = ", ".join(f"{m.value} {m.name}" for m in ModuleTypeEnum)
        raise ValueError(f"unknown module type {value!r}; valid values: {valid}") from None
