"""The per (module, year) sync scope row: factor sequence and SQLite's lock row."""

from __future__ import annotations

from sqlalchemy import select

from app.models import SyncScope
from app.repositories.base import Repository, insert_for, table_of


class SyncScopeRepository(Repository[SyncScope]):
    model = SyncScope

    async def get(self, module_type_id: int, year: int) -> SyncScope | None:
        return await self.get_one_or_none(
            select(SyncScope).where(
                SyncScope.module_type_id == module_type_id, SyncScope.year == year
            )
        )

    async def get_or_create(self, module_type_id: int, year: int) -> SyncScope:
        """The scope row, inserted when missing (safe against a concurrent creator)."""
        await self.session.execute(
            insert_for(self.session, table_of(SyncScope))
            .values(module_type_id=module_type_id, year=year, factor_sequence=0)
            .on_conflict_do_nothing(index_elements=["module_type_id", "year"])
        )
        scope = await self.get(module_type_id, year)
        assert scope is not None  # just ensured
        return scope
