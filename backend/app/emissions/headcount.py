"""Members and students: fte times the per-fte footprint of each category (food, waste, ...)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.emission_types import EmissionTypeEnum as E
from app.domain.modules import DataEntryTypeEnum as T
from app.emissions.base import EmissionRow
from app.emissions.errors import FactorNotFoundError
from app.emissions.index import FactorIndex
from app.emissions.reading import read_number
from app.emissions.specs import EF_PER_UNIT, MEMBER_FTE, STUDENT_FTE, UNITS_PER_FTE

_FTE = {T.member: MEMBER_FTE, T.student: STUDENT_FTE}
_CODES = {"food": E.food, "waste": E.waste, "commuting": E.commuting}


def headcount(
    type_id: int, data: Mapping[str, Any], year: int, index: FactorIndex
) -> list[EmissionRow]:
    """One row per category present in the year's factors: fte x sum(ef x units per fte).

    Rows aggregate several factors, so `factor_id` is None and meta lists the factor ids
    and their revisions.
    """
    fte = read_number(data, _FTE[T(type_id)])
    categories = index.groups(type_id, year)
    if not categories:
        raise FactorNotFoundError(f"no {T(type_id).name} factors in year {year}")
    return [
        EmissionRow(
            int(code),
            fte * sum(f.number(EF_PER_UNIT) * f.number(UNITS_PER_FTE) for f in factors),
            None,
            {
                "factor_ids": [f.id for f in factors],
                "factor_revisions": [f.revision for f in factors],
            },
        )
        for category, code in _CODES.items()
        if (factors := categories.get(category))
    ]
