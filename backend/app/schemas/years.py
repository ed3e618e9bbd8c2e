"""The years an operator can pick on the page."""

from __future__ import annotations

from pydantic import BaseModel


class ReportingYears(BaseModel):
    """Years that have carbon reports or emission factors, ascending."""

    years: list[int]
