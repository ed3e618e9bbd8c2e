"""Entry fields and factor columns of the 23 data entry types.

`ENTRY_FIELDS[type_id]` and `FACTOR_FIELDS[type_id]` (keyed by DataEntryTypeEnum members) are
what the CSV importers check headers against; the named fields below are also what the
calculators read, so defaults live here once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.modules import DataEntryTypeEnum as T
from app.emissions import checks
from app.emissions import vocabularies as v
from app.emissions.errors import EntryValidationError
from app.emissions.fields import Columns, Field, integer, number, optional, text


@dataclass(frozen=True, slots=True)
class EntrySpec:
    """The fields of one type's entries, plus a rule across fields when one exists (it
    receives the typed values and raises EntryValidationError)."""

    fields: tuple[Field, ...]
    rule: Callable[[Mapping[str, Any]], None] | None = None

    @property
    def columns(self) -> Columns:
        return Columns.of(self.fields)


@dataclass(frozen=True, slots=True)
class FactorSpec:
    """Classification keys (a non-required key falls back to its default, None = wildcard)
    and value columns of one type's factors. `group_by` names the key whose factors a
    calculator reads all together (headcount sums every factor of a category)."""

    keys: tuple[Field, ...]
    values: tuple[Field, ...]
    group_by: str | None = None

    @property
    def columns(self) -> Columns:
        return Columns.of((*self.keys, *self.values))


# Every entry may carry an operator override; 0 is a value, an empty cell is no override.
KG_CO2EQ = optional(number("kg_co2eq"))

# --- headcount
MEMBER_FTE = number("fte", maximum=1.0)
STUDENT_FTE = number("fte")
HEADCOUNT_CATEGORY = text("category", *v.HEADCOUNT_CATEGORIES)
EF_PER_UNIT = number("ef_kg_co2eq_per_unit")
UNITS_PER_FTE = optional(number("number_of_unit_per_fte"), 1.0)

# --- travel
ORIGIN_IATA = text("origin_iata", check=checks.iata_code)
DESTINATION_IATA = text("destination_iata", check=checks.iata_code)
PLANE_CABIN_CLASS = text("cabin_class", *v.PLANE_CABIN_CLASSES)
NUMBER_OF_TRIPS = optional(integer("number_of_trips", minimum=1), 1)
HAUL_CATEGORY = text("category", *v.HAUL_CATEGORIES)
EF_PER_KM = number("ef_kg_co2eq_per_km")
RFI_ADJUSTMENT = optional(number("rfi_adjustment"), 1.0)
ORIGIN = text("origin")
DESTINATION = text("destination")
TRAIN_CABIN_CLASS = text("cabin_class", *v.TRAIN_CABIN_CLASSES)
COUNTRY_CODE = optional(
    text("country_code", check=checks.country_code_or_rest_of_world), v.REST_OF_WORLD
)

# --- buildings
BUILDING_NAME = text("building_name")
FACTOR_BUILDING_NAME = optional(BUILDING_NAME, v.DEFAULT_BUILDING)
ROOM_TYPE = text("room_type", *v.ROOM_TYPES)
ROOM_SURFACE = number("room_surface_square_meter")
LIGHTING = number("lighting_kwh_per_square_meter")
COOLING = number("cooling_kwh_per_square_meter")
VENTILATION = number("ventilation_kwh_per_square_meter")
HEATING = number("heating_kwh_per_square_meter")
HEATING_ELEC_SHARE = number("heating_elec_share", maximum=1.0)
EF_ELECTRICITY = number("ef_electricity_kg_per_kwh")
EF_HEAT = number("ef_heat_kg_per_kwh")
FUEL = text("fuel", *v.FUELS)
QUANTITY = number("quantity")
UNIT = text("unit", *v.UNITS)
SURFACE = number("surface_square_meter")
EF_PER_SQUARE_METER = number("ef_kg_co2eq_per_square_meter")

# --- equipment
EQUIPMENT_CLASS = text("equipment_class")
SUB_CLASS = optional(text("sub_class"))
EQUIPMENT_QUANTITY = optional(QUANTITY, 1.0)
ACTIVE_HOURS = number("active_usage_hours_per_week", maximum=168.0)
STANDBY_HOURS = number("standby_usage_hours_per_week", maximum=168.0)
# An entry may leave its hours out: the factor's typical hours of the class are used then.
ENTRY_ACTIVE_HOURS = optional(ACTIVE_HOURS)
ENTRY_STANDBY_HOURS = optional(STANDBY_HOURS)
ACTIVE_POWER = number("active_power_w")
STANDBY_POWER = number("standby_power_w")
EF_PER_KWH = number("ef_kg_co2eq_per_kwh")

# --- purchases
NAME = text("name")
PURCHASE_CODE = text("purchase_institutional_code")
TOTAL_SPENT = number("total_spent_amount")
CURRENCY = text("currency", check=checks.currency_code)
PURCHASE_CURRENCY = optional(CURRENCY, "CHF")
FACTOR_CURRENCY = optional(CURRENCY, "EUR")
EF_PER_CURRENCY = number("ef_kg_co2eq_per_currency")
ADDITIONAL_NAME = text("name", *v.ADDITIONAL_PURCHASE_NAMES)
ANNUAL_CONSUMPTION = number("annual_consumption")
COEF_TO_KG = optional(number("coef_to_kg"), 1.0)
EF_PER_KG = number("ef_kg_co2eq_per_kg")

# --- research facilities
FACILITY_ID = text("researchfacility_id")
USE = number("use")
USE_UNIT = text("use_unit")
KG_CO2EQ_SUM = number("kg_co2eq_sum")
TOTAL_USE = number("total_use")

# --- external cloud and AI
PROVIDER = text("provider")
SERVICE_TYPE = text("service_type", *v.CLOUD_SERVICE_TYPES)
SPENT_AMOUNT = number("spent_amount")
CLOUD_CURRENCY = optional(CURRENCY, "EUR")
USAGE_TYPE = text("usage_type")
REQUESTS_PER_USER_PER_DAY = text("requests_per_user_per_day", *v.REQUESTS_PER_USER_PER_DAY)
USER_COUNT = integer("user_count", minimum=1)
EF_G_PER_REQUEST = number("ef_g_co2eq_per_request")

# --- process emissions
PROCESS_CATEGORY = text("category", *v.PROCESS_CATEGORIES)
SUBCATEGORY = optional(text("subcategory"))
QUANTITY_KG = number("quantity_kg")
GWP = number("gwp_kg_co2eq_per_kg")


HOURS_PER_WEEK = 168.0


def check_week_hours(active: float, standby: float) -> None:
    """Active and standby hours share one week; raises ValueError when they overflow it."""
    if active + standby > HOURS_PER_WEEK:
        raise ValueError(f"hours {active:g} + {standby:g} exceed {HOURS_PER_WEEK:g} a week")


def _hours_fit_in_a_week(data: Mapping[str, Any]) -> None:
    active, standby = data.get(ACTIVE_HOURS.name), data.get(STANDBY_HOURS.name)
    if active is None or standby is None:
        return
    try:
        check_week_hours(active, standby)
    except ValueError as error:
        raise EntryValidationError(
            f"{ACTIVE_HOURS.name} + {STANDBY_HOURS.name}", str(error)
        ) from None


def _entry(*fields: Field, rule: Callable[[Mapping[str, Any]], None] | None = None) -> EntrySpec:
    return EntrySpec((*fields, KG_CO2EQ), rule)


_HEADCOUNT_FACTOR = FactorSpec(
    (HEADCOUNT_CATEGORY, text("class"), optional(text("subclass"))),
    (EF_PER_UNIT, UNITS_PER_FTE),
    group_by=HEADCOUNT_CATEGORY.name,
)
_EQUIPMENT_ENTRY = _entry(
    NAME,
    EQUIPMENT_CLASS,
    SUB_CLASS,
    EQUIPMENT_QUANTITY,
    ENTRY_ACTIVE_HOURS,
    ENTRY_STANDBY_HOURS,
    rule=_hours_fit_in_a_week,
)
_EQUIPMENT_FACTOR = FactorSpec(
    (EQUIPMENT_CLASS, SUB_CLASS),
    (ACTIVE_POWER, STANDBY_POWER, ACTIVE_HOURS, STANDBY_HOURS, EF_PER_KWH),
)
_PURCHASE_ENTRY = _entry(NAME, PURCHASE_CODE, TOTAL_SPENT, PURCHASE_CURRENCY)
_PURCHASE_FACTOR = FactorSpec((PURCHASE_CODE,), (EF_PER_CURRENCY, FACTOR_CURRENCY))
_FACILITY_ENTRY = _entry(FACILITY_ID, USE, USE_UNIT)
_FACILITY_FACTOR = FactorSpec((FACILITY_ID,), (KG_CO2EQ_SUM, TOTAL_USE, USE_UNIT))

ENTRY_FIELDS: dict[int, EntrySpec] = {
    T.member: _entry(MEMBER_FTE),
    T.student: _entry(STUDENT_FTE),
    T.plane: _entry(ORIGIN_IATA, DESTINATION_IATA, PLANE_CABIN_CLASS, NUMBER_OF_TRIPS),
    T.train: _entry(ORIGIN, DESTINATION, TRAIN_CABIN_CLASS, NUMBER_OF_TRIPS),
    T.building: _entry(BUILDING_NAME, text("room_name"), ROOM_TYPE, ROOM_SURFACE),
    T.energy_combustion: _entry(FUEL, QUANTITY, UNIT),
    T.building_embodied_energy: _entry(BUILDING_NAME, SURFACE),
    T.scientific: _EQUIPMENT_ENTRY,
    T.it: _EQUIPMENT_ENTRY,
    T.other: _EQUIPMENT_ENTRY,
    T.scientific_equipment: _PURCHASE_ENTRY,
    T.it_equipment: _PURCHASE_ENTRY,
    T.consumable_accessories: _PURCHASE_ENTRY,
    T.biological_chemical_gaseous_product: _PURCHASE_ENTRY,
    T.services: _PURCHASE_ENTRY,
    T.vehicles: _PURCHASE_ENTRY,
    T.other_purchases: _PURCHASE_ENTRY,
    T.additional_purchases: _entry(ADDITIONAL_NAME, ANNUAL_CONSUMPTION, UNIT, COEF_TO_KG),
    T.research_facilities: _FACILITY_ENTRY,
    T.mice_and_fish_animal_facilities: _FACILITY_ENTRY,
    T.external_clouds: _entry(PROVIDER, SERVICE_TYPE, SPENT_AMOUNT, CLOUD_CURRENCY),
    T.external_ai: _entry(PROVIDER, USAGE_TYPE, REQUESTS_PER_USER_PER_DAY, USER_COUNT),
    T.process_emissions: _entry(PROCESS_CATEGORY, SUBCATEGORY, QUANTITY_KG),
}

FACTOR_FIELDS: dict[int, FactorSpec] = {
    T.member: _HEADCOUNT_FACTOR,
    T.student: _HEADCOUNT_FACTOR,
    T.plane: FactorSpec((HAUL_CATEGORY, optional(PLANE_CABIN_CLASS)), (EF_PER_KM, RFI_ADJUSTMENT)),
    T.train: FactorSpec((COUNTRY_CODE,), (EF_PER_KM,)),
    T.building: FactorSpec(
        (FACTOR_BUILDING_NAME, ROOM_TYPE),
        (LIGHTING, COOLING, VENTILATION, HEATING, HEATING_ELEC_SHARE, EF_ELECTRICITY, EF_HEAT),
    ),
    T.energy_combustion: FactorSpec((FUEL, UNIT), (EF_PER_UNIT,)),
    T.building_embodied_energy: FactorSpec((FACTOR_BUILDING_NAME,), (EF_PER_SQUARE_METER,)),
    T.scientific: _EQUIPMENT_FACTOR,
    T.it: _EQUIPMENT_FACTOR,
    T.other: _EQUIPMENT_FACTOR,
    T.scientific_equipment: _PURCHASE_FACTOR,
    T.it_equipment: _PURCHASE_FACTOR,
    T.consumable_accessories: _PURCHASE_FACTOR,
    T.biological_chemical_gaseous_product: _PURCHASE_FACTOR,
    T.services: _PURCHASE_FACTOR,
    T.vehicles: _PURCHASE_FACTOR,
    T.other_purchases: _PURCHASE_FACTOR,
    T.additional_purchases: FactorSpec((ADDITIONAL_NAME,), (EF_PER_KG,)),
    T.research_facilities: _FACILITY_FACTOR,
    T.mice_and_fish_animal_facilities: _FACILITY_FACTOR,
    T.external_clouds: FactorSpec((PROVIDER, SERVICE_TYPE), (EF_PER_CURRENCY, FACTOR_CURRENCY)),
    T.external_ai: FactorSpec((PROVIDER, USAGE_TYPE), (EF_G_PER_REQUEST,)),
    T.process_emissions: FactorSpec((PROCESS_CATEGORY, SUBCATEGORY), (GWP,)),
}
