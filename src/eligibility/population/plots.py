"""The screening report's charts: matplotlib figures rendered to SVG text, same bytes each time.

An SVG from matplotlib carries a date and ids drawn from a random salt unless told not
to: the salt is fixed (``svg.hashsalt``), the date left out, text kept as text (no glyph
paths whose ids would vary with the fonts cached), so the same counts give the same
bytes. The Agg backend is used: no display is needed.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

COLOURS = {"candidate": "#2b8a3e", "needs_information": "#e8a317", "not_candidate": "#9aa5b1"}
STYLE: dict[Any, Any] = {"svg.hashsalt": "eligibility-screen", "svg.fonttype": "none", "font.size": 9.0,
         "axes.spines.top": False, "axes.spines.right": False}


def stacked_bars(labels: Sequence[str], series: Mapping[str, Sequence[int]], title: str) -> str:
    """Horizontal bars, one per label, stacked by series (a status each): an ``<img>``."""
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(7.0, 0.45 * len(labels) + 1.2))
        lefts = [0] * len(labels)
        for name, values in series.items():
            axes.barh(labels, values, left=lefts, color=COLOURS.get(name, "#4c6ef5"),
                      label=name.replace("_", " "))
            lefts = [left + value for left, value in zip(lefts, values, strict=True)]
        axes.invert_yaxis()
        axes.set_title(title, loc="left", pad=22)
        axes.set_xlabel("patients")
        # Above the bars, never over them.
        axes.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=len(series), frameon=False,
                    fontsize=8)
        return _image(figure, title)


def bars(labels: Sequence[str], values: Sequence[int], title: str) -> str:
    """Horizontal bars, one per label, largest at the top: an ``<img>``."""
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(7.0, 0.4 * max(len(labels), 1) + 1.2))
        axes.barh(list(labels), list(values), color="#4c6ef5")
        axes.invert_yaxis()
        axes.set_title(title, loc="left")
        axes.set_xlabel("patients")
        return _image(figure, title)


def svg_bytes(figure: Figure) -> bytes:
    """The figure as SVG, without a date; the figure is closed."""
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(figure)
    return buffer.getvalue()


def _image(figure: Figure, title: str) -> str:
    """An ``<img>`` holding the SVG as a data URI: each chart keeps its own element ids
    (matplotlib names them figure_1, patch_1, ... in every SVG), which inline SVGs in one
    page would share."""
    data = base64.b64encode(svg_bytes(figure)).decode("ascii")
    alt = html.escape(title, quote=True)
    return f'<img alt="{alt}" src="data:image/svg+xml;base64,{data}">'

