"""Queries on emission factors, and the set-based upsert a factor import needs."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, insert, select, update

from app.emissions.base import FactorRecord
from app.models import Factor, classification_key
from app.repositories.base import Repository, table_of

_CHUNK = 10_000


@dataclass(frozen=True, slots=True)
class FactorUpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


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
    ) -> FactorUpsertCounts:
        """Make the factors of (types, year) match `records`, keeping ids of known identities.

        Identity is (type, year, classification_key); a later record of the same identity
        wins. With `remove_missing`, stored identities of these types absent from `records`
        are deleted (their emission rows keep their kg, with factor_id set to NULL).
        One read, then at most one executemany INSERT, one executemany UPDATE, one DELETE.
        """
        scope = set(data_entry_type_ids)
        incoming: dict[tuple[int, str], FactorRecord] = {}
        for record in records:
            if record.year != year or record.data_entry_type_id not in scope:
                raise ValueError(
                    f"factor of type {record.data_entry_type_id}, year {record.year} is outside "
                    f"the import scope (types {sorted(scope)}, year {year})"
                )
            incoming[(record.data_entry_type_id, classification_key(record.classification))] = (
                record
            )

        table = table_of(Factor)
        existing_rows = await self.session.execute(
            select(
                table.c.id,
                table.c.data_entry_type_id,
                table.c.classification_key,
                table.c.classification,
                table.c["values"],
            ).where(table.c.data_entry_type_id.in_(scope), table.c.year == year)
        )
        existing = {(row[1], row[2]): (row[0], row[3], row[4]) for row in existing_rows}

        to_insert = []
        to_update = []
        unchanged = 0
        for identity, record in incoming.items():
            classification = dict(record.classification)
            values = dict(record.values)
            known = existing.get(identity)
            if known is None:
                to_insert.append(
                    {
                        "data_entry_type_id": identity[0],
                        "year": year,
                        "classification": classification,
                        "classification_key": identity[1],
                        "values": values,
                    }
                )
            elif known[1] == classification and known[2] == values:
                unchanged += 1
            else:
                to_update.append(
                    {
                        "factor_id": known[0],
                        "new_classification": classification,
                        "new_values": values,
                    }
                )
        to_remove = (
            sorted(known[0] for identity, known in existing.items() if identity not in incoming)
            if remove_missing
            else []
        )

        if to_insert:
            await self.session.execute(insert(table), to_insert)
        if to_update:
            await self.session.execute(
                update(table)
                .where(table.c.id == bindparam("factor_id"))
                .values(
                    {
                        table.c.classification: bindparam("new_classification"),
                        table.c["values"]: bindparam("new_values"),
                    }
                ),
                to_update,
            )
        for start in range(0, len(to_remove), _CHUNK):
            await self.session.execute(
                delete(table).where(table.c.id.in_(to_remove[start : start + _CHUNK]))
            )
        return FactorUpsertCounts(
            inserted=len(to_insert),
            updated=len(to_update),
            unchanged=unchanged,
            removed=len(to_remove),
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
