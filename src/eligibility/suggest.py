""""Did you mean …?" hints shared by profile and rule-pack errors."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, choices: Iterable[str]) -> str | None:
    """Return the known name closest to ``word``, or ``None`` when nothing is close."""
    # Ordered collections keep their order (the first field wins a tie); sets are sorted
    # so that the hint never depends on hash order.
    pool = list(choices) if isinstance(choices, (list, tuple, dict)) else sorted(choices)
    matches = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if matches:
        return str(matches[0])
    # Prefix typing ("sev" for "severity") is a common slip that difflib scores low.
    prefixed = [choice for choice in pool if word and choice.startswith(word.lower())]
    return prefixed[0] if prefixed else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A sentence fragment such as " (did you mean 'severity'?)", or an empty string."""
    match = closest(word, choices)
    return f" (did you mean '{match}'?)" if match else ""
