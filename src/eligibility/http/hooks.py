"""One hook call answered: gather the patient's resources, map them, evaluate, render.

Every step belongs to another module and this one only runs them in order: ``prefetch``
(resources, or 400/412/413), ``eligibility.inputs.fhir.map_patient`` (the FHIR input,
issue #14), the app's ``Evaluator`` (the same evaluation every face uses) and ``cards``.
No active atopic dermatitis, or a deceased patient: ``{"cards": []}``. Data the mapping
cannot read is one ``info`` card naming what and where, never a guess.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from eligibility.http.cards import CARD_NAMESPACE, md, order_cards, patient_view_cards
from eligibility.http.discovery import Service
from eligibility.http.medications import ordered_options
from eligibility.http.outcomes import Refusal
from eligibility.http.prefetch import gather
from eligibility.http.state import Caller, ServiceState
from eligibility.http.wire import HookRequest
from eligibility.inputs.fhir import map_patient


async def answer(service: Service, request: HookRequest, caller: Caller,
                 state: ServiceState) -> dict[str, Any]:
    if request.hook != service.hook:
        raise Refusal(400, f"malformed request: hook: this service answers '{service.hook}'")
    if request.fhirAuthorization is not None and request.fhirServer is None:
        raise Refusal(400, "malformed request: fhirServer is required with fhirAuthorization")
    resources = await gather(request, caller.client, state)
    as_of = state.as_of()
    mapped = map_patient(resources, as_of=as_of)
    if mapped.deceased:
        return {"cards": []}
    if mapped.profile is None:
        return {"cards": [problem_card(mapped.problems, service.id, request.hookInstance)]}
    if not mapped.has_active_diagnosis:
        return {"cards": []}
    assessment = state.evaluator.evaluate(mapped.profile, as_of=as_of)
    if service.hook == "order-select":
        cards = order_cards(assessment, ordered_options(request.context),
                            service_id=service.id, hook_instance=request.hookInstance)
    else:
        cards = patient_view_cards(assessment, service_id=service.id,
                                   hook_instance=request.hookInstance)
    return {"cards": cards}


def problem_card(problems: Iterable[Any], service_id: str, hook_instance: str) -> dict[str, Any]:
    """What in the record could not be read: the clinician sees it, the log does not."""
    lines = ["The immunotherapy options were not assessed: the record holds data this aid "
             "cannot read. Correct it in the record, or assess by hand.", ""]
    for problem in list(problems)[:20]:
        where = f"{problem.field}: " if getattr(problem, "field", None) else ""
        lines.append(f"- {md(where + problem.message)}")
    return {"uuid": str(uuid.uuid5(CARD_NAMESPACE, f"{service_id}\x1f{hook_instance}\x1fproblems")),
            "summary": "Immunotherapy options not assessed: the record has data the aid "
                       "cannot read",
            "detail": "\n".join(lines), "indicator": "info",
            "source": {"label": "eligibility: FHIR input"}}
