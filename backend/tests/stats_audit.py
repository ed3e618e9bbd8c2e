"""The stats invariant, checked from the stored rows: every module's stats (total, scopes,
entry count) equal the sums of its emission rows and entries, and every report's stats equal
the sums over all its modules' rows (not over their stats, so a stale module shows too)."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.emission_types import scope_of
from app.models import CarbonReport, CarbonReportModule, DataEntry, DataEntryEmission

_KEYS = ("total", "scope1", "scope2", "scope3", "entry_count")


def _sums() -> dict[str, float]:
    return dict.fromkeys(_KEYS, 0.0)


async def _sums_by_module(session: AsyncSession) -> defaultdict[int, dict[str, float]]:
    sums: defaultdict[int, dict[str, float]] = defaultdict(_sums)
    emission_rows = await session.execute(
        select(
            DataEntry.carbon_report_module_id,
            DataEntryEmission.emission_type_id,
            func.sum(DataEntryEmission.kg_co2eq),
        )
        .join(DataEntry, DataEntry.id == DataEntryEmission.data_entry_id)
        .group_by(DataEntry.carbon_report_module_id, DataEntryEmission.emission_type_id)
    )
    for module_id, code, kg in emission_rows:
        sums[module_id]["total"] += kg
        scope = scope_of(code)
        if scope is not None:
            sums[module_id][f"scope{scope}"] += kg
    entry_rows = await session.execute(
        select(DataEntry.carbon_report_module_id, func.count()).group_by(
            DataEntry.carbon_report_module_id
        )
    )
    for module_id, count in entry_rows:
        sums[module_id]["entry_count"] = count
    return sums


def _differences(what: str, stats: dict[str, Any] | None, expected: dict[str, float]) -> list[str]:
    stats = stats or {}
    return [
        f"{what} {key}: stats say {stats.get(key)!r}, rows sum to {expected[key]!r}"
        for key in _KEYS
        if not isinstance(stats.get(key), int | float)
        or not math.isclose(stats[key], expected[key], rel_tol=1e-9, abs_tol=1e-9)
    ]


async def stats_mismatches(session: AsyncSession) -> list[str]:
    """One line per stats value that differs from its rows' sum; [] when all agree."""
    by_module = await _sums_by_module(session)
    by_report: defaultdict[int, dict[str, float]] = defaultdict(_sums)
    problems: list[str] = []
    modules = await session.execute(
        select(CarbonReportModule.id, CarbonReportModule.carbon_report_id, CarbonReportModule.stats)
    )
    for module_id, report_id, stats in modules:
        expected = by_module[module_id]
        problems += _differences(f"module {module_id}", stats, expected)
        for key in _KEYS:
            by_report[report_id][key] += expected[key]
    for report_id, stats in await session.execute(select(CarbonReport.id, CarbonReport.stats)):
        problems += _differences(f"report {report_id}", stats, by_report[report_id])
    return problems


async def committed_stats_mismatches(
    session_factory: async_sessionmaker[AsyncSession],
) -> list[str]:
    """`stats_mismatches` of what is committed, read on a session of its own."""
    async with session_factory() as session:
        return await stats_mismatches(session)
