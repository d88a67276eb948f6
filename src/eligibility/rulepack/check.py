"""``rules check``, reading only: every problem of a pack, each with its file, rule id and a fix.

Two steps here, each run as far as the pack allows:

1. loading: file shapes, unknown keys ("did you mean"), unknown profile fields,
   values and thresholds outside the profile's range, duplicate ids (``loader.py``);
2. analysis of the sound criteria over equivalence classes (``analysis.py``): criteria
   never met or always met, options no profile can make a candidate, pairs of criteria
   of one option that contradict each other, citations of undeclared sources.

A third, running the worked cases through the engine, is ``services/pack_check.py``:
packs are data, and nothing in this folder runs the engine.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from eligibility.rulepack.analysis import TooManyCombinations, always_met, can_be_met
from eligibility.rulepack.loader import PackReader, pack_folder
from eligibility.rulepack.model import Criterion, Note, Option, RulePack
from eligibility.rulepack.semantics import criterion_problems
from eligibility.rulepack.wording import criterion_requirement
from eligibility.suggest import did_you_mean


@dataclass(frozen=True)
class Problem:
    """One finding: ``kind`` groups findings for tests and summaries."""

    kind: str
    file: str
    rule: str
    message: str
    hint: str = ""
    case: str = ""

    def line(self) -> str:
        subject = f"rule '{self.rule}': " if self.rule else ""
        hint = f" (fix: {self.hint})" if self.hint else ""
        return f"{self.file}: {subject}{self.message}{hint}"


@dataclass(frozen=True)
class CheckReport:
    folder: Path
    pack: RulePack | None
    problems: list[Problem]
    cases_run: int

    @property
    def ok(self) -> bool:
        return not self.problems


_RULE = re.compile(r"rule '([^']+)'")


def read_and_analyse(name_or_path: str | Path) -> CheckReport:
    """Load one pack folder (or shipped pack name) and analyse it; every problem found.

    ``cases_run`` is 0: the worked cases are run by ``services.pack_check.check_pack``.
    """
    folder = pack_folder(name_or_path)
    reader = PackReader(folder)
    pack = reader.read_lenient()
    problems = [_from_loader(text) for text in reader.problems]
    if pack is not None:
        problems.extend(analyse(pack))
        problems.extend(_source_problems(pack))
    return CheckReport(folder, pack, problems, cases_run=0)


#: Loader messages by kind: a phrase the message contains, and a fix hint.
_LOAD_KINDS = (
    ("unknown key", "unknown_key", "rename the key; the hint names the closest known one"),
    ("unknown table", "unknown_key", "rename the table; the hint names the closest known one"),
    ("unknown field", "unknown_field", "read a field the profile has"),
    ("is not a value of", "unknown_value", "use one of the field's values"),
    ("must be unique", "duplicate_id", "give each rule its own id"),
    ("defined", "duplicate_id", "keep one definition"),
    ("outside", "out_of_range", "choose a threshold inside the profile's range"),
    ("not valid TOML", "syntax", "fix the TOML syntax at the line shown"),
)


def _from_loader(text: str) -> Problem:
    file, _, rest = text.partition(": ")
    match = _RULE.match(rest)
    rule = match.group(1) if match else ""
    message = rest[match.end():].lstrip(": ") if match else rest
    for phrase, kind, hint in _LOAD_KINDS:
        if phrase in message:
            return Problem(kind, file, rule, message, hint)
    return Problem("schema", file, rule, message, "see 'Writing a pack' in the README")


# -- analysis -----------------------------------------------------------------------


def _file_of(pack: RulePack, criterion: Criterion) -> str:
    folder = Path(pack.path).name
    for option in pack.options:
        if any(own.id == criterion.id for own in option.criteria):
            return f"{folder}/options/{option.id}.toml"
    return f"{folder}/pack.toml"


def analyse(pack: RulePack) -> list[Problem]:
    """Never/always met criteria, contradictions and unreachable options, exhaustively."""
    problems: list[Problem] = []
    shared = {criterion.id: criterion for criterion in pack.shared}
    reported: set[str] = set()
    for option in pack.options:
        # Unknown ``uses`` ids were reported by the loader; analyse what does resolve.
        resolved = [shared[rule_id] for rule_id in option.uses if rule_id in shared]
        criteria = [c for c in [*resolved, *option.criteria] if not criterion_problems(c)]
        try:
            problems.extend(_option_problems(pack, option, criteria, reported))
        except TooManyCombinations as error:
            file = f"{Path(pack.path).name}/options/{option.id}.toml"
            problems.append(Problem("too_complex", file, "",
                                    f"option '{option.id}': {error}; not analysed",
                                    "use fewer distinct thresholds"))
    return problems


def _option_problems(pack: RulePack, option: Option, criteria: list[Criterion],
                     reported: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    satisfiable = []
    for criterion in criteria:
        if criterion.id in reported:
            satisfiable += [criterion] if can_be_met([criterion]) else []
            continue
        if not can_be_met([criterion]):
            reported.add(criterion.id)
            problems.append(Problem(
                "never_met", _file_of(pack, criterion), criterion.id,
                f"can never be met ({criterion_requirement(criterion)}), so option '{option.id}' "
                "can never be a candidate", "correct the threshold or value set"))
            continue
        satisfiable.append(criterion)
        if always_met(criterion):
            reported.add(criterion.id)
            problems.append(Problem(
                "always_met", _file_of(pack, criterion), criterion.id,
                f"is met by every known value of {', '.join(criterion.fields)} "
                f"({criterion_requirement(criterion)}), so it decides nothing",
                "tighten the threshold or value set, or remove the rule"))
    contradicted = False
    for index, first in enumerate(satisfiable):
        for second in satisfiable[index + 1:]:
            if not can_be_met([first, second]):
                contradicted = True
                problems.append(Problem(
                    "contradiction", _file_of(pack, second), second.id,
                    f"contradicts rule '{first.id}' of option '{option.id}': no profile meets "
                    f"both ({criterion_requirement(first)}; {criterion_requirement(second)})",
                    "one of the two thresholds or value sets is wrong"))
    if len(satisfiable) == len(criteria) and not contradicted and not can_be_met(criteria):
        ids = ", ".join(f"'{c.id}'" for c in criteria)
        problems.append(Problem(
            "unreachable", f"{Path(pack.path).name}/options/{option.id}.toml",
            criteria[-1].id if criteria else "",
            f"option '{option.id}' can never be a candidate: no profile meets all of {ids} "
            "together", "relax one of these criteria"))
    return problems


def _source_problems(pack: RulePack) -> list[Problem]:
    declared = [source.id for source in pack.sources]
    problems = []
    folder = Path(pack.path).name
    entries: list[tuple[str, Criterion | Note]] = []
    groups: list[tuple[str, Sequence[Criterion], Sequence[Note]]] = [
        (f"{folder}/pack.toml", pack.shared, pack.notes),
        *((f"{folder}/options/{o.id}.toml", o.criteria, o.notes) for o in pack.options)]
    for file, criteria, notes in groups:
        entries += [(file, criterion) for criterion in criteria]
        entries += [(file, note) for note in notes]
    for file, item in entries:
        if item.source.document not in declared:
            problems.append(Problem(
                "unknown_source", file, item.id,
                f"cites document '{item.source.document}', which pack.toml does not declare"
                f"{did_you_mean(item.source.document, declared)}",
                "add a [[sources]] entry or correct the document id"))
    return problems
