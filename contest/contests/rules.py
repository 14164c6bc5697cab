"""Pure rules of the public contest page (thể lệ): where the contest stands, its prizes.

No Flask, no database: plain values in, plain values out.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional, Sequence

from contest.marks import N_

# Where a contest stands for someone deciding whether to take part.
TAKING_ENTRIES, DEADLINE_PASSED, JUDGING, CLOSED, PUBLISHED = "open", "deadline_passed", "judging", "closed", "published"
PHASE_LABELS = {
    TAKING_ENTRIES: N_("Đang nhận bài"),
    DEADLINE_PASSED: N_("Đã hết hạn nộp bài, sắp chấm"),
    JUDGING: N_("Đang chấm"),
    CLOSED: N_("Đã chấm xong, chờ công bố kết quả"),
    PUBLISHED: N_("Đã công bố kết quả"),
}
PRIZE_NAMES = (N_("Giải Nhất"), N_("Giải Nhì"), N_("Giải Ba"), N_("Giải Khuyến khích"))


def public_phase(status: str, submission_deadline: datetime, now: datetime, published: bool) -> str:
    """The contest's phase as the public page names it: an open contest past its deadline no longer
    takes entries; results count as published only when a publication exists (reopened judging
    after a publication shows the published results still)."""
    if published:
        return PUBLISHED
    if status == "open":
        return TAKING_ENTRIES if now <= submission_deadline else DEADLINE_PASSED
    return {"judging": JUDGING, "closed": CLOSED}.get(status, JUDGING)


@dataclass(frozen=True)
class PrizeRow:
    """One prize with how many are awarded: to individuals, and to collectives when they are ranked apart."""

    name: str
    individual: int
    collective: Optional[int] = None


def prize_rows(counts: Sequence[int], collective: Optional[Sequence[int]]) -> list[PrizeRow]:
    """The prizes (Nhất, Nhì, Ba, Khuyến khích) with their counts; `collective` None means one ranking for all.

    >>> prize_rows([1, 2, 3, 4], None)[1]
    PrizeRow(name='Giải Nhì', individual=2, collective=None)
    >>> prize_rows([1, 1, 2, 3], [1, 0, 1, 1])[1].collective
    0
    """
    if collective is not None and len(collective) != len(PRIZE_NAMES):
        collective = None  # a malformed stored value: the ranking treats it as one list too
    return [PrizeRow(name, int(counts[i]), int(collective[i]) if collective is not None else None)
            for i, name in enumerate(PRIZE_NAMES)]


def prize_total(rows: Sequence[PrizeRow]) -> int:
    """How many prizes there are in all, across both categories."""
    return sum(r.individual + (r.collective or 0) for r in rows)
