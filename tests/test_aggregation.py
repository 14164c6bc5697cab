"""Pure judging maths: aggregation, z-scores, spread, rubric bands, balanced assignment, arbitration."""
from __future__ import annotations

import pytest

from judging import aggregation, assignment, rubric
from judging.assignment import (
    EntryInfo,
    JudgeInfo,
    conflict_kind,
    pick_arbiter,
    plan_balanced,
)
from judging.ranking import SheetTotals, rank_entries


def test_mean_and_trimmed_mean() -> None:
    assert aggregation.aggregate([60, 70, 80]) == 70.0
    assert aggregation.aggregate([]) == 0.0
    # Fewer than five sheets: a trimmed contest still uses the plain mean.
    assert aggregation.aggregate([10, 70, 80, 90], aggregation.TRIMMED) == 62.5
    # Five sheets: the highest (95) and the lowest (10) are dropped.
    assert aggregation.aggregate([10, 70, 80, 90, 95], aggregation.TRIMMED) == 80.0


def test_the_ranking_mean_is_the_aggregate() -> None:
    """rank_entries orders by aggregation.aggregate: changing one changes the other."""
    sheets = [SheetTotals(entry_id=1, judge_id=j, points={"novelty": t}) for j, t in enumerate([10, 70, 80, 90, 95], 1)]
    sheets += [SheetTotals(entry_id=2, judge_id=j, points={"novelty": 75.0}) for j in range(1, 6)]
    trimmed = rank_entries(sheets, ["novelty"], method=aggregation.TRIMMED)
    plain = rank_entries(sheets, ["novelty"], method=aggregation.MEAN)
    by = lambda rows: {r.entry_id: r.mean_total for r in rows}  # noqa: E731
    assert by(trimmed)[1] == aggregation.aggregate([10, 70, 80, 90, 95], aggregation.TRIMMED, [1, 2, 3, 4, 5]) == 80.0
    assert by(plain)[1] == aggregation.aggregate([10, 70, 80, 90, 95]) == 69.0
    assert [r.entry_id for r in trimmed][0] == 1 and [r.entry_id for r in plain][0] == 2


def test_trimming_drops_one_sheet_each_end_even_when_tied() -> None:
    items = ["a", "b", "c", "d", "e"]
    kept = aggregation.kept(items, [50, 50, 60, 70, 70], aggregation.TRIMMED, ids=[1, 2, 3, 4, 5])
    assert kept == ["b", "c", "d"]  # the lowest 50 with the lowest id, the highest 70 with the highest id


def test_spread_and_disputed_threshold_is_strict() -> None:
    assert aggregation.spread([60, 85, 70]) == 25.0
    assert aggregation.spread([60]) == 0.0
    assert aggregation.disputed([60, 80], 20) is False  # exactly the threshold: not flagged
    assert aggregation.disputed([60, 80.5], 20) is True
    assert aggregation.disputed([0, 100], None) is False


def test_z_scores_show_a_harsh_and_a_lenient_judge() -> None:
    # Judge 1 is harsh, judge 2 lenient; both order the entries the same way.
    sheets = [(1, 1, 40.0), (2, 1, 50.0), (3, 1, 60.0), (1, 2, 70.0), (2, 2, 80.0), (3, 2, 90.0)]
    z = aggregation.z_scores(sheets)
    assert z[(1, 1)] == z[(1, 2)] and z[(3, 1)] == z[(3, 2)] and z[(2, 1)] == 0.0
    assert z[(3, 1)] == pytest.approx(1.224745, abs=1e-6)
    scales = aggregation.judge_scales(sheets)
    assert scales[1].offset == -15.0 and scales[2].offset == 15.0
    assert aggregation.mean_z(sheets)[3] == pytest.approx(1.224745, abs=1e-6)


def test_z_score_of_a_judge_without_spread_is_zero() -> None:
    z = aggregation.z_scores([(1, 1, 70.0), (2, 1, 70.0), (1, 2, 50.0)])
    assert z == {(1, 1): 0.0, (2, 1): 0.0, (1, 2): 0.0}


def sheet(entry_id: int, judge_id: int, total_novelty: float, usefulness: float = 20, replicability: float = 10) -> SheetTotals:
    return SheetTotals(entry_id, judge_id, {"novelty": total_novelty, "usefulness": usefulness, "replicability": replicability})


def test_ranking_with_trimmed_mean_and_disagreement_flag() -> None:
    outlier = [sheet(1, j, n) for j, n in enumerate([0, 30, 30, 30, 40], start=1)]  # totals 30, 60, 60, 60, 70
    steady = [sheet(2, j, 28) for j in range(1, 6)]  # all 58
    mean = {s.entry_id: s for s in rank_entries(outlier + steady, disagreement=20)}
    assert mean[1].mean_total == 56.0 and mean[1].rank == 2 and mean[1].disputed and mean[1].spread == 40.0
    trimmed = {s.entry_id: s for s in rank_entries(outlier + steady, method="trimmed", disagreement=20)}
    assert trimmed[1].mean_total == 60.0 and trimmed[1].rank == 1
    assert trimmed[1].criterion_means["novelty"] == 30.0  # criterion means over the kept sheets too
    assert not trimmed[2].disputed and trimmed[2].spread == 0.0


def test_ties_after_trimming_share_a_rank() -> None:
    a = [sheet(1, j, n) for j, n in enumerate([10, 30, 30, 30, 35], start=1)]
    b = [sheet(2, j, n) for j, n in enumerate([20, 30, 30, 30, 40], start=1)]
    standings = rank_entries(a + b, method="trimmed")
    assert [s.rank for s in standings] == [1, 1]


def test_prize_quotas_with_fewer_eligible_entries_than_prizes() -> None:
    standings = rank_entries([sheet(1, 1, 35, 30, 20), sheet(2, 1, 10, 10, 10)], threshold=50,
                             prizes={"nhat": 1, "nhi": 2, "ba": 3, "kk": 4}, entry_ids=[1, 2, 3])
    assert [(s.entry_id, s.prize) for s in standings] == [(1, "nhat"), (2, None), (3, None)]


# ---------------------------------------------------------------- rubric

def test_default_bands_scale_the_official_sheet() -> None:
    assert [(b.low, b.high) for b in rubric.default_bands(30)] == [(27, 30), (21, 26), (16, 20), (1, 15), (0, 0)]
    assert [(b.low, b.high) for b in rubric.default_bands(40, "novelty")] == [(36, 40), (28, 35), (21, 27), (1, 20), (0, 0)]
    assert [(b.low, b.high) for b in rubric.default_bands(35)] == [(32, 35), (25, 31), (18, 24), (1, 17), (0, 0)]
    assert [(b.low, b.high) for b in rubric.default_bands(25)] == [(23, 25), (18, 22), (13, 17), (1, 12), (0, 0)]
    assert rubric.default_bands(40, "novelty")[0].label == "Hoàn toàn mới"
    assert [(b.low, b.high) for b in rubric.default_bands(3)] == [(1, 3), (0, 0)]


def test_parse_and_format_bands_round_trip_and_refuse_gaps() -> None:
    text = rubric.format_bands(rubric.default_bands(40, "novelty"))
    assert text.splitlines()[0] == "36-40: Hoàn toàn mới"
    assert rubric.parse_bands(text, 40) == rubric.default_bands(40, "novelty")
    assert rubric.parse_bands("", 40) == []
    with pytest.raises(ValueError, match="phủ từ 0"):
        rubric.parse_bands("20-40: Tốt\n1-19: Yếu", 40)
    with pytest.raises(ValueError, match="chồng lấn"):
        rubric.parse_bands("20-40: Tốt\n0-20: Yếu", 40)
    with pytest.raises(ValueError, match="Dòng 1"):
        rubric.parse_bands("hai mươi: Tốt", 40)


def test_comment_rule_step_and_band_of_half_points() -> None:
    bands = rubric.default_bands(40, "novelty")
    assert rubric.comment_required(0, bands) and rubric.comment_required(20, bands)
    assert not rubric.comment_required(20.5, bands) and not rubric.comment_required(36, bands)
    assert rubric.band_of(20.5, bands).low == 1 and rubric.band_of(27.5, bands).low == 21
    assert rubric.on_step(12.5, 0.5) and not rubric.on_step(12.5, 1) and not rubric.on_step(12.25, 0.5)


# ---------------------------------------------------------------- assignment

def test_conflicts_author_coauthor_unit() -> None:
    entry = EntryInfo(1, author_id=10, unit_id=5, field="Chính quyền số", coauthor_names=("Lê  Văn Tám",))
    assert conflict_kind(entry, JudgeInfo(10)) == assignment.AUTHOR
    assert conflict_kind(entry, JudgeInfo(11, "lê văn tám")) == assignment.COAUTHOR
    assert conflict_kind(entry, JudgeInfo(12, "Khác", unit_id=5)) == assignment.SAME_UNIT
    assert conflict_kind(entry, JudgeInfo(13, "Khác", unit_id=6)) is None
    assert conflict_kind(EntryInfo(2, 10, None), JudgeInfo(14, "Khác", None)) is None  # no unit on either side


def test_balanced_plan_minimises_max_load_and_is_deterministic() -> None:
    entries = [EntryInfo(i, author_id=100 + i, field="A" if i % 2 else "B") for i in range(1, 10)]
    judges = [JudgeInfo(j, fields=("A",) if j <= 2 else ("B",)) for j in range(1, 5)]
    plan = plan_balanced(entries, judges, per_entry=2)
    assert plan == plan_balanced(entries, judges, per_entry=2)
    loads = [sum(1 for _, j in plan.pairs if j == judge.id) for judge in judges]
    assert sum(loads) == 18 and max(loads) == 5  # ⌈18 / 4⌉
    assert all(len({j for e, j in plan.pairs if e == entry.id}) == 2 for entry in entries)
    fitting = sum(1 for e, j in plan.pairs if assignment.fits_field(entries[e - 1], judges[j - 1]))
    assert fitting >= 16  # field experts are preferred while the load allows it
    assert not plan.short


def test_balanced_plan_never_uses_a_blocked_pair_and_reports_shortfalls() -> None:
    entries = [EntryInfo(1, 100), EntryInfo(2, 101)]
    judges = [JudgeInfo(1), JudgeInfo(2)]
    plan = plan_balanced(entries, judges, per_entry=2, blocked=[(1, 1)], existing=[(2, 2)])
    assert (1, 1) not in plan.pairs and (2, 2) not in plan.pairs
    assert sorted(plan.pairs) == [(1, 2), (2, 1)]
    assert plan.short == {1: 1}


def test_pick_arbiter_least_loaded_eligible() -> None:
    entry = EntryInfo(1, 100, field="A")
    judges = [JudgeInfo(1), JudgeInfo(2), JudgeInfo(3), JudgeInfo(4, fields=("B",))]
    loads = {1: 3, 2: 3, 3: 5, 4: 0}
    assert pick_arbiter(entry, judges, loads, assigned=[1]).id == 2
    assert pick_arbiter(entry, judges, loads, assigned=[1], blocked=[(1, 2)]).id == 3  # field fit before load
    assert pick_arbiter(entry, judges, loads, assigned=[1, 2, 3]).id == 4
    assert pick_arbiter(entry, judges, loads, assigned=[1, 2, 3, 4]) is None
    assert assignment.needs_arbitration([60, 81], 20) and not assignment.needs_arbitration([60, 80], 20)
    assert not assignment.needs_arbitration([0, 100], None) and not assignment.needs_arbitration([50], 1)


def test_prizes_by_category_rank_each_category_on_its_own() -> None:
    from judging.ranking import rank_by_category

    sheets = [sheet(1, 1, 38, 30, 20), sheet(2, 1, 30, 30, 20), sheet(3, 1, 20, 20, 20), sheet(4, 1, 10, 10, 10)]
    categories = {1: "individual", 2: "individual", 3: "collective", 4: "collective", 5: "collective"}
    quotas = {"individual": {"nhat": 1, "nhi": 0, "ba": 0, "kk": 0}, "collective": {"nhat": 1, "nhi": 1, "ba": 1, "kk": 1}}
    standings = rank_by_category(sheets, categories, quotas, threshold=50)
    assert [(s.entry_id, s.rank, s.prize) for s in standings] == [
        (1, 1, "nhat"), (2, 2, None),  # one prize for individuals
        (3, 1, "nhat"), (4, 2, None), (5, 3, None),  # 4 is under the threshold, 5 has no sheet: prizes stay empty
    ]


def test_panel_vote_needs_the_share_of_all_members() -> None:
    from judging.ranking import vote_passes

    assert vote_passes(2, 3, 66.67) and not vote_passes(1, 3, 66.67)
    assert vote_passes(6, 9, 66.67) and not vote_passes(5, 9, 66.67)
    assert not vote_passes(0, 0, 50)


def test_combined_score_of_panel_and_community_votes() -> None:
    combined = aggregation.combined_scores({1: 90.0, 2: 80.0, 3: 70.0}, {1: 5, 2: 10}, 100)
    assert combined == {1: 82.0, 2: 84.0, 3: 56.0}  # 80×0.9 + 20×0.5; 80×0.8 + 20; 80×0.7 + 0
    assert aggregation.combined_scores({1: 50.0}, {}, 100) == {1: 40.0}
