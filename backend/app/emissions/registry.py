"""Which calculator computes which data entry type."""

from __future__ import annotations

from app.domain.modules import DataEntryTypeEnum as T
from app.emissions.buildings import building, building_embodied_energy, energy_combustion
from app.emissions.calculator import Calculator
from app.emissions.equipment import equipment
from app.emissions.external import external_ai, external_cloud
from app.emissions.headcount import headcount
from app.emissions.process import process_emissions
from app.emissions.purchases import additional_purchase, purchase
from app.emissions.research_facilities import research_facility
from app.emissions.travel import plane, train

CALCULATORS: dict[int, Calculator] = {
    T.member: headcount,
    T.student: headcount,
    T.plane: plane,
    T.train: train,
    T.building: building,
    T.energy_combustion: energy_combustion,
    T.building_embodied_energy: building_embodied_energy,
    T.scientific: equipment,
    T.it: equipment,
    T.other: equipment,
    T.scientific_equipment: purchase,
    T.it_equipment: purchase,
    T.consumable_accessories: purchase,
    T.biological_chemical_gaseous_product: purchase,
    T.services: purchase,
    T.vehicles: purchase,
    T.other_purchases: purchase,
    T.additional_purchases: additional_purchase,
    T.research_facilities: research_facility,
    T.mice_and_fish_animal_facilities: research_facility,
    T.external_clouds: external_cloud,
    T.external_ai: external_ai,
    T.process_emissions: process_emissions,
}
