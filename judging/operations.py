"""Verb functions of the judging side: each changes state, writes the audit log and flushes.

They never commit: the request (or the CLI command) that calls them commits once at its end.
"""
from __future__ import annotations

import math
from typing import Any, Optional

from sqlalchemy import delete, func, select

from contest.audit import record
from contest.db import db, utcnow
from contest.errors import OperationError
from contest.models import (
    CLOSED, JUDGE, JUDGING, OPEN, PUBLISHED, SUBMITTED, Contest, Criterion, Entry, RegistryItem, User,
)
from contest.timeutil import format_number

from . import ranking
from .models import SHEET_DRAFT, SHEET_SUBMITTED, Assignment, Publication, Result, Score, ScoreSheet
from .queries import active_judges, contest_results, eligible_entries, find_assignment, find_sheet, panel_judges

COUNCIL = "Hội đồng chấm sáng kiến kinh nghiệm của thị xã"


class JudgingError(OperationError):
    """A refused judging action; the message is Vietnamese and names the field and reason."""


def assign_panel(actor: Any, contest: Contest, judges: Optional[list[User]] = None) -> int:
    """Assign judges (by default every active judge) to every eligible entry; opens judging."""
    if contest.status not in (OPEN, JUDGING):
        raise JudgingError("Cuộc thi đã kết thúc chấm, không thể phân công thêm giám khảo.")
    judges = active_judges() if judges is None else [j for j in judges if j.has_role(JUDGE) and j.active]
    if not judges:
        raise JudgingError("Chưa có giám khảo nào đang hoạt động để phân công.", field="judges")
    entries = eligible_entries(contest)
    if not entries:
        raise JudgingError("Chưa có sáng kiến nào đã nộp để phân công chấm.")
    existing = set(
        db.session.execute(
            select(Assignment.entry_id, Assignment.judge_id).join(Entry).where(Entry.contest_id == contest.id)
        )
    )
    before = {"status": contest.status, "assignments": len(existing)}
    created = 0
    for entry in entries:
        for judge in judges:
            # An author never judges their own entry (conflict of interest).
            if judge.id == entry.author_id or (entry.id, judge.id) in existing:
                continue
            db.session.add(Assignment(entry_id=entry.id, judge_id=judge.id))
            created += 1
    contest.status = JUDGING
    db.session.flush()
    after = {
        "status": contest.status,
        "assignments": len(existing) + created,
        "new": created,
        "judges": [j.id for j in judges],
    }
    record(actor, "judging.assign_panel", "contest", contest.id, before, after)
    return created


def _parse_points(raw: Any, criterion: Criterion) -> Optional[float]:
    """Points as a float (a Vietnamese decimal comma is accepted), None when blank."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    label = f"Tiêu chí “{criterion.name}”"
    maximum = format_number(float(criterion.max_points))
    try:
        value = float(str(raw).strip().replace(",", "."))
    except ValueError:
        raise JudgingError(f"{label}: điểm phải là một số (đã nhập “{raw}”).", field=f"points_{criterion.id}")
    if math.isnan(value) or value < 0 or value > criterion.max_points:
        raise JudgingError(
            f"{label}: điểm phải từ 0 đến {maximum} (đã nhập “{raw}”).", field=f"points_{criterion.id}"
        )
    return value


def _sheet_state(sheet: ScoreSheet) -> dict:
    """What the audit log keeps of a sheet."""
    return {
        "status": sheet.status,
        "version": sheet.version,
        "scores": {s.criterion_id: [s.points, s.comment] for s in sheet.scores},
    }


def save_sheet(
    actor: Any, entry: Entry, values: dict[int, tuple[Optional[float], str]], submit: bool = False
) -> ScoreSheet:
    """Save the judge's sheet for an entry as a draft, or submit (and so lock) it."""
    contest = entry.contest
    if find_assignment(entry, actor) is None:
        raise JudgingError("Bạn không được phân công chấm sáng kiến này.")
    if contest.status != JUDGING:
        raise JudgingError("Cuộc thi không trong thời gian chấm; không thể lưu phiếu chấm.")
    if entry.status != SUBMITTED:
        raise JudgingError("Sáng kiến này không còn trong danh sách chấm (đã bị loại hoặc chưa nộp).")
    sheet = find_sheet(entry, actor)
    if sheet is not None and sheet.locked:
        raise JudgingError("Phiếu chấm đã nộp nên đã khoá; không thể sửa.")
    # Validate everything first, so that a refusal leaves the stored sheet untouched.
    parsed: dict[int, tuple[Optional[float], str]] = {}
    for criterion in contest.criteria:
        raw, comment = values.get(criterion.id, (None, ""))
        points = _parse_points(raw, criterion)
        if submit and points is None:
            raise JudgingError(
                f"Tiêu chí “{criterion.name}”: chưa cho điểm; cần chấm đủ các tiêu chí trước khi nộp phiếu.",
                field=f"points_{criterion.id}",
            )
        parsed[criterion.id] = (points, (comment or "").strip())

    if sheet is None:
        sheet = ScoreSheet(entry_id=entry.id, judge_id=actor.id, status=SHEET_DRAFT, version=0)
        db.session.add(sheet)
        before: Optional[dict] = None
    else:
        before = _sheet_state(sheet)
    current = {s.criterion_id: s for s in sheet.scores}
    for criterion_id, (points, comment) in parsed.items():
        score = current.get(criterion_id)
        if score is None:
            score = Score(criterion_id=criterion_id)
            sheet.scores.append(score)
        score.points, score.comment = points, comment
    sheet.version = (sheet.version or 0) + 1
    if submit:
        sheet.status, sheet.submitted_at = SHEET_SUBMITTED, utcnow()
    db.session.flush()
    action = "judging.submit_sheet" if submit else "judging.save_sheet"
    record(actor, action, "score_sheet", sheet.id, before, {**_sheet_state(sheet), "entry_id": entry.id})
    return sheet


def tie_break_order(contest: Contest) -> tuple[str, ...]:
    """Criterion codes in tie-break order: novelty, usefulness, replicability, then the rest."""
    codes = [c.code for c in contest.criteria]
    known = [c for c in ranking.DEFAULT_CRITERIA_ORDER if c in codes]
    return tuple(known + [c for c in codes if c not in known])


def close_judging(actor: Any, contest: Contest) -> list[Result]:
    """Rank the entries from submitted sheets, replace the contest's results, end judging."""
    if contest.status != JUDGING:
        raise JudgingError("Chỉ kết thúc chấm được khi cuộc thi đang trong giai đoạn chấm.")
    entries = eligible_entries(contest)
    codes = {c.id: c.code for c in contest.criteria}
    sheets = db.session.scalars(
        select(ScoreSheet)
        .join(Entry, Entry.id == ScoreSheet.entry_id)
        .where(Entry.contest_id == contest.id, Entry.status == SUBMITTED, ScoreSheet.status == SHEET_SUBMITTED)
    ).all()
    totals = [
        ranking.SheetTotals(s.entry_id, s.judge_id, {codes[k]: v for k, v in s.points_by_criterion().items() if k in codes})
        for s in sheets
    ]
    standings = ranking.rank_entries(
        totals,
        criteria_order=tie_break_order(contest),
        threshold=contest.threshold,
        prizes={
            "nhat": contest.prize_first,
            "nhi": contest.prize_second,
            "ba": contest.prize_third,
            "kk": contest.prize_consolation,
        },
        entry_ids=[e.id for e in entries],
    )
    before = {"status": contest.status}
    db.session.execute(delete(Result).where(Result.contest_id == contest.id))
    results = [
        Result(
            contest_id=contest.id,
            entry_id=s.entry_id,
            rank=s.rank,
            mean_total=s.mean_total,
            criterion_means=s.criterion_means,
            sheet_count=s.sheet_count,
            recognised=s.recognised,
            prize=s.prize,
        )
        for s in standings
    ]
    db.session.add_all(results)
    contest.status = CLOSED
    db.session.flush()
    after = {
        "status": contest.status,
        "sheets": len(sheets),
        "results": [[r.entry_id, r.rank, r.mean_total, r.prize] for r in results],
    }
    record(actor, "judging.close", "contest", contest.id, before, after)
    return results


def results_snapshot(contest: Contest) -> dict:
    """The published view of the results: plain data, frozen into a Publication."""
    criteria = [{"code": c.code, "name": c.name, "max_points": c.max_points} for c in contest.criteria]
    rows = []
    for r in contest_results(contest):
        e = r.entry
        rows.append(
            {
                "entry_id": e.id,
                "rank": r.rank,
                "title": e.title,
                "authors_display": e.authors_display,
                "unit": e.unit.name if e.unit else "",
                "field": e.field,
                "kind": e.kind_label,
                "mean_total": r.mean_total,
                "criterion_means": r.criterion_means,
                "sheet_count": r.sheet_count,
                "recognised": r.recognised,
                "prize": r.prize,
                "prize_label": ranking.PRIZE_LABELS.get(r.prize or "", ""),
                "forwarded": r.forwarded,
            }
        )
    panel = [{"name": j.full_name, "position": j.position} for j in panel_judges(contest)]
    return {
        "contest": {"id": contest.id, "title": contest.title, "year": contest.year, "threshold": contest.threshold},
        "criteria": criteria,
        "results": rows,
        "panel": panel,
    }


def publish_results(actor: Any, contest: Contest) -> Publication:
    """Freeze the results into a new publication version; the public page shows the latest."""
    if contest.status not in (CLOSED, PUBLISHED):
        raise JudgingError("Chỉ công bố được kết quả khi cuộc thi đã kết thúc chấm.")
    last = db.session.scalar(select(func.max(Publication.version)).filter_by(contest_id=contest.id)) or 0
    publication = Publication(
        contest_id=contest.id,
        version=last + 1,
        published_at=utcnow(),
        published_by_id=getattr(actor, "id", None),
        snapshot=results_snapshot(contest),
    )
    db.session.add(publication)
    before = {"status": contest.status, "version": last}
    contest.status = PUBLISHED
    db.session.flush()
    record(actor, "judging.publish", "contest", contest.id, before, {"status": contest.status, "version": publication.version})
    return publication


def forward_entries(actor: Any, contest: Contest) -> list[Result]:
    """Mark the top `forward_count` recognised results as forwarded to the town council."""
    if contest.status not in (CLOSED, PUBLISHED):
        raise JudgingError("Chỉ đề nghị lên Hội đồng thị xã được khi cuộc thi đã kết thúc chấm.")
    results = contest_results(contest)
    before = {"forwarded": [r.entry_id for r in results if r.forwarded]}
    # Rank order, then entry id: a tie at the cut is settled the way the ranking lists it.
    chosen = [r for r in results if r.recognised][: max(contest.forward_count, 0)]
    chosen_ids = {r.id for r in chosen}
    for r in results:
        r.forwarded = r.id in chosen_ids
    db.session.flush()
    after = {"forwarded": [r.entry_id for r in chosen], "to": COUNCIL}
    record(actor, "judging.forward", "contest", contest.id, before, after)
    return chosen


def add_recognised_to_registry(actor: Any, contest: Contest) -> list[RegistryItem]:
    """Copy the contest's recognised entries into the registry, so next year's entries are checked against them."""
    if contest.status not in (CLOSED, PUBLISHED):
        raise JudgingError("Chỉ đưa vào ngân hàng được khi cuộc thi đã kết thúc chấm.")
    already = set(db.session.scalars(select(RegistryItem.source_entry_id).where(RegistryItem.source_entry_id.is_not(None))))
    items = [
        RegistryItem(title=r.entry.title, summary=r.entry.body, unit=r.entry.unit.name if r.entry.unit else "",
                     year=contest.year, field=r.entry.field, source_entry_id=r.entry_id,
                     code=f"{contest.year}-{r.rank:03d}")
        for r in contest_results(contest)
        if r.recognised and r.entry_id not in already
    ]
    db.session.add_all(items)
    db.session.flush()
    record(actor, "registry.add_recognised", "contest", contest.id, None,
           {"entries": [i.source_entry_id for i in items]})
    return items
