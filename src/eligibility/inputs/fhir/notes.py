"""A ``FhirPatient``'s notes as record notes: the same ``Note`` records packs write.

Notes go into the record's ``notes`` beside the pack's, so the output format does not
change: ``id`` is ``fhir.<code>``, the source names the mapping (its value-set version)
and, as detail, the resources the note is about.
"""

from __future__ import annotations

from eligibility.inputs.fhir.result import FhirNote
from eligibility.inputs.fhir.valuesets import TERMINOLOGY
from eligibility.model.assessment import Note, SourceRef

DOCUMENT = f"FHIR R4 input (eligibility value sets {TERMINOLOGY.version}, {TERMINOLOGY.date})"


def record_note(note: FhirNote) -> Note:
    return Note(id=f"fhir.{note.code}", text=note.text,
                source=SourceRef(document=DOCUMENT, section=note.code,
                                 detail=", ".join(note.references) or None))
