"""``python -m eligibility`` is the ``eligibility`` command."""

from eligibility.cli import entry_point

entry_point()
