"""The fixed JSON text of a batch record around its per-patient parts.

``services/pipeline.py`` writes records by joining remembered pieces; these are the pieces
that never change within a run (a record's head, an option's frame), written exactly as
``render/record.py`` writes them so the two paths give the same bytes.
"""

from __future__ import annotations

from pydantic_core import to_json

from eligibility.engine.decide import OptionPlan


def json_text(value: object) -> str:
    """``value`` as compact JSON text, as pydantic writes it in records."""
    return to_json(value).decode()


def head_text(profile: str, source: str) -> str:
    return f'{{"profile":{json_text(profile)},"source":{json_text(source)}'


def option_frame(option: OptionPlan) -> tuple[str, str, str]:
    """The text around an option's per-patient parts, as ``render/record.py`` writes it."""
    static = json_text({"id": option.id, "name": option.name, "kind": option.kind,
                    "evidence": option.evidence})
    notes = "[" + ",".join(note.model_dump_json() for note in option.notes) + "]"
    return (f'{static[:-1]},"status":"', f',"summary":{json_text(option.summary)},"reasons":[',
            f',"notes":{notes}}}')
