"""Pure assignment rules: conflicts of interest, k judges per entry balanced by load, the arbiter.

Plain data in, plain data out (no Flask, no database), so every rule is testable alone.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional, Sequence

from contest.marks import N_

# Why a judge may not score an entry.
AUTHOR, COAUTHOR, SAME_UNIT, DECLARED = "author", "coauthor", "unit", "declared"
CONFLICT_LABELS = {
    AUTHOR: N_("Giám khảo là tác giả"),
    COAUTHOR: N_("Giám khảo là đồng tác giả (trùng họ tên)"),
    SAME_UNIT: N_("Cùng đơn vị với tác giả"),
    DECLARED: N_("Giám khảo tự khai báo xung đột lợi ích"),
}


@dataclass(frozen=True)
class JudgeInfo:
    """A panel judge as the assigner sees them."""

    id: int
    name: str = ""
    unit_id: Optional[int] = None
    fields: tuple[str, ...] = ()  # the entry fields the judge is expert in; empty = any


@dataclass(frozen=True)
class EntryInfo:
    """An entry as the assigner sees it."""

    id: int
    author_id: int
    unit_id: Optional[int] = None
    field: str = ""
    coauthor_names: tuple[str, ...] = ()


@dataclass
class AssignmentPlan:
    """New (entry id, judge id) pairs, and the entries left with fewer judges than asked."""

    pairs: list[tuple[int, int]] = field(default_factory=list)
    short: dict[int, int] = field(default_factory=dict)  # entry id -> judges missing


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def conflict_kind(entry: EntryInfo, judge: JudgeInfo) -> Optional[str]:
    """Why the judge may not score the entry, or None.

    The author never judges their own entry; a judge whose full name equals a co-author's
    (case and spacing ignored) is taken to be that co-author; a judge of the entry's unit
    (entry.unit_id == judge.unit_id, both set) is too close to it.
    """
    if judge.id == entry.author_id:
        return AUTHOR
    if judge.name and _name_key(judge.name) in {_name_key(n) for n in entry.coauthor_names}:
        return COAUTHOR
    if entry.unit_id is not None and entry.unit_id == judge.unit_id:
        return SAME_UNIT
    return None


def fits_field(entry: EntryInfo, judge: JudgeInfo) -> bool:
    """A judge with no listed fields fits every entry; otherwise only entries of a listed field."""
    return not judge.fields or entry.field in judge.fields


def plan_balanced(
    entries: Sequence[EntryInfo],
    judges: Sequence[JudgeInfo],
    per_entry: int,
    existing: Iterable[tuple[int, int]] = (),
    blocked: Iterable[tuple[int, int]] = (),
) -> AssignmentPlan:
    """Give each entry `per_entry` judges, keeping the busiest judge's load as low as possible.

    Rules, in order:
    - a pair in `blocked` (a conflict not overridden) is never proposed; pairs already in
      `existing` count towards the entry's judges and the judge's load;
    - entries with the fewest eligible judges are served first (then by id), so the
      constrained ones are not starved by the easy ones;
    - the load cap is ⌈(existing + needed slots) ÷ judges⌉, the lowest possible maximum load;
      among eligible judges under the cap, those whose field fits come first, then the least
      loaded, then the lowest id; when every eligible judge is at the cap, the least loaded
      is taken anyway (a conflict pattern can force it);
    - an entry that cannot get enough eligible judges is reported in `short`, never hidden.
    The result is deterministic: the same input always gives the same plan.
    """
    existing_set, blocked_set = set(existing), set(blocked)
    load = {j.id: 0 for j in judges}
    per = {e.id: set() for e in entries}
    for entry_id, judge_id in existing_set:
        if judge_id in load:
            load[judge_id] += 1
        if entry_id in per:
            per[entry_id].add(judge_id)
    needed = sum(max(per_entry - len(per[e.id]), 0) for e in entries)
    cap = math.ceil((sum(load.values()) + needed) / len(judges)) if judges else 0

    def eligible(entry: EntryInfo) -> list[JudgeInfo]:
        return [j for j in judges if (entry.id, j.id) not in blocked_set and j.id not in per[entry.id]]

    plan = AssignmentPlan()
    for entry in sorted(entries, key=lambda e: (len(eligible(e)), e.id)):
        for _ in range(max(per_entry - len(per[entry.id]), 0)):
            candidates = eligible(entry)
            if not candidates:
                plan.short[entry.id] = per_entry - len(per[entry.id])
                break
            best = min(candidates, key=lambda j: (load[j.id] >= cap, not fits_field(entry, j), load[j.id], j.id))
            plan.pairs.append((entry.id, best.id))
            per[entry.id].add(best.id)
            load[best.id] += 1
    return plan


def pick_arbiter(
    entry: EntryInfo,
    judges: Sequence[JudgeInfo],
    loads: Mapping[int, int],
    assigned: Iterable[int],
    blocked: Iterable[tuple[int, int]] = (),
) -> Optional[JudgeInfo]:
    """The third judge for a disputed entry: an eligible panel judge not yet on it.

    Eligible means not already assigned and not blocked (conflicted). Among them the
    field-fitting ones come first, then the least loaded, then the lowest id; None when
    nobody is left.
    """
    taken, blocked_set = set(assigned), set(blocked)
    candidates = [j for j in judges if j.id not in taken and (entry.id, j.id) not in blocked_set]
    if not candidates:
        return None
    return min(candidates, key=lambda j: (not fits_field(entry, j), loads.get(j.id, 0), j.id))


def needs_arbitration(totals: Sequence[float], limit: Optional[float]) -> bool:
    """True when some two judges' totals differ by more than the contest's limit (None = never)."""
    return limit is not None and len(totals) >= 2 and max(totals) - min(totals) > limit
