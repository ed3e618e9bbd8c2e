"""Progress is published by time: after `seconds` since the last publication, and always for
the final slice."""

from __future__ import annotations

from app.core.progress_pace import ProgressPace


def test_due_once_the_pace_has_passed_and_always_at_the_end() -> None:
    now = [100.0]
    pace = ProgressPace(seconds=0.5, clock=lambda: now[0])

    now[0] = 100.4
    assert not pace.due()
    now[0] = 100.5
    assert pace.due()
    now[0] = 100.6
    assert not pace.due()  # the wait starts again from the last publication
    assert pace.due(final=True)
    assert not pace.due()
