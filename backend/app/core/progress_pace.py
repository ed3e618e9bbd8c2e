"""When a job publishes its progress: by time as well as by batch.

A bar that moves only when a batch ends stands still as long as the batch takes, and a piece
of work smaller than a batch never moves it at all. Jobs work in slices small enough to take
well under a second, and publish after a slice once `PACE_SECONDS` passed since the last
publication, and always after the last slice.
"""

from __future__ import annotations

import time
from collections.abc import Callable

# Under the one second a reader of the bar should wait at most between two moves.
PACE_SECONDS = 0.5
# Rows computed or checked between two looks at the clock (milliseconds of pure work).
SLICE_ROWS = 500


class ProgressPace:
    def __init__(
        self, seconds: float = PACE_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self.clock = clock
        self.last = clock()

    def due(self, *, final: bool = False) -> bool:
        """Whether to publish now (always for the final slice); starts the next wait if so."""
        now = self.clock()
        if final or now - self.last >= self.seconds:
            self.last = now
            return True
        return False
