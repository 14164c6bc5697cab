"""Pure ranking: submitted score sheets in, standings out (no Flask, no database)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Container, Iterable, Mapping, Optional, Sequence

from contest.marks import N_
from judging import aggregation

DEFAULT_CRITERIA_ORDER = ("novelty", "usefulness", "replicability")
PRIZE_ORDER = ("nhat", "nhi", "ba", "kk")
PRIZE_LABELS = {
    "nhat": N_("Giải Nhất"),
    "nhi": N_("Giải Nhì"),
    "ba": N_("Giải Ba"),
    "kk": N_("Giải Khuyến khích"),
}
DEFAULT_PRIZES = {"nhat": 1, "nhi": 2, "ba": 3, "kk": 4}
# Means are compared at this precision so that float noise never splits a real tie.
PRECISION = 6


@dataclass(frozen=True)
class SheetTotals:
    """One judge's submitted sheet for one entry: points per criterion code."""

    entry_id: int
    judge_id: int
    points: Mapping[str, float]


@dataclass(frozen=True)
class Standing:
    """An entry's place in the ranking."""

    entry_id: int
    rank: int
    mean_total: float
    criterion_means: dict[str, float] = field(default_factory=dict)
    sheet_count: int = 0
    recognised: bool = False
    prize: Optional[str] = None
    spread: float = 0.0
    disputed: bool = False

    @property
    def prize_label(self) -> str:
        return PRIZE_LABELS.get(self.prize or "", "")


def sheet_total(points: Mapping[object, Optional[float]]) -> float:
    """The total of one sheet: the sum of its points, blanks counting as nothing."""
    return float(sum(p for p in points.values() if p is not None))


def _mean(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), PRECISION) if values else 0.0


def rank_entries(
    sheets: Iterable[SheetTotals],
    criteria_order: Sequence[str] = DEFAULT_CRITERIA_ORDER,
    threshold: float = 50.0,
    prizes: Optional[Mapping[str, int]] = None,
    entry_ids: Iterable[int] = (),
    method: str = aggregation.MEAN,
    disagreement: Optional[float] = None,
    accepted: Optional[Container[int]] = None,
) -> list[Standing]:
    """Rank entries by the aggregate of their judges' sheet totals.

    The aggregate is the mean of the totals, or with `method="trimmed"` and at least five
    sheets the mean without the highest and the lowest sheet (`aggregation.kept`); the
    criterion means are taken over the same kept sheets. An entry whose spread of totals
    (max − min, over all its sheets) exceeds `disagreement` is marked `disputed`.

    Order: entries with at least one sheet first, by mean total, descending; ties are broken
    by the mean points of each criterion of `criteria_order` in turn (novelty, then
    usefulness, then replicability), descending. Entries equal on all of these share a rank
    and the next rank skips (standard competition ranking: 1, 2, 2, 4); within a tie they
    are listed by entry id. Entries of `entry_ids` with no sheet come last, share the last
    rank, and are never recognised.

    An entry is recognised when it has a sheet, its mean total >= `threshold` and, when
    `accepted` is given (the panel-vote rule), its id is in `accepted`. Prizes go
    down the ranking among recognised entries only: the first `prizes["nhat"]` recognised
    positions get "nhat", the next `prizes["nhi"]` "nhi", then "ba", then "kk" (so an entry the
    panel voted down above them takes no prize from the others). An entry's prize is that of
    its place among the recognised, ties sharing the better place, so entries tied at a prize
    boundary all get the better prize and the positions they fill are used up. When fewer
    entries are recognised than there are prizes, the lower prizes stay empty.
    """
    quotas = dict(DEFAULT_PRIZES if prizes is None else prizes)
    by_entry: dict[int, list[SheetTotals]] = defaultdict(list)
    for sheet in sheets:
        by_entry[sheet.entry_id].append(sheet)
    for entry_id in entry_ids:
        by_entry.setdefault(entry_id, [])

    rows = []
    for entry_id, entry_sheets in by_entry.items():
        all_totals = [sheet_total(s.points) for s in entry_sheets]
        judges = [s.judge_id for s in entry_sheets]
        counted = aggregation.kept(entry_sheets, all_totals, method, judges)
        means = {
            code: _mean([float(s.points.get(code) or 0.0) for s in counted]) for code in criteria_order
        }
        key = (1 if entry_sheets else 0, aggregation.aggregate(all_totals, method, judges),
               *(means[c] for c in criteria_order))
        rows.append((key, entry_id, means, len(entry_sheets), aggregation.spread(all_totals),
                     aggregation.disputed(all_totals, disagreement)))
    rows.sort(key=lambda r: (tuple(-k for k in r[0]), r[1]))

    # Cumulative prize boundaries: position p (1-based) gets the first tier with p <= bound.
    bounds: list[tuple[int, str]] = []
    reach = 0
    for code in PRIZE_ORDER:
        reach += max(int(quotas.get(code, 0)), 0)
        bounds.append((reach, code))

    standings: list[Standing] = []
    previous_key: Optional[tuple] = None
    previous_recognised: Optional[tuple] = None
    rank = place = recognised_count = 0
    for position, (key, entry_id, means, count, gap, flagged) in enumerate(rows, start=1):
        if key != previous_key:
            rank, previous_key = position, key
        recognised = count > 0 and key[1] >= threshold and (accepted is None or entry_id in accepted)
        prize = None
        if recognised:
            recognised_count += 1
            if key != previous_recognised:
                place, previous_recognised = recognised_count, key
            prize = next((code for bound, code in bounds if place <= bound), None)
        standings.append(Standing(entry_id, rank, key[1], means, count, recognised, prize, gap, flagged))
    return standings


def rank_by_category(
    sheets: Iterable[SheetTotals],
    categories: Mapping[int, str],
    quotas: Mapping[str, Mapping[str, int]],
    **options: object,
) -> list[Standing]:
    """Rank each category (tập thể / cá nhân) on its own, with its own prize quotas.

    Every entry of `categories` (entry id -> category) is ranked only against entries of the
    same category by `rank_entries` (same tie-breaks, threshold and aggregation); ranks are
    therefore within the category. A category missing from `quotas` gets no prizes. The
    result lists the categories in the order of `quotas`, then any others, each in rank order.
    """
    sheets = list(sheets)
    order = list(quotas) + sorted({c for c in categories.values() if c not in quotas})
    standings: list[Standing] = []
    for category in order:
        ids = [e for e, c in categories.items() if c == category]
        if not ids:
            continue
        chosen = set(ids)
        standings += rank_entries([s for s in sheets if s.entry_id in chosen], entry_ids=ids,
                                  prizes=quotas.get(category, {}), **options)  # type: ignore[arg-type]
    return standings


def vote_passes(in_favour: int, panel_size: int, share: float) -> bool:
    """The panel accepts when at least `share` percent of all its members (not of the votes cast) vote in favour.

    Two thirds is entered as 66.67: 2 of 3 members pass (66.67 % of 3 is 2.0001, and the
    comparison allows for that rounding), 5 of 9 do not.
    """
    return panel_size > 0 and in_favour * 100 >= share * panel_size - 0.01 * panel_size
