"""Verb functions of the judging side: each changes state, writes the audit log and flushes.

They never commit: the request (or the CLI command) that calls them commits once at its end.
"""
from __future__ import annotations

import math
import os
import uuid
from datetime import datetime, timedelta
from typing import Any, Optional

from flask_babel import gettext
from sqlalchemy import delete, func, select

from contest.accounts.models import User
from contest.audit import record
from contest.contests.models import CLOSED, JUDGING, OPEN, PUBLISHED, Contest, Criterion
from contest.db import db, utcnow
from contest.entries.models import (
    COLLECTIVE,
    ENTRY_KIND_LABELS,
    INDIVIDUAL,
    SUBMITTED,
    WITHDRAWN,
    Attachment,
    Entry,
)
from contest.entries.operations import copy_entry
from contest.errors import OperationError
from contest.marks import N_
from contest.notices import operations as notices
from contest.registry.codes import next_registry_codes
from contest.registry.models import RegistryItem
from contest.screening.operations import flag_duplicates
from contest.screening.queries import open_flag_counts
from contest.timeutil import format_date, format_number, to_local, to_utc
from judging import aggregation, assignment, ranking, rubric
from judging.models import (
    BY_ARBITRATION,
    BY_BALANCE,
    BY_HAND,
    BY_PANEL,
    NOTICE_ARBITRATION,
    NOTICE_BLIND,
    NOTICE_RESCORE,
    REASON_MAX,
    REMINDER_MAX,
    SHEET_DRAFT,
    SHEET_SUBMITTED,
    Assignment,
    CommunityVote,
    Conflict,
    Notice,
    PanelMember,
    PanelVote,
    PanelWaiver,
    Publication,
    Reminder,
    Result,
    Score,
    ScoreSheet,
    Transfer,
)
from judging.queries import (
    active_judges,
    active_transfers,
    conflicts,
    contest_assignments,
    contest_results,
    counted_sheets,
    eligible_entries,
    entry_infos,
    find_assignment,
    find_member,
    find_sheet,
    is_chair,
    judge_info,
    outstanding,
    panel_judges,
    panel_members,
    panel_progress,
    panel_shortfalls,
    shortfall_reason,
    shared_comments,
)

ALL, BALANCED = "all", "balanced"
VOTE_RULE = "vote"

COUNCIL = N_("Hội đồng chấm sáng kiến kinh nghiệm của thị xã")


def forwarding_council(contest: Contest) -> str:
    """The council a contest's best entries go to: the council of the organisation above its own
    (the town's, for a ward), as that organisation names it."""
    parent = contest.organisation.parent
    return parent.council if parent is not None and parent.council else COUNCIL


class JudgingError(OperationError):
    """A refused judging action; the message names the field and reason, in the reader's language."""


def _audit_panel(contest: Contest) -> list[list]:
    return [[m.judge_id, m.is_chair, list(m.fields or [])] for m in panel_members(contest)]


def set_panel(actor: Any, contest: Contest, judges: list[User], chair: Optional[User] = None,
              fields: Optional[dict[int, list[str]]] = None) -> list[PanelMember]:
    """Make these judges the contest's panel, `chair` its chair; a judge who leaves loses the assignments not yet scored."""
    if contest.status not in (OPEN, JUDGING):
        raise JudgingError(gettext("Cuộc thi đã kết thúc chấm, không thể thay đổi Ban giám khảo."))
    allowed = active_judges(contest)  # the judges of the contest's own organisation
    judges = [j for j in judges if j in allowed]
    if not judges:
        raise JudgingError(gettext("Ban giám khảo: cần chọn ít nhất một giám khảo đang hoạt động."), field="judges")
    chosen = {j.id for j in judges}
    if chair is not None and chair.id not in chosen:
        raise JudgingError(gettext("Trưởng ban: phải là một thành viên của Ban giám khảo."), field="chair")
    before = {"panel": _audit_panel(contest)}
    current = {m.judge_id: m for m in db.session.scalars(select(PanelMember).filter_by(contest_id=contest.id))}
    removed = []
    for judge_id, member in current.items():
        if judge_id not in chosen:
            db.session.delete(member)
            removed.append(judge_id)
    for a in contest_assignments(contest):
        if a.judge_id in removed:
            sheet = db.session.scalar(select(ScoreSheet).filter_by(entry_id=a.entry_id, judge_id=a.judge_id))
            if sheet is None or not sheet.locked:
                db.session.delete(a)
    for judge in judges:
        member = current.get(judge.id) or PanelMember(contest_id=contest.id, judge_id=judge.id)
        member.is_chair = chair is not None and judge.id == chair.id
        if fields is not None:
            member.fields = [f for f in fields.get(judge.id, []) if f in contest.fields]
        db.session.add(member)
    db.session.flush()
    record(actor, "judging.set_panel", "contest", contest.id, before, {"panel": _audit_panel(contest)})
    return panel_members(contest)


def assign_panel(actor: Any, contest: Contest, judges: Optional[list[User]] = None) -> int:
    """Assign the panel to the eligible entries by the contest's mode; opens judging.

    Without a panel, the given judges (by default every active judge) become it. Mode "all"
    gives every panel judge every entry; "balanced" gives each entry `judges_per_entry`
    judges (`assignment.plan_balanced`). A conflicted pair is never assigned here: the
    secretary may still add it by hand, with a reason.
    """
    if contest.status not in (OPEN, JUDGING):
        raise JudgingError(gettext("Cuộc thi đã kết thúc chấm, không thể phân công thêm giám khảo."))
    members = panel_members(contest)
    if not members:
        allowed = active_judges(contest)
        pool = allowed if judges is None else [j for j in judges if j in allowed]
        if not pool:
            raise JudgingError(gettext("Chưa có giám khảo nào đang hoạt động để phân công."), field="judges")
        for judge in pool:
            db.session.add(PanelMember(contest_id=contest.id, judge_id=judge.id))
        db.session.flush()
        members = panel_members(contest)
    members = [m for m in members if m.judge.active]
    if not members:
        raise JudgingError(gettext("Ban giám khảo không còn giám khảo nào đang hoạt động."), field="judges")
    entries = eligible_entries(contest)
    if not entries:
        raise JudgingError(gettext("Chưa có sáng kiến nào đã nộp để phân công chấm."))
    existing = {(a.entry_id, a.judge_id) for a in contest_assignments(contest)}
    blocked = set(conflicts(contest, entries, members))
    before = {"status": contest.status, "assignments": len(existing)}
    if contest.assignment_mode == BALANCED:
        plan = assignment.plan_balanced(
            entry_infos(contest, entries), [judge_info(m) for m in members],
            max(contest.judges_per_entry, 1), existing, blocked,
        )
        pairs, source, short = plan.pairs, BY_BALANCE, plan.short
    else:
        pairs = [(e.id, m.judge_id) for e in entries for m in members
                 if (e.id, m.judge_id) not in existing and (e.id, m.judge_id) not in blocked]
        source, short = BY_PANEL, {}
    for entry_id, judge_id in pairs:
        db.session.add(Assignment(entry_id=entry_id, judge_id=judge_id, source=source))
    contest.status = JUDGING
    db.session.flush()
    after = {
        "status": contest.status,
        "assignments": len(existing) + len(pairs),
        "new": len(pairs),
        "mode": contest.assignment_mode,
        "judges": [m.judge_id for m in members],
        "skipped_conflicts": sorted([list(p) for p in blocked]),
        "short": short,
    }
    record(actor, "judging.assign_panel", "contest", contest.id, before, after)
    notices.judges_assigned(contest, pairs)
    return len(pairs)


def add_assignment(actor: Any, entry: Entry, judge: User, override_reason: str = "") -> Assignment:
    """Assign one panel judge to one entry by hand; a conflict needs the secretary's reason."""
    contest = entry.contest
    if contest.status not in (OPEN, JUDGING):
        raise JudgingError(gettext("Cuộc thi đã kết thúc chấm, không thể phân công thêm."))
    if entry.status != SUBMITTED:
        raise JudgingError(gettext("Chỉ phân công được sáng kiến đã nộp, chưa bị loại."), field="entry_id")
    if find_member(contest, judge) is None:
        raise JudgingError(gettext("Giám khảo này chưa thuộc Ban giám khảo của cuộc thi."), field="judge_id")
    if find_assignment(entry, judge) is not None:
        raise JudgingError(gettext("Giám khảo đã được phân công chấm sáng kiến này."), field="judge_id")
    kind = conflicts(contest, [entry], [find_member(contest, judge)]).get((entry.id, judge.id))
    reason = (override_reason or "").strip()
    if kind and not reason:
        raise JudgingError(
            gettext("Xung đột lợi ích: %(kind)s; cần ghi lý do nếu vẫn phân công.",
                    kind=gettext(assignment.CONFLICT_LABELS[kind]).lower()),
            field="reason",
        )
    new = Assignment(entry_id=entry.id, judge_id=judge.id, source=BY_HAND, override_reason=reason if kind else "")
    db.session.add(new)
    db.session.flush()
    record(actor, "judging.add_assignment", "assignment", new.id, None,
           {"entry_id": entry.id, "judge_id": judge.id, "conflict": kind, "override_reason": new.override_reason})
    notices.judges_assigned(contest, [(entry.id, judge.id)])
    return new


def remove_assignment(actor: Any, target: Assignment) -> None:
    """Take one entry out of one judge's queue; a submitted sheet is kept but no longer counts."""
    contest = target.entry.contest
    if contest.status not in (OPEN, JUDGING):
        raise JudgingError(gettext("Cuộc thi đã kết thúc chấm, không thể thay đổi phân công."))
    state = {"entry_id": target.entry_id, "judge_id": target.judge_id, "source": target.source}
    sheet = db.session.scalar(select(ScoreSheet).filter_by(entry_id=target.entry_id, judge_id=target.judge_id))
    if sheet is not None:
        state["sheet_status"] = sheet.status
    db.session.delete(target)
    db.session.flush()
    record(actor, "judging.remove_assignment", "assignment", target.id, state, None)


def _own_assignment(actor: Any, entry: Entry) -> Assignment:
    """The acting judge's assignment to the entry; refused when there is none."""
    own = find_assignment(entry, actor)
    if own is None:
        raise JudgingError(gettext("Bạn không được phân công chấm sáng kiến này."))
    return own


def declare_conflict(actor: Any, entry: Entry, reason: str) -> Conflict:
    """A judge declares a conflict of interest on an entry: it leaves their queue, the secretary sees why."""
    reason = (reason or "").strip()
    if not reason:
        raise JudgingError(gettext("Lý do: cần ghi rõ lý do xung đột lợi ích."), field="reason")
    own = _own_assignment(actor, entry)
    if entry.contest.status != JUDGING:
        raise JudgingError(gettext("Cuộc thi không trong thời gian chấm."))
    conflict = Conflict(entry_id=entry.id, judge_id=actor.id, reason=reason)
    db.session.add(conflict)
    db.session.delete(own)
    db.session.flush()
    record(actor, "judging.declare_conflict", "entry", entry.id, {"assigned": True},
           {"assigned": False, "conflict": conflict.id, "reason": reason})
    return conflict


def remind_judges(actor: Any, contest: Contest, judge_ids: list[int], message: str) -> list[Reminder]:
    """Send a reminder to each chosen judge who still has sheets to submit; they read it in their queue."""
    if contest.status != JUDGING:
        raise JudgingError(gettext("Chỉ nhắc giám khảo được trong giai đoạn chấm."))
    message = (message or "").strip()
    if not message:
        raise JudgingError(gettext("Nội dung nhắc: không được để trống."), field="message")
    if len(message) > REMINDER_MAX:
        raise JudgingError(gettext("Nội dung nhắc: tối đa %(max)s ký tự.", max=REMINDER_MAX), field="message")
    behind = {o.judge.id: o for o in outstanding(contest, panel_progress(contest, utcnow(), with_entries=False))}
    chosen = list(dict.fromkeys(judge_ids))
    if not chosen:
        raise JudgingError(gettext("Giám khảo cần nhắc: hãy chọn ít nhất một người."), field="judges")
    if any(judge_id not in behind for judge_id in chosen):
        raise JudgingError(gettext("Giám khảo cần nhắc: chỉ nhắc được giám khảo còn phiếu chấm chưa nộp."),
                           field="judges")
    sent = [Reminder(contest_id=contest.id, judge_id=judge_id, sender_id=actor.id, message=message,
                     outstanding=len(behind[judge_id].sheets)) for judge_id in chosen]
    db.session.add_all(sent)
    db.session.flush()
    record(actor, "judging.remind_judges", "contest", contest.id, None,
           {"judges": {str(r.judge_id): r.outstanding for r in sent}, "message": message})
    notices.judges_reminded(contest, sent, actor)
    return sent


def _parse_points(raw: Any, criterion: Criterion, step: float = 0.5) -> Optional[float]:
    """Points as a float (a Vietnamese decimal comma is accepted), None when blank; within [0, max], on the step."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    name = criterion.name
    maximum = format_number(float(criterion.max_points))
    try:
        value = float(str(raw).strip().replace(",", "."))
    except ValueError:
        raise JudgingError(gettext("Tiêu chí “%(name)s”: điểm phải là một số (đã nhập “%(raw)s”).", name=name, raw=raw),
                           field=f"points_{criterion.id}")
    if math.isnan(value) or value < 0 or value > criterion.max_points:
        raise JudgingError(
            gettext("Tiêu chí “%(name)s”: điểm phải từ 0 đến %(max)s (đã nhập “%(raw)s”).", name=name, max=maximum,
                    raw=raw),
            field=f"points_{criterion.id}",
        )
    if not rubric.on_step(value, step):
        message = (gettext("Tiêu chí “%(name)s”: điểm phải là số nguyên (đã nhập “%(raw)s”).", name=name, raw=raw)
                   if step == 1 else
                   gettext("Tiêu chí “%(name)s”: điểm phải là bội số của %(step)s (đã nhập “%(raw)s”).", name=name,
                           step=format_number(float(step)), raw=raw))
        raise JudgingError(message, field=f"points_{criterion.id}")
    return value


def _check_band(criterion: Criterion, points: Optional[float], band: Any, comment: str, submit: bool) -> None:
    """The chosen band must hold the points; a submitted score in the lowest band needs a comment."""
    bands = criterion.band_list
    name = criterion.name
    if band not in (None, "") and points is not None:
        try:
            chosen = bands[int(band)]
        except (ValueError, IndexError):
            raise JudgingError(gettext("Tiêu chí “%(name)s”: mức điểm đã chọn không hợp lệ.", name=name),
                               field=f"band_{criterion.id}")
        if rubric.band_of(points, bands) != chosen:
            raise JudgingError(
                gettext("Tiêu chí “%(name)s”: %(points)s điểm không thuộc mức “%(band)s” (%(low)s–%(high)s).",
                        name=name, points=format_number(points), band=chosen.label,
                        low=format_number(chosen.low), high=format_number(chosen.high)),
                field=f"points_{criterion.id}",
            )
    if submit and points is not None and not comment and rubric.comment_required(points, bands):
        raise JudgingError(gettext("Tiêu chí “%(name)s”: điểm ở mức thấp nhất cần có nhận xét giải thích.", name=name),
                           field=f"comment_{criterion.id}")


def _sheet_state(sheet: ScoreSheet) -> dict:
    """What the audit log keeps of a sheet."""
    return {
        "status": sheet.status,
        "version": sheet.version,
        "scores": {s.criterion_id: [s.points, s.comment] for s in sheet.scores},
    }


def save_sheet(actor: Any, entry: Entry, values: dict[int, tuple], submit: bool = False,
               expected_version: Optional[int] = None) -> ScoreSheet:
    """Save the judge's sheet for an entry as a draft, or submit (and so lock) it.

    `values` maps a criterion id to (points, comment) or (points, comment, band index).
    `expected_version` is the version the judge's page showed: a save from a stale page (a
    second tab) is refused rather than silently overwriting the newer one.
    Submitting a sheet may assign a third judge (`_arbitrate`).
    """
    contest = entry.contest
    _own_assignment(actor, entry)
    if contest.status != JUDGING:
        raise JudgingError(gettext("Cuộc thi không trong thời gian chấm; không thể lưu phiếu chấm."))
    if entry.status != SUBMITTED:
        raise JudgingError(gettext("Sáng kiến này không còn trong danh sách chấm (đã bị loại hoặc chưa nộp)."))
    sheet = find_sheet(entry, actor)
    if sheet is not None and sheet.locked:
        raise JudgingError(gettext("Phiếu chấm đã nộp nên đã khoá; không thể sửa."))
    current_version = sheet.version if sheet is not None else 0
    if expected_version is not None and expected_version != current_version:
        raise JudgingError(
            gettext("Phiếu chấm này vừa được lưu ở một cửa sổ hoặc thiết bị khác sau khi bạn mở trang. "
                    "Điểm bạn vừa nhập vẫn hiện bên dưới để đối chiếu; hãy tải lại trang để xem bản đã lưu rồi lưu lại."),
            field="version",
        )
    # Validate everything first, so that a refusal leaves the stored sheet untouched; every
    # criterion is checked, so the judge sees all that is wrong at once.
    parsed: dict[int, tuple[Optional[float], str]] = {}
    errors: list[JudgingError] = []
    for criterion in contest.criteria:
        raw, comment, band = (tuple(values.get(criterion.id, ())) + (None, "", None))[:3]
        try:
            points = _parse_points(raw, criterion, contest.score_step or 0.5)
            if submit and points is None:
                raise JudgingError(
                    gettext("Tiêu chí “%(name)s”: chưa cho điểm; cần chấm đủ các tiêu chí trước khi nộp phiếu.",
                            name=criterion.name),
                    field=f"points_{criterion.id}",
                )
            comment = (comment or "").strip()
            _check_band(criterion, points, band, comment, submit)
        except JudgingError as error:
            errors.append(error)
            continue
        parsed[criterion.id] = (points, comment)
    if errors:
        raise JudgingError.of_all(errors)

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
    if submit:
        _arbitrate(entry)
    return sheet


def _arbitrate(entry: Entry) -> Optional[Assignment]:
    """When two submitted totals differ by more than the contest's limit, assign a third judge once and tell the chair.

    The third judge is the least-loaded eligible panel judge (`assignment.pick_arbiter`);
    an entry gets at most one arbiter. With nobody left to assign, the chair is told so.
    """
    contest = entry.contest
    if contest.arbitration_limit is None:
        return None
    totals = [ranking.sheet_total(s.points_by_criterion()) for s in counted_sheets(contest) if s.entry_id == entry.id]
    if not assignment.needs_arbitration(totals, contest.arbitration_limit):
        return None
    current = db.session.scalars(select(Assignment).filter_by(entry_id=entry.id)).all()
    if any(a.source == BY_ARBITRATION for a in current):
        return None
    # Arbitration happens once per entry: an arbiter removed by hand, or "nobody was left", is not
    # tried again. A chair's re-score request is another kind of notice and does not count.
    if db.session.scalar(select(Notice.id).filter_by(entry_id=entry.id, kind=NOTICE_ARBITRATION).limit(1)) is not None:
        return None
    members = [m for m in panel_members(contest) if m.judge.active]
    loads: dict[int, int] = {}
    for a in contest_assignments(contest):
        loads[a.judge_id] = loads.get(a.judge_id, 0) + 1
    arbiter = assignment.pick_arbiter(
        entry_infos(contest, [entry])[0], [judge_info(m) for m in members], loads, [a.judge_id for a in current],
        conflicts(contest, [entry], members),
    )
    # The chair is a judge too and reads this before closing: it says the limit was passed, not by
    # how much (the totals stay in the audit record), so it reveals no one's score.
    limit = format_number(float(contest.arbitration_limit))
    new = None
    if arbiter is None:
        message = (f"“{entry.title}”: tổng điểm hai giám khảo chênh nhau hơn {limit} điểm (giới hạn của cuộc thi) "
                   "nhưng không còn giám khảo nào đủ điều kiện để chấm thứ ba; Trưởng ban cần quyết định.")
    else:
        new = Assignment(entry_id=entry.id, judge_id=arbiter.id, source=BY_ARBITRATION)
        db.session.add(new)
        message = (f"“{entry.title}”: tổng điểm hai giám khảo chênh nhau hơn {limit} điểm (giới hạn của cuộc thi); "
                   f"đã phân công giám khảo thứ ba: {arbiter.name}.")
    db.session.add(Notice(contest_id=contest.id, entry_id=entry.id, kind=NOTICE_ARBITRATION, message=message))
    db.session.flush()
    record(None, "judging.arbitration", "entry", entry.id, None,
           {"totals": totals, "limit": contest.arbitration_limit, "arbiter": arbiter.id if arbiter else None})
    notices.arbitration(entry, new, message)
    return new


def _reopen(sheet: ScoreSheet, reason: str) -> None:
    sheet.status, sheet.reopen_reason, sheet.reopened_at = SHEET_DRAFT, reason, utcnow()


def _back_to_judging(contest: Contest) -> str:
    """A reopened sheet puts a closed contest back into judging; published versions stay as they were."""
    previous = contest.status
    if contest.status in (CLOSED, PUBLISHED):
        contest.status = JUDGING
    return previous


def reopen_sheet(actor: Any, sheet: ScoreSheet, reason: str) -> ScoreSheet:
    """The secretary unlocks a submitted sheet, with a reason the judge sees on the sheet page."""
    reason = (reason or "").strip()
    if not reason:
        raise JudgingError(gettext("Lý do: cần ghi lý do mở lại phiếu chấm."), field="reason")
    if not sheet.locked:
        raise JudgingError(gettext("Phiếu chấm chưa nộp nên không cần mở lại."))
    if sheet.entry.status != SUBMITTED:
        raise JudgingError(gettext("Sáng kiến này không còn trong danh sách chấm."))
    before = {**_sheet_state(sheet), "contest_status": sheet.entry.contest.status}
    _reopen(sheet, reason)
    previous = _back_to_judging(sheet.entry.contest)
    db.session.flush()
    record(actor, "judging.reopen_sheet", "score_sheet", sheet.id, before,
           {"status": sheet.status, "reason": reason, "contest_status": sheet.entry.contest.status,
            "contest_status_before": previous})
    return sheet


def request_rescore(actor: Any, entry: Entry, reason: str) -> list[ScoreSheet]:
    """The chair asks the entry's judges to score it again: their submitted sheets reopen, with the reason."""
    contest = entry.contest
    if not is_chair(contest, actor):
        raise JudgingError(gettext("Chỉ Trưởng ban giám khảo được yêu cầu chấm lại."))
    if contest.status != CLOSED:
        raise JudgingError(gettext("Chỉ yêu cầu chấm lại được sau khi kết thúc chấm và trước khi công bố."))
    reason = (reason or "").strip()
    if not reason:
        raise JudgingError(gettext("Lý do: cần ghi lý do yêu cầu chấm lại."), field="reason")
    sheets = [s for s in counted_sheets(contest) if s.entry_id == entry.id]
    if not sheets:
        raise JudgingError(gettext("Sáng kiến chưa có phiếu chấm nào đã nộp."))
    for sheet in sheets:
        _reopen(sheet, f"Trưởng ban yêu cầu chấm lại: {reason}")
    _back_to_judging(contest)
    db.session.add(Notice(contest_id=contest.id, entry_id=entry.id, kind=NOTICE_RESCORE,
                          message=f"Đã yêu cầu chấm lại “{entry.title}” ({len(sheets)} phiếu): {reason}"))
    db.session.flush()
    record(actor, "judging.request_rescore", "entry", entry.id, {"contest_status": CLOSED},
           {"sheets": [s.id for s in sheets], "reason": reason, "contest_status": contest.status})
    return sheets


def tie_break_order(contest: Contest) -> tuple[str, ...]:
    """Criterion codes in tie-break order: novelty, usefulness, replicability, then the rest."""
    codes = [c.code for c in contest.criteria]
    known = [c for c in ranking.DEFAULT_CRITERIA_ORDER if c in codes]
    return tuple(known + [c for c in codes if c not in known])


def accepted_by_vote(contest: Contest) -> Optional[set[int]]:
    """Under the vote rule, the entries the panel accepted (`ranking.vote_passes`); None under the threshold rule."""
    if contest.acceptance_rule != VOTE_RULE:
        return None
    size = len(panel_members(contest)) or len(panel_judges(contest))
    favour: dict[int, int] = {}
    for vote in db.session.scalars(select(PanelVote).filter_by(contest_id=contest.id, in_favour=True)):
        favour[vote.entry_id] = favour.get(vote.entry_id, 0) + 1
    return {e for e, n in favour.items() if ranking.vote_passes(n, size, contest.vote_share)}


def _store_results(contest: Contest) -> tuple[list[Result], int]:
    """Compute the standings from the counted sheets and replace the contest's results.

    A manual change made before (`amend_result`) outlives the recomputation: the entry keeps
    the amended rank, prize and recognition with their reason, and `computed` holds the new
    computed values beside them, so a re-rank never silently undoes an audited decision.
    """
    entries = eligible_entries(contest)
    codes = {c.id: c.code for c in contest.criteria}
    sheets = counted_sheets(contest)
    totals = [
        ranking.SheetTotals(s.entry_id, s.judge_id, {codes[k]: v for k, v in s.points_by_criterion().items() if k in codes})
        for s in sheets
    ]
    options = dict(criteria_order=tie_break_order(contest), threshold=contest.threshold,
                   method=contest.aggregation or aggregation.MEAN, disagreement=contest.disagreement_threshold,
                   accepted=accepted_by_vote(contest))
    individual = dict(zip(ranking.PRIZE_ORDER, (contest.prize_first, contest.prize_second, contest.prize_third,
                                                contest.prize_consolation)))
    categories: dict[int, str] = {}
    if contest.collective_prizes:
        categories = {e.id: e.kind for e in entries}
        quotas = {INDIVIDUAL: individual, COLLECTIVE: dict(zip(ranking.PRIZE_ORDER, contest.collective_prizes))}
        standings = ranking.rank_by_category(totals, categories, quotas, **options)
    else:
        standings = ranking.rank_entries(totals, prizes=individual, entry_ids=[e.id for e in entries], **options)
    z = aggregation.mean_z([(t.entry_id, t.judge_id, ranking.sheet_total(t.points)) for t in totals])
    amended = {r.entry_id: (r.rank, r.prize, r.recognised, r.amend_reason)
               for r in db.session.scalars(select(Result).filter_by(contest_id=contest.id)) if r.computed}
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
            spread=s.spread,
            disputed=s.disputed,
            z_mean=z.get(s.entry_id),
            category=categories.get(s.entry_id, ""),
        )
        for s in standings
    ]
    for result in results:
        if result.entry_id in amended:
            result.computed = {"rank": result.rank, "prize": result.prize, "recognised": result.recognised}
            result.rank, result.prize, result.recognised, result.amend_reason = amended[result.entry_id]
    db.session.add_all(results)
    return results, len(sheets)


def waive_minimum(actor: Any, entry: Entry, reason: str) -> PanelWaiver:
    """The chair accepts that an entry be ranked on fewer sheets than the contest's minimum, saying why
    (a second call replaces the reason); the standings and the minutes name the entry and the reason."""
    contest = entry.contest
    if not is_chair(contest, actor):
        raise JudgingError(gettext("Chỉ Trưởng ban giám khảo được chấp nhận sáng kiến có ít phiếu chấm hơn quy định."))
    if contest.status not in (OPEN, JUDGING):
        raise JudgingError(gettext("Cuộc thi đã kết thúc chấm."))
    reason = (reason or "").strip()
    if not reason:
        raise JudgingError(gettext("Lý do: không được để trống."), field="reason")
    if len(reason) > REASON_MAX:
        raise JudgingError(gettext("Lý do: tối đa %(max)s ký tự.", max=REASON_MAX), field="reason")
    waiver = db.session.scalar(select(PanelWaiver).filter_by(entry_id=entry.id))
    before = {"reason": waiver.reason} if waiver is not None else None
    if waiver is None:
        waiver = PanelWaiver(contest_id=contest.id, entry_id=entry.id, reason=reason, chair_id=actor.id)
        db.session.add(waiver)
    waiver.reason, waiver.chair_id, waiver.created_at = reason, actor.id, utcnow()
    db.session.flush()
    record(actor, "judging.waive_minimum", "entry", entry.id, before, {"reason": reason})
    return waiver


def waive_shortfalls(actor: Any, contest: Contest, reason: str) -> list[PanelWaiver]:
    """The chair accepts, with one reason, every entry still short of sheets and not yet accepted."""
    short = panel_shortfalls(contest, closing=True)
    if not short.unwaived:
        raise JudgingError(gettext("Không còn sáng kiến nào thiếu phiếu chấm cần chấp nhận."))
    return [waive_minimum(actor, short.entry(s.entry_id), reason) for s in short.unwaived]


def close_judging(actor: Any, contest: Contest, meeting_at: Optional[datetime] = None,
                  despite_open_flags: bool = False) -> list[Result]:
    """Rank the entries from submitted sheets, replace the contest's results, end judging.

    Refused while an entry has fewer submitted sheets than the minimum (`panel_shortfalls`) and the
    chair has not accepted it with a reason (`waive_minimum`); and while duplicate flags wait for a
    decision (they cannot be decided once results exist), unless the secretary closes
    `despite_open_flags` (those entries are ranked as not duplicates; the audit record counts the flags).
    `meeting_at` (UTC) is the panel's closing meeting, for the minutes: not before the contest's year
    (or the day it was created, if earlier) nor more than a day ahead; by default, now.
    """
    if contest.status != JUDGING:
        raise JudgingError(gettext("Chỉ kết thúc chấm được khi cuộc thi đang trong giai đoạn chấm."))
    now = utcnow()
    # The earliest the panel can have met: the contest's year began, or (for a contest run ahead of its
    # year) the day it was created.
    created = to_local(contest.created_at)
    earliest = to_utc(min(datetime(contest.year, 1, 1), datetime(created.year, created.month, created.day)))
    if meeting_at is not None and not earliest <= meeting_at <= now + timedelta(days=1):
        raise JudgingError(gettext("Thời gian họp Ban giám khảo: từ %(start)s đến nay.",
                                   start=format_date(earliest)), field="meeting_at")
    open_flags = sum(open_flag_counts(contest, eligible_only=True).values())
    if open_flags and not despite_open_flags:
        raise JudgingError(gettext("Còn %(count)s cảnh báo trùng lặp chưa kết luận: hãy kết luận ở “Sàng lọc trùng lặp” "
                                   "trước khi kết thúc chấm (sau đó cảnh báo không kết luận được nữa), hoặc đánh dấu "
                                   "“Vẫn kết thúc chấm”.", count=open_flags), field="despite_open_flags")
    short = panel_shortfalls(contest, closing=True)
    if short.unwaived:
        lines = "; ".join(gettext("“%(title)s”: %(have)s/%(required)s phiếu (%(reason)s)",
                                  title=short.entry(s.entry_id).title, have=s.have, required=s.required,
                                  reason=shortfall_reason(s, short.people))
                          for s in short.unwaived[:10])
        more = len(short.unwaived) - 10
        raise JudgingError(
            gettext("Chưa thể kết thúc chấm: %(count)s sáng kiến có ít hơn %(required)s phiếu chấm đã nộp — %(lines)s.",
                    count=len(short.unwaived), required=short.required, lines=lines)
            + (" " + gettext("(và %(count)s sáng kiến khác)", count=more) if more > 0 else "") + " "
            + gettext("Hãy phân công thêm giám khảo, nhắc giám khảo nộp phiếu, hoặc đề nghị Trưởng ban chấp nhận kèm lý do."))
    before = {"status": contest.status}
    results, sheet_count = _store_results(contest)
    contest.status = CLOSED
    contest.meeting_at = meeting_at or now
    db.session.flush()
    after = {
        "status": contest.status,
        "open_flags": open_flags,
        "sheets": sheet_count,
        "meeting_at": contest.meeting_at,
        "results": [[r.entry_id, r.rank, r.mean_total, r.prize] for r in results],
        "short": [[s.entry_id, s.have, s.required, short.waivers[s.entry_id].reason] for s in short.items],
    }
    record(actor, "judging.close", "contest", contest.id, before, after)
    notices.judging_closed(contest, results)
    return results


def record_votes(actor: Any, entry: Entry, votes: dict[int, Optional[bool]]) -> list[Result]:
    """Record the panel members' votes on recognising an entry at the closing meeting, then re-rank.

    `votes` maps a panel judge id to True (in favour), False (against) or None (no vote,
    which removes a recorded one). The results are computed again; a manual change made
    before is kept (`_store_results`).
    """
    contest = entry.contest
    if contest.acceptance_rule != VOTE_RULE:
        raise JudgingError(gettext("Cuộc thi này công nhận theo ngưỡng điểm, không biểu quyết."))
    if contest.status != CLOSED:
        raise JudgingError(gettext("Chỉ ghi biểu quyết được sau khi kết thúc chấm và trước khi công bố."))
    members = {m.judge_id for m in panel_members(contest)}
    if not set(votes) <= members:
        raise JudgingError(gettext("Chỉ thành viên Ban giám khảo được biểu quyết."))
    current = {v.judge_id: v for v in db.session.scalars(select(PanelVote).filter_by(entry_id=entry.id))}
    before = {"votes": {j: v.in_favour for j, v in current.items()}}
    for judge_id, choice in votes.items():
        vote = current.get(judge_id)
        if choice is None:
            if vote is not None:
                db.session.delete(vote)
            continue
        if vote is None:
            vote = PanelVote(contest_id=contest.id, entry_id=entry.id, judge_id=judge_id, in_favour=choice)
            db.session.add(vote)
        vote.in_favour, vote.recorded_at = choice, utcnow()
    db.session.flush()
    results, _ = _store_results(contest)
    db.session.flush()
    record(actor, "judging.record_votes", "entry", entry.id, before,
           {"votes": {j: v for j, v in votes.items() if v is not None},
            "recognised": next((r.recognised for r in results if r.entry_id == entry.id), False)})
    return results


def amend_result(actor: Any, result: Result, rank: int, prize: Optional[str], recognised: bool, reason: str) -> Result:
    """Change a computed result by hand (rank, prize, recognition); the reason is required and audited.

    The computed values are kept in `result.computed` the first time, so the standings show
    both; a later re-rank refreshes the computed values and keeps the manual change.
    """
    contest = db.session.get(Contest, result.contest_id)
    if contest.status not in (CLOSED, PUBLISHED):
        raise JudgingError(gettext("Chỉ điều chỉnh kết quả được sau khi kết thúc chấm."))
    reason = (reason or "").strip()
    if not reason:
        raise JudgingError(gettext("Lý do: cần ghi lý do điều chỉnh kết quả."), field="reason")
    if prize not in (None, *ranking.PRIZE_ORDER):
        raise JudgingError(gettext("Giải: không hợp lệ."), field="prize")
    if rank < 1:
        raise JudgingError(gettext("Hạng: phải từ 1 trở lên."), field="rank")
    if prize and not recognised:
        raise JudgingError(gettext("Giải: chỉ trao cho sáng kiến được công nhận."), field="prize")
    before = {"rank": result.rank, "prize": result.prize, "recognised": result.recognised}
    if result.computed is None:
        result.computed = dict(before)
    result.rank, result.prize, result.recognised, result.amend_reason = rank, prize, recognised, reason
    db.session.flush()
    record(actor, "judging.amend_result", "result", result.id, before,
           {"rank": rank, "prize": prize, "recognised": recognised, "reason": reason, "entry_id": result.entry_id})
    return result


def cast_community_vote(actor: Any, contest: Contest, entry_id: int) -> CommunityVote:
    """A signed-in person votes for a published prize winner, once per entry."""
    if not getattr(actor, "is_authenticated", False):
        raise JudgingError(gettext("Cần đăng nhập để bình chọn."))
    if not contest.community_vote:
        raise JudgingError(gettext("Cuộc thi này không tổ chức bình chọn."))
    latest = db.session.scalar(
        select(Publication).filter_by(contest_id=contest.id).order_by(Publication.version.desc()).limit(1)
    )
    finalists = {r["entry_id"] for r in (latest.snapshot["results"] if latest else []) if r.get("prize")}
    if entry_id not in finalists:
        raise JudgingError(gettext("Chỉ bình chọn được cho sáng kiến đạt giải đã công bố."))
    if db.session.scalar(select(CommunityVote.id).filter_by(entry_id=entry_id, user_id=actor.id)) is not None:
        raise JudgingError(gettext("Bạn đã bình chọn cho sáng kiến này."))
    vote = CommunityVote(contest_id=contest.id, entry_id=entry_id, user_id=actor.id)
    db.session.add(vote)
    db.session.flush()
    record(actor, "judging.community_vote", "entry", entry_id, None, {"vote": vote.id})
    return vote


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
                "unit": e.unit_display,
                "field": e.field,
                "kind": e.kind_label,
                "mean_total": r.mean_total,
                "criterion_means": r.criterion_means,
                "sheet_count": r.sheet_count,
                "recognised": r.recognised,
                "prize": r.prize,
                "prize_label": ranking.PRIZE_LABELS.get(r.prize or "", ""),
                "forwarded": r.forwarded,
                "category": ENTRY_KIND_LABELS.get(r.category, "") if r.category else "",
                "amend_reason": r.amend_reason,
            }
        )
    chairs = {m.judge_id for m in panel_members(contest) if m.is_chair}
    panel = [{"name": j.full_name, "position": j.position, "chair": j.id in chairs} for j in panel_judges(contest)]
    return {
        "contest": {"id": contest.id, "title": contest.title, "year": contest.year, "threshold": contest.threshold,
                    "organisation": contest.organisation.name, "recognition": contest.organisation.recognition_level},
        "criteria": criteria,
        "results": rows,
        "panel": panel,
        # Frozen with the rest, so authors read the comments behind the published points; shown only
        # to each entry's author, and only while the contest shares them (Contest.share_comments).
        "comments": shared_comments(contest),
    }


def publish_results(actor: Any, contest: Contest) -> Publication:
    """Freeze the results into a new publication version; the public page shows the latest."""
    if contest.status not in (CLOSED, PUBLISHED):
        raise JudgingError(gettext("Chỉ công bố được kết quả khi cuộc thi đã kết thúc chấm."))
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
    notices.results_published(contest, publication)
    return publication


def forward_entries(actor: Any, contest: Contest, target: Optional[Contest], entry_ids: Optional[list[int]],
                    upload_dir: str, dossier: Optional[bytes] = None) -> list[Transfer]:
    """Transfer the chosen recognised entries of a published ward contest into the town's open
    round (by default the top `forward_count` not yet sent): each arrives there as a submitted,
    read-only entry with its texts, authors, co-authors and files, the ward's result and dossier,
    and is checked for duplicates against the bank and the other wards' entries.

    Refused, with the reason: a contest not yet published, a round that is not the town's or
    not taking entries, an entry not recognised, or one already sent and not withdrawn."""
    if contest.status != PUBLISHED:
        raise JudgingError(gettext("Chỉ chuyển sáng kiến lên vòng thị xã được sau khi đã công bố kết quả."))
    parent = contest.organisation.parent
    if target is None or parent is None or target.organisation_id != parent.id:
        raise JudgingError(gettext("Vòng thị xã: hãy chọn một vòng chấm do %(council)s mở.",
                                   council=forwarding_council(contest)), "round")
    now = utcnow()
    if not target.accepts_submissions(now):
        raise JudgingError(gettext("Vòng thị xã: “%(title)s” không còn nhận sáng kiến (đã hết hạn nộp hoặc đã bắt đầu chấm).",
                                   title=target.title), "round")
    results = [r for r in contest_results(contest) if r.recognised]
    sent = {t.source_entry_id for t in active_transfers(contest)}
    if entry_ids is None:
        chosen = [r for r in results if r.entry_id not in sent][: max(contest.forward_count - len(sent), 0)]
    else:
        by_entry = {r.entry_id: r for r in results}
        unknown = [i for i in entry_ids if i not in by_entry]
        if unknown:
            raise JudgingError(gettext("Sáng kiến chuyển lên: chỉ chuyển được sáng kiến đã được công nhận của cuộc thi này."), "entries")
        chosen = [by_entry[i] for i in dict.fromkeys(entry_ids)]
    twice = [r for r in chosen if r.entry_id in sent]
    if twice:
        raise JudgingError(gettext("Sáng kiến “%(title)s” đã được chuyển lên vòng thị xã; hãy rút lại trước nếu muốn chuyển lần nữa.",
                                   title=twice[0].entry.title), "entries")
    if not chosen:
        if entry_ids is None and sent:
            raise JudgingError(gettext("Sáng kiến chuyển lên: đã chuyển %(count)s sáng kiến (số cuộc thi định gửi là "
                                       "%(planned)s); hãy chọn thêm nếu Hội đồng đề nghị.",
                                       count=len(sent), planned=contest.forward_count), "entries")
        raise JudgingError(gettext("Sáng kiến chuyển lên: chưa chọn sáng kiến nào."), "entries")
    dossier_name = None
    if dossier is not None:
        dossier_name = f"{uuid.uuid4().hex}.zip"
        with open(os.path.join(upload_dir, dossier_name), "xb") as fh:
            fh.write(dossier)
    transfers = []
    for r in chosen:
        copy = copy_entry(r.entry, target, upload_dir, now)
        transfer = Transfer(source_entry_id=r.entry_id, target_entry_id=copy.id, source_contest_id=contest.id,
                            target_contest_id=target.id, source_organisation_id=contest.organisation_id,
                            ward_rank=r.rank, ward_mean_total=r.mean_total, ward_max_total=contest.max_total,
                            ward_prize=r.prize, dossier_stored_name=dossier_name, forwarded_at=now,
                            forwarded_by_id=getattr(actor, "id", None))
        db.session.add(transfer)
        r.forwarded = True
        db.session.flush()
        record(actor, "entry.received", "entry", copy.id, None,
               {"from_entry": r.entry_id, "from": contest.organisation.name, "transfer": transfer.id},
               organisation=target.organisation)
        flag_duplicates(None, copy)
        transfers.append(transfer)
    record(actor, "judging.forward", "contest", contest.id, {"forwarded": sorted(sent)},
           {"forwarded": sorted(sent | {t.source_entry_id for t in transfers}), "to": target.id,
            "entries": [t.target_entry_id for t in transfers]})
    return transfers


def withdraw_transfer(actor: Any, transfer: Transfer) -> Transfer:
    """The ward takes a forwarded entry back, until the town round's panel is assigned: the town's
    copy is marked withdrawn (kept, with its history) and the ward's result no longer says sent."""
    if not transfer.active:
        raise JudgingError(gettext("Sáng kiến “%(title)s” đã được rút lại trước đó.", title=transfer.source_entry.title))
    if transfer.target_contest.status != OPEN or contest_assignments(transfer.target_contest):
        raise JudgingError(gettext("Không rút lại được: vòng thị xã đã phân công giám khảo chấm."))
    transfer.withdrawn_at = utcnow()
    transfer.withdrawn_by_id = getattr(actor, "id", None)
    transfer.target_entry.status = WITHDRAWN
    result = db.session.scalar(select(Result).filter_by(contest_id=transfer.source_contest_id,
                                                        entry_id=transfer.source_entry_id))
    if result is not None:
        result.forwarded = False
    db.session.flush()
    record(actor, "judging.withdraw", "contest", transfer.source_contest_id, {"transfer": transfer.id, "active": True},
           {"transfer": transfer.id, "active": False, "entry": transfer.source_entry_id})
    record(actor, "entry.withdrawn", "entry", transfer.target_entry_id, {"status": SUBMITTED}, {"status": WITHDRAWN},
           organisation=transfer.target_contest.organisation)
    return transfer


def add_recognised_to_registry(actor: Any, contest: Contest) -> list[RegistryItem]:
    """Copy the contest's recognised entries into the registry, so next year's entries are checked against them."""
    if contest.status not in (CLOSED, PUBLISHED):
        raise JudgingError(gettext("Chỉ đưa vào ngân hàng được khi cuộc thi đã kết thúc chấm."))
    already = set(db.session.scalars(select(RegistryItem.source_entry_id).where(RegistryItem.source_entry_id.is_not(None))))
    recognised = [r for r in contest_results(contest) if r.recognised and r.entry_id not in already]
    # Codes as the registry writes them (SK-2024-040): its running number carried on, in rank order.
    codes = next_registry_codes(db.session.scalars(select(RegistryItem.code).where(
        RegistryItem.organisation_id == contest.organisation_id)), contest.year, len(recognised))
    items = [
        RegistryItem(organisation_id=contest.organisation_id, title=r.entry.title, summary=r.entry.body, unit=r.entry.unit.name if r.entry.unit else "",
                     year=contest.year, field=r.entry.field, source_entry_id=r.entry_id, code=code)
        for r, code in zip(recognised, codes)
    ]
    db.session.add_all(items)
    db.session.flush()
    record(actor, "registry.add_recognised", "contest", contest.id, None,
           {"entries": [i.source_entry_id for i in items]})
    return items


def report_unblindable(actor: Any, attachment: Attachment, reason: str) -> Notice:
    """A blind judge asked for a file no anonymous copy can be made of: the secretariat gets a
    notice (once per file) to have the author send another; the judge never gets the file."""
    entry = attachment.entry
    position = entry.attachments.index(attachment) + 1
    # No file name in the message: in a blind contest the chair reads it too, and names carry authors.
    message = (f"Tệp đính kèm số {position} của sáng kiến “{entry.title}” không thể ẩn danh: {reason} "
               f"Giám khảo chưa nhận được tệp; hãy đề nghị tác giả nộp tệp khác.")
    notice = db.session.scalar(select(Notice).filter_by(entry_id=entry.id, kind=NOTICE_BLIND, message=message))
    if notice is None:
        notice = Notice(contest_id=entry.contest_id, entry_id=entry.id, kind=NOTICE_BLIND, message=message)
        db.session.add(notice)
        db.session.flush()
        record(actor, "attachment.unblindable", "entry", entry.id, None,
               {"attachment": attachment.id, "reason": reason, "notice": notice.id})
    return notice
