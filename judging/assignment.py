"""Pure assignment rules: conflicts of interest, k judges per entry balanced by load, the arbiter.

Plain data in, plain data out (no Flask, no database), so every rule is testable alone.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional, Sequence

from contest.marks import N_

# Why a judge may not score an entry.
AUTHOR, COAUTHOR, SAME_UNIT, SAME_WARD, DECLARED = "author", "coauthor", "unit", "ward", "declared"
CONFLICT_LABELS = {
    AUTHOR: N_("Giám khảo là tác giả"),
    COAUTHOR: N_("Giám khảo là đồng tác giả (trùng họ tên)"),
    SAME_UNIT: N_("Cùng đơn vị với tác giả"),
    SAME_WARD: N_("Giám khảo thuộc phường, xã của tác giả"),
    DECLARED: N_("Giám khảo tự khai báo xung đột lợi ích"),
}


@dataclass(frozen=True)
class JudgeInfo:
    """A panel judge as the assigner sees them."""

    id: int
    name: str = ""
    unit_id: Optional[int] = None
    fields: tuple[str, ...] = ()  # the entry fields the judge is expert in; empty = any
    organisation_ids: tuple[int, ...] = ()  # every organisation the judge belongs to


@dataclass(frozen=True)
class EntryInfo:
    """An entry as the assigner sees it."""

    id: int
    author_id: int
    unit_id: Optional[int] = None
    field: str = ""
    coauthor_names: tuple[str, ...] = ()
    ward_id: Optional[int] = None  # the ward an entry of the town's round was forwarded from


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
    (entry.unit_id == judge.unit_id, both set) is too close to it; so is, in the town's round, a
    judge who belongs to the ward the entry was forwarded from.
    """
    if judge.id == entry.author_id:
        return AUTHOR
    if judge.name and _name_key(judge.name) in {_name_key(n) for n in entry.coauthor_names}:
        return COAUTHOR
    if entry.unit_id is not None and entry.unit_id == judge.unit_id:
        return SAME_UNIT
    if entry.ward_id is not None and entry.ward_id in judge.organisation_ids:
        return SAME_WARD
    return None


def fits_field(entry: EntryInfo, judge: JudgeInfo) -> bool:
    """A judge with no listed fields fits every entry; otherwise only entries of a listed field."""
    return not judge.fields or entry.field in judge.fields


# The plan's cost, compared lexicographically by weighting: any step towards even loads
# outweighs every field gain, and an entry left without an in-field judge outweighs any
# number of out-of-field pairs (a cycle of swaps touches at most one pair per judge).
_UNCOVERED = 10**6
_LOAD = 10**12


@dataclass
class _Slot:
    """One entry's place in the plan: who may be added, who fits its field, who is chosen."""

    entry_id: int
    eligible: frozenset[int]  # judge indexes that may be added (not blocked, not already on it)
    fitting: frozenset[int]  # judge indexes whose field fits the entry
    chosen: set[int]
    covered: int  # in-field judges on the entry, those already assigned included


def _swap_cost(slot: _Slot, old: int, new: int) -> int:
    """The change in the field part of the cost when the slot's judge `old` is replaced by `new`."""
    gain = (new in slot.fitting) - (old in slot.fitting)
    if gain > 0:
        return -(_UNCOVERED + 1) if slot.covered == 0 else -1
    if gain < 0:
        return _UNCOVERED + 1 if slot.covered == 1 else 1
    return 0


def _negative_cycle(size: int, weights: Mapping[tuple[int, int], int]) -> Optional[list[int]]:
    """A cycle of negative total weight (Bellman-Ford from every node at once), nodes in arc order, or None."""
    dist, pred, last = [0] * size, [-1] * size, -1
    for _ in range(size):
        last = -1
        for (a, b), w in weights.items():
            if dist[a] + w < dist[b]:
                dist[b], pred[b], last = dist[a] + w, a, b
        if last == -1:
            return None
    for _ in range(size):  # walk back far enough to stand on the cycle itself
        last = pred[last]
    cycle, node = [last], pred[last]
    while node != last:
        cycle.append(node)
        node = pred[node]
    return cycle[::-1]


class _Exchange:
    """The plan folded onto the judges: arc a→b means "some entry may drop judge a for judge b".

    Node `sink` (index len(load)) closes paths that move one unit of load between judges.
    Each arc keeps its witness entries grouped by the cost of the swap, kept up to date.
    """

    def __init__(self, slots: list[_Slot], load: list[int]) -> None:
        self.slots, self.load, self.sink = slots, load, len(load)
        self.arcs: dict[tuple[int, int], dict[int, set[int]]] = {}
        self.keys: list[list[tuple[int, int, int]]] = [[] for _ in slots]
        for s in range(len(slots)):
            self._enrol(s)

    def _enrol(self, s: int) -> None:
        slot = self.slots[s]
        self.keys[s] = [(a, b, _swap_cost(slot, a, b)) for a in slot.chosen for b in slot.eligible - slot.chosen]
        for a, b, c in self.keys[s]:
            self.arcs.setdefault((a, b), {}).setdefault(c, set()).add(s)

    def swap(self, s: int, old: int, new: int) -> None:
        """Entry slot `s` drops judge `old` for judge `new`."""
        for a, b, c in self.keys[s]:
            self.arcs[(a, b)][c].discard(s)
        slot = self.slots[s]
        slot.chosen.remove(old)
        slot.chosen.add(new)
        slot.covered += (new in slot.fitting) - (old in slot.fitting)
        self.load[old] -= 1
        self.load[new] += 1
        self._enrol(s)

    def witness(self, a: int, b: int) -> Optional[tuple[int, int]]:
        """The cheapest swap from judge a to judge b: (cost, entry slot), or None."""
        for c in sorted(self.arcs.get((a, b), {})):
            s = next(iter(self.arcs[(a, b)][c]), None)
            if s is not None:
                return c, s
        return None

    def weight(self, a: int, b: int) -> int:
        """The arc's cost: a unit of load moved through the sink, or the cheapest swap."""
        if a == self.sink:
            return -_LOAD * (2 * self.load[b] - 1)
        if b == self.sink:
            return _LOAD * (2 * self.load[a] + 1)
        found = self.witness(a, b)
        assert found is not None, "only live arcs are weighed"
        return found[0]

    def weights(self) -> dict[tuple[int, int], int]:
        """Every live arc and its cost."""
        found = {pair: self.weight(*pair) for pair, by_cost in self.arcs.items() if any(by_cost.values())}
        movable = {a for a, _ in found}
        for j in range(self.sink):
            found[(j, self.sink)] = self.weight(j, self.sink)
            if j in movable:
                found[(self.sink, j)] = self.weight(self.sink, j)
        return found

    def apply(self, cycle: list[int]) -> bool:
        """Carry out the cycle if that really lowers the cost; False (and nothing changed) otherwise.

        Swaps are made one by one, each witness chosen afresh, so an entry used twice is
        costed as it really is; when that makes the cycle useless it is split at that entry
        into two shorter cycles (a→d, c→b instead of a→b, c→d), one of which is no dearer.
        """
        arcs = list(zip(cycle, cycle[1:] + cycle[:1]))
        total = sum(self.weight(a, b) for a, b in arcs if self.sink in (a, b))  # loads before the swaps
        done: list[tuple[int, int, int]] = []
        ok = True
        for a, b in arcs:
            if self.sink in (a, b):
                continue
            found = self.witness(a, b)
            if found is None:
                ok = False
                break
            total += found[0]
            self.swap(found[1], a, b)
            done.append((found[1], a, b))
        if ok and total < 0:
            return True
        for s, a, b in reversed(done):
            self.swap(s, b, a)
        return self._split(cycle)

    def _split(self, cycle: list[int]) -> bool:
        """Try the two shorter cycles around an entry the cycle's cheapest swaps use twice."""
        seen: dict[int, int] = {}
        for n, (a, b) in enumerate(zip(cycle, cycle[1:] + cycle[:1])):
            if self.sink in (a, b):
                continue
            found = self.witness(a, b)
            s = found[1] if found else -1
            if s in seen:
                m = seen[s]  # arcs m (a→b) and n (c→d) share entry s: try a→d… and c→b…
                left, right = cycle[:m + 1] + cycle[n + 1:], cycle[m + 1:n + 1]
                parts = sorted((sum(self.weight(x, y) for x, y in zip(p, p[1:] + p[:1])), p) for p in (left, right))
                return any(cost < 0 and len(p) < len(cycle) and self.apply(p) for cost, p in parts)
            seen[s] = n
        return False


def _rebalance(slots: list[_Slot], load: list[int]) -> None:
    """Improve the plan in place by cycles of swaps until none lowers its cost.

    A plan with no negative cycle in the judges' exchange graph has none in the full
    entry/judge flow network, so it is a min-cost flow: loads decreasingly minimal (the max
    as low as possible, then the spread), then the fewest entries without an in-field
    judge, then the fewest out-of-field pairs.
    """
    exchange = _Exchange(slots, load)
    while True:
        cycle = _negative_cycle(exchange.sink + 1, exchange.weights())
        if cycle is None or not exchange.apply(cycle):
            return


def plan_balanced(
    entries: Sequence[EntryInfo],
    judges: Sequence[JudgeInfo],
    per_entry: int,
    existing: Iterable[tuple[int, int]] = (),
    blocked: Iterable[tuple[int, int]] = (),
) -> AssignmentPlan:
    """Give each entry `per_entry` judges, balancing the load first and the fields second.

    Rules, in order:
    - a pair in `blocked` (a conflict not overridden) is never proposed; pairs already in
      `existing` count towards the entry's judges and the judge's load, and stay;
    - each entry gets min(judges missing, eligible judges left); the shortfall is reported
      in `short`, never hidden;
    - the loads (existing pairs included) are as even as the conflicts allow: the busiest
      judge's load is the lowest possible, and no judge could hand an entry to one with
      two fewer (the sum of squared loads is minimal);
    - among the plans with such loads, the fewest entries are left without an in-field
      judge, then the fewest pairs are out of the entry's field (`fits_field`).
    A greedy pass (constrained entries first, fields first under the ⌈mean⌉ cap) gives the
    start; `_rebalance` makes it optimal. The same input always gives the same plan.
    """
    existing_set, blocked_set = set(existing), set(blocked)
    index = {j.id: n for n, j in enumerate(judges)}
    load = [0] * len(judges)
    held: dict[int, set[int]] = {e.id: set() for e in entries}
    for entry_id, judge_id in existing_set:
        if judge_id in index:
            load[index[judge_id]] += 1
        if entry_id in held:
            held[entry_id].add(judge_id)
    plan = AssignmentPlan()
    slots: list[_Slot] = []
    wanted: list[int] = []
    for entry in entries:
        missing = max(per_entry - len(held[entry.id]), 0)
        eligible = frozenset(index[j.id] for j in judges
                             if j.id not in held[entry.id] and (entry.id, j.id) not in blocked_set)
        if len(eligible) < missing:
            plan.short[entry.id] = missing - len(eligible)
        fitting = frozenset(n for n, j in enumerate(judges) if fits_field(entry, j))
        covered = sum(1 for j in held[entry.id] if j in index and index[j] in fitting)
        slots.append(_Slot(entry.id, eligible, fitting, set(), covered))
        wanted.append(min(missing, len(eligible)))
    cap = math.ceil((sum(load) + sum(wanted)) / len(judges)) if judges else 0
    for s in sorted(range(len(slots)), key=lambda s: (len(slots[s].eligible), slots[s].entry_id)):
        slot = slots[s]
        for _ in range(wanted[s]):
            best = min(slot.eligible - slot.chosen,
                       key=lambda n: (load[n] >= cap, n not in slot.fitting, load[n], judges[n].id))
            slot.chosen.add(best)
            slot.covered += best in slot.fitting
            load[best] += 1
    _rebalance(slots, load)
    plan.pairs = [(slot.entry_id, judges[n].id) for slot in slots for n in sorted(slot.chosen)]
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


def required_judges(mode: str, min_judges: int, panel_size: int) -> int:
    """The fewest submitted sheets an entry may be ranked on: the whole panel when every judge scores
    every entry ("all"), otherwise the contest's minimum (at least one)."""
    return panel_size if mode == "all" else max(min_judges, 1)


@dataclass(frozen=True)
class Shortfall:
    """An entry judged by fewer than the minimum, and why: who is kept off it, who has not submitted,
    and who could fill in."""

    entry_id: int
    have: int  # judges assigned (when planning) or sheets submitted (when closing)
    required: int
    conflicted: tuple[tuple[int, str], ...] = ()  # (panel judge id, conflict kind) kept off the entry
    waiting: tuple[int, ...] = ()  # assigned judges whose sheet is not submitted yet
    candidates: tuple[int, ...] = ()  # panel judges free to be added, then judges outside the panel


def shortfalls(
    entries: Sequence[EntryInfo],
    panel: Sequence[JudgeInfo],
    outsiders: Sequence[JudgeInfo],
    required: int,
    assigned: Mapping[int, Iterable[int]],
    submitted: Optional[Mapping[int, Iterable[int]]] = None,
    declared: Iterable[tuple[int, int]] = (),
) -> list[Shortfall]:
    """The entries with fewer judges than `required`, in the order given.

    Without `submitted` (planning) an entry counts its assigned judges; with it (closing) only the
    judges whose sheet was submitted, the others being `waiting`. A judge is conflicted by the
    rules of `conflict_kind` or by a declared conflict (`declared` pairs). The candidates who could
    fill in are panel judges neither on the entry nor conflicted, then judges outside the panel
    with no conflict, in the order given.
    """
    declared_set = set(declared)

    def kind(entry: EntryInfo, judge: JudgeInfo) -> Optional[str]:
        return DECLARED if (entry.id, judge.id) in declared_set else conflict_kind(entry, judge)

    found = []
    for entry in entries:
        on = set(assigned.get(entry.id, ()))
        done = on & set(submitted.get(entry.id, ())) if submitted is not None else on
        if len(done) >= required:
            continue
        conflicted = tuple((j.id, k) for j in panel if j.id not in on and (k := kind(entry, j)))
        blocked = {j for j, _ in conflicted}
        candidates = tuple(j.id for j in panel if j.id not in on and j.id not in blocked)
        candidates += tuple(j.id for j in outsiders if j.id not in on and kind(entry, j) is None)
        found.append(Shortfall(entry.id, len(done), required, conflicted, tuple(sorted(on - done)), candidates))
    return found


def needs_arbitration(totals: Sequence[float], limit: Optional[float]) -> bool:
    """True when some two judges' totals differ by more than the contest's limit (None = never)."""
    return limit is not None and len(totals) >= 2 and max(totals) - min(totals) > limit
