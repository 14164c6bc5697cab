"""Verb functions of screening: flagging duplicates and deciding flags."""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext
from sqlalchemy import select

from contest import audit
from contest.accounts.models import User
from contest.contests.models import CLOSED, PUBLISHED, Contest
from contest.db import db, utcnow
from contest.entries.models import EXCLUDED, SUBMITTED, Entry
from contest.errors import OperationError
from contest.notices import operations as notices
from contest.screening.duplicates import find_duplicates, threshold_for
from contest.screening.models import (
    FLAG_CLEARED,
    FLAG_CONFIRMED,
    FLAG_ELSEWHERE,
    FLAG_OPEN,
    FLAG_SIMILAR,
    DuplicateFlag,
)
from judging.models import Assignment


def flag_duplicates(actor: Optional[User], entry: Entry) -> list[DuplicateFlag]:
    """Store a flag for each likely duplicate, the best matches under the line as "similar", and
    the best in the rest of the town's bank as "elsewhere"; decided flags are kept. Returns the new
    flags (similar and elsewhere matches are not flags)."""
    existing = {(f.registry_item_id, f.other_entry_id): f for f in entry.flags}
    threshold = threshold_for(entry.contest)
    new_flags, new_similar = [], []
    for found in find_duplicates(entry, threshold):
        key = (found.registry_item_id, found.other_entry_id)
        over = found.match.score >= threshold and not found.elsewhere
        flag = existing.get(key)
        if flag is None:
            flag = DuplicateFlag(entry=entry, registry_item_id=found.registry_item_id,
                                 other_entry_id=found.other_entry_id, score=found.match.score,
                                 status=FLAG_ELSEWHERE if found.elsewhere else FLAG_OPEN if over else FLAG_SIMILAR)
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
    notices.flag_decided(flag)
    return flag


def _drop_assignments(entry: Entry) -> None:
    """An excluded entry leaves every judge's queue (its sheets are kept for the record)."""
    for a in db.session.scalars(select(Assignment).filter_by(entry_id=entry.id)):
        db.session.delete(a)
