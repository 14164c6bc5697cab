"""What an author reads of their entry's published result: pure functions over the publication's
snapshot (plain data in, dataclasses out), no Flask, no database.

The panel's comments reach the author without judges' names, as conference systems return
reviews: each entry's judges are numbered 1, 2, … in an order drawn from a keyed hash of the
entry and the judge, so the numbers follow neither the judges' ids, nor their names, nor the
order they scored in, and differ from one entry to the next.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Mapping, Optional

# Comments as frozen in a snapshot: {entry id (str): {criterion code: [[judge number, comment], …]}}.
EntryComments = dict[str, list[list]]


def judge_numbers(entry_id: int, judge_ids: Iterable[int], key: bytes) -> dict[int, int]:
    """Number an entry's judges 1, 2, … in the order of HMAC(key, "entry:judge"): stable for the
    same key, unguessable without it."""
    def rank(judge_id: int) -> bytes:
        return hmac.new(key, f"{entry_id}:{judge_id}".encode(), hashlib.sha256).digest()

    return {judge_id: n for n, judge_id in enumerate(sorted(set(judge_ids), key=rank), start=1)}


def anonymous_comments(rows: Iterable[tuple[int, int, str, Optional[str]]], key: bytes) -> dict[str, EntryComments]:
    """The comments of (entry id, judge id, criterion code, comment) rows, judges replaced by their
    number on the entry (`judge_numbers`); every judge with a row is numbered, blank comments are
    left out; within a criterion by judge number."""
    rows = list(rows)
    judges: dict[int, set[int]] = {}
    for entry_id, judge_id, _code, _text in rows:
        judges.setdefault(entry_id, set()).add(judge_id)
    numbers = {entry_id: judge_numbers(entry_id, ids, key) for entry_id, ids in judges.items()}
    out: dict[str, EntryComments] = {}
    for entry_id, judge_id, code, text in rows:
        text = (text or "").strip()
        if text:
            out.setdefault(str(entry_id), {}).setdefault(code, []).append([numbers[entry_id][judge_id], text])
    for per_criterion in out.values():
        for comments in per_criterion.values():
            comments.sort(key=lambda c: c[0])
    return out


@dataclass(frozen=True)
class CriterionReview:
    """One criterion of the rubric as the author reads it: the panel's mean points and comments."""

    name: str
    max_points: float
    mean: Optional[float]
    comments: list[tuple[int, str]] = field(default_factory=list)  # (judge number, comment)


@dataclass(frozen=True)
class AuthorResult:
    """An entry's published result: its place, points, prize and recognition, as the snapshot has them."""

    rank: int
    of: int  # entries ranked with it (in its category, when prizes go by category)
    category: str
    mean_total: float
    max_total: float
    sheet_count: int
    recognised: bool
    prize_label: str  # the untranslated label ("Giải Nhì"), "" for none
    threshold: float
    criteria: list[CriterionReview]
    comments_shared: bool  # the contest shares the panel's comments (they may still be none)
    published_at: Optional[datetime] = None  # UTC
    version: int = 1

    @property
    def has_comments(self) -> bool:
        return any(c.comments for c in self.criteria)


def author_result(snapshot: Mapping, entry_id: int, comments: Optional[EntryComments] = None,
                  published_at: Optional[datetime] = None, version: int = 1) -> Optional[AuthorResult]:
    """The entry's row of a publication's snapshot as an AuthorResult, None when the entry is not in
    it; `comments` (this entry's, from `anonymous_comments`) only when the contest shares them."""
    rows = snapshot.get("results", [])
    row = next((r for r in rows if r.get("entry_id") == entry_id), None)
    if row is None:
        return None
    category = row.get("category") or ""
    criteria = snapshot.get("criteria", [])
    means = row.get("criterion_means") or {}
    shared = comments or {}
    return AuthorResult(
        rank=row["rank"],
        of=sum(1 for r in rows if (r.get("category") or "") == category),
        category=category,
        mean_total=row["mean_total"],
        max_total=sum(c["max_points"] for c in criteria),
        sheet_count=row.get("sheet_count", 0),
        recognised=bool(row.get("recognised")),
        prize_label=row.get("prize_label") or "",
        threshold=snapshot.get("contest", {}).get("threshold", 0),
        criteria=[CriterionReview(c["name"], c["max_points"], means.get(c["code"]),
                                  [(n, text) for n, text in shared.get(c["code"], [])]) for c in criteria],
        comments_shared=comments is not None,
        published_at=published_at,
        version=version,
    )
