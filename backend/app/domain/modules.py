"""Module types and the data entry types each holds. Ids are public API: never renumber.

Every data entry type belongs to exactly one module; `data_entry_type_in_module` is the one
check of that, for the API, the CLI and the file imports alike.
"""

from __future__ import annotations

from collections.abc import Iterable
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


def describe_types(choices: Iterable[IntEnum]) -> str:
    """Valid values as messages list them for a person to type: "20 plane, 21 train"."""
    return ", ".join(f"{choice.value} {choice.name}" for choice in choices)


class TypeNotInModuleError(ValueError):
    """A data entry type that is not one of the module's (or no type at all).

    Carries the module's types as `valid_values`, so each interface can say what to send.
    `data_entry_type` is the type when `given` named one (it then belongs to another module).
    """

    def __init__(self, module_type: ModuleTypeEnum, given: DataEntryTypeEnum | int | str | None):
        self.module_type = module_type
        self.valid_values = MODULE_TYPE_TO_DATA_ENTRY_TYPES[module_type]
        self.data_entry_type = (
            DataEntryTypeEnum(given)
            if isinstance(given, int) and given in DATA_ENTRY_TYPE_TO_MODULE_TYPE
            else None
        )
        shown = given if self.data_entry_type is None else self.data_entry_type.name
        super().__init__(
            f"type {shown} is not in module {module_type.name}; "
            f"valid values: {describe_types(self.valid_values)}"
        )


def data_entry_type_in_module(
    module_type: ModuleTypeEnum, given: DataEntryTypeEnum | int | str | None
) -> DataEntryTypeEnum:
    """The type `given` (a type or its id), when it is one of the module's.

    Raises TypeNotInModuleError otherwise; text is never read as a name here (parse it first
    with `parse_data_entry_type` where names are allowed), so text and None always fail.
    """
    if isinstance(given, int) and given in MODULE_TYPE_TO_DATA_ENTRY_TYPES[module_type]:
        return DataEntryTypeEnum(given)
    raise TypeNotInModuleError(module_type, given)


def parse_data_entry_type(value: str) -> DataEntryTypeEnum:
    """Read a type given by id ("20") or name ("plane"), as CSV files and the CLI allow.

    Raises ValueError naming the valid values.
    """
    text = value.strip()
    try:
        return DataEntryTypeEnum(int(text)) if text.isdigit() else DataEntryTypeEnum[text]
    except (KeyError, ValueError):
        valid = describe_types(DataEntryTypeEnum)
        raise ValueError(f"unknown data entry type {value!r}; valid values: {valid}") from None


def parse_module_type(value: str) -> ModuleTypeEnum:
    """Read a module given by id ("2") or name ("professional_travel")."""
    text = value.strip()
    try:
        return ModuleTypeEnum(int(text)) if text.isdigit() else ModuleTypeEnum[text]
    except (KeyError, ValueError):
        valid = describe_types(ModuleTypeEnum)
        raise ValueError(f"unknown module type {value!r}; valid values: {valid}") from None
