"""The screening report: one self-contained HTML file with its charts, and a text summary.

Both are made from the counts alone (``tally.ScreenTally``), with no clock, host or path
beyond what the caller names, so the same population gives the same bytes. Every text
that came from input or a pack is escaped. The report says what the counts are and are
not: a screening for a clinician to follow up, never a list of prescriptions.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass

from eligibility.population.tally import STATUSES, ScreenTally
from eligibility.rulepack.model import RulePack

WORDS = {"candidate": "candidate", "needs_information": "needs information",
         "not_candidate": "not a candidate"}
CAVEAT = ("A screening for follow-up, not a prescription: each candidate needs a clinician's "
          "assessment, and 'needs information' means a field the record does not give decides.")


@dataclass(frozen=True)
class ReportContext:
    """What the report names besides the counts: the pack, the date and the input."""

    pack: RulePack
    as_of: dt.date | None
    source: str


def _labels(pack: RulePack) -> list[tuple[str, str]]:
    return [(option.id, option.label + (" *" if option.evidence == "investigational" else ""))
            for option in pack.options]


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def _share(part: int, whole: int) -> str:
    return f"{part:,} ({_percent(part, whole)})"


def summary_text(tally: ScreenTally, context: ReportContext) -> str:
    """The text summary on stdout: counts per option, the top missing fields, bands."""
    pack = context.pack
    lines = [f"Screened {tally.patients:,} patients from {context.source} with rule pack "
             f"{pack.name} {pack.info.version}" + (f", as of {context.as_of}" if context.as_of else "")
             + f": {tally.evaluated():,} evaluated, {tally.invalid:,} invalid.", ""]
    width = max([len(label) for _, label in _labels(pack)] + [6])
    lines.append(f"{'option':<{width}}  " + "  ".join(f"{WORDS[s]:>17}" for s in STATUSES))
    for option_id, label in _labels(pack):
        lines.append(f"{label:<{width}}  " + "  ".join(
            f"{tally.statuses[option_id, s]:>17,}" for s in STATUSES))
    lines += ["", "Most often missing (patients for whom an option needs it; it alone decides one):"]
    for name, count, alone in tally.top_missing(5):
        lines.append(f"  {name:<22} {count:>10,} ({_percent(count, tally.evaluated())}); alone {alone:,}")
    lines += ["", "By age band (a candidate for any option / needs information / neither):"]
    for band in tally.bands_seen():
        counts = [tally.overall[band, status] for status in STATUSES]
        lines.append(f"  {band:<22} {tally.bands[band]:>10,}  " + " / ".join(f"{c:,}" for c in counts))
    if any(label.endswith("*") for _, label in _labels(pack)):
        lines += ["", "* investigational: a candidate may be eligible for a clinical trial."]
    lines += ["", CAVEAT]
    return "\n".join(lines) + "\n"


def _table(head: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = "".join(f"<th>{html.escape(str(cell))}</th>" for cell in head)
    body = "".join("<tr>" + "".join(
        f"<td>{html.escape(f'{cell:,}' if isinstance(cell, int) else str(cell))}</td>"
        for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def report_html(tally: ScreenTally, context: ReportContext) -> str:
    """The whole report as one HTML document, charts inline as SVG.

    matplotlib (~40 MB) is imported here, once the rows are written, not while they are
    evaluated: the run's peak memory is the larger of the two phases, not their sum."""
    from eligibility.population import plots

    pack = context.pack
    labels = _labels(pack)
    evaluated = tally.evaluated()
    status_rows = [[label, *[_share(tally.statuses[option_id, s], evaluated) for s in STATUSES]]
                   for option_id, label in labels]
    status_chart = plots.stacked_bars(
        [label for _, label in labels],
        {s: [tally.statuses[option_id, s] for option_id, _ in labels] for s in STATUSES},
        "Status per option")
    top = tally.top_missing(10)
    missing_rows = [[name, count, _percent(count, evaluated), alone] for name, count, alone in top]
    missing_chart = plots.bars([name for name, _, _ in top], [count for _, count, _ in top],
                               "Patients for whom an option needs the field")
    bands = tally.bands_seen()
    band_chart = plots.stacked_bars(
        bands, {s: [tally.overall[band, s] for band in bands] for s in STATUSES},
        "Best status over the options, by age band")
    band_rows = [[band, tally.bands[band], *[
        f"{tally.band_statuses[band, option_id, 'candidate']:,} / "
        f"{tally.band_statuses[band, option_id, 'needs_information']:,}" for option_id, _ in labels]]
        for band in bands]
    error_rows = [[message, count] for message, count in
                  sorted(tally.errors.items(), key=lambda item: (-item[1], item[0]))[:10]]
    title = f"Screening: {tally.patients:,} patients, rule pack {pack.name} {pack.info.version}"
    dated = f", assessed as of {context.as_of}" if context.as_of else ""
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>", f"<style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>From {html.escape(context.source)}{html.escape(dated)}; rule pack {html.escape(pack.name)} "
        f"{html.escape(pack.info.version)} (knowledge as of {pack.info.as_of}, "
        f"{html.escape(pack.digest)}). {tally.evaluated():,} evaluated, {tally.invalid:,} "
        "invalid records (listed in screening.csv with their error).</p>",
        f'<p class="caveat">{html.escape(CAVEAT)}</p>',
        "<h2>Status per option</h2>", _table(["option", *[WORDS[s] for s in STATUSES]], status_rows),
        status_chart,
        "<h2>Information that would unlock the most patients</h2>",
        "<p>Per profile field: the patients for whom at least one option needs it, and those "
        "for whom it alone decides an option (filling it in settles that option).</p>",
        _table(["field", "patients", "share", "decides an option alone"], missing_rows),
        missing_chart if top else "",
        "<h2>By age band</h2>",
        "<p>Per option: candidates / needs information. An age that crosses a band edge "
        "(a birth year only) is counted as uncertain.</p>",
        _table(["age band", "patients", *[label for _, label in labels]], band_rows), band_chart,
    ]
    if error_rows:
        parts += ["<h2>Invalid records</h2>", _table(["error", "records"], error_rows)]
    if any(label.endswith("*") for _, label in labels):
        parts.append("<p>* investigational: a candidate may be eligible for a clinical trial of it, "
                     "whose protocol decides.</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


_STYLE = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
          "color:#1b1f24}table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #d0d7de;"
          "padding:.3rem .6rem;text-align:right}th:first-child,td:first-child{text-align:left}"
          ".caveat{background:#fff8e1;padding:.6rem;border-left:4px solid #e8a317}img{max-width:100%;"
          "height:auto}")
