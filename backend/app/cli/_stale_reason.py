"""A status row's reason in one line, as `co2calc recalc status` shows it: what changed, by
which imports, how many entries it affects, and apart what a recalculation cannot fix."""

from __future__ import annotations

from app.core.wording import agree, count
from app.domain.recalculation_status import RecalculationStatusRow, StaleReason

# Import ids named in the line; the rest are counted ("#58, #57, #55 and 2 more").
_NAMED_IMPORTS = 3


def _imports(reason: StaleReason) -> str:
    listed = reason.factor_imports
    changed = sum(i.inserted + i.updated + i.removed for i in listed)
    ids = ", ".join(f"#{i.job_id}" for i in listed[:_NAMED_IMPORTS])
    more = reason.factor_imports_total - min(len(listed), _NAMED_IMPORTS)
    named = f"{ids} and {more} more" if more > 0 else ids
    noun = "import" if reason.factor_imports_total == 1 else "imports"
    when = listed[0].finished_at
    on = "" if when is None else f" on {when:%d %b}"
    # The changed factors are summed over the listed imports: a total past the cap is a floor.
    at_least = "at least " if reason.factor_imports_total > len(listed) else ""
    return f"{at_least}{count(changed, 'factor')} changed by {noun} {named}{on}"


def _affected(reason: StaleReason) -> str:
    if reason.affected_entries is None or reason.entries is None:
        return "entries not counted yet"
    entries = reason.entries
    return f"{reason.affected_entries:,} of {entries:,} {agree(entries, 'entry')} affected"


def reason_line(row: RecalculationStatusRow) -> str:
    """'2 factors changed by import #58 on 12 Mar, 412 of 3,185 entries affected; 5 match no
    factor (recalculating cannot fix them)'; empty for an up-to-date type that lacks nothing."""
    reason = row.reason
    parts: list[str] = []
    if row.needs_recalculation and reason.factor_imports:
        parts.append(f"{_imports(reason)}, {_affected(reason)}")
    unmatched = reason.unresolvable_entries
    if unmatched:
        verb, them = ("matches", "it") if unmatched == 1 else ("match", "them")
        parts.append(f"{unmatched:,} {verb} no factor (recalculating cannot fix {them})")
    return "; ".join(parts)
