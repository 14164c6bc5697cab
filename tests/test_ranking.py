"""The pure ranking: means, tie-breaks, shared ranks, threshold, prize quotas, unscored entries."""
from __future__ import annotations

from judging.ranking import (
    PRIZE_LABELS,
    SheetTotals,
    Standing,
    rank_entries,
    sheet_total,
)


def sheet(entry_id: int, judge_id: int, novelty: float, usefulness: float, replicability: float) -> SheetTotals:
    """A submitted sheet with the default rubric's three criteria."""
    return SheetTotals(entry_id, judge_id, {"novelty": novelty, "usefulness": usefulness, "replicability": replicability})


def by_entry(standings: list[Standing]) -> dict[int, Standing]:
    return {s.entry_id: s for s in standings}


def test_sheet_total_sums_points_and_ignores_blanks() -> None:
    assert sheet_total({"novelty": 30, "usefulness": 20.5, "replicability": None}) == 50.5
    assert sheet_total({}) == 0.0


def test_mean_of_judges_totals_and_criterion_means() -> None:
    result = by_entry(rank_entries([sheet(1, 1, 30, 30, 20), sheet(1, 2, 20, 20, 10)]))
    assert result[1].mean_total == 65.0
    assert result[1].criterion_means == {"novelty": 25.0, "usefulness": 25.0, "replicability": 15.0}
    assert result[1].sheet_count == 2


def test_higher_mean_ranks_first() -> None:
    standings = rank_entries([sheet(1, 1, 20, 20, 10), sheet(2, 1, 30, 30, 20)])
    assert [(s.entry_id, s.rank) for s in standings] == [(2, 1), (1, 2)]


def test_tie_broken_by_novelty_then_usefulness_then_replicability() -> None:
    standings = rank_entries(
        [
            sheet(1, 1, 30, 20, 20),  # 70, novelty 30
            sheet(2, 1, 35, 15, 20),  # 70, novelty 35: first
            sheet(3, 1, 30, 25, 15),  # 70, novelty 30, usefulness 25: before 1
            sheet(4, 1, 30, 20, 20),  # equal to 1 on everything
        ]
    )
    assert [(s.entry_id, s.rank) for s in standings] == [(2, 1), (3, 2), (1, 3), (4, 3)]


def test_replicability_decides_when_novelty_and_usefulness_are_equal() -> None:
    # A fourth criterion lets two entries tie on total, novelty and usefulness yet differ on replicability.
    one = SheetTotals(1, 1, {"novelty": 30, "usefulness": 20, "replicability": 10, "impact": 10})
    two = SheetTotals(2, 1, {"novelty": 30, "usefulness": 20, "replicability": 15, "impact": 5})
    standings = rank_entries([one, two])
    assert [(s.entry_id, s.rank) for s in standings] == [(2, 1), (1, 2)]


def test_usefulness_decides_when_novelty_is_equal() -> None:
    standings = rank_entries([sheet(1, 1, 30, 10, 20), sheet(2, 1, 30, 20, 10), sheet(3, 1, 20, 20, 20)])
    assert [s.entry_id for s in standings] == [2, 1, 3]


def test_full_ties_share_a_rank_and_the_next_rank_skips() -> None:
    standings = rank_entries(
        [sheet(1, 1, 35, 30, 20), sheet(2, 1, 30, 30, 20), sheet(3, 1, 30, 30, 20), sheet(4, 1, 20, 20, 20)]
    )
    assert [(s.entry_id, s.rank) for s in standings] == [(1, 1), (2, 2), (3, 2), (4, 4)]


def test_threshold_decides_recognition_inclusively() -> None:
    result = by_entry(rank_entries([sheet(1, 1, 20, 20, 10), sheet(2, 1, 20, 19.5, 10)], threshold=50.0))
    assert result[1].recognised and result[1].mean_total == 50.0
    assert not result[2].recognised and result[2].prize is None


def test_prizes_in_rank_order_by_quota() -> None:
    sheets = [sheet(i, 1, 40 - i, 30, 20) for i in range(1, 12)]  # totals 89..79, all recognised
    standings = rank_entries(sheets, prizes={"nhat": 1, "nhi": 2, "ba": 3, "kk": 4})
    assert [s.prize for s in standings] == ["nhat", "nhi", "nhi", "ba", "ba", "ba", "kk", "kk", "kk", "kk", None]
    assert PRIZE_LABELS[standings[0].prize] == "Giải Nhất" and standings[-1].prize_label == ""


def test_fewer_recognised_entries_than_prizes_leaves_lower_prizes_empty() -> None:
    sheets = [sheet(1, 1, 35, 30, 20), sheet(2, 1, 30, 20, 10), sheet(3, 1, 10, 10, 10), sheet(4, 1, 5, 5, 5)]
    standings = rank_entries(sheets, threshold=50.0, prizes={"nhat": 1, "nhi": 2, "ba": 3, "kk": 4})
    assert [s.prize for s in standings] == ["nhat", "nhi", None, None]
    assert [s.recognised for s in standings] == [True, True, False, False]


def test_tied_entries_at_a_prize_boundary_share_the_better_prize() -> None:
    sheets = [sheet(1, 1, 30, 30, 20), sheet(2, 1, 30, 30, 20), sheet(3, 1, 30, 20, 20), sheet(4, 1, 20, 20, 20)]
    standings = rank_entries(sheets, prizes={"nhat": 1, "nhi": 1, "ba": 1, "kk": 0})
    assert [(s.rank, s.prize) for s in standings] == [(1, "nhat"), (1, "nhat"), (3, "ba"), (4, None)]


def test_entries_without_sheets_rank_last_and_are_not_recognised() -> None:
    standings = rank_entries([sheet(1, 1, 0, 0, 0), sheet(2, 1, 30, 30, 20)], threshold=0.0, entry_ids=[1, 2, 3, 4])
    assert [(s.entry_id, s.rank) for s in standings] == [(2, 1), (1, 2), (3, 3), (4, 3)]
    result = by_entry(standings)
    assert result[3].sheet_count == 0 and not result[3].recognised and result[3].prize is None
    assert result[1].recognised  # a scored zero passes a zero threshold; an unscored entry never does


def test_three_judges_means_compare_without_float_noise() -> None:
    a = [sheet(1, 1, 33.5, 20, 10), sheet(1, 2, 30, 20, 10), sheet(1, 3, 30.5, 20, 10)]
    b = [sheet(2, 1, 31, 20, 10), sheet(2, 2, 32, 20, 10), sheet(2, 3, 31, 20, 10)]
    standings = rank_entries(a + b)
    assert [s.rank for s in standings] == [1, 1]


def test_prizes_go_by_place_among_the_entries_the_panel_accepted() -> None:
    """Under the vote rule an entry voted down above the others takes no prize from them."""
    sheets = [sheet(1, 1, 38, 33, 24), sheet(2, 1, 30, 30, 20), sheet(3, 1, 28, 25, 17), sheet(4, 1, 25, 20, 15)]
    standings = by_entry(rank_entries(sheets, prizes={"nhat": 1, "nhi": 1, "ba": 1, "kk": 0}, accepted={2, 3, 4}))
    assert standings[1].rank == 1 and not standings[1].recognised and standings[1].prize is None
    assert [(standings[e].rank, standings[e].prize) for e in (2, 3, 4)] == [(2, "nhat"), (3, "nhi"), (4, "ba")]


def test_accepted_entries_tied_at_a_prize_boundary_share_the_better_prize() -> None:
    sheets = [sheet(1, 1, 38, 33, 24), sheet(2, 1, 30, 30, 20), sheet(3, 1, 30, 30, 20), sheet(4, 1, 25, 20, 15)]
    standings = by_entry(rank_entries(sheets, prizes={"nhat": 1, "nhi": 1, "ba": 1, "kk": 0}, accepted={2, 3, 4}))
    assert [standings[e].prize for e in (2, 3, 4)] == ["nhat", "nhat", "ba"]
