"""Deterministic demo data: units and, per unit and year, entries of all 23 data entry types.

Pure: no database, no clock. The same seed gives the same units and entries. Classification
values come from the year's factor records when given (so every entry finds its factor), else
from the fallback vocabularies in `catalog`.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.demo import catalog
from app.domain.modules import DataEntryTypeEnum as T
from app.emissions.base import FactorRecord

DEFAULT_UNITS = 40
DEFAULT_YEARS = (2024, 2025)
DEFAULT_SEED = 42
MAX_UNITS = 5_000
_CODE_SEQUENCE = random.Random("co2calc demo unit codes").sample(range(10_100, 99_000), MAX_UNITS)
# Share of entries that carry an operator override (`kg_co2eq`) instead of a computed value.
OVERRIDE_RATE = 0.004

# Entries per report for a unit of size 1.0 (sizes range 0.5 to 1.5); plane is the largest.
BASE_COUNTS: dict[T, int] = {
    T.member: 22, T.student: 14, T.plane: 80, T.train: 34, T.building: 22,
    T.energy_combustion: 2, T.building_embodied_energy: 2, T.scientific: 14, T.it: 20,
    T.other: 6, T.scientific_equipment: 5, T.it_equipment: 5, T.consumable_accessories: 6,
    T.biological_chemical_gaseous_product: 5, T.services: 4, T.vehicles: 1,
    T.other_purchases: 4, T.additional_purchases: 2, T.research_facilities: 2,
    T.mice_and_fish_animal_facilities: 1, T.external_clouds: 3, T.external_ai: 3,
    T.process_emissions: 2,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class DemoUnit:
    institutional_code: str
    name: str
    label_fr: str
    label_en: str
    parent_institutional_code: str
    size: float

    def unit_row(self) -> dict[str, Any]:
        """The unit's columns, for UnitRepository.insert_many."""
        return {
            "institutional_code": self.institutional_code,
            "name": self.name,
            "label_fr": self.label_fr,
            "label_en": self.label_en,
            "parent_institutional_code": self.parent_institutional_code,
            "is_active": True,
        }


@dataclass(frozen=True, slots=True)
class DemoEntry:
    data_entry_type_id: int
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DemoChoices:
    """The factor records of one year, by data entry type, to draw classifications from."""

    factors: Mapping[int, Sequence[FactorRecord]] = field(default_factory=dict)

    @classmethod
    def from_factors(cls, records: Iterable[FactorRecord]) -> DemoChoices:
        by_type: dict[int, list[FactorRecord]] = defaultdict(list)
        for record in records:
            by_type[record.data_entry_type_id].append(record)
        return cls(dict(by_type))

    def records(self, data_entry_type: T) -> Sequence[FactorRecord]:
        return self.factors.get(int(data_entry_type), ())

    def values_of(self, data_entry_type: T, key: str) -> list[str]:
        """Distinct non-empty classification values of `key`, in file order."""
        seen: dict[str, None] = {}
        for record in self.records(data_entry_type):
            value = record.classification.get(key)
            if value:
                seen.setdefault(str(value), None)
        return list(seen)


def demo_unit_codes(count: int = MAX_UNITS) -> list[str]:
    """The institutional codes of the first `count` demo units, whatever the seed.

    A fixed sequence (a prefix of one shuffle), so the loader can recognise demo units of any
    earlier run, with any --units and --seed, and drop them on --reset.
    """
    if not 0 <= count <= MAX_UNITS:
        raise ValueError(f"the demo has between 0 and {MAX_UNITS} units, not {count}")
    return [f"{code:05d}" for code in _CODE_SEQUENCE[:count]]


def generate_units(count: int = DEFAULT_UNITS, seed: int = DEFAULT_SEED) -> list[DemoUnit]:
    """`count` units with unique 5-digit institutional codes and real-looking names."""
    rng = random.Random(f"units:{seed}")
    units = []
    for index, code in enumerate(demo_unit_codes(count)):
        name, label_fr, parent = catalog.UNIT_NAMES[index % len(catalog.UNIT_NAMES)]
        series = index // len(catalog.UNIT_NAMES)
        if series:
            name, label_fr = f"{name} {series + 1}", f"{label_fr} {series + 1}"
        units.append(
            DemoUnit(
                institutional_code=code,
                name=name,
                label_fr=label_fr,
                label_en=name,
                parent_institutional_code=parent,
                size=round(rng.uniform(0.5, 1.5), 2),
            )
        )
    return units


def generate_entries(
    unit: DemoUnit, year: int, choices: DemoChoices | None = None, seed: int = DEFAULT_SEED
) -> Iterator[DemoEntry]:
    """Entries of every data entry type (at least one each) for one unit's report of `year`."""
    choices = choices or DemoChoices()
    rng = random.Random(f"entries:{seed}:{unit.institutional_code}:{year}")
    context = _UnitContext.build(rng, unit)
    for data_entry_type, base in BASE_COUNTS.items():
        count = max(1, round(base * unit.size * rng.uniform(0.85, 1.15)))
        make = _MAKERS[data_entry_type]
        for _ in range(count):
            data = make(rng, context, choices)
            if rng.random() < OVERRIDE_RATE:
                data["kg_co2eq"] = round(rng.uniform(5.0, 2_000.0), 1)
            yield DemoEntry(int(data_entry_type), data)


@dataclass(frozen=True, slots=True)
class _UnitContext:
    """What stays the same across one unit's entries: its buildings."""

    buildings: tuple[str, ...]

    @classmethod
    def build(cls, rng: random.Random, unit: DemoUnit) -> _UnitContext:
        return cls(tuple(rng.sample(catalog.BUILDINGS, 2)))


Maker = Callable[[random.Random, _UnitContext, DemoChoices], dict[str, Any]]


def _pick_record(rng: random.Random, choices: DemoChoices, t: T) -> FactorRecord | None:
    records = choices.records(t)
    return rng.choice(records) if records else None


def _member(rng: random.Random, _: _UnitContext, __: DemoChoices) -> dict[str, Any]:
    return {"fte": rng.choice((1.0, 1.0, 1.0, 0.8, 0.8, 0.6, 0.5, 0.2))}


def _student(rng: random.Random, _: _UnitContext, __: DemoChoices) -> dict[str, Any]:
    return {"fte": rng.choice((1.0, 1.0, 1.0, 0.5, 0.3))}


def _plane(rng: random.Random, _: _UnitContext, __: DemoChoices) -> dict[str, Any]:
    long_haul = rng.random() < 0.22
    pool = [
        a for a in catalog.DESTINATION_AIRPORTS if (a in catalog.LONG_HAUL_AIRPORTS) == long_haul
    ]
    cabin = rng.choices(("eco", "business", "first"), weights=(88, 10, 2))[0]
    return {
        "origin_iata": rng.choice(catalog.HOME_AIRPORTS),
        "destination_iata": rng.choice(pool),
        "cabin_class": cabin,
        "number_of_trips": rng.choices((1, 2, 3), weights=(70, 25, 5))[0],
    }


def _train(rng: random.Random, _: _UnitContext, __: DemoChoices) -> dict[str, Any]:
    origin = rng.choice(catalog.HOME_STATIONS)
    destination = rng.choice([c for c in catalog.TRAIN_DESTINATIONS if c != origin])
    return {
        "origin": origin,
        "destination": destination,
        "cabin_class": rng.choices(("second", "first"), weights=(85, 15))[0],
        "number_of_trips": rng.choices((1, 2, 4), weights=(60, 35, 5))[0],
    }


def _building(rng: random.Random, context: _UnitContext, choices: DemoChoices) -> dict[str, Any]:
    room_types = choices.values_of(T.building, "room_type") or list(catalog.ROOM_TYPES)
    room_type = rng.choice(room_types)
    low, high = catalog.ROOM_SURFACE_M2.get(room_type, (10.0, 60.0))
    building = rng.choice(context.buildings)
    return {
        "building_name": building,
        "room_name": f"{building} {rng.choice('ABCDG')}{rng.randint(0, 4)} {rng.randint(1, 640)}",
        "room_type": room_type,
        "room_surface_square_meter": round(rng.uniform(low, high), 1),
    }


def _combustion(rng: random.Random, _: _UnitContext, choices: DemoChoices) -> dict[str, Any]:
    record = _pick_record(rng, choices, T.energy_combustion)
    if record is not None:
        fuel = str(record.classification.get("fuel"))
        unit = str(record.classification.get("unit") or catalog.FUELS.get(fuel, ("kWh",))[0])
    else:
        fuel = rng.choice(list(catalog.FUELS))
        unit = catalog.FUELS[fuel][0]
    low, high = catalog.FUELS.get(fuel, (unit, 1_000.0, 20_000.0))[1:]
    return {"fuel": fuel, "quantity": round(rng.uniform(low, high)), "unit": unit}


def _embodied(rng: random.Random, context: _UnitContext, _: DemoChoices) -> dict[str, Any]:
    return {
        "building_name": rng.choice(context.buildings),
        "surface_square_meter": round(rng.uniform(150.0, 2_500.0), 1),
    }


def _equipment(t: T) -> Maker:
    fallback = catalog.EQUIPMENT[int(t)]
    names = {(c, s): n for c, s, n in fallback}

    def make(rng: random.Random, _: _UnitContext, choices: DemoChoices) -> dict[str, Any]:
        record = _pick_record(rng, choices, t)
        if record is not None:
            equipment_class = str(record.classification.get("equipment_class"))
            sub_class = record.classification.get("sub_class")
        else:
            equipment_class, sub_class = rng.choice(fallback)[:2]
        label = names.get((equipment_class, sub_class)) or names.get((equipment_class, None))
        data: dict[str, Any] = {
            "name": rng.choice(label) if label else equipment_class.replace("_", " ").capitalize(),
            "equipment_class": equipment_class,
            "quantity": rng.choices((1, 2, 3, 5), weights=(70, 18, 8, 4))[0],
        }
        if sub_class:
            data["sub_class"] = sub_class
        if rng.random() < 0.25:  # some entries state their own usage instead of the default
            active = rng.choice((10, 20, 40, 60, 168))
            data["active_usage_hours_per_week"] = active
            data["standby_usage_hours_per_week"] = 168 - active
        return data

    return make


def _purchase(t: T) -> Maker:
    fallback = catalog.PURCHASES[int(t)]

    def make(rng: random.Random, _: _UnitContext, choices: DemoChoices) -> dict[str, Any]:
        codes = choices.values_of(t, "purchase_institutional_code")
        fallback_code, names = rng.choice(fallback)
        return {
            "name": rng.choice(names),
            "purchase_institutional_code": rng.choice(codes) if codes else fallback_code,
            "total_spent_amount": round(rng.lognormvariate(7.5, 1.1), 2),
            "currency": rng.choice(catalog.CURRENCIES),
        }

    return make


def _additional(rng: random.Random, _: _UnitContext, __: DemoChoices) -> dict[str, Any]:
    if rng.random() < 0.7:
        return {
            "name": "ln2",
            "annual_consumption": round(rng.uniform(500.0, 20_000.0)),
            "unit": "l",
            "coef_to_kg": 0.808,
        }
    return {"name": "other", "annual_consumption": round(rng.uniform(10.0, 500.0)), "unit": "kg"}


def _facility(t: T) -> Maker:
    fallback = catalog.FACILITIES[int(t)]

    def make(rng: random.Random, _: _UnitContext, choices: DemoChoices) -> dict[str, Any]:
        record = _pick_record(rng, choices, t)
        if record is None:
            facility, use_unit = rng.choice(fallback)
            return {
                "researchfacility_id": facility,
                "use": rng.randint(10, 800),
                "use_unit": use_unit,
            }
        total = float(record.values.get("total_use", 0.0) or 0.0)
        use = round(total * rng.uniform(0.005, 0.08), 1) if total else rng.randint(10, 800)
        return {
            "researchfacility_id": str(record.classification.get("researchfacility_id")),
            "use": use,
            "use_unit": str(record.values.get("use_unit", "hours")),
        }

    return make


def _provider_and(
    rng: random.Random,
    choices: DemoChoices,
    t: T,
    key: str,
    fallback: tuple[Sequence[str], Sequence[str]],
) -> tuple[str, str]:
    """An external service's provider and its `key` classification, from a factor record of
    `t`, else from the catalogue's providers and values."""
    record = _pick_record(rng, choices, t)
    if record is not None:
        return str(record.classification.get("provider")), str(record.classification.get(key))
    providers, values = fallback
    return rng.choice(providers), rng.choice(values)


def _cloud(rng: random.Random, _: _UnitContext, choices: DemoChoices) -> dict[str, Any]:
    provider, service = _provider_and(
        rng,
        choices,
        T.external_clouds,
        "service_type",
        (catalog.CLOUD_PROVIDERS, catalog.CLOUD_SERVICES),
    )
    return {
        "provider": provider,
        "service_type": service,
        "spent_amount": round(rng.lognormvariate(7.8, 1.0), 2),
        "currency": rng.choice(("EUR", "CHF", "USD")),
    }


def _ai(rng: random.Random, _: _UnitContext, choices: DemoChoices) -> dict[str, Any]:
    provider, usage = _provider_and(
        rng, choices, T.external_ai, "usage_type", (catalog.AI_PROVIDERS, catalog.AI_USAGES)
    )
    return {
        "provider": provider,
        "usage_type": usage,
        "requests_per_user_per_day": rng.choice(catalog.AI_REQUEST_BANDS),
        "user_count": rng.randint(1, 40),
    }


_PROCESS_KG = {"co2": (10.0, 2_000.0), "ch4": (1.0, 50.0), "n2o": (0.5, 20.0)}


def _process(rng: random.Random, _: _UnitContext, choices: DemoChoices) -> dict[str, Any]:
    record = _pick_record(rng, choices, T.process_emissions)
    if record is not None:
        category = str(record.classification.get("category"))
        subcategory = record.classification.get("subcategory")
    else:
        category, subcategory = rng.choice(catalog.PROCESS)
    low, high = _PROCESS_KG.get(category, (0.5, 15.0))
    data: dict[str, Any] = {"category": category, "quantity_kg": round(rng.uniform(low, high), 2)}
    if subcategory:
        data["subcategory"] = subcategory
    return data


_MAKERS: dict[T, Maker] = {
    T.member: _member,
    T.student: _student,
    T.plane: _plane,
    T.train: _train,
    T.building: _building,
    T.energy_combustion: _combustion,
    T.building_embodied_energy: _embodied,
    T.scientific: _equipment(T.scientific),
    T.it: _equipment(T.it),
    T.other: _equipment(T.other),
    T.scientific_equipment: _purchase(T.scientific_equipment),
    T.it_equipment: _purchase(T.it_equipment),
    T.consumable_accessories: _purchase(T.consumable_accessories),
    T.biological_chemical_gaseous_product: _purchase(T.biological_chemical_gaseous_product),
    T.services: _purchase(T.services),
    T.vehicles: _purchase(T.vehicles),
    T.other_purchases: _purchase(T.other_purchases),
    T.additional_purchases: _additional,
    T.research_facilities: _facility(T.research_facilities),
    T.mice_and_fish_animal_facilities: _facility(T.mice_and_fish_animal_facilities),
    T.external_clouds: _cloud,
    T.external_ai: _ai,
    T.process_emissions: _process,
}
