"""``rules diff``: which rules differ between two packs, and whose status changes.

Rules are matched by id within each option. Status changes are computed either for the
profiles given, through the real ``evaluate``, or, when none are given, over the boundary
profiles: every combination of the classes that the thresholds of *both* packs split the
option's fields into (see ``analysis.py``), so no change can fall between two samples.
Changed combinations are merged into readable blocks ("age 12 years to 17 years 11 months;
severity moderate or severe") before they are shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from eligibility.rulepack.analysis import FieldClass, as_point, class_grid, combinations, option_status
from eligibility.rulepack.model import Criterion, RulePack
from eligibility.rulepack.wording import criterion_requirement


@dataclass(frozen=True)
class RuleChange:
    option: str
    change: str  # "added" | "removed" | "changed"
    rule: str
    details: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class StatusChange:
    option: str
    before: str
    after: str
    who: list[str]  # profile labels, or blocks of boundary classes
    count: int
    total: int


def rule_changes(old: RulePack, new: RulePack) -> list[RuleChange]:
    """Options and criteria added, removed or changed, in option order."""
    changes: list[RuleChange] = []
    ids = list(dict.fromkeys([*old.option_ids, *new.option_ids]))
    for option_id in ids:
        if option_id not in new.option_ids:
            changes.append(RuleChange(option_id, "removed", option_id, ["option removed"]))
            continue
        if option_id not in old.option_ids:
            changes.append(RuleChange(option_id, "added", option_id, ["option added"]))
            continue
        before, after = old.option(option_id), new.option(option_id)
        meta = [f"{name}: {getattr(before, name)} → {getattr(after, name)}"
                for name in ("name", "kind", "evidence")
                if getattr(before, name) != getattr(after, name)]
        if meta:
            changes.append(RuleChange(option_id, "changed", option_id, meta))
        old_rules = {c.id: c for c in old.criteria_of(before)}
        new_rules = {c.id: c for c in new.criteria_of(after)}
        for rule_id, criterion in old_rules.items():
            if rule_id not in new_rules:
                changes.append(RuleChange(option_id, "removed", rule_id, [criterion_requirement(criterion)]))
        for rule_id, criterion in new_rules.items():
            if rule_id not in old_rules:
                changes.append(RuleChange(option_id, "added", rule_id, [criterion_requirement(criterion)]))
            elif criterion != old_rules[rule_id]:
                changes.append(RuleChange(option_id, "changed", rule_id,
                                          _criterion_details(old_rules[rule_id], criterion)))
    return changes


def _criterion_details(old: Criterion, new: Criterion) -> list[str]:
    details = []
    if old.tests != new.tests:
        details.append(f"requirement: {criterion_requirement(old)} → {criterion_requirement(new)}")
    for name in ("evidence", "title", "rationale"):
        if getattr(old, name) != getattr(new, name):
            details.append(f"{name} changed" if name == "rationale"
                           else f"{name}: {getattr(old, name)} → {getattr(new, name)}")
    if old.source != new.source:
        details.append(f"source: {_source(old)} → {_source(new)}")
    return details


def _source(criterion: Criterion) -> str:
    return f"{criterion.source.document} § {criterion.source.section}"


def boundary_changes(old: RulePack, new: RulePack) -> list[StatusChange]:
    """Status changes of every option both packs have, over all boundary combinations."""
    changes: list[StatusChange] = []
    for option_id in [o for o in old.option_ids if o in new.option_ids]:
        before = old.criteria_of(old.option(option_id))
        after = new.criteria_of(new.option(option_id))
        grid = class_grid([*before, *after], unknown=True)
        groups: dict[tuple[str, str], list[tuple[int, ...]]] = {}
        total = 0
        for combo in combinations(grid):
            total += 1
            point = as_point(combo)
            was, now = option_status(before, point), option_status(after, point)
            if was != now:
                index = tuple(grid[i].index(cls) for i, cls in enumerate(combo))
                groups.setdefault((was, now), []).append(index)
        for (was, now), points in sorted(groups.items()):
            blocks = [_describe(block, grid) for block in merge_blocks(points, len(grid))]
            changes.append(StatusChange(option_id, was, now, blocks, len(points), total))
    return changes


def merge_blocks(points: Sequence[tuple[int, ...]], width: int) -> list[tuple[frozenset[int], ...]]:
    """Merge points into products of value sets, field by field, until nothing merges.

    Not a minimal cover, but exact: the blocks cover precisely the given points.
    """
    blocks = {tuple(frozenset([value]) for value in point) for point in points}
    changed = True
    while changed:
        changed = False
        for axis in range(width):
            merged: dict[tuple[frozenset[int], ...], frozenset[int]] = {}
            for block in blocks:
                key = block[:axis] + block[axis + 1:]
                merged[key] = merged.get(key, frozenset()) | block[axis]
            new_blocks = {(*key[:axis], values, *key[axis:]) for key, values in merged.items()}
            if new_blocks != blocks:
                blocks, changed = new_blocks, True
    return sorted(blocks, key=lambda block: [sorted(values) for values in block])


def _describe(block: tuple[frozenset[int], ...], grid: list[list[FieldClass]]) -> str:
    parts = []
    for values, classes in zip(block, grid, strict=True):
        if len(values) == len(classes):
            continue
        labels = [classes[index].label for index in sorted(values)]
        parts.append(f"{classes[0].field}: {', '.join(labels)}")
    return "; ".join(parts) or "everyone"
