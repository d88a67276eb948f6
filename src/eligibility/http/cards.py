"""CDS Hooks cards from an ``Assessment``: words only, every decision made elsewhere.

CDS Hooks 2.0.1 "Card Attributes" and "Use of JSON": a ``summary`` under 140 characters,
``indicator`` ``info`` or ``warning`` (never ``critical``: a decision aid, not a
contraindication engine), ``detail`` in GitHub Flavored Markdown, a ``source`` naming the
rule pack and its version, and no ``null``, ``""``, ``[]`` or ``{}`` anywhere (``prune``
removes any that would appear, and a test checks every response). A card's ``uuid`` is a
UUID 5 over what the card says and the hook instance: the same request, the same bytes,
and a feedback call can be traced to the card. Trial (investigational) options use the
trial wording of ``STATUS_TEXT``: "may be eligible for a clinical trial".
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from eligibility.model.assessment import Assessment, OptionAssessment, is_investigational
from eligibility.render.why import missing_words, why_text

#: Namespace of card uuids (uuid5 of the project's CodeSystem prefix).
CARD_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:eligibility:cds-card")
OVERRIDE_SYSTEM = "urn:eligibility:CodeSystem:override-reason"
TOPIC_SYSTEM = "urn:eligibility:CodeSystem:option"
OVERRIDE_REASONS = (
    ("clinician-judgement", "Clinician judgement: the criteria do not fit this patient"),
    ("record-incomplete", "The record is incomplete or out of date"),
    ("newer-knowledge", "Newer labelling or guidance applies"),
    ("trial-protocol", "Following a clinical trial protocol"),
)
SUMMARY_LIMIT = 139
_OUTCOME_WORDS = {"met": "met", "not_met": "not met", "unknown": "unknown"}


def option_card(assessment: Assessment, option: OptionAssessment, *, service_id: str,
                hook_instance: str, indicator: str = "info") -> dict[str, Any]:
    """One card for ``option``; ``warning`` cards carry ``overrideReasons``."""
    assert indicator in ("info", "warning")
    card: dict[str, Any] = {
        "uuid": card_uuid(assessment, option, service_id, hook_instance, indicator),
        "summary": summary(option),
        "detail": detail(assessment, option),
        "indicator": indicator,
        "source": source(assessment, option),
    }
    if indicator == "warning":
        card["overrideReasons"] = [{"code": code, "system": OVERRIDE_SYSTEM, "display": text}
                                   for code, text in OVERRIDE_REASONS]
    pruned: dict[str, Any] = prune(card)
    return pruned


def card_uuid(assessment: Assessment, option: OptionAssessment, service_id: str,
              hook_instance: str, indicator: str) -> str:
    key = "\x1f".join((service_id, hook_instance, assessment.profile or "",
                       assessment.rule_pack.digest, option.id, option.status, indicator))
    return str(uuid.uuid5(CARD_NAMESPACE, key))


def option_title(option: OptionAssessment) -> str:
    """The option's name; a trial option says it is one even if its name does not."""
    trial = is_investigational(option.kind, option.evidence)
    if trial and "trial" not in option.name.lower():
        return f"{option.name} (investigational, in clinical trials)"
    return option.name


def summary(option: OptionAssessment) -> str:
    text = f"{option_title(option)}: {option.status_text}"
    if option.status == "needs_information":
        text += f" ({', '.join(missing_words(option))})"
    return clip(text, SUMMARY_LIMIT)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def detail(assessment: Assessment, option: OptionAssessment) -> str:
    """The criteria, what is missing and what would change the answer, in Markdown."""
    lines = [f"**{md(option_title(option))}**: {md(option.status_text)} "
             f"({md(why_text(option))}).", "", md(option.summary)]
    if is_investigational(option.kind, option.evidence):
        lines += ["", "*In clinical trials, not an approved treatment:* \"may be eligible\" "
                      "means the patient may be eligible for a trial of it; the trial's "
                      "protocol decides."]
    lines += ["", "**Criteria**", ""]
    for reason in option.reasons:
        lines.append(f"- {_OUTCOME_WORDS[reason.outcome]}: {md(reason.title)} "
                     f"(patient: {md(reason.patient_value)}; source: "
                     f"{md(reason.source.document)}, {md(reason.source.section)})")
    if option.missing_fields:
        lines += ["", "**Missing:** " + ", ".join(f"`{field}`" for field in option.missing_fields)]
    changes = [change.sentence for change in option.counterfactuals if change.possible]
    if changes:
        lines += ["", "**What would change the answer**", ""]
        lines += [f"- {md(sentence)}" for sentence in changes]
    notes = [*option.notes, *assessment.notes]
    if notes:
        lines += ["", "**Notes**", ""]
        lines += [f"- {md(note.text)}" for note in notes]
    lines += ["", md(pack_line(assessment))]
    return "\n".join(lines)


def pack_line(assessment: Assessment) -> str:
    pack = assessment.rule_pack
    line = f"Rule pack {pack.name} {pack.version} (knowledge as of {pack.as_of.isoformat()})."
    if pack.newer is not None:
        line += (f" Newer knowledge ships: {pack.newer.name} (as of "
                 f"{pack.newer.as_of.isoformat()}).")
    return line


def source(assessment: Assessment, option: OptionAssessment) -> dict[str, Any]:
    pack = assessment.rule_pack
    return {"label": f"eligibility: rule pack {pack.name} {pack.version}",
            "topic": {"system": TOPIC_SYSTEM, "code": option.id, "display": option.name}}


_MARKDOWN = str.maketrans({char: "\\" + char for char in "\\`*_{}[]<>()#+!|~&"})


def md(text: str) -> str:
    """Text shown literally in GFM: punctuation escaped, line breaks flattened.

    Pack wording and patient values are anyone's text; in a card they must never become
    links, images or HTML.
    """
    return " ".join(text.split()).translate(_MARKDOWN)


def prune(value: Any) -> Any:
    """``value`` without null or empty members (CDS Hooks "Use of JSON")."""
    if isinstance(value, dict):
        pruned = {key: prune(item) for key, item in value.items()}
        return {key: item for key, item in pruned.items() if not _empty(item)}
    if isinstance(value, list):
        return [item for item in (prune(item) for item in value) if not _empty(item)]
    return value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and len(value) == 0)


def patient_view_cards(assessment: Assessment, *, service_id: str,
                       hook_instance: str) -> list[dict[str, Any]]:
    """One ``info`` card per option that is a candidate or needs information."""
    return [option_card(assessment, option, service_id=service_id, hook_instance=hook_instance)
            for option in assessment.options
            if option.status in ("candidate", "needs_information")]


def order_cards(assessment: Assessment, ordered: Iterable[str], *, service_id: str,
                hook_instance: str) -> list[dict[str, Any]]:
    """For each ordered option: ``warning`` when not a candidate, ``info`` when information
    is missing, nothing when the patient is a candidate (the order agrees)."""
    cards = []
    known = {option.id: option for option in assessment.options}
    for option_id in dict.fromkeys(ordered):
        option = known.get(option_id)
        if option is None:  # named by the value set, not by this pack
            continue
        if option.status == "not_candidate":
            cards.append(option_card(assessment, option, service_id=service_id,
                                     hook_instance=hook_instance, indicator="warning"))
        elif option.status == "needs_information":
            cards.append(option_card(assessment, option, service_id=service_id,
                                     hook_instance=hook_instance))
    return cards
