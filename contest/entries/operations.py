"""Verb functions of entries: saving, submitting, attaching files."""
from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Optional

from flask_babel import gettext

from contest import audit
from contest.accounts.models import User
from contest.contests.models import OPEN, Contest
from contest.db import db, utcnow
from contest.entries.limits import TITLE_MAX
from contest.entries.models import (
    COLLECTIVE,
    DRAFT,
    SUBMITTED,
    Attachment,
    CoAuthor,
    Entry,
)
from contest.errors import OperationError
from contest.marks import N_
from contest.policy import may_edit_entry
from contest.screening.models import DuplicateFlag
from contest.screening.operations import flag_duplicates
from contest.timeutil import format_datetime, to_local
from contest.uploads import (
    MAX_ATTACHMENTS_PER_ENTRY,
    MAX_ENTRY_BYTES,
    attachment_problem,
    detect_attachment_type,
)


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


def title_problem(title: str) -> Optional[str]:
    """Why a title cannot be saved as it is (over the limit: never cut silently), or None."""
    length = len(title.strip())
    if length > TITLE_MAX:
        return gettext("Tên sáng kiến: tối đa %(max)s ký tự; tên đang có %(length)s ký tự, hãy rút gọn.",
                       max=TITLE_MAX, length=length)
    return None


def save_entry(actor: User, contest: Contest, data: EntryData, entry: Optional[Entry] = None) -> Entry:
    """Create or update the author's draft."""
    if entry is not None and not may_edit_entry(actor, entry):
        raise OperationError(gettext("Bài dự thi đã nộp, không thể sửa."))
    if entry is None and contest.status != OPEN:
        raise OperationError(gettext("Cuộc thi đã hết thời gian nhận bài."))
    if not data.title.strip():
        raise OperationError(gettext("Tên sáng kiến: không được để trống."), "title")
    too_long = title_problem(data.title)
    if too_long:
        raise OperationError(too_long, "title")
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


def _missing_parts(entry: Entry) -> list[tuple[str, str]]:
    """(field, label) of each part a submission needs that the draft lacks, in the form's order."""
    parts = [(name, label) for name, label in SUBMIT_REQUIRED if not getattr(entry, name).strip()]
    if entry.applied_since is None:
        parts.append(("applied_since", N_("Áp dụng từ ngày")))
    if not entry.attachments:
        parts.append(("file", N_("Tệp đính kèm")))
    return parts


def submission_problems(entry: Entry) -> list[tuple[Optional[str], str]]:
    """What a draft still needs before it can be submitted: (field, message naming it), each field
    the id of its input (on the edit form; "file" on the entry's page), so a page can link to it."""
    messages = {
        "applied_since": N_("Áp dụng từ ngày: cần điền (chỉ công nhận sáng kiến đã được áp dụng hoặc áp dụng thử)."),
        "file": N_("Tệp đính kèm: cần ít nhất một tệp bản mô tả sáng kiến (PDF hoặc DOCX)."),
    }
    return [(name, gettext(messages[name]) if name in messages
             else gettext("%(field)s: cần điền trước khi nộp bài.", field=gettext(label)))
            for name, label in _missing_parts(entry)]


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
    missing = submission_problems(entry)
    if missing:
        raise OperationError(gettext("Chưa nộp được bài, còn thiếu: %(parts)s.",
                                     parts="; ".join(gettext(label) for _, label in _missing_parts(entry))),
                             None, problems=missing)
    entry.status = SUBMITTED
    entry.submitted_at = now
    db.session.flush()
    audit.record(actor, "entry.submit", "entry", entry.id, {"status": DRAFT}, {"status": SUBMITTED})
    return flag_duplicates(None, entry)


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


def copy_entry(entry: Entry, contest: Contest, upload_dir: str, now: datetime) -> Entry:
    """A submitted copy of an entry in another contest: its texts, authors, co-authors and files
    (each file copied under a new name, so either entry's life never touches the other's files).
    The caller is the verb that moves the entry and writes the audit record."""
    copy = Entry(contest_id=contest.id, author_id=entry.author_id, unit_id=entry.unit_id, kind=entry.kind,
                 collective_name=entry.collective_name, title=entry.title, field=entry.field,
                 situation=entry.situation, solution=entry.solution, effect=entry.effect, scope=entry.scope,
                 applied_where=entry.applied_where, applied_since=entry.applied_since, benefit=entry.benefit,
                 status=SUBMITTED, submitted_at=now)
    copy.coauthors = [CoAuthor(full_name=c.full_name, position=c.position, share=c.share) for c in entry.coauthors]
    db.session.add(copy)
    for a in entry.attachments:
        source = os.path.join(upload_dir, a.stored_name)
        if not os.path.exists(source):
            continue  # a file lost from disk cannot be carried; the ward's dossier still lists the entry
        stored = f"{uuid.uuid4().hex}.{a.extension}"
        shutil.copyfile(source, os.path.join(upload_dir, stored))
        copy.attachments.append(Attachment(stored_name=stored, original_name=a.original_name,
                                           content_type=a.content_type, size=a.size))
    db.session.flush()
    return copy
