"""What mapping one FHIR patient gives: a profile or the problems, with notes and provenance.

``FhirPatient`` is the seam other faces build on (the CDS Hooks service, population
screening, the command line): it is frozen all the way down (tuples and read-only
mappings), so one caller cannot change what another holds. Problems name FHIR element
paths (``Patient.birthDate``, ``Observation.valueQuantity.code``) and the resource, because
that is what the person fixing the record sees in their EHR.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from eligibility.errors import Problem, ProfileError
from eligibility.model.profile import Profile


@dataclass(frozen=True)
class FhirNote:
    """Something the record should say that is not a field: ``code`` is stable, for programs
    (``no_active_diagnosis``, ``conflicting_severity``, ``deceased``, ...)."""

    code: str
    text: str
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class FhirPatient:
    """One Patient mapped: ``profile`` when it is valid, else ``problems`` (never both).

    ``provenance`` maps a profile field to the resources its value came from
    (``{"severity": ("Condition/c1",)}``); ``has_active_diagnosis`` says whether an active,
    not refuted atopic dermatitis Condition was found (without one no option can be a
    candidate: severity stays unknown).
    """

    patient_id: str
    profile: Profile | None
    problems: tuple[Problem, ...] = ()
    notes: tuple[FhirNote, ...] = ()
    has_active_diagnosis: bool = False
    provenance: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({}))
    deceased: bool = False

    @property
    def ok(self) -> bool:
        return self.profile is not None

    def error(self) -> ProfileError:
        """The problems as one error (the first names the field), for error records."""
        if not self.problems:
            raise ValueError(f"Patient/{self.patient_id} has a profile, not an error")
        shown = self.problems[:10]
        message = "; ".join(problem.message for problem in shown)
        if len(self.problems) > len(shown):
            message += f"; and {len(self.problems) - len(shown)} more"
        return ProfileError(message, field=shown[0].field, problems=shown)


class Mapped:
    """What the mappers of one patient collect, before it is frozen into a ``FhirPatient``."""

    def __init__(self) -> None:
        self.fields: dict[str, object] = {}
        self.sources: dict[str, set[str]] = {}
        self.notes: list[FhirNote] = []
        self.problems: list[Problem] = []

    def set(self, name: str, value: object, *references: str) -> None:
        self.fields[name] = value
        self.sources.setdefault(name, set()).update(references)

    def note(self, code: str, text: str, *references: str) -> None:
        self.notes.append(FhirNote(code, text, tuple(sorted(set(references)))))

    def problem(self, reference: str, path: str, message: str) -> None:
        self.problems.append(Problem(f"{reference} {path}: {message}", field=path))

    def provenance(self) -> Mapping[str, tuple[str, ...]]:
        return MappingProxyType({name: tuple(sorted(refs))
                                 for name, refs in sorted(self.sources.items()) if refs})

    def frozen_notes(self) -> tuple[FhirNote, ...]:
        """Notes in an order that does not depend on the order of the resources."""
        return tuple(sorted(self.notes, key=lambda note: (note.code, note.references, note.text)))
