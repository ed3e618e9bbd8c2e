"""Module types and their data entry types, with their names (ids are public API), for the page."""

from __future__ import annotations

from app.domain.modules import MODULE_TYPE_TO_DATA_ENTRY_TYPES
from app.schemas.modules import DataEntryTypeRead, ModuleTypeRead


def list_module_types() -> list[ModuleTypeRead]:
    return [
        ModuleTypeRead(
            module_type_id=module_type.value,
            name=module_type.name,
            data_entry_types=[
                DataEntryTypeRead(data_entry_type_id=entry_type.value, name=entry_type.name)
                for entry_type in entry_types
            ],
        )
        for module_type, entry_types in sorted(MODULE_TYPE_TO_DATA_ENTRY_TYPES.items())
    ]
