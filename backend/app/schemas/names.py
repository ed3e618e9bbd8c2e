"""Names beside integer codes, so an answer reads without a code book; the integers stay, for
clients that already use them.

Each mixin adds the name of one code as a computed field (`module_type_name` next to
`module_type_id`...), so the API, the stream and the CLI's `--json` carry it alike and OpenAPI
documents it. The model using a mixin declares the code field itself.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel, computed_field

from app.domain.ingestion import IngestionResult, IngestionState
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum


def describe_codes(enum: type[IntEnum]) -> str:
    """The codes and their names as a description lists them: "0 not_started, 1 queued"."""
    return ", ".join(f"{member.value} {member.name.lower()}" for member in enum)


def code_name(enum: type[IntEnum], value: int | None) -> str | None:
    """The lower-case name of a code (`3` → `finished`), None for None."""
    return None if value is None else enum(value).name.lower()


class ModuleTypeNamed(BaseModel):
    if TYPE_CHECKING:
        module_type_id: int

    @computed_field(  # type: ignore[prop-decorator]
        description=f"The module's identifier: {describe_codes(ModuleTypeEnum)}."
    )
    @property
    def module_type_name(self) -> str:
        return ModuleTypeEnum(self.module_type_id).name


class DataEntryTypeNamed(BaseModel):
    if TYPE_CHECKING:
        data_entry_type_id: int | None

    @computed_field(  # type: ignore[prop-decorator]
        description="The data entry type's identifier (`plane`, `train`...); null with the id."
    )
    @property
    def data_entry_type_name(self) -> str | None:
        return code_name(DataEntryTypeEnum, self.data_entry_type_id)


class StateNamed(BaseModel):
    if TYPE_CHECKING:
        state: int

    @computed_field(  # type: ignore[prop-decorator]
        description=f"The job's state: {describe_codes(IngestionState)}."
    )
    @property
    def state_name(self) -> str:
        return IngestionState(self.state).name.lower()


class ResultNamed(BaseModel):
    if TYPE_CHECKING:
        result: int | None

    @computed_field(  # type: ignore[prop-decorator]
        description=f"The job's result once finished: {describe_codes(IngestionResult)}."
    )
    @property
    def result_name(self) -> str | None:
        return code_name(IngestionResult, self.result)
