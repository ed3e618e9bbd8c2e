"""The suite's hypothesis profiles: `pytest --hypothesis-profile=long` runs many random examples,
longer ones, for the property tests and for the bounded suites (the consistency model, the API
fuzzing), which otherwise run their own few fixed examples. Hypothesis loads its own `ci`
profile when the CI variable is set: that one must keep the bounds too (it once ran the
consistency model with a hundred examples, over nine minutes of a CI run)."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, Phase, settings

LONG = "long"

settings.register_profile(
    LONG,
    max_examples=int(os.environ.get("CO2CALC_LONG_EXAMPLES", "200")),
    stateful_step_count=30,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)


def unless_long(bounded: settings, **long_run: Any) -> settings:
    """A bounded suite's settings: `bounded`, unless the long profile is chosen; then that
    profile, with `long_run` on top."""
    if settings.get_current_profile_name() != LONG:
        return bounded
    return settings(settings(), **long_run)
