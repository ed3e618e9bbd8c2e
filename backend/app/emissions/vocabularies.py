"""Closed vocabularies of entry fields and classification keys: a value outside them is an
entry error."""

from __future__ import annotations

HEADCOUNT_CATEGORIES = ("food", "waste", "commuting")
HAUL_CATEGORIES = ("very_short_haul", "short_haul", "medium_haul", "long_haul")
PLANE_CABIN_CLASSES = ("first", "business", "eco")
TRAIN_CABIN_CLASSES = ("first", "second")
ROOM_TYPES = ("office", "laboratories", "archives", "libraries", "auditoriums", "miscellaneous")
FUELS = (
    "natural_gas",
    "heating_oil",
    "biomethane",
    "pellets",
    "forest_chips",
    "wood_logs",
    "other",
)
UNITS = ("kWh", "l", "kg", "m3")
ADDITIONAL_PURCHASE_NAMES = ("ln2", "other")
CLOUD_SERVICE_TYPES = ("virtualisation", "compute", "storage")
PROCESS_CATEGORIES = ("ch4", "co2", "n2o", "refrigerants")

# Answers of the "requests per user per day" question and the mean each one stands for.
REQUESTS_PER_USER_PER_DAY: dict[str, float] = {
    "1-5": 3.0,
    "5-20": 12.5,
    "20-100": 60.0,
    ">100": 100.0,
}

# Train factors fall back to this pseudo country ("rest of the world").
REST_OF_WORLD = "RoW"
# Building factors fall back to the factors of this building name.
DEFAULT_BUILDING = "default"
