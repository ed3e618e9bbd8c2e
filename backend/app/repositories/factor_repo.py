"""Queries on emission factors, and the set-based upsert a factor import needs."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from sqlalchemy import bindparam, delete, insert, select, update

from app.emissions.base import FactorRecord
from app.emissions.factor_diff import (
    ChangedFactor,
    FactorUpsertCounts,
    NewFactor,
    StoredFactor,
    diff_factors,
)
from app.models import Factor
from app.repositories.base import Repository, table_of

_CHUNK = 10_000


class FactorRepository(Repository[Factor]):
    model = Factor

    async def list_by_data_entry_type_and_year(
        self, data_entry_type_id: int, year: int
    ) -> list[Factor]:
        return await self.list_by_data_entry_types_and_year([data_entry_type_id], year)

    async def list_by_data_entry_types_and_year(
        self, data_entry_type_ids: Collection[int], year: int
    ) -> list[Factor]:
        if not data_entry_type_ids:
            return []
        return await self.get_all(
            select(Factor)
            .where(Factor.data_entry_type_id.in_(set(data_entry_type_ids)), Factor.year == year)
            .order_by(Factor.data_entry_type_id, Factor.classification_key)
        )

    async def upsert(
        self,
        year: int,
        records: Iterable[FactorRecord],
        *,
        data_entry_type_ids: Collection[int],
        remove_missing: bool,
        job_id: int | None = None,
    ) -> FactorUpsertCounts:
        """Make the factors of (types, year) match `records`, keeping ids of known identities.

        The rules are `diff_factors`'; removed factors' emission rows keep their kg and their
        factor_ref_id, with factor_id set to NULL. Inserted and updated factors record
        `job_id` as the import that changed them; an update bumps the revision. One read,
        then at most one executemany INSERT, one executemany UPDATE and one chunked DELETE.
        """
        stored = await self._stored_identities(year, data_entry_type_ids)
        diff = diff_factors(
            year,
            records,
            stored,
            data_entry_type_ids=data_entry_type_ids,
            remove_missing=remove_missing,
        )
        await self._insert_new(year, diff.to_insert, job_id)
        await self._update_changed(diff.to_update, job_id)
        await self._delete_by_ids(diff.to_remove)
        return diff.counts

    async def _stored_identities(
        self, year: int, data_entry_type_ids: Collection[int]
    ) -> list[StoredFactor]:
        table = table_of(Factor)
        rows = await self.session.execute(
            select(
                table.c.id,
                table.c.data_entry_type_id,
                table.c.classification_key,
                table.c.classification,
                table.c["values"],
            ).where(table.c.data_entry_type_id.in_(set(data_entry_type_ids)), table.c.year == year)
        )
        return [StoredFactor(*row) for row in rows]

    async def _insert_new(
        self, year: int, factors: Sequence[NewFactor], job_id: int | None
    ) -> None:
        if not factors:
            return
        await self.session.execute(
            insert(table_of(Factor)),
            [
                {
                    "data_entry_type_id": factor.data_entry_type_id,
                    "year": year,
                    "classification": factor.classification,
                    "classification_key": factor.classification_key,
                    "values": factor.values,
                    "changed_by_job_id": job_id,
                }
                for factor in factors
            ],
        )

    async def _update_changed(self, factors: Sequence[ChangedFactor], job_id: int | None) -> None:
        if not factors:
            return
        table = table_of(Factor)
        await self.session.execute(
            update(table)
            .where(table.c.id == bindparam("factor_id"))
            .values(
                {
                    table.c.classification: bindparam("new_classification"),
                    table.c["values"]: bindparam("new_values"),
                    table.c.revision: table.c.revision + 1,
                    table.c.changed_by_job_id: bindparam("job_id"),
                }
            ),
            [
                {
                    "factor_id": factor.id,
                    "new_classification": factor.classification,
                    "new_values": factor.values,
                    "job_id": job_id,
                }
                for factor in factors
            ],
        )

    async def _delete_by_ids(self, factor_ids: Sequence[int]) -> None:
        table = table_of(Factor)
        for start in range(0, len(factor_ids), _CHUNK):
            await self.session.execute(
                delete(table).where(table.c.id.in_(factor_ids[start : start + _CHUNK]))
            )

    # --- read API (GET /factors)

    async def list_page(
        self,
        year: int,
        *,
        data_entry_type_ids: Collection[int] | None = None,
        limit: int,
        offset: int,
    ) -> tuple[list[Factor], int]:
        """Factors of the year (of these types when given), by type then classification."""
        statement = select(Factor).where(Factor.year == year)
        if data_entry_type_ids is not None:
            statement = statement.where(Factor.data_entry_type_id.in_(set(data_entry_type_ids)))
        return await self.paginate(
            statement.order_by(Factor.data_entry_type_id, Factor.classification_key, Factor.id),
            limit=limit,
            offset=offset,
        )
