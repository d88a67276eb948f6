"""A FHIR R4 Bundle → its patients, in entry order, each with its own resources.

Two passes over the entries: first the Patients (their ids and fullUrls, in order), then
every resource read joined to its Patient by reference (``references.py``). A resource
naming a Patient the Bundle does not hold becomes its own problem group, after the
patients, so it is reported and never silently dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from eligibility.errors import Problem
from eligibility.inputs.fhir.elements import ID, Bad, array, obj, quoted, reference_of, text
from eligibility.inputs.fhir.medications import Finder, attach_medications
from eligibility.inputs.fhir.observations import MAX_WEIGHT_AGE
from eligibility.inputs.fhir.patient import READ, map_patient
from eligibility.inputs.fhir.references import (
    SUBJECT,
    full_url_aliases,
    patient_id,
    subject_reference,
    target_id,
)
from eligibility.inputs.fhir.result import FhirPatient

BUNDLE_TYPES = frozenset({"collection", "searchset", "transaction", "batch", "document"})


@dataclass(frozen=True)
class Group:
    """One patient's resources (``problem`` None), or a problem found while grouping.

    ``position`` is where it was found (``entry[3]``), ``patient_id`` whom it is about.
    """

    position: str
    patient_id: str
    resources: tuple[Mapping[str, Any], ...] = ()
    problem: Problem | None = None


def bundle_problem(bundle: object) -> Problem | None:
    """Why this value is not a Bundle this reader reads, or None."""
    if not isinstance(bundle, Mapping) or bundle.get("resourceType") != "Bundle":
        return Problem("not a FHIR Bundle (resourceType must be 'Bundle')", field="resourceType")
    kind = bundle.get("type")
    if kind not in BUNDLE_TYPES:
        return Problem(f"Bundle.type {quoted(kind)} is not read; one of "
                       f"{', '.join(sorted(BUNDLE_TYPES))} is", field="Bundle.type")
    return None


def bundle_groups(bundle: Mapping[str, Any]) -> Iterator[Group]:
    """Every Patient's group in entry order, then the problems (``bundle_problem`` first)."""
    try:
        entries = list(enumerate(array(bundle, "entry", "Bundle")))
    except Bad as error:
        yield Group("Bundle", "", problem=Problem(error.message, field=error.path))
        return
    order: list[tuple[str, str]] = []
    members: dict[str, list[Mapping[str, Any]]] = {}
    aliases: dict[str, str] = {}
    problems: list[Group] = []
    resources: list[tuple[int, Mapping[str, Any]]] = []
    drugs: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for index, entry in entries:
        where = f"Bundle.entry[{index}]"
        resource = entry.get("resource") if type(entry) is dict or isinstance(entry, Mapping) \
            else None
        if not (type(resource) is dict or isinstance(resource, Mapping)) \
                or not isinstance(resource.get("resourceType"), str):
            if not _deletion(entry):
                problems.append(Group(f"entry[{index}]", "", problem=Problem(
                    f"{where}.resource: missing or not a FHIR resource", field=f"{where}.resource")))
            continue
        if resource["resourceType"] == "Medication":
            _medication(entry, resource, drugs)
            continue
        if resource["resourceType"] != "Patient":
            resources.append((index, resource))
            continue
        ident = resource.get("id")
        if not isinstance(ident, str) or not ID.fullmatch(ident) or ident in members:
            said = "appears twice" if ident in members else "is missing or not a FHIR id"
            problems.append(Group(f"entry[{index}]", str(ident or ""), problem=Problem(
                f"{where}.resource Patient.id {quoted(ident)} {said}", field="Patient.id")))
            continue
        order.append((f"entry[{index}]", ident))
        members[ident] = [resource]
        full_url = entry.get("fullUrl")
        aliases.update(full_url_aliases(full_url if isinstance(full_url, str) else None, ident))
    for index, resource in resources:
        found = join(resource, index, aliases, members)
        if found is not None:
            problems.append(found)
    for position, ident in order:
        yield Group(position, ident, tuple(attach_medications(members[ident], finder(drugs))))
    yield from sorted(problems, key=problem_order)


def problem_order(group: Group) -> tuple[str, str]:
    """Problems after the patients, by whom and what: the same order for a Bundle and for
    a Bulk export of it, whatever the order of the entries or files."""
    return (group.patient_id, group.problem.message if group.problem else "")


def join(resource: Mapping[str, Any], index: int, aliases: Mapping[str, str],
         members: Mapping[str, list[Mapping[str, Any]]]) -> Group | None:
    """Add a resource to its Patient's list; a ``Group`` with the problem when it cannot be."""
    owner = owner_of(resource, index, aliases)
    if owner is None:
        return None
    if isinstance(owner, Problem):
        return Group(f"entry[{index}]", "", problem=owner)
    ident, reference = owner
    if ident not in members:
        return Group(f"entry[{index}]", ident,
                     problem=unresolved(resource, index, reference))
    members[ident].append(resource)
    return None


def owner_of(resource: Mapping[str, Any], index: int,
             aliases: Mapping[str, str]) -> tuple[str, str] | Problem | None:
    """Whose resource this is: (Patient id, the reference as written); a ``Problem`` when
    it cannot be told; None when it is not read or not about a patient (a Group)."""
    kind = str(resource["resourceType"])
    if kind not in READ or kind == "Patient":
        return None
    try:
        reference = subject_reference(resource, kind)
    except Bad as error:
        return Problem(f"{reference_of(resource, index)} {error.path}: {error.message}",
                       field=error.path)
    ident = patient_id(reference, aliases)
    return None if ident is None else (ident, reference)


def unresolved(resource: Mapping[str, Any], index: int, reference: str) -> Problem:
    """The problem of a resource naming a Patient the input does not hold."""
    kind = str(resource["resourceType"])
    return Problem(f"{reference_of(resource, index)} {kind}.{SUBJECT[kind]}: references "
                   f"{quoted(reference)}, a Patient that is not in the input",
                   field=f"{kind}.{SUBJECT[kind]}")


def finder(drugs: Mapping[str, tuple[str, Mapping[str, Any]]]) -> Finder:
    """Finds a Medication by the reference as written (a fullUrl), else by the id a
    relative, absolute or ``urn:uuid:`` reference names."""
    def find(reference: str) -> tuple[str, Mapping[str, Any]] | None:
        found = drugs.get(reference)
        if found is None:
            ident = target_id(reference, "Medication")
            found = drugs.get(f"Medication/{ident}") if ident is not None else None
        return found
    return find


def _medication(entry: Mapping[str, Any], resource: Mapping[str, Any],
                drugs: dict[str, tuple[str, Mapping[str, Any]]]) -> None:
    """Index a Medication entry by its fullUrl and by ``Medication/<id>`` (the first entry
    of a name wins, whatever comes after).

    A transaction's new resource may have no id yet, named only by a ``urn:uuid:``
    fullUrl (FHIR R4, Bundle: "Resolving references in Bundles"): it stands under that
    uuid as its id, in a copy, so references to it find it and the notes can name it."""
    ident = resource.get("id")
    full_url = entry.get("fullUrl")
    if not isinstance(ident, str) or not ID.fullmatch(ident):
        uuid = full_url[len("urn:uuid:"):] if isinstance(full_url, str) \
            and full_url.startswith("urn:uuid:") and "id" not in resource else None
        if uuid is None or not ID.fullmatch(uuid):
            return
        ident, resource = uuid, {**resource, "id": uuid}
    for name in (full_url if isinstance(full_url, str) else None, f"Medication/{ident}"):
        if name:
            drugs.setdefault(name, (ident, resource))


def _deletion(entry: object) -> bool:
    """A transaction or batch entry that deletes: it carries no resource, and needs none."""
    if not isinstance(entry, Mapping):
        return False
    try:
        request = obj(entry, "request", "Bundle.entry")
        return request is not None and text(request, "method", "Bundle.entry.request") == "DELETE"
    except Bad:
        return False


def iter_bundle_patients(bundle: Mapping[str, Any], *, as_of: dt.date,
                         max_weight_age: dt.timedelta = MAX_WEIGHT_AGE) -> Iterator[FhirPatient]:
    """Each Patient of ``bundle`` mapped, in entry order; then one ``FhirPatient`` without a
    profile per problem found while grouping (an unresolved reference names the Patient it
    references as ``patient_id``). A value that is not a Bundle gives one such problem."""
    problem = bundle_problem(bundle)
    if problem is not None:
        yield FhirPatient("", None, (problem,))
        return
    for group in bundle_groups(bundle):
        yield patient_of(group, as_of, max_weight_age)


def patient_of(group: Group, as_of: dt.date, max_weight_age: dt.timedelta) -> FhirPatient:
    if group.problem is not None:
        return FhirPatient(group.patient_id, None, (group.problem,))
    return map_patient(group.resources, as_of=as_of, max_weight_age=max_weight_age)
