"""k judges per entry: loads as even as conflicts allow, then fields; checked against brute force."""
from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from judging.assignment import EntryInfo, JudgeInfo, fits_field, plan_balanced


def loads_of(pairs: list[tuple[int, int]], judges: list[JudgeInfo], existing: tuple = ()) -> list[int]:
    """Each judge's load, existing pairs included."""
    every = [*pairs, *existing]
    return [sum(1 for _, j in every if j == judge.id) for judge in judges]


def cost_of(pairs, entries, judges, existing=()) -> tuple[int, int, int, int]:
    """(max load, sum of squared loads, entries without an in-field judge, out-of-field pairs)."""
    loads = loads_of(pairs, judges, existing)
    by_id = {j.id: j for j in judges}
    every = [*pairs, *existing]
    uncovered = sum(1 for e in entries
                    if any(x == e.id for x, _ in every)
                    and not any(x == e.id and fits_field(e, by_id[j]) for x, j in every if j in by_id))
    out_of_field = sum(1 for e in entries for x, j in pairs if x == e.id and not fits_field(e, by_id[j]))
    return max(loads, default=0), sum(n * n for n in loads), uncovered, out_of_field


def brute_force(entries, judges, k, existing, blocked) -> tuple[int, tuple[int, int, int]]:
    """The lowest max load, and the best (squares, uncovered, out-of-field), over every possible plan."""
    options = []
    for e in entries:
        held = {j for x, j in existing if x == e.id}
        free = [j.id for j in judges if j.id not in held and (e.id, j.id) not in blocked]
        need = min(max(k - len(held), 0), len(free))
        options.append([[(e.id, j) for j in combo] for combo in itertools.combinations(free, need)])
    best_max, best = None, None
    for choice in itertools.product(*options):
        cost = cost_of([p for part in choice for p in part], entries, judges, existing)
        best_max = cost[0] if best_max is None else min(best_max, cost[0])
        best = cost[1:] if best is None else min(best, cost[1:])
    return best_max, best


def test_one_expert_among_three_judges_gets_no_more_than_a_third() -> None:
    entries = [EntryInfo(i, 1000 + i, field="A") for i in range(1, 31)]
    judges = [JudgeInfo(1, fields=("A",)), JudgeInfo(2, fields=("B",)), JudgeInfo(3, fields=("C",))]
    plan = plan_balanced(entries, judges, per_entry=2)
    assert loads_of(plan.pairs, judges) == [20, 20, 20] and not plan.short
    # The expert is on 20 entries; the other 10 cannot have one whatever the plan.
    assert sum(1 for _, j in plan.pairs if j == 1) == 20


def test_two_fitting_judges_do_not_fill_up_before_the_third_is_used() -> None:
    # Filling the fitting judges first up to ⌈60 ÷ 3⌉ left the last 10 entries a choice of
    # one judge under the cap and two over it: 25/25/10.
    entries = [EntryInfo(i, 1000 + i, field="A") for i in range(1, 31)]
    judges = [JudgeInfo(1, fields=("A",)), JudgeInfo(2), JudgeInfo(3, fields=("C",))]
    plan = plan_balanced(entries, judges, per_entry=2)
    assert loads_of(plan.pairs, judges) == [20, 20, 20]
    assert all(any(e == x and j in (1, 2) for x, j in plan.pairs) for e in range(1, 31))  # each has a fitting judge


def test_fields_are_preferred_once_the_load_is_even() -> None:
    entries = [EntryInfo(i, 1000 + i, field="A" if i <= 6 else "B") for i in range(1, 13)]
    judges = [JudgeInfo(j, fields=("A",)) for j in (1, 2)] + [JudgeInfo(j, fields=("B",)) for j in (3, 4)]
    plan = plan_balanced(entries, judges, per_entry=2)
    assert loads_of(plan.pairs, judges) == [6, 6, 6, 6]
    by_id = {j.id: j for j in judges}
    assert all(fits_field(entries[e - 1], by_id[j]) for e, j in plan.pairs)  # each field has its own two experts


def test_every_entry_gets_an_expert_when_the_balance_allows_it() -> None:
    # One expert per field, but field A has twice the entries: each A entry still gets its expert
    # only while the expert's load stays even, so 4 of the 8 A entries do without.
    entries = [EntryInfo(i, 1000 + i, field="A" if i <= 8 else "B") for i in range(1, 13)]
    judges = [JudgeInfo(1, fields=("A",)), JudgeInfo(2, fields=("B",)), JudgeInfo(3, fields=("C",))]
    plan = plan_balanced(entries, judges, per_entry=2)
    assert loads_of(plan.pairs, judges) == [8, 8, 8]
    experts = {e for e, j in plan.pairs if j == 1}
    assert len(experts) == 8 and experts == set(range(1, 9))  # the A expert spends all 8 on A entries
    assert {e for e, j in plan.pairs if j == 2} >= set(range(9, 13))  # every B entry has its expert


def test_conflicts_and_existing_pairs_hold() -> None:
    entries = [EntryInfo(i, 1000 + i, field="A") for i in range(1, 11)]
    judges = [JudgeInfo(j) for j in range(1, 5)]
    blocked = {(e, 1) for e in range(1, 8)}  # judge 1 may only take entries 8-10
    existing = [(8, 2), (9, 2), (10, 2)]
    plan = plan_balanced(entries, judges, per_entry=2, existing=existing, blocked=blocked)
    assert not set(plan.pairs) & (blocked | set(existing))
    loads = loads_of(plan.pairs, judges, tuple(existing))
    assert loads[0] == 3 and sorted(loads[1:]) == [5, 6, 6]  # judge 1 takes all it may; the rest share 17


@st.composite
def cases(draw: st.DrawFn) -> tuple:
    """Up to 5 entries and 4 judges, random fields, conflicts and earlier pairs."""
    n_entries, n_judges = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    k = draw(st.integers(1, 3))
    fields = st.sampled_from(["A", "B", "C"])
    entries = [EntryInfo(i, 100 + i, field=draw(fields)) for i in range(1, n_entries + 1)]
    judges = [JudgeInfo(j, fields=tuple(draw(st.sets(fields, max_size=2)))) for j in range(1, n_judges + 1)]
    every = [(e.id, j.id) for e in entries for j in judges]
    blocked = draw(st.sets(st.sampled_from(every), max_size=len(every)))
    existing = draw(st.sets(st.sampled_from(every), max_size=3)) - blocked
    return entries, judges, k, existing, blocked


@settings(max_examples=400, deadline=None)
@given(cases())
def test_plan_is_optimal_on_small_cases(case: tuple) -> None:
    entries, judges, k, existing, blocked = case
    plan = plan_balanced(entries, judges, k, existing, blocked)
    assert not set(plan.pairs) & set(blocked) and not set(plan.pairs) & set(existing)
    assert len(set(plan.pairs)) == len(plan.pairs)
    for e in entries:
        held = sum(1 for x, _ in existing if x == e.id)
        free = sum(1 for j in judges if (e.id, j.id) not in blocked and (e.id, j.id) not in existing)
        got = sum(1 for x, _ in plan.pairs if x == e.id)
        missing = max(k - held, 0)
        assert got == min(missing, free)
        assert plan.short.get(e.id, 0) == missing - got
    best_max, best = brute_force(entries, judges, k, existing, blocked)
    cost = cost_of(plan.pairs, entries, judges, existing)
    assert cost[0] == best_max  # the busiest judge carries no more than he must
    assert cost[1:] == best  # then the spread, the entries without an expert, the out-of-field pairs


def test_two_thousand_entries_and_nine_judges_are_balanced_to_one() -> None:
    fields = ["Cải cách TTHC", "Chính quyền số", "Tuyên truyền CCHC"]
    entries = [EntryInfo(i, 10_000 + i, unit_id=i % 20, field=fields[i * 7 % 3]) for i in range(2000)]
    judges = [JudgeInfo(j, unit_id=j * 3 % 20, fields=(fields[j % 3],) if j % 3 else ()) for j in range(1, 10)]
    blocked = {(e.id, j.id) for e in entries for j in judges if e.unit_id == j.unit_id}
    plan = plan_balanced(entries, judges, per_entry=2, blocked=blocked)
    loads = loads_of(plan.pairs, judges)
    assert max(loads) - min(loads) <= 1 and len(plan.pairs) == 4000
