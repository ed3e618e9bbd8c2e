"""docs/emission-formulas.md covers every data entry type under its module, and the constants
its formulas print are the calculators' own."""

from __future__ import annotations

import re
from pathlib import Path

from app.domain.modules import MODULE_TYPE_TO_DATA_ENTRY_TYPES
from app.emissions import equipment, external, travel
from app.emissions.entry import MAX_ABS_KG_PER_ROW
from app.emissions.reference.geo import EARTH_RADIUS_KM
from app.emissions.vocabularies import REQUESTS_PER_USER_PER_DAY

DOC = (Path(__file__).parents[4] / "docs" / "emission-formulas.md").read_text(encoding="utf-8")


def test_every_type_has_a_formula_under_its_module() -> None:
    documented = {
        (module, name)
        for module, names in re.findall(r"^## (\w+): (.+)$", DOC, re.M)
        for name in re.findall(r"`(\w+)`", names)
    }
    expected = {
        (module.name, entry_type.name)
        for module, types in MODULE_TYPE_TO_DATA_ENTRY_TYPES.items()
        for entry_type in types
    }
    assert documented == expected


def test_the_constants_are_the_calculators() -> None:
    shown = [
        f"+ {travel.FLIGHT_EXTRA_KM:g}\n",
        f"x {travel.RAIL_DETOUR_FACTOR:g}\n",
        f"radius {EARTH_RADIUS_KM} km",
        f"x {equipment.WEEKS_PER_YEAR} / 1000",
        f"x {external.DAYS_PER_WEEK} days x {external.WEEKS_PER_YEAR} weeks",
        f"+-{MAX_ABS_KG_PER_ROW:.0e}".replace("e+", "e"),
        *(f"below {limit:g}" for limit, _ in travel._HAUL_LIMITS),
        f"`{travel.HOME_COUNTRY}` when both",
        *(f"`{answer}` {mean:g}" for answer, mean in REQUESTS_PER_USER_PER_DAY.items()),
    ]
    assert [text for text in shown if text not in DOC] == []
