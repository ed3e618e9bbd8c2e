"""Factor files for tests that need an import to change something: a factor import that
changes no factor leaves the recalculation status as it was."""

from __future__ import annotations

import csv
import io

from app import paths


def scaled_factor_file(type_name: str, column: str, factor: float, *, year: int) -> str:
    """The shipped factor file of a type for the year, with one value column multiplied."""
    text = (paths.factors_dir(year) / f"{type_name}.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        row[column] = f"{float(row[column]) * factor:.6g}"
        writer.writerow(row)
    return out.getvalue()
