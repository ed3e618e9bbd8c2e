"""Module types and their data entry types (ids are public API), for the page."""

from __future__ import annotations

from pydantic import BaseModel


class DataEntryTypeRead(BaseModel):
    data_entry_type_id: int
    name: str


class ModuleTypeRead(BaseModel):
    module_type_id: int
    name: str
    data_entry_types: list[DataEntryTypeRead]
