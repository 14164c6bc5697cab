"""Verb functions of the submission side: each changes state, writes the audit log, flushes.

Views and CLI commands call these and commit once; nothing here commits.
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Optional, Sequence

from flask_babel import gettext
from sqlalchemy import delete, insert, select

from . import audit
from .db import db, utcnow
from .duplicates import find_duplicates, threshold_for
from .errors import OperationError
from .i18n import LANGUAGES
from .marks import N_
from .policy import may_edit_entry
from .models import (
    CLOSED,
    COLLECTIVE,
    DRAFT,
    EXCLUDED,
    FLAG_CLEARED,
    FLAG_CONFIRMED,
    FLAG_OPEN,
    FLAG_SIMILAR,
    OPEN,
    PUBLISHED,
    ROLES,
    SUBMITTED,
    Attachment,
    CoAuthor,
    Contest,
    Criterion,
    DuplicateFlag,
    Entry,
    RegistryItem,
    Unit,
    User,
)
from .timeutil import format_datetime, to_local
from .uploads import MAX_ATTACHMENTS_PER_ENTRY, MAX_ENTRY_BYTES, attachment_problem, detect_attachment_type


# ---------------------------------------------------------------- users

def create_user(
    actor: Optional[User],
    username: str,
    full_name: str,
    role: str,
    password: str,
    unit_name: str = "",
    position: str = "",
) -> User:
    """Create an account with a hashed password."""
    username = username.strip()
    if not username:
        raise OperationError(gettext("Tên đăng nhập: không được để trống."), "username")
    if role not in ROLES:
        raise OperationError(gettext("Vai trò: “%(role)s” không hợp lệ.", role=role), "role")
    if len(password) < 8:
        raise OperationError(gettext("Mật khẩu: cần ít nhất 8 ký tự."), "password")
    if db.session.scalar(select(User.id).filter_by(username=username)) is not None:
        raise OperationError(gettext("Tên đăng nhập: “%(username)s” đã có người dùng.", username=username), "username")
    user = User(username=username, full_name=full_name.strip() or username, role=role, position=position)
    if unit_name:
        user.unit = get_or_create_unit(unit_name)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", user.id, None, {"username": username, "role": role})
    return user


def get_or_create_unit(name: str) -> Unit:
    """The unit of that name, created when new."""
    unit = db.session.scalar(select(Unit).filter_by(name=name.strip()))
    if unit is None:
        unit = Unit(name=name.strip())
        db.session.add(unit)
        db.session.flush()
    return unit


# ---------------------------------------------------------------- contests

@dataclass
class CriterionData:
    """One rubric row as entered."""

    code: str
    name: str
    max_points: float
    description: str = ""
    bands: list = field(default_factory=list)  # [[low, high, descriptor], …]; empty = the default bands


@dataclass
class ContestData:
    """Everything the organising committee sets when it opens a contest."""

    title: str
    year: int
    fields: list[str]
    submission_deadline: datetime  # UTC
    judging_deadline: datetime  # UTC
    criteria: list[CriterionData]
    threshold: float = 50.0
    forward_count: int = 3
    prize_first: int = 1
    prize_second: int = 2
    prize_third: int = 3
    prize_consolation: int = 4
    duplicate_threshold: Optional[float] = None
    blind: bool = False
    assignment_mode: str = "all"
    judges_per_entry: int = 2
    arbitration_limit: Optional[float] = None
    disagreement_threshold: Optional[float] = 20.0
    aggregation: str = "mean"
    score_step: float = 0.5
    collective_prizes: Optional[list[int]] = None  # [nhat, nhi, ba, kk] for collectives; None = one ranking
    acceptance_rule: str = "threshold"  # or "vote"
    vote_share: float = 66.67  # percent of the panel in favour, under the vote rule
    community_vote: bool = False
    panel_weight: float = 80.0
    vote_weight: float = 20.0


JUDGING_SETTINGS = ("blind", "assignment_mode", "judges_per_entry", "arbitration_limit", "disagreement_threshold",
                    "aggregation", "score_step", "collective_prizes", "acceptance_rule", "vote_share",
                    "community_vote", "panel_weight", "vote_weight")


DEFAULT_CRITERIA = [
    CriterionData("novelty", "Tính mới", 40, "Giải pháp chưa được áp dụng tại đơn vị; mức độ mới so với cách làm hiện có."),
    CriterionData("usefulness", "Tính hữu ích, hiệu quả", 35, "Lợi ích thực tế đã đạt được khi áp dụng: thời gian, chi phí, sự hài lòng."),
    CriterionData("replicability", "Khả năng nhân rộng", 25, "Mức độ có thể áp dụng ở đơn vị, lĩnh vực khác."),
]


def _contest_snapshot(contest: Contest) -> dict[str, Any]:
    return {
        "title": contest.title,
        "year": contest.year,
        "fields": list(contest.fields),
        "submission_deadline": contest.submission_deadline,
        "judging_deadline": contest.judging_deadline,
        "threshold": contest.threshold,
        "forward_count": contest.forward_count,
        "prizes": [contest.prize_first, contest.prize_second, contest.prize_third, contest.prize_consolation],
        "duplicate_threshold": contest.duplicate_threshold,
        "criteria": [[c.code, c.name, c.max_points, c.bands] for c in contest.criteria],
        **{name: getattr(contest, name) for name in JUDGING_SETTINGS},
    }


def _validate_contest(data: ContestData) -> None:
    if not data.title.strip():
        raise OperationError(gettext("Tên cuộc thi: không được để trống."), "title")
    if not data.fields:
        raise OperationError(gettext("Lĩnh vực: cần ít nhất một lĩnh vực."), "fields")
    if data.judging_deadline < data.submission_deadline:
        raise OperationError(gettext("Hạn chấm: phải sau hạn nộp bài."), "judging_deadline")
    if not data.criteria:
        raise OperationError(gettext("Tiêu chí chấm: cần ít nhất một tiêu chí."), "criteria")
    if any(c.max_points <= 0 for c in data.criteria):
        raise OperationError(gettext("Tiêu chí chấm: điểm tối đa của mỗi tiêu chí phải lớn hơn 0."), "criteria")
    codes = [c.code.strip() for c in data.criteria]
    if len(set(codes)) != len(codes):  # points are summed by code: a repeated one would overwrite another's
        raise OperationError(gettext("Tiêu chí chấm: mỗi tiêu chí cần một mã riêng, không trùng nhau."), "criteria")
    if data.assignment_mode not in ("all", "balanced"):
        raise OperationError(gettext("Cách phân công: không hợp lệ."), "assignment_mode")
    if data.aggregation not in ("mean", "trimmed"):
        raise OperationError(gettext("Cách tính điểm: không hợp lệ."), "aggregation")
    if data.collective_prizes is not None and (len(data.collective_prizes) != 4
                                               or any(not 0 <= n <= 100 for n in data.collective_prizes)):
        raise OperationError(gettext("Số giải cho tập thể: cần 4 số từ 0 đến 100 (Nhất, Nhì, Ba, Khuyến khích)."),
                             "collective_prizes")
    if data.acceptance_rule not in ("threshold", "vote"):
        raise OperationError(gettext("Cách công nhận: không hợp lệ."), "acceptance_rule")
    if not 0 < data.vote_share <= 100:
        raise OperationError(gettext("Tỷ lệ biểu quyết tán thành: từ 0 đến 100%."), "vote_share")
    if data.score_step not in (0.5, 1.0):
        raise OperationError(gettext("Bước điểm: chỉ 1 hoặc 0,5."), "score_step")
    total = sum(c.max_points for c in data.criteria)
    if not 0 <= data.threshold <= total:
        raise OperationError(gettext("Ngưỡng công nhận: phải trong khoảng 0–%(total)s điểm.", total=format(total, "g")),
                             "threshold")


def _apply_contest(contest: Contest, data: ContestData) -> None:
    for name in ("title", "year", "submission_deadline", "judging_deadline", "threshold", "forward_count",
                 "prize_first", "prize_second", "prize_third", "prize_consolation", "duplicate_threshold",
                 *JUDGING_SETTINGS):
        setattr(contest, name, getattr(data, name))
    contest.title = data.title.strip()
    contest.fields = [f.strip() for f in data.fields if f.strip()]


def _rubric_frozen(contest: Contest) -> bool:
    """The rubric cannot change once a judge has ever submitted a sheet on the contest.

    Drafts do not freeze it; a sheet reopened later does not thaw it (its `submitted_at` stays),
    so points given on one scale are never read on another.
    """
    from judging.models import ScoreSheet

    return db.session.scalar(
        select(ScoreSheet.id).join(Entry, ScoreSheet.entry_id == Entry.id)
        .where(Entry.contest_id == contest.id, ScoreSheet.submitted_at.is_not(None)).limit(1)
    ) is not None


def _criteria_scored_in_drafts(contest: Contest, criteria: list[Criterion]) -> list[str]:
    """Names of `criteria` on which some judge's draft already holds points or a comment."""
    from judging.models import Score

    ids = {c.id: c.name for c in criteria if c.id is not None}
    used = set(db.session.scalars(select(Score.criterion_id).where(Score.criterion_id.in_(ids)).distinct())) if ids else set()
    return [ids[i] for i in ids if i in used]


def _effective_bands(bands: list, max_points: float, code: str) -> list:
    from judging.rubric import bands_from_json

    return [b.as_list() for b in bands_from_json(bands, max_points, code)]


def create_contest(actor: User, data: ContestData) -> Contest:
    """Open a new contest with its rubric."""
    _validate_contest(data)
    contest = Contest(status=OPEN)
    _apply_contest(contest, data)
    for pos, c in enumerate(data.criteria):
        contest.criteria.append(Criterion(code=c.code, name=c.name.strip(), max_points=c.max_points,
                                          description=c.description, position=pos, bands=list(c.bands)))
    db.session.add(contest)
    db.session.flush()
    audit.record(actor, "contest.create", "contest", contest.id, None, _contest_snapshot(contest))
    return contest


def update_contest(actor: User, contest: Contest, data: ContestData) -> Contest:
    """Change a contest's settings; its rubric only while no sheet exists."""
    _validate_contest(data)
    before = _contest_snapshot(contest)
    rubric = [[c.code, c.name.strip(), float(c.max_points), _effective_bands(c.bands, c.max_points, c.code)]
              for c in data.criteria]
    stored = [[c.code, c.name, float(c.max_points), _effective_bands(c.bands, c.max_points, c.code)]
              for c in contest.criteria]
    if (rubric != stored or data.score_step != contest.score_step) and _rubric_frozen(contest):
        raise OperationError(
            gettext("Tiêu chí chấm: đã có phiếu chấm được nộp nên không thể thay đổi thang điểm."), "criteria")
    if rubric != stored:
        kept = {c.code for c in data.criteria}
        scored = _criteria_scored_in_drafts(contest, [c for c in contest.criteria if c.code not in kept])
        if scored:
            raise OperationError(gettext("Tiêu chí chấm: không thể bỏ tiêu chí “%(name)s” vì giám khảo đã chấm nháp "
                                         "theo tiêu chí này.", name=scored[0]), "criteria")
        existing = {c.code: c for c in contest.criteria}
        rows = []
        for pos, c in enumerate(data.criteria):
            row = existing.pop(c.code, None) or Criterion(code=c.code)
            row.name, row.max_points, row.position, row.description = c.name.strip(), c.max_points, pos, c.description
            row.bands = list(c.bands)
            rows.append(row)
        contest.criteria = rows  # criteria left out are deleted (delete-orphan)
    _apply_contest(contest, data)
    db.session.flush()
    audit.record(actor, "contest.update", "contest", contest.id, before, _contest_snapshot(contest))
    return contest


# ---------------------------------------------------------------- entries

@dataclass
class CoAuthorData:
    full_name: str
    position: str = ""
    share: float = 0.0


@dataclass
class EntryData:
    """What a participant writes; required parts are checked at submission, not for drafts."""

    kind: str
    title: str
    field: str
    collective_name: str = ""
    situation: str = ""
    solution: str = ""
    effect: str = ""
    scope: str = ""
    applied_where: str = ""
    applied_since: Optional[date] = None
    benefit: str = ""
    coauthors: list[CoAuthorData] = field(default_factory=list)


def _entry_snapshot(entry: Entry) -> dict[str, Any]:
    return {
        "status": entry.status,
        "kind": entry.kind,
        "collective_name": entry.collective_name,
        "title": entry.title,
        "field": entry.field,
        "situation": entry.situation,
        "solution": entry.solution,
        "effect": entry.effect,
        "scope": entry.scope,
        "applied_where": entry.applied_where,
        "applied_since": entry.applied_since,
        "benefit": entry.benefit,
        "coauthors": [[c.full_name, c.position, c.share] for c in entry.coauthors],
    }


def save_entry(actor: User, contest: Contest, data: EntryData, entry: Optional[Entry] = None) -> Entry:
    """Create or update the author's draft."""
    if entry is not None and not may_edit_entry(actor, entry):
        raise OperationError(gettext("Bài dự thi đã nộp, không thể sửa."))
    if entry is None and contest.status != OPEN:
        raise OperationError(gettext("Cuộc thi đã hết thời gian nhận bài."))
    if not data.title.strip():
        raise OperationError(gettext("Tên sáng kiến: không được để trống."), "title")
    if data.field not in contest.fields:
        raise OperationError(gettext("Lĩnh vực: hãy chọn một lĩnh vực của cuộc thi."), "field")
    if data.kind == COLLECTIVE and not data.collective_name.strip():
        raise OperationError(gettext("Tên tập thể: bắt buộc khi dự thi với tư cách tập thể."), "collective_name")
    if sum(c.share for c in data.coauthors) > 100:
        raise OperationError(gettext("Đồng tác giả: tổng tỷ lệ đóng góp không được vượt quá 100%."), "coauthors")
    if data.applied_since is not None and data.applied_since > to_local(utcnow()).date():
        raise OperationError(gettext("Áp dụng từ ngày: không được sau ngày hôm nay (chỉ công nhận sáng kiến "
                                     "đã được áp dụng hoặc áp dụng thử)."), "applied_since")
    before = _entry_snapshot(entry) if entry else None
    if entry is None:
        entry = Entry(contest=contest, author=actor, unit_id=actor.unit_id, status=DRAFT)
        db.session.add(entry)
    for name in ("kind", "title", "field", "collective_name", "situation", "solution", "effect", "scope",
                 "applied_where", "applied_since", "benefit"):
        value = getattr(data, name)
        setattr(entry, name, value.strip() if isinstance(value, str) else value)
    entry.coauthors = [CoAuthor(full_name=c.full_name.strip(), position=c.position.strip(), share=c.share)
                       for c in data.coauthors if c.full_name.strip()]
    db.session.flush()
    audit.record(actor, "entry.save", "entry", entry.id, before, _entry_snapshot(entry))
    return entry


SUBMIT_REQUIRED = [
    ("situation", N_("Thực trạng")),
    ("solution", N_("Nội dung giải pháp")),
    ("effect", N_("Hiệu quả")),
    ("applied_where", N_("Nơi áp dụng")),
]


def submit_entry(actor: User, entry: Entry, now: Optional[datetime] = None) -> list[DuplicateFlag]:
    """Submit a draft before the deadline, then flag its likely duplicates."""
    now = now or utcnow()
    contest = entry.contest
    if actor.id != entry.author_id:
        raise OperationError(gettext("Chỉ tác giả mới được nộp bài này."))
    if entry.status != DRAFT:
        raise OperationError(gettext("Bài này đã được nộp."))
    if contest.status != OPEN:
        raise OperationError(gettext("Cuộc thi đã kết thúc nhận bài và chuyển sang giai đoạn chấm. Không thể nộp bài."))
    if not contest.accepts_submissions(now):
        raise OperationError(gettext("Đã hết hạn nộp bài (%(deadline)s, giờ Việt Nam). Không thể nộp bài.",
                                     deadline=format_datetime(contest.submission_deadline)))
    missing = [gettext("%(field)s: cần điền trước khi nộp bài.", field=gettext(label))
               for name, label in SUBMIT_REQUIRED if not getattr(entry, name).strip()]
    if entry.applied_since is None:
        missing.append(
            gettext("Áp dụng từ ngày: cần điền (chỉ công nhận sáng kiến đã được áp dụng hoặc áp dụng thử)."))
    if not entry.attachments:
        missing.append(gettext("Tệp đính kèm: cần ít nhất một tệp bản mô tả sáng kiến (PDF hoặc DOCX)."))
    if missing:
        raise OperationError(" ".join(missing))
    entry.status = SUBMITTED
    entry.submitted_at = now
    db.session.flush()
    audit.record(actor, "entry.submit", "entry", entry.id, {"status": DRAFT}, {"status": SUBMITTED})
    return flag_duplicates(None, entry)


def flag_duplicates(actor: Optional[User], entry: Entry) -> list[DuplicateFlag]:
    """Store a flag for each likely duplicate, and the best matches under the line as "similar";
    decided flags are kept. Returns the new flags (similar matches are not flags)."""
    existing = {(f.registry_item_id, f.other_entry_id): f for f in entry.flags}
    threshold = threshold_for(entry.contest)
    new_flags, new_similar = [], []
    for found in find_duplicates(entry, threshold):
        key = (found.registry_item_id, found.other_entry_id)
        over = found.match.score >= threshold
        flag = existing.get(key)
        if flag is None:
            flag = DuplicateFlag(entry=entry, registry_item_id=found.registry_item_id,
                                 other_entry_id=found.other_entry_id, score=found.match.score,
                                 status=FLAG_OPEN if over else FLAG_SIMILAR)
            db.session.add(flag)
            (new_flags if over else new_similar).append(flag)
        elif over and flag.status == FLAG_SIMILAR:  # the registry or the line changed: now a flag
            flag.status = FLAG_OPEN
            new_flags.append(flag)
        flag.score = found.match.score
        flag.title_score = found.match.title_score
        flag.body_score = found.match.body_score
        flag.shared_phrases = list(found.match.shared_phrases)
    db.session.flush()
    if new_flags or new_similar:
        audit.record(actor, "entry.flag", "entry", entry.id, None,
                     {"flags": [[f.registry_item_id, f.other_entry_id, round(f.score, 1)] for f in new_flags],
                      "similar": [[f.registry_item_id, f.other_entry_id, round(f.score, 1)] for f in new_similar]})
    return new_flags


def record_recheck(actor: Optional[User], contest: Contest, new_flags: int) -> None:
    """Audit a finished re-check of a contest's entries."""
    audit.record(actor, "contest.recheck", "contest", contest.id, None, {"new_flags": new_flags})


def decide_flag(actor: User, flag: DuplicateFlag, confirmed: bool, reason: str) -> DuplicateFlag:
    """Confirm a flag (the entry leaves judging, with the reason) or clear it, until judging closes.

    Once the results are computed a late decision would leave a ranked, perhaps forwarded entry
    excluded behind them; the secretary changes the result itself instead (amend, with a reason).
    """
    if flag.entry.contest.status in (CLOSED, PUBLISHED):
        raise OperationError(gettext("Đã kết thúc chấm: không thể thay đổi kết luận trùng lặp. Để loại sáng kiến "
                                     "khỏi kết quả, hãy điều chỉnh kết quả (bỏ công nhận) kèm lý do."))
    reason = reason.strip()
    if not reason:
        raise OperationError(gettext("Lý do: cần ghi lý do xác nhận hoặc bỏ cảnh báo trùng lặp."), "reason")
    before = {"status": flag.status, "reason": flag.reason, "entry_status": flag.entry.status}
    flag.status = FLAG_CONFIRMED if confirmed else FLAG_CLEARED
    flag.reason = reason
    flag.decided_by_id = actor.id
    flag.decided_at = utcnow()
    entry = flag.entry
    if confirmed:
        entry.status = EXCLUDED
        entry.exclusion_reason = f"Trùng lặp với “{flag.match_title}”: {reason}"
        _drop_assignments(entry)
    elif entry.status == EXCLUDED and not any(f.status == FLAG_CONFIRMED for f in entry.flags):
        entry.status = SUBMITTED
        entry.exclusion_reason = ""
    db.session.flush()
    audit.record(actor, "flag.decide", "duplicate_flag", flag.id, before,
                 {"status": flag.status, "reason": reason, "entry_status": entry.status})
    return flag


def _drop_assignments(entry: Entry) -> None:
    """An excluded entry leaves every judge's queue (its sheets are kept for the record)."""
    from judging.models import Assignment

    for a in db.session.scalars(select(Assignment).filter_by(entry_id=entry.id)):
        db.session.delete(a)


# ---------------------------------------------------------------- attachments

def add_attachment(actor: User, entry: Entry, original_name: str, data: bytes, upload_dir: str,
                   max_bytes: int) -> Attachment:
    """Store an uploaded PDF or DOCX under a generated name, after checking its content."""
    if not may_edit_entry(actor, entry):
        raise OperationError(gettext("Tệp đính kèm: chỉ thêm được khi bài còn là bản nháp."), "file")
    if not data:
        raise OperationError(gettext("Tệp đính kèm: tệp rỗng."), "file")
    if len(data) > max_bytes:
        raise OperationError(gettext("Tệp đính kèm: vượt quá giới hạn %(size)s MB.", size=max_bytes // (1024 * 1024)),
                             "file")
    if len(entry.attachments) >= MAX_ATTACHMENTS_PER_ENTRY:
        raise OperationError(gettext("Tệp đính kèm: mỗi bài có tối đa %(n)s tệp; hãy xoá bớt tệp cũ trước khi thêm.",
                                     n=MAX_ATTACHMENTS_PER_ENTRY), "file")
    if sum(a.size for a in entry.attachments) + len(data) > MAX_ENTRY_BYTES:
        raise OperationError(gettext("Tệp đính kèm: tổng dung lượng các tệp của một bài tối đa %(mb)s MB.",
                                     mb=MAX_ENTRY_BYTES // (1024 * 1024)), "file")
    kind = detect_attachment_type(data)
    if kind is None:
        raise OperationError(
            gettext("Tệp đính kèm: chỉ nhận tệp PDF hoặc Word (DOCX); nội dung tệp không đúng định dạng."), "file")
    problem = attachment_problem(data, kind)
    if problem:
        raise OperationError(gettext("Tệp đính kèm: %(reason)s", reason=gettext(problem)), "file")
    extension, content_type = kind
    display = "".join(ch for ch in original_name if ch.isprintable()).strip()
    if not display or any(bad in display for bad in ("/", "\\", "..")) or not display.strip(". "):
        raise OperationError(
            gettext("Tệp đính kèm: tên tệp không hợp lệ (không được chứa đường dẫn hay để trống)."), "file")
    display = display[:250]
    stored = f"{uuid.uuid4().hex}.{extension}"
    os.makedirs(upload_dir, exist_ok=True)
    with open(os.path.join(upload_dir, stored), "xb") as fh:
        fh.write(data)
    attachment = Attachment(entry=entry, stored_name=stored, original_name=display,
                            content_type=content_type, size=len(data))
    db.session.add(attachment)
    db.session.flush()
    audit.record(actor, "attachment.add", "entry", entry.id, None,
                 {"attachment": attachment.id, "name": display, "size": len(data)})
    return attachment


def remove_attachment(actor: User, attachment: Attachment, upload_dir: str) -> None:
    """Delete an attachment of a draft."""
    entry = attachment.entry
    if not may_edit_entry(actor, entry):
        raise OperationError(gettext("Tệp đính kèm: chỉ xoá được khi bài còn là bản nháp."), "file")
    audit.record(actor, "attachment.remove", "entry", entry.id,
                 {"attachment": attachment.id, "name": attachment.original_name}, None)
    path = os.path.join(upload_dir, attachment.stored_name)
    db.session.delete(attachment)
    db.session.flush()
    if os.path.exists(path):
        os.remove(path)


# ---------------------------------------------------------------- registry

@dataclass
class RegistryData:
    title: str
    summary: str = ""
    unit: str = ""
    year: Optional[int] = None
    field: str = ""
    code: str = ""


def add_registry_item(actor: User, data: RegistryData) -> RegistryItem:
    """Add one applied initiative to the registry by hand."""
    if not data.title.strip():
        raise OperationError(gettext("Tên sáng kiến: không được để trống."), "title")
    item = RegistryItem(title=data.title.strip(), summary=data.summary.strip(), unit=data.unit.strip(),
                        year=data.year, field=data.field.strip(), code=data.code.strip())
    db.session.add(item)
    db.session.flush()
    audit.record(actor, "registry.add", "registry_item", item.id, None, {"title": item.title, "year": item.year})
    return item


def import_registry(actor: Optional[User], rows: Sequence[RegistryData], source: str,
                    job_id: Optional[int] = None) -> int:
    """Add one batch of an imported file's valid rows to the registry, as one audited change; the
    rows remember the import, so that stopping it can take back exactly them. Returns the count."""
    if not rows:
        return 0
    ids = db.session.scalars(
        insert(RegistryItem).returning(RegistryItem.id, sort_by_parameter_order=True),
        [{"title": r.title, "summary": r.summary, "unit": r.unit, "year": r.year, "field": r.field,
          "code": r.code, "import_job_id": job_id, "created_at": utcnow()} for r in rows],
    ).all()
    # The id range names the added items without listing 1,000 of them.
    audit.record(actor, "registry.import", "registry", None, None,
                 {"source": source, "job": job_id, "added": len(ids), "first_id": min(ids), "last_id": max(ids)})
    return len(ids)


def undo_registry_import(actor: Optional[User], job_id: int, source: str, limit: int) -> int:
    """Take back up to `limit` of the rows an import added (the caller repeats until 0), audited.
    A row a duplicate flag already points at stays: the flag and its decision keep their evidence."""
    flagged = select(DuplicateFlag.registry_item_id).where(DuplicateFlag.registry_item_id.is_not(None))
    ids = db.session.scalars(select(RegistryItem.id)
                             .where(RegistryItem.import_job_id == job_id, RegistryItem.id.not_in(flagged))
                             .order_by(RegistryItem.id.desc()).limit(limit)).all()
    if not ids:
        return 0
    db.session.execute(delete(RegistryItem).where(RegistryItem.id.in_(ids)))
    audit.record(actor, "registry.import_undo", "registry", None, None,
                 {"source": source, "job": job_id, "removed": len(ids), "first_id": min(ids), "last_id": max(ids)})
    return len(ids)


# ---------------------------------------------------------------- accounts (admin)

@dataclass
class UserData:
    full_name: str
    role: str
    unit_name: str = ""
    position: str = ""
    active: bool = True


def update_user(actor: User, user: User, data: UserData, new_password: str = "") -> User:
    """Change an account; disabling it or setting a password ends its sessions."""
    if data.role not in ROLES:
        raise OperationError(gettext("Vai trò: “%(role)s” không hợp lệ.", role=data.role), "role")
    if user.id == actor.id and (not data.active or data.role != user.role):
        raise OperationError(
            gettext("Vai trò: không thể tự khoá hoặc đổi vai trò tài khoản của chính mình."), "role")
    if new_password and len(new_password) < 8:
        raise OperationError(gettext("Mật khẩu mới: cần ít nhất 8 ký tự."), "password")
    before = {"full_name": user.full_name, "role": user.role, "unit": user.unit.name if user.unit else "",
              "position": user.position, "active": user.active}
    user.full_name = data.full_name.strip() or user.full_name
    user.role, user.position, user.active = data.role, data.position.strip(), data.active
    user.unit = get_or_create_unit(data.unit_name) if data.unit_name.strip() else None
    if new_password:
        user.set_password(new_password)
    if not data.active:
        user.end_sessions()
    db.session.flush()
    audit.record(actor, "user.update", "user", user.id, before,
                 {"full_name": user.full_name, "role": user.role, "unit": data.unit_name.strip(),
                  "position": user.position, "active": user.active, "password_reset": bool(new_password)})
    return user


def set_language(user: User, language: str) -> User:
    """Switch one's own interface language; stored data and exported documents stay Vietnamese."""
    if language not in LANGUAGES:
        raise OperationError(gettext("Ngôn ngữ: “%(language)s” không được hỗ trợ.", language=language), "language")
    before = user.language
    if before == language:
        return user
    user.language = language
    db.session.flush()
    audit.record(user, "user.language", "user", user.id, {"language": before}, {"language": language})
    return user


# ---------------------------------------------------------------- sign-in and what leaves the system

def record_sign_in(user: Optional[User], username: str, succeeded: bool, address: str) -> None:
    """Audit a sign-in, or a refused one (with the name that was tried and the address it came from)."""
    action = "auth.sign_in" if succeeded else "auth.sign_in_failed"
    audit.record(user if succeeded else None, action, "user", user.id if user else None, None,
                 {"username": username[:150], "address": address[:100]})


def change_password(user: User, current: str, new: str) -> None:
    """Change one's own password after checking the current one; every session of the account ends
    (set_password changes its token)."""
    if not user.check_password(current or ""):
        raise OperationError(gettext("Mật khẩu hiện tại: không đúng."), "current")
    user.set_password(new)
    db.session.flush()
    audit.record(user, "user.password", "user", user.id, None, None)


def sign_out(user: User, address: str) -> None:
    """End every session of the user (the session token changes) and audit it."""
    user.end_sessions()
    db.session.flush()
    audit.record(user, "auth.sign_out", "user", user.id, None, {"address": address[:100]})


def record_export(actor: Optional[User], what: str, object_type: str, object_id: Optional[int],
                  rows: Optional[int] = None) -> None:
    """Audit a document that leaves the system (an XLSX list, the dossier): who took what, when."""
    if what not in ("registry", "reminders", "forwarded", "dossier"):
        raise ValueError(f"unknown export {what!r}")
    action = ("export.registry" if what == "registry" else "export.reminders" if what == "reminders"
              else "export.forwarded" if what == "forwarded" else "export.dossier")
    audit.record(actor, action, object_type, object_id, None, {"rows": rows} if rows is not None else None)
