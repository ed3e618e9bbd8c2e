"""Emission type codes, names and scopes (GHG Protocol scopes 1, 2 and 3).

Codes are integers in two-digit groups; the parent of a code is the code with its last
non-zero group set to zero, so stats can roll children up into their ancestors.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from app.domain.modules import DataEntryTypeEnum


class EmissionTypeEnum(IntEnum):
    food = 10000
    waste = 20000
    commuting = 30000
    professional_travel = 50000
    train = 50100
    train_class_1 = 50101
    train_class_2 = 50102
    plane = 50200
    plane_first = 50201
    plane_business = 50202
    plane_eco = 50203
    buildings = 60000
    rooms = 60100
    rooms_lighting = 60101
    rooms_cooling = 60102
    rooms_ventilation = 60103
    rooms_heating_elec = 60104
    rooms_heating_thermal = 60105
    combustion = 60200
    combustion_natural_gas = 60201
    combustion_heating_oil = 60202
    combustion_biomethane = 60203
    combustion_pellets = 60204
    combustion_forest_chips = 60205
    combustion_wood_logs = 60206
    combustion_other = 60207
    building_embodied_energy = 60300
    process = 70000
    process_ch4 = 70100
    process_co2 = 70200
    process_n2o = 70300
    process_refrigerants = 70400
    equipment = 80000
    equipment_scientific = 80100
    equipment_it = 80200
    equipment_other = 80300
    purchases = 90000
    purchases_scientific_equipment = 90100
    purchases_it_equipment = 90200
    purchases_consumable_accessories = 90300
    purchases_biological_chemical_gaseous_product = 90400
    purchases_services = 90500
    purchases_vehicles = 90600
    purchases_other_purchases = 90700
    additional_purchases = 90800
    additional_purchases_ln2 = 90801
    additional_purchases_other = 90802
    research_facilities = 100000
    research_facilities_facilities = 100100
    research_facilities_animal = 100200
    external = 110000
    external_cloud = 110100
    external_cloud_virtualisation = 110101
    external_cloud_compute = 110102
    external_cloud_storage = 110103
    external_ai = 110200
    external_ai_google = 110201
    external_ai_mistral_ai = 110202
    external_ai_anthropic = 110203
    external_ai_openai = 110204
    external_ai_cohere = 110205
    external_ai_others = 110206


def parent_code(code: int) -> int | None:
    """The parent of a code, or None for a root (a code ending in 0000)."""
    for group_size in (1, 100, 10_000):
        group = (code // group_size) % 100
        if group and group_size < 10_000:
            return code - group * group_size
        if group:
            return None
    return None


def ancestors(code: int) -> list[int]:
    """The code itself followed by each ancestor up to its root."""
    chain = [code]
    parent = parent_code(code)
    while parent is not None:
        chain.append(parent)
        parent = parent_code(parent)
    return chain


_E = EmissionTypeEnum

# Scope of every leaf and branch that carries emission rows; buildings' root has no single scope.
_SCOPE_BY_PREFIX: tuple[tuple[int, int, int], ...] = (
    # (first code, last code, scope) over ranges; more specific ranges come first.
    (60100, 60104, 2),
    (60105, 60105, 1),
    (60200, 60299, 1),
    (60300, 60399, 3),
    (10000, 59999, 3),
    (70000, 79999, 1),
    (80000, 89999, 2),
    (90800, 90899, 1),
    (90000, 99999, 3),
    (100000, 119999, 3),
)


def scope_of(code: int) -> int | None:
    """GHG Protocol scope (1, 2 or 3) of an emission code; None for the buildings root."""
    for first, last, scope in _SCOPE_BY_PREFIX:
        if first <= code <= last:
            return scope
    return None


_D = DataEntryTypeEnum

# The code an operator override (`kg_co2eq` in entry data) is written under.
DEFAULT_EMISSION_TYPE: dict[DataEntryTypeEnum, EmissionTypeEnum] = {
    _D.member: _E.food,
    _D.student: _E.food,
    _D.plane: _E.plane,
    _D.train: _E.train,
    _D.building: _E.rooms,
    _D.energy_combustion: _E.combustion,
    _D.building_embodied_energy: _E.building_embodied_energy,
    _D.scientific: _E.equipment_scientific,
    _D.it: _E.equipment_it,
    _D.other: _E.equipment_other,
    _D.scientific_equipment: _E.purchases_scientific_equipment,
    _D.it_equipment: _E.purchases_it_equipment,
    _D.consumable_accessories: _E.purchases_consumable_accessories,
    _D.biological_chemical_gaseous_product: _E.purchases_biological_chemical_gaseous_product,
    _D.services: _E.purchases_services,
    _D.vehicles: _E.purchases_vehicles,
    _D.other_purchases: _E.purchases_other_purchases,
    _D.additional_purchases: _E.additional_purchases,
    _D.research_facilities: _E.research_facilities_facilities,
    _D.mice_and_fish_animal_facilities: _E.research_facilities_animal,
    _D.external_clouds: _E.external_cloud,
    _D.external_ai: _E.external_ai,
    _D.process_emissions: _E.process,
}


@dataclass(frozen=True, slots=True)
class EmissionTypeInfo:
    code: int
    name: str
    scope: int | None
    parent: int | None


def describe(code: int) -> EmissionTypeInfo:
    """Name, scope and parent of a code, for the API and the page."""
    return EmissionTypeInfo(
        code=code, name=EmissionTypeEnum(code).name, scope=scope_of(code), parent=parent_code(code)
    )
