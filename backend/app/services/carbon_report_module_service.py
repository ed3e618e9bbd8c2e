"""Module and report stats, recomputed set-based from the stored emission rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.wording import count
from app.domain.stats import build_module_stats, sum_stats
from app.models.base import utcnow
from app.repositories.carbon_report_repo import CarbonReportRepository
from app.repositories.data_entry_emission_repo import DataEntryEmissionRepository
from app.repositories.data_entry_repo import DataEntryRepository

# Modules per read of a big job's stats refresh on SQLite, which reports how far it got after
# each part: 300 modules holding 1,000,000 emission rows were one read of 5.6 s, longer than the
# 2 s a progress bar may stand still. SQLite reads each module's rows through the indexes, so
# parts add nothing; PostgreSQL reads a big refresh with one scan of the emission rows, which
# each part would repeat (12 parts: 1.2 -> 5.4 s at 1,000,000 rows), and does it in a second.
STATS_PART_MODULES = 25

# Told after each part of a refresh in several: modules done, modules in all.
StatsProgress = Callable[[int, int], Awaitable[None]]


def refreshing_stats(done: int, modules: int) -> str:
    """The progress message of a stats refresh, as every job shows it."""
    message = f"Refreshing the stats of {count(modules, 'module')}..."
    return f"{message} {done}/{modules}" if done else message


class CarbonReportModuleService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.reports = CarbonReportRepository(session)
        self.entries = DataEntryRepository(session)
        self.emissions = DataEntryEmissionRepository(session)

    async def recompute_stats(
        self, module_ids: Iterable[int], *, on_part: StatsProgress | None = None
    ) -> dict[int, dict[str, Any]]:
        """Rewrite the stats of these modules and of their reports; returns module stats.

        Every writer of stats calls this, after its own row changes: it first locks the
        reports' stats (`lock_stats`), so parallel writers of one report run one after the
        other and each reads sums that include the others' committed changes. Then the
        report ids, the emission sums grouped by module and emission type and the entry
        counts (on SQLite with `on_part`, STATS_PART_MODULES modules at a time, `on_part`
        hearing after each part), and two executemany writes. A module without rows gets
        zeros. Unknown module ids are ignored.
        """
        report_of_module = await self.reports.map_report_ids_of_modules(set(module_ids))
        if not report_of_module:
            return {}
        await self.reports.lock_stats(set(report_of_module.values()))
        ids = sorted(report_of_module)
        kg_by_module: defaultdict[int, dict[int, float]] = defaultdict(dict)
        counts: dict[int, int] = {}
        in_parts = on_part is not None and self.session.get_bind().dialect.name == "sqlite"
        size = STATS_PART_MODULES if in_parts else len(ids)
        for start in range(0, len(ids), size):
            part = ids[start : start + size]
            for module_id, code, kg in await self.emissions.sum_by_module_and_emission_type(part):
                kg_by_module[module_id][code] = kg
            counts.update(await self.entries.count_by_module(part))
            if on_part is not None and len(ids) > size:
                await on_part(start + len(part), len(ids))
        now = utcnow()
        stats = {
            module_id: build_module_stats(
                kg_by_module.get(module_id, {}),
                entry_count=counts.get(module_id, 0),
                computed_at=now,
            )
            for module_id in ids
        }
        await self.reports.set_module_stats(stats, updated_at=now)
        await self._recompute_report_stats(set(report_of_module.values()))
        return stats

    async def _recompute_report_stats(self, report_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """Report stats = key-wise sum of its modules' stored stats (under `lock_stats`)."""
        parts: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
        for report_id, module_stats in await self.reports.list_module_stats_of_reports(
            set(report_ids)
        ):
            parts[report_id].append(module_stats)
        now = utcnow()
        stats = {report_id: sum_stats(part, computed_at=now) for report_id, part in parts.items()}
        await self.reports.set_report_stats(stats)
        return stats
