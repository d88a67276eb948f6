"""Shared test setup: Hypothesis settings profiles, registered once, chosen by env var.

The profiles live in ``eligibility.testing.register_profiles`` (one place for this suite,
the downstream example and users): ``HYPOTHESIS_PROFILE=dev`` (default) is quick, ``ci``
(default when ``CI`` is set) is what CI runs, ``thorough`` is for a long local run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from eligibility.testing import register_profiles

register_profiles()

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
RULES = ROOT / "rules"


@pytest.fixture(autouse=True)
def _no_user_default_pack(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
                          ) -> None:
    """Tests see the shipped default pack, whatever the machine's user has chosen."""
    monkeypatch.delenv("ELIGIBILITY_RULES", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.getbasetemp() / "no-config"))


@pytest.fixture(autouse=True)
def _no_inherited_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see the documented default width (100) unless they set ``COLUMNS``: pytest-xdist
    sets ``COLUMNS=80`` in its workers, and a test's result must not depend on how it ran."""
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
