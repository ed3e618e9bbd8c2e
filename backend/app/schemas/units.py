"""Units (labs and services) as the API reads and writes them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from app.schemas.common import Code, Label


class UnitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    institutional_code: Code
    name: Label
    label_fr: Label | None = None
    label_en: Label | None = None
    parent_institutional_code: Code | None = None


class UnitRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    institutional_code: str
    name: str
    label_fr: str | None
    label_en: str | None
    parent_institutional_code: str | None
    is_active: bool
