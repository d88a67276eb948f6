"""``python -m eligibility`` is the ``eligibility`` command.

Guarded: ``eligibility serve --workers N`` starts its workers by the spawn method, which
imports this module again in each worker (as ``__mp_main__``); the command must not run
there a second time.
"""

from eligibility.cli import entry_point

if __name__ == "__main__":
    entry_point()
