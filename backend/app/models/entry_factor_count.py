"""EntryFactorCount: per (data entry type, year), how many entries the factors leave out of date.

Counted when a factor import that changed something commits (every entry resolved against the
new factors) and by `co2calc db upgrade` where never counted, reset when a recalculation of the
type succeeds and moved by every entry write (app.services.entry_count_changes), so the status
read is one small query whatever the number of entries. `counted_at` is when they were last
counted or moved.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class EntryFactorCount(Base):
    __tablename__ = "entry_factor_counts"

    data_entry_type_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    entries: Mapped[int] = mapped_column(Integer)
    # Entries (never one with an override) whose emissions were computed with a factor
    # version that is no longer the one they resolve to: a recalculation changes them.
    # NULL: not counted since the upgrade that added the table (`co2calc db upgrade` counts it).
    affected: Mapped[int | None] = mapped_column(Integer)
    # Entries no factor matches (or only an ambiguous or unusable one): a recalculation
    # leaves them without emissions; a factor file has to cover them.
    unresolvable: Mapped[int | None] = mapped_column(Integer)
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime)
