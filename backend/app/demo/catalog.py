"""Real-looking vocabularies the demo draws from: units, places, rooms, equipment, purchases.

Classification values here are fallbacks for when no factor file is shipped for a type; the
generator prefers what the year's factor files classify (see `DemoChoices.from_factors`).
"""

from __future__ import annotations

# (English name, French label, parent institutional code)
UNIT_NAMES: tuple[tuple[str, str, str], ...] = (
    ("Laboratory of Atmospheric Chemistry", "Laboratoire de chimie atmosphérique", "10000"),
    ("Laboratory of Cryospheric Sciences", "Laboratoire des sciences cryosphériques", "10000"),
    (
        "Laboratory of Environmental Biotechnology",
        "Laboratoire de biotechnologie environnementale",
        "10000",
    ),
    (
        "Urban and Regional Planning Community",
        "Communauté d'études pour l'aménagement du territoire",
        "10000",
    ),
    ("Laboratory of Hydraulic Constructions", "Laboratoire de constructions hydrauliques", "10000"),
    ("Laboratory of Soil Mechanics", "Laboratoire de mécanique des sols", "10000"),
    ("Laboratory of Organic Synthesis", "Laboratoire de synthèse organique", "20000"),
    ("Laboratory of Quantum Optoelectronics", "Laboratoire d'optoélectronique quantique", "20000"),
    (
        "Laboratory of Photonics and Quantum Measurements",
        "Laboratoire de photonique et mesures quantiques",
        "20000",
    ),
    (
        "Laboratory of Computational Chemistry and Biochemistry",
        "Laboratoire de chimie et biochimie computationnelles",
        "20000",
    ),
    ("Laboratory of Astrophysics", "Laboratoire d'astrophysique", "20000"),
    (
        "Laboratory of Physics of Complex Matter",
        "Laboratoire de physique de la matière complexe",
        "20000",
    ),
    (
        "Laboratory of Catalysis and Organic Synthesis",
        "Laboratoire de catalyse et synthèse organique",
        "20000",
    ),
    ("Laboratory of Molecular Simulation", "Laboratoire de simulation moléculaire", "20000"),
    (
        "Laboratory of Renewable Energy Science and Engineering",
        "Laboratoire des sciences et ingénierie des énergies renouvelables",
        "30000",
    ),
    (
        "Laboratory of Applied Mechanics and Reliability Analysis",
        "Laboratoire de mécanique appliquée et d'analyse de fiabilité",
        "30000",
    ),
    ("Laboratory of Microsystems", "Laboratoire de microsystèmes", "30000"),
    ("Laboratory of Thermal Sciences", "Laboratoire des sciences thermiques", "30000"),
    ("Power Electronics Laboratory", "Laboratoire d'électronique de puissance", "30000"),
    ("Laboratory of Robotic Systems", "Laboratoire de systèmes robotiques", "30000"),
    (
        "Laboratory of Nanoscale Materials",
        "Laboratoire des matériaux à l'échelle nanométrique",
        "30000",
    ),
    ("Distributed Systems Laboratory", "Laboratoire de systèmes répartis", "40000"),
    (
        "Machine Learning and Optimization Laboratory",
        "Laboratoire d'apprentissage automatique et d'optimisation",
        "40000",
    ),
    ("Data Science Laboratory", "Laboratoire de science des données", "40000"),
    (
        "Laboratory for Computer Communications and Applications",
        "Laboratoire de communications informatiques et applications",
        "40000",
    ),
    ("Programming Methods Laboratory", "Laboratoire des méthodes de programmation", "40000"),
    (
        "Security and Privacy Engineering Laboratory",
        "Laboratoire d'ingénierie de la sécurité et de la vie privée",
        "40000",
    ),
    (
        "Laboratory of Systems Biology and Genetics",
        "Laboratoire de biologie des systèmes et génétique",
        "50000",
    ),
    (
        "Laboratory of Neurodegenerative Diseases",
        "Laboratoire des maladies neurodégénératives",
        "50000",
    ),
    ("Laboratory of Cancer Immunotherapy", "Laboratoire d'immunothérapie du cancer", "50000"),
    ("Laboratory of Microbial Ecology", "Laboratoire d'écologie microbienne", "50000"),
    ("Department of Ecology and Evolution", "Département d'écologie et évolution", "60000"),
    (
        "Institute of Earth Surface Dynamics",
        "Institut des dynamiques de la surface terrestre",
        "60000",
    ),
    (
        "Department of Fundamental Microbiology",
        "Département de microbiologie fondamentale",
        "60000",
    ),
    ("Center for Integrative Genomics", "Centre intégratif de génomique", "60000"),
    ("Institute of Geography and Sustainability", "Institut de géographie et durabilité", "60000"),
    ("IT Services", "Services informatiques", "90000"),
    ("Library and Learning Center", "Bibliothèque et centre d'apprentissage", "90000"),
    ("Campus Facilities Management", "Gestion des infrastructures du campus", "90000"),
    ("Sustainability Office", "Bureau de la durabilité", "90000"),
    ("Research Office", "Service de la recherche", "90000"),
    ("Human Resources", "Ressources humaines", "90000"),
    ("Center for Electron Microscopy", "Centre de microscopie électronique", "70000"),
    ("Center of MicroNanoTechnology", "Centre de micronanotechnologie", "70000"),
    (
        "Scientific IT and Application Support",
        "Support informatique scientifique et applications",
        "70000",
    ),
    ("Animal Facility", "Animalerie", "70000"),
)

HOME_AIRPORTS: tuple[str, ...] = ("GVA", "GVA", "GVA", "ZRH", "ZRH", "BSL")
DESTINATION_AIRPORTS: tuple[str, ...] = (
    # Europe, short and medium haul (most trips)
    "CDG",
    "LHR",
    "FRA",
    "BCN",
    "AMS",
    "MUC",
    "FCO",
    "MAD",
    "LIS",
    "VIE",
    "CPH",
    "ARN",
    "BRU",
    "DUB",
    "ATH",
    "BER",
    "PRG",
    "WAW",
    "OSL",
    "HEL",
    "NCE",
    "MXP",
    "EDI",
    "BUD",
    "LYS",
    "IST",
    "TLV",
    # Long haul
    "JFK",
    "BOS",
    "SFO",
    "ORD",
    "IAD",
    "YUL",
    "YYZ",
    "LAX",
    "NRT",
    "HND",
    "ICN",
    "PEK",
    "PVG",
    "SIN",
    "HKG",
    "DXB",
    "DOH",
    "BKK",
    "SYD",
    "GRU",
    "JNB",
    "NBO",
    "DEL",
    "BOM",
)
LONG_HAUL_AIRPORTS = frozenset(DESTINATION_AIRPORTS[DESTINATION_AIRPORTS.index("JFK") :])

HOME_STATIONS: tuple[str, ...] = ("Lausanne", "Lausanne", "Lausanne", "Geneva", "Zurich")
TRAIN_DESTINATIONS: tuple[str, ...] = (
    "Zurich",
    "Bern",
    "Basel",
    "Geneva",
    "Fribourg",
    "Lucerne",
    "Lugano",
    "Neuchâtel",
    "Sion",
    "Winterthur",
    "St. Gallen",
    "Paris",
    "Lyon",
    "Milan",
    "Turin",
    "Berlin",
    "Munich",
    "Frankfurt am Main",
    "Stuttgart",
    "Vienna",
    "Brussels",
    "Amsterdam",
    "Strasbourg",
    "Grenoble",
    "Cologne",
    "Marseille",
    "Florence",
)

BUILDINGS: tuple[str, ...] = (
    "CH",
    "BC",
    "INJ",
    "SV",
    "AAC",
    "GC",
    "ME",
    "ELA",
    "MXC",
    "PH",
    "CM",
    "BS",
    "AI",
    "INF",
    "Génopode",
    "Amphipôle",
    "Géopolis",
    "Biophore",
    "Anthropole",
    "Internef",
)
ROOM_TYPES: tuple[str, ...] = (
    "office",
    "office",
    "office",
    "laboratories",
    "laboratories",
    "archives",
    "libraries",
    "auditoriums",
    "miscellaneous",
)
ROOM_SURFACE_M2: dict[str, tuple[float, float]] = {
    "office": (12.0, 40.0),
    "laboratories": (25.0, 140.0),
    "archives": (10.0, 60.0),
    "libraries": (80.0, 600.0),
    "auditoriums": (120.0, 450.0),
    "miscellaneous": (5.0, 50.0),
}

# fuel -> (unit, typical yearly quantity range)
FUELS: dict[str, tuple[str, float, float]] = {
    "natural_gas": ("kWh", 10_000.0, 120_000.0),
    "heating_oil": ("l", 500.0, 8_000.0),
    "biomethane": ("kWh", 5_000.0, 80_000.0),
    "pellets": ("kg", 1_000.0, 15_000.0),
    "forest_chips": ("kg", 2_000.0, 30_000.0),
    "wood_logs": ("kg", 500.0, 10_000.0),
    "other": ("kWh", 1_000.0, 20_000.0),
}

# data entry type id -> (equipment class, optional sub class, display names)
EQUIPMENT: dict[int, tuple[tuple[str, str | None, tuple[str, ...]], ...]] = {
    10: (
        ("fume_hood", None, ("Fume hood",)),
        ("freezer", "ultra_low_temperature", ("-80 °C freezer",)),
        ("freezer", None, ("-20 °C freezer",)),
        ("centrifuge", None, ("Benchtop centrifuge",)),
        ("incubator", None, ("CO2 incubator",)),
        ("microscope", None, ("Confocal microscope", "Inverted microscope")),
        ("mass_spectrometer", None, ("LC-MS mass spectrometer",)),
        ("pcr_machine", None, ("qPCR thermocycler",)),
    ),
    11: (
        ("desktop", None, ("Desktop workstation",)),
        ("laptop", None, ("Laptop",)),
        ("monitor", None, ("27-inch monitor",)),
        ("server", None, ("Rack server",)),
        ("printer", None, ("Network printer",)),
    ),
    12: (
        ("fridge", None, ("Kitchen fridge",)),
        ("coffee_machine", None, ("Coffee machine",)),
        ("water_heater", None, ("Kettle",)),
        ("projector", None, ("Projector",)),
    ),
}

# data entry type id -> purchase institutional codes and item names
PURCHASES: dict[int, tuple[tuple[str, tuple[str, ...]], ...]] = {
    60: (("41100000", ("Spectrophotometer", "Oscilloscope", "Pipette set")),),
    61: (("43210000", ("Laptops", "Workstations", "Storage array")),),
    62: (("41120000", ("Glassware", "Filters", "Gloves")),),
    63: (("12140000", ("Solvents", "Reagents", "Helium cylinders")),),
    64: (("80100000", ("Consulting", "Maintenance contract", "Event catering")),),
    65: (("25100000", ("Electric van", "Utility vehicle")),),
    66: (("56100000", ("Office furniture", "Books", "Printed posters")),),
}
CURRENCIES: tuple[str, ...] = ("CHF", "CHF", "CHF", "EUR", "EUR", "USD")

FACILITIES: dict[int, tuple[tuple[str, str], ...]] = {
    70: (("cime", "hours"), ("cmi_cleanroom", "hours"), ("scitas_hpc", "core_hours")),
    71: (("animal_facility_mice", "cage_days"), ("animal_facility_fish", "tank_days")),
}

CLOUD_PROVIDERS: tuple[str, ...] = ("aws", "azure", "google_cloud", "switch")
CLOUD_SERVICES: tuple[str, ...] = ("virtualisation", "compute", "storage")
AI_PROVIDERS: tuple[str, ...] = ("openai", "anthropic", "mistral_ai", "google", "cohere", "others")
AI_USAGES: tuple[str, ...] = ("chat", "code", "image")
AI_REQUEST_BANDS: tuple[str, ...] = ("1-5", "5-20", "20-100", ">100")

PROCESS: tuple[tuple[str, str | None], ...] = (
    ("co2", None),
    ("ch4", None),
    ("n2o", None),
    ("refrigerants", "R134a"),
    ("refrigerants", "R410A"),
)
