"""Pure emission calculators: (entry data, report year, factor index) -> emission rows. No I/O.

Public API:
- `FactorIndex.build(factors)` once per run, then `compute_entry(type_id, data, year, index)`
  per entry: its rows, or the `EntryError` (see errors.py) that leaves it without, the
  plausible bound included; `compute_emissions` is the calculators' raw rows.
- `validate_entry(type_id, raw)` for imports; `ENTRY_FIELDS` / `FACTOR_FIELDS` for header checks.
"""

from app.emissions.base import EmissionRow, EntryError, FactorRecord
from app.emissions.compute import compute_emissions
from app.emissions.entry import compute_entry
from app.emissions.errors import EntryValidationError, FactorFileError
from app.emissions.index import Factor, FactorIndex
from app.emissions.specs import ENTRY_FIELDS, FACTOR_FIELDS, EntrySpec, FactorSpec
from app.emissions.validation import validate_entry

__all__ = [
    "ENTRY_FIELDS",
    "FACTOR_FIELDS",
    "EmissionRow",
    "EntryError",
    "EntrySpec",
    "EntryValidationError",
    "Factor",
    "FactorFileError",
    "FactorIndex",
    "FactorRecord",
    "FactorSpec",
    "compute_emissions",
    "compute_entry",
    "validate_entry",
]
