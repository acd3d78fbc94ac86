"""Hypothesis settings for the property tests: bounded, reproducible, no per-example deadline (2 busy cores)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "lueyang",
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "150")),
    deadline=None,
    derandomize=True,  # CI runs are reproducible; set HYPOTHESIS_PROFILE=explore to search further
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("explore", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "lueyang"))
