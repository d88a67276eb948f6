"""Checks across a pack's files, once each file has been read and validated on its own.

Each file can be sound while the pack is not: an option uses a shared rule that does not
exist, two files give a rule the same id, a worked case expects an option or a criterion
the pack does not have, a test asks for something the profile cannot hold, or the engine
cannot decide as many thresholds as the options use (``capacity.py``). Every problem is
a line naming the file, so ``loader.PackReader`` can report them all together.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from eligibility.rulepack.capacity import capacity_problems
from eligibility.rulepack.model import RulePack
from eligibility.rulepack.names import name_problems
from eligibility.rulepack.semantics import criterion_problems
from eligibility.suggest import did_you_mean

#: Turns a path inside the pack (``options/x.toml``) into how messages name it.
Namer = Callable[[str], str]


def pack_problems(pack: RulePack, broken: set[str], where: Namer) -> list[str]:
    """Every cross-file problem; options and rules (ids in ``broken``) that failed to
    load were reported where they are, and are not blamed again as missing."""
    problems = _rule_problems(pack, broken, where)
    problems += _duplicates(pack, where)
    problems += [f"{where(f'options/{option_id}.toml')}: {problem}"
                 for option_id, problem in name_problems(pack)]
    problems += _case_problems(pack, broken)
    problems += capacity_problems(pack)
    return problems


def _rule_problems(pack: RulePack, broken: set[str], where: Namer) -> list[str]:
    problems: list[str] = []
    shared_ids = {c.id for c in pack.shared}
    for criterion in pack.shared:
        problems.extend(f"{where('pack.toml')}: {p}" for p in criterion_problems(criterion))
    for option in pack.options:
        rel = where(f"options/{option.id}.toml")
        for criterion in option.criteria:
            problems.extend(f"{rel}: {p}" for p in criterion_problems(criterion))
            if not criterion.id.startswith(option.id + "."):
                problems.append(f"{rel}: rule '{criterion.id}': an option's own rule ids "
                                f"start with '{option.id}.'")
        for used in option.uses:
            if used not in shared_ids and used not in broken:
                problems.append(f"{rel}: option '{option.id}' uses unknown rule "
                                f"'{used}'{did_you_mean(used, shared_ids)}")
        if set(option.uses) <= shared_ids and not pack.criteria_of(option):
            problems.append(f"{rel}: option '{option.id}' has no criteria, so every "
                            "profile would be a candidate")
    return problems


def _duplicates(pack: RulePack, where: Namer) -> list[str]:
    problems: list[str] = []
    files: dict[str, list[str]] = {}
    located = [("pack.toml", rule_id)
               for rule_id in [*(c.id for c in pack.shared), *(n.id for n in pack.notes)]]
    for option in pack.options:
        located += [(f"options/{option.id}.toml", rule_id) for rule_id in
                    [*(c.id for c in option.criteria), *(n.id for n in option.notes)]]
    for file, rule_id in located:
        files.setdefault(rule_id, []).append(file)
    for rule_id, found in sorted(files.items()):
        if len(found) > 1:
            problems.append(f"{where(found[-1])}: rule '{rule_id}': id used "
                            f"{len(found)} times ({', '.join(dict.fromkeys(found))}); "
                            "rule ids must be unique in a pack")
    for option_id, count in sorted(Counter(o.id for o in pack.options).items()):
        if count > 1:
            problems.append(f"{where('options')}: option '{option_id}' defined {count} times")
    for name, count in sorted(Counter(c.name for c in pack.cases).items()):
        if count > 1:
            problems.append(f"{where('cases')}: case '{name}' defined {count} times")
    return problems


def _case_problems(pack: RulePack, broken: set[str]) -> list[str]:
    from eligibility.model.profile import parse_profile  # local: profile errors are only formatted here
    problems: list[str] = []
    option_ids = [o.id for o in pack.options]
    for case in pack.cases:
        label = f"{case.file}: case '{case.name}'"
        try:
            parse_profile(case.profile)
        except Exception as error:
            problems.append(f"{label}: invalid profile: {error}")
        for option_id in case.expect:
            if option_id in broken:
                continue
            if option_id not in option_ids:
                problems.append(f"{label}: unknown option '{option_id}'"
                                f"{did_you_mean(option_id, option_ids)}")
                continue
            option = pack.option(option_id)
            # A used rule that is unknown or failed to load is reported once, elsewhere.
            known = {c.id for c in option.criteria} | set(option.uses)
            expectation = case.expectation(option_id)
            named = (expectation.met + expectation.not_met + expectation.unknown) if expectation else []
            for rule_id in named:
                if rule_id not in known:
                    problems.append(f"{label}: option '{option_id}' has no criterion "
                                    f"'{rule_id}'{did_you_mean(rule_id, known)}")
    return problems
