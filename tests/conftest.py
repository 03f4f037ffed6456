"""Shared test settings. Test folders have no __init__.py (pytest runs with --import-mode=importlib)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# CI gets more examples than a developer's run, from a fixed seed so that a landing is never decided by
# chance; developers' runs explore new examples each time (and replay failures from .hypothesis/).
settings.register_profile(
    "ci", max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))
