"""Pure aggregation of judges' totals: mean or trimmed mean, spread, per-judge z-scores.

No Flask, no database: totals in, numbers out.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence, TypeVar

from contest.marks import N_

MEAN, TRIMMED = "mean", "trimmed"
METHOD_LABELS = {MEAN: N_("Trung bình cộng"), TRIMMED: N_("Trung bình bỏ điểm cao nhất và thấp nhất (từ 5 phiếu)")}
TRIM_MIN_SHEETS = 5
PRECISION = 6

T = TypeVar("T")


def kept(items: Sequence[T], totals: Sequence[float], method: str, ids: Sequence[int] = ()) -> list[T]:
    """The sheets that count: all of them, or for a trimmed mean with ≥ 5 sheets all but one highest and one lowest.

    Which sheet is dropped among equal totals is decided by `ids` (the judge ids): the
    highest total with the highest id and the lowest total with the lowest id go, so the
    choice never depends on the order the sheets arrived in.
    """
    if method != TRIMMED or len(items) < TRIM_MIN_SHEETS:
        return list(items)
    keys = list(ids) if ids else list(range(len(items)))
    order = sorted(range(len(items)), key=lambda i: (totals[i], keys[i]))
    dropped = {order[0], order[-1]}
    return [item for i, item in enumerate(items) if i not in dropped]


def aggregate(totals: Sequence[float], method: str = MEAN, ids: Sequence[int] = ()) -> float:
    """The entry's score: the mean of the totals, trimmed (see `kept`, ties by `ids`) when chosen and
    ≥ 5 sheets; 0 when none. The ranking's mean total is this."""
    values = kept(list(totals), list(totals), method, ids)
    return round(sum(values) / len(values), PRECISION) if values else 0.0


def spread(totals: Sequence[float]) -> float:
    """Max − min of the judges' totals (0 for fewer than two sheets)."""
    return round(max(totals) - min(totals), PRECISION) if len(totals) >= 2 else 0.0


def disputed(totals: Sequence[float], threshold: Optional[float]) -> bool:
    """Flag for discussion when the spread exceeds the contest's threshold (None = never); strictly above."""
    return threshold is not None and spread(totals) > threshold


@dataclass(frozen=True)
class JudgeScale:
    """How a judge marks: the mean and population standard deviation of their totals."""

    judge_id: int
    count: int
    mean: float
    std: float
    offset: float  # judge's mean minus the mean of all sheets: < 0 harsh, > 0 lenient


def judge_scales(sheets: Iterable[tuple[int, int, float]]) -> dict[int, JudgeScale]:
    """Each judge's scale over their (entry id, judge id, total) sheets."""
    by_judge: dict[int, list[float]] = defaultdict(list)
    everything: list[float] = []
    for _, judge_id, total in sheets:
        by_judge[judge_id].append(total)
        everything.append(total)
    overall = sum(everything) / len(everything) if everything else 0.0
    scales = {}
    for judge_id, totals in by_judge.items():
        mean = sum(totals) / len(totals)
        std = math.sqrt(sum((t - mean) ** 2 for t in totals) / len(totals))
        scales[judge_id] = JudgeScale(judge_id, len(totals), round(mean, PRECISION), round(std, PRECISION),
                                      round(mean - overall, PRECISION))
    return scales


def z_scores(sheets: Iterable[tuple[int, int, float]]) -> dict[tuple[int, int], float]:
    """Each sheet's z-score within its judge: (total − judge's mean) ÷ judge's std.

    A judge with a single sheet, or who gave every entry the same total, has no spread to
    normalise by: their sheets get 0 (neither above nor below their own habit).
    """
    sheets = list(sheets)
    scales = judge_scales(sheets)
    result = {}
    for entry_id, judge_id, total in sheets:
        s = scales[judge_id]
        result[(entry_id, judge_id)] = round((total - s.mean) / s.std, PRECISION) if s.std > 0 else 0.0
    return result


def mean_z(sheets: Iterable[tuple[int, int, float]]) -> dict[int, float]:
    """Per entry, the mean of its sheets' z-scores: the ranking a panel of equally strict judges would give."""
    per_entry: dict[int, list[float]] = defaultdict(list)
    for (entry_id, _), z in z_scores(sheets).items():
        per_entry[entry_id].append(z)
    return {e: round(sum(zs) / len(zs), PRECISION) for e, zs in per_entry.items()}


def combined_scores(panel: dict[int, float], votes: dict[int, int], max_total: float,
                    panel_weight: float = 80.0, vote_weight: float = 20.0) -> dict[int, float]:
    """Panel score and community votes on one scale: panel_weight × score ÷ max_total + vote_weight × votes ÷ most votes.

    With the default weights a perfect panel score is worth 80 and the most-voted entry gets
    the full 20; when nobody has voted, the vote part is 0 for everyone.
    """
    most = max(votes.values(), default=0)
    return {
        e: round(panel_weight * (score / max_total if max_total else 0.0)
                 + vote_weight * (votes.get(e, 0) / most if most else 0.0), 2)
        for e, score in panel.items()
    }
