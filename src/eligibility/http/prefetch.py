"""From a hook request to the FHIR resources of one patient: prefetch first, then fetch.

CDS Hooks 2.0.1 "Prefetch Template": each key may be missing (fetch it), ``null`` (no
data; for the Patient itself, fetch it), an OperationOutcome (the client failed: fetch
it), a resource, or a searchset Bundle, possibly empty and possibly paginated (follow
``next`` on the same server). What is missing is read from ``fhirServer`` with the given
token, only when ``allowed_server`` accepts it; when it cannot be, the answer is 412
("HTTP Status Codes"). Malformed prefetch is a ``Refusal`` 400; more resources than
``max_prefetch_resources`` a 413.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from eligibility.http.config import Client
from eligibility.http.discovery import PATIENT, PREFETCH
from eligibility.http.fetch import FetchError, FhirReader, allowed_server
from eligibility.http.outcomes import Refusal
from eligibility.http.state import ServiceState
from eligibility.http.wire import HookRequest

Resource = dict[str, Any]


def patient_id(request: HookRequest) -> str:
    value = request.context.get("patientId")
    if not isinstance(value, str) or not 0 < len(value) <= 64:
        raise Refusal(400, "malformed request: context.patientId: the FHIR id of the patient")
    return value


class Collector:
    """The resources gathered so far, counted against the limit."""

    def __init__(self, limit: int) -> None:
        self.resources: list[Resource] = []
        self._limit = limit

    def add(self, resource: Resource) -> None:
        if len(self.resources) >= self._limit:
            raise Refusal(413, f"more than {self._limit} FHIR resources for one request")
        self.resources.append(resource)


async def gather(request: HookRequest, client: Client | None,
                 state: ServiceState) -> list[Resource]:
    """Every resource the prefetch templates name, from the prefetch or the FHIR server."""
    ident = patient_id(request)
    prefetch: Mapping[str, Any] = request.prefetch or {}
    found = Collector(state.config.limits.max_prefetch_resources)
    to_fetch: list[str] = []
    pages: list[str] = []
    for key in PREFETCH:
        value = prefetch.get(key)
        if key not in prefetch or _failed(value) or (value is None and key == "patient"):
            to_fetch.append(key)
        elif value is not None:
            pages += _take(value, f"prefetch.{key}", found)
    if to_fetch or pages:
        reader = _reader(request, client, state)
        try:
            for key in to_fetch:
                url = PREFETCH[key].replace(PATIENT, quote(ident, safe=""))
                document = await reader.get(url)
                if _failed(document) or not isinstance(document, dict):
                    raise FetchError(f"{key}: the FHIR server answered with an error")
                pages += _take(document, key, found)
            followed = 0
            while pages:
                followed += 1
                if followed > state.config.limits.fhir_max_pages:
                    raise FetchError("more result pages than the limit")
                page = await reader.next_page(pages.pop(0))
                if not isinstance(page, dict) or page.get("resourceType") != "Bundle":
                    raise FetchError("a next page that is not a Bundle")
                pages += _take(page, "next page", found)
        except FetchError as error:
            raise Refusal(412, f"FHIR data is missing and could not be fetched: {error}") from None
    _check_patient(found.resources, ident)
    return found.resources


def _reader(request: HookRequest, client: Client | None, state: ServiceState) -> FhirReader:
    """A reader for the request's ``fhirServer``, or 412 when there is none it may use."""
    if request.fhirServer is None:
        raise Refusal(412, "FHIR data is missing and no fhirServer was given to fetch it from")
    base = allowed_server(request.fhirServer, client, state.config)
    if base is None:
        # Never fetched: the service must not be made to read an address a request names.
        raise Refusal(412, "FHIR data is missing and fhirServer is not a FHIR server "
                           "configured for this client")
    token = request.fhirAuthorization.access_token if request.fhirAuthorization else None
    return FhirReader(state.http.client(), base, token, state.config.limits)


def _failed(value: Any) -> bool:
    return isinstance(value, dict) and value.get("resourceType") == "OperationOutcome"


def _take(value: Any, where: str, found: Collector) -> list[str]:
    """Add ``value``'s resources; return its ``next`` page link, if any."""
    if not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
        raise Refusal(400, f"malformed request: {where}: a FHIR resource, Bundle or null")
    if value["resourceType"] != "Bundle":
        found.add(value)
        return []
    entries = value.get("entry", [])
    if not isinstance(entries, list):
        raise Refusal(400, f"malformed request: {where}.entry: a list")
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            raise Refusal(400, f"malformed request: {where}.entry[{index}].resource: "
                               "a FHIR resource")
        if resource["resourceType"] != "OperationOutcome":  # search.mode 'outcome': a note
            found.add(resource)
    links = value.get("link", [])
    return [link["url"] for link in links if isinstance(link, dict)
            and link.get("relation") == "next" and isinstance(link.get("url"), str)] if (
        isinstance(links, list)) else []


def _check_patient(resources: list[Resource], ident: str) -> None:
    patients = [resource for resource in resources if resource["resourceType"] == "Patient"]
    if any(patient.get("id") != ident for patient in patients):
        raise Refusal(400, "malformed request: prefetch.patient is not the Patient of "
                           "context.patientId")
