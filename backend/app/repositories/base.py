"""The few generic queries every repository shares: one-or-none, paginate, keyset batches."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, Table, func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.models.base import Base

ModelT = TypeVar("ModelT", bound=Base)


class Repository(Generic[ModelT]):
    """Base of the repositories of one model; subclasses add named queries."""

    model: type[ModelT]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_id(self, id_: Any) -> ModelT | None:
        return await self.session.get(self.model, id_)

    async def get_one_or_none(self, statement: Select[ModelT]) -> ModelT | None:
        return (await self.session.execute(statement)).scalars().unique().one_or_none()

    async def get_all(self, statement: Select[ModelT]) -> list[ModelT]:
        return list((await self.session.execute(statement)).scalars().unique().all())

    async def paginate(
        self, statement: Select[ModelT], *, limit: int, offset: int
    ) -> tuple[list[ModelT], int]:
        """One page of `statement` (which must be ordered) and the total row count."""
        count_statement = select(func.count()).select_from(
            statement.order_by(None).options().subquery()
        )
        total = (await self.session.execute(count_statement)).scalar_one()
        items = await self.get_all(statement.limit(limit).offset(offset))
        return items, total

    def add(self, obj: ModelT) -> ModelT:
        self.session.add(obj)
        return obj


async def iter_keyset_batches(
    session: AsyncSession,
    statement: Select[*tuple[Any, ...]],
    keys: Sequence[ColumnElement[Any] | InstrumentedAttribute[Any]],
    *,
    batch_size: int,
    after: Sequence[Any] | None = None,
    extra_bounds: Callable[[tuple[Any, ...]], Iterable[ColumnElement[bool]]] | None = None,
) -> AsyncIterator[Sequence[Row[*tuple[Any, ...]]]]:
    """Rows of `statement` in batches ordered by `keys`, each batch one short query.

    `keys` must be unique together and selected by `statement` under their own names. Rows
    are plain tuples (no ORM identity map), so memory stays flat however many there are.
    `after` resumes behind a known key. `extra_bounds(last_key)` may add redundant
    predicates that help a planner start its scan at the cursor (on a joined table, say).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    names = [key.key for key in keys if key.key]
    if len(names) != len(keys):
        raise ValueError("keyset columns need names")
    last = tuple(after) if after is not None else None
    while True:
        page = statement.order_by(*keys).limit(batch_size)
        if last is not None:
            page = page.where(tuple_(*keys) > tuple_(*last))
            if extra_bounds is not None:
                page = page.where(*extra_bounds(last))
        rows = (await session.execute(page)).all()
        if not rows:
            return
        yield rows
        if len(rows) < batch_size:
            return
        mapping = rows[-1]._mapping
        last = tuple(mapping[name] for name in names)


def insert_for(session: AsyncSession, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT supporting ON CONFLICT on the session's database (both dialects have it)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def table_of(model: type[Base]) -> Table:
    """The Core table of a model, for set-based statements (executemany, ON CONFLICT)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
