"""Hypothesis settings profiles, registered in one place and chosen by an env variable.

``dev`` (the default) is quick, ``ci`` (the default when ``CI`` is set) is deeper and
derandomized so a CI run is reproducible, ``compat`` is ``ci`` with a third of the
examples (CI's runs on the other supported Pythons, which look for a version's breakage,
not for new counterexamples: those the main run's 300 examples hunt), ``thorough`` is for
a long local run.
``HYPOTHESIS_PROFILE`` picks one explicitly.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILES = ("dev", "ci", "compat", "thorough")


def register_profiles(load: bool = True) -> str:
    """Register ``dev``, ``ci``, ``compat`` and ``thorough``; load the chosen one; return
    its name."""
    settings.register_profile("dev", max_examples=100, deadline=None)
    settings.register_profile("ci", max_examples=300, deadline=None, derandomize=True,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("compat", max_examples=100, deadline=None, derandomize=True,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("thorough", max_examples=5000, deadline=None)
    name = chosen_profile()
    if load:
        settings.load_profile(name)
    return name


def chosen_profile() -> str:
    """``HYPOTHESIS_PROFILE`` if set, else ``ci`` when ``CI`` is set, else ``dev``."""
    return os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
