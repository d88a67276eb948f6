"""From a hook request to the FHIR resources of one patient: prefetch first, then fetch.

CDS Hooks 2.0.1 "Prefetch Template": each key may be missing (fetch it), ``null`` (no
data; for the Patient itself, fetch it), an OperationOutcome (the client failed: fetch
it), a resource, or a searchset Bundle, possibly empty and possibly paginated (follow
``next`` on the same server). What is missing is read from ``fhirServer`` with the given
token, only when ``allowed_server`` accepts it; when it cannot be, the answer is 412
("HTTP Status Codes"). Malformed prefetch is a ``Refusal`` 400; more resources than
``max_prefetch_resources`` a 413. The searches are read concurrently (``fetch_all``), so a
slow server costs about the time of its slowest search, not the sum of them all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from eligibility.http.config import Client, Limits
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
    """Every resource the prefetch templates name, from the prefetch or the FHIR server.

    What is given comes first, in template order; then what was fetched, template by
    template, each search with its ``next`` pages. The order never depends on which read
    finished first, so identical requests get identical answers.
    """
    ident = patient_id(request)
    prefetch: Mapping[str, Any] = request.prefetch or {}
    found = Collector(state.config.limits.max_prefetch_resources)
    chains: list[Chain] = []
    for key in PREFETCH:
        value = prefetch.get(key)
        if key not in prefetch or _failed(value) or (value is None and key == "patient"):
            chains.append(Chain(key, PREFETCH[key].replace(PATIENT, quote(ident, safe=""))))
        elif value is not None:
            links = _take(value, f"prefetch.{key}", found)
            if links:
                chains.append(Chain(key, None, links))
    if chains:
        reader = _reader(request, client, state)
        for resource in await fetch_all(reader, chains, state.config.limits):
            found.add(resource)
    _check_patient(found.resources, ident)
    return found.resources


@dataclass
class Chain:
    """One search to read: its first page (``url``, None when the prefetch gave it) and the
    ``next`` links still to follow, on one allowed server."""

    key: str
    url: str | None
    links: list[str] = field(default_factory=list)


async def fetch_all(reader: FhirReader, chains: list[Chain], limits: Limits) -> list[Resource]:
    """The chains' resources in chain order, read concurrently: at most
    ``fhir_concurrency`` reads at once, all within ``fhir_total_seconds``.

    Every chain runs to its end before any failure is reported, and failures are reported
    in chain order, so the same FHIR answers always give the same status and message.
    """
    slots = asyncio.Semaphore(limits.fhir_concurrency)
    tasks = [asyncio.ensure_future(_follow(reader, chain, limits, slots)) for chain in chains]
    try:
        async with asyncio.timeout(limits.fhir_total_seconds):
            outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    except TimeoutError:
        raise Refusal(412, "FHIR data is missing and could not be fetched: the reads took "
                           f"longer than {limits.fhir_total_seconds:g} s in all") from None
    resources: list[Resource] = []
    pages = 0
    for outcome in outcomes:
        if isinstance(outcome, FetchError):
            raise Refusal(412, f"FHIR data is missing and could not be fetched: {outcome}")
        if isinstance(outcome, BaseException):
            raise outcome
        resources += outcome[0]
        pages += outcome[1]
    if pages > limits.fhir_max_pages:
        raise Refusal(412, "FHIR data is missing and could not be fetched: more result pages "
                           "than the limit")
    return resources


async def _follow(reader: FhirReader, chain: Chain, limits: Limits,
                  slots: asyncio.Semaphore) -> tuple[list[Resource], int]:
    """One chain's resources and the number of ``next`` pages it took."""
    own = Collector(limits.max_prefetch_resources)
    links = list(chain.links)
    if chain.url is not None:
        async with slots:
            document = await reader.get(chain.url)
        if _failed(document) or not isinstance(document, dict):
            raise FetchError(f"{chain.key}: the FHIR server answered with an error")
        links += _take(document, chain.key, own)
    pages = 0
    while links:
        pages += 1
        if pages > limits.fhir_max_pages:
            raise FetchError("more result pages than the limit")
        async with slots:
            page = await reader.next_page(links.pop(0))
        if not isinstance(page, dict) or page.get("resourceType") != "Bundle":
            raise FetchError("a next page that is not a Bundle")
        links += _take(page, "next page", own)
    return own.resources, pages


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
