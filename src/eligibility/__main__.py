"""``python -m eligibility`` is the ``eligibility`` command."""

from .cli import entry_point

entry_point()
