"""One width policy and one box style for every human view, on a terminal or piped.

Width: ``COLUMNS`` when it is set, else the terminal's width, else ``FALLBACK`` (100)
columns: the same for ``evaluate``, ``explain`` and ``rules``, so a piped view is as
wide as ``COLUMNS`` says and never depends on which command made it. Tables draw with
one box style (``BOX``) whether on a terminal or not; only colour depends on that.
"""

from __future__ import annotations

import shutil
from typing import TextIO

from rich import box
from rich.console import Console

FALLBACK = 100
#: Below this a view cannot be laid out sensibly; narrower requests are widened to it.
NARROWEST = 40
BOX = box.SIMPLE


def output_width() -> int:
    """``COLUMNS``, else the terminal's width, else 100 (never under ``NARROWEST``)."""
    return max(NARROWEST, shutil.get_terminal_size((FALLBACK, 24)).columns)


def console_for(out: TextIO, width: int | None = None) -> Console:
    """A console writing to ``out`` at the policy's width; colour only on a terminal."""
    return Console(file=out, width=width or output_width(), highlight=False)
