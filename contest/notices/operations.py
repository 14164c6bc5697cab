"""Verb functions of notices: write the outbox rows the verbs of other areas call for, and mark
one's own notices read.

Each trigger is called by one line of the verb that changed the state (`assign_panel`,
`decide_flag`, `publish_results`, …) and adds its rows to that verb's transaction, so a notice is
committed exactly when its cause is, and rolled back with it (a transactional outbox). Writing a
notice is not audited on its own: the verb that caused it is. Nothing here commits, except
`job_finished`, which runs after the job's own transaction has ended.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

from flask import current_app
from sqlalchemy import select, update

from contest.accounts.models import User
from contest.contests.models import Contest
from contest.db import db, utcnow, write_transaction
from contest.entries.models import Entry
from contest.jobs.models import JOB_CANCELLED, JOB_DONE, Job
from contest.notices import compose
from contest.notices.models import (
    ARBITRATION,
    ASSIGNED,
    DISAGREEMENT,
    EXCLUDED,
    IN_APP,
    JOB_FINISHED,
    PENDING,
    PUBLISHED,
    REMINDED,
    Notification,
)
from contest.screening.models import FLAG_CONFIRMED
from contest.timeutil import format_datetime, format_number
from judging.queries import panel_members
from judging.ranking import PRIZE_LABELS


def mail_configured() -> bool:
    """Whether notices are e-mailed at all: a mail server is configured (MAIL_SERVER)."""
    return bool(current_app.config.get("MAIL_SERVER"))


def path_for(endpoint: str, **values: Any) -> str:
    """The path of a page of the app, in a request or not (a job's thread has no request to build from)."""
    root = current_app.config.get("APPLICATION_ROOT") or "/"
    return current_app.url_map.bind("localhost", script_name=root).build(endpoint, values)


def notify(recipient: User, kind: str, text: compose.Text, link: str = "",
           organisation_id: Optional[int] = None) -> Notification:
    """One notice to one person: always in their list; also e-mailed when a mail server is
    configured, they have an address and have not turned e-mail off (decided now, so configuring
    a server later never floods people with old notices)."""
    email = recipient.email if (mail_configured() and recipient.email and recipient.notices_by_email
                                and recipient.active) else ""
    row = Notification(recipient=recipient, organisation_id=organisation_id,
                       email=email, kind=kind, subject=text.subject[:300], body=text.body, link=link,
                       status=PENDING if email else IN_APP, next_attempt_at=utcnow() if email else None,
                       attempts=0, claimed_by="", last_error="")
    db.session.add(row)
    return row


def _chairs(contest: Contest) -> list[User]:
    return [m.judge for m in panel_members(contest) if m.is_chair and m.judge.active]


def _deadline(contest: Contest) -> str:
    return format_datetime(contest.judging_deadline) if contest.judging_deadline else ""


def judges_assigned(contest: Contest, pairs: Iterable[tuple[int, int]], arbitration: bool = False) -> list[Notification]:
    """Tell each judge of their new entries: one notice per judge, listing all of them."""
    by_judge: dict[int, list[int]] = {}
    for entry_id, judge_id in pairs:
        by_judge.setdefault(judge_id, []).append(entry_id)
    rows = []
    for judge_id, entry_ids in sorted(by_judge.items()):
        judge = db.session.get(User, judge_id)
        titles = [e.title for e in db.session.scalars(select(Entry).where(Entry.id.in_(entry_ids)).order_by(Entry.id))]
        if judge is None or not titles:
            continue
        text = compose.assigned(contest.title, titles, _deadline(contest), arbitration=arbitration)
        link = path_for("judging.sheet", entry_id=entry_ids[0]) if len(entry_ids) == 1 else path_for("judging.queue")
        rows.append(notify(judge, ASSIGNED, text, link, contest.organisation_id))
    db.session.flush()
    return rows


def judges_reminded(contest: Contest, reminders: Iterable[Any], sender: User) -> list[Notification]:
    """Tell each reminded judge, with the secretariat's message and how many sheets are outstanding."""
    rows = []
    for reminder in reminders:
        judge = db.session.get(User, reminder.judge_id)
        text = compose.reminded(contest.title, reminder.message, reminder.outstanding, sender.full_name,
                                _deadline(contest))
        rows.append(notify(judge, REMINDED, text, path_for("judging.queue"), contest.organisation_id))
    db.session.flush()
    return rows


def arbitration(entry: Entry, arbiter_assignment: Any, message: str) -> list[Notification]:
    """The panel's arbitration notice: to the chair, and to the third judge as a new assignment."""
    contest = entry.contest
    rows = [notify(chair, ARBITRATION, compose.arbitration(contest.title, message),
                   path_for("judging.chair", contest_id=contest.id), contest.organisation_id)
            for chair in _chairs(contest)]
    if arbiter_assignment is not None:
        db.session.flush()
        rows += judges_assigned(contest, [(entry.id, arbiter_assignment.judge_id)], arbitration=True)
    db.session.flush()
    return rows


def judging_closed(contest: Contest, results: Iterable[Any]) -> list[Notification]:
    """When judging closes, tell the chair which entries' totals spread beyond the contest's
    disagreement threshold (nothing when none does)."""
    disputed = [r.entry_id for r in results if r.disputed]
    if not disputed or contest.disagreement_threshold is None:
        return []
    titles = [e.title for e in db.session.scalars(select(Entry).where(Entry.id.in_(disputed)).order_by(Entry.id))]
    text = compose.disagreement(contest.title, titles, format_number(float(contest.disagreement_threshold)))
    rows = [notify(chair, DISAGREEMENT, text, path_for("judging.chair", contest_id=contest.id), contest.organisation_id)
            for chair in _chairs(contest)]
    db.session.flush()
    return rows


def flag_decided(flag: Any) -> Optional[Notification]:
    """Tell the author when the secretariat confirms a duplicate flag (the entry is excluded), with the reason."""
    entry = flag.entry
    if flag.status != FLAG_CONFIRMED:
        return None
    text = compose.excluded(entry.title, entry.contest.title, flag.reason)
    row = notify(entry.author, EXCLUDED, text, path_for("entries.show", entry_id=entry.id), entry.contest.organisation_id)
    db.session.flush()
    return row


def results_published(contest: Contest, publication: Any) -> list[Notification]:
    """Tell each ranked entry's author that the results are out, with their entry's result and link."""
    rows = []
    for r in publication.snapshot.get("results", []):
        entry = db.session.get(Entry, r["entry_id"])
        if entry is None:
            continue
        mean = r.get("mean_total")
        text = compose.published(entry.title, contest.title, r.get("rank"),
                                 format_number(float(mean)) if mean is not None else "",
                                 PRIZE_LABELS.get(r.get("prize") or "", ""), bool(r.get("recognised")),
                                 publication.version)
        rows.append(notify(entry.author, PUBLISHED, text, path_for("entries.show", entry_id=entry.id),
                           contest.organisation_id))
    db.session.flush()
    return rows


JOB_TITLES = {"registry_import": "Nhập ngân hàng sáng kiến", "recheck": "Kiểm tra lại trùng lặp"}


def job_finished(job_id: int) -> Optional[Notification]:
    """Tell whoever started a background job that it ended (done, stopped or failed), in a short
    transaction of its own: the job's work is committed, or rolled back, by then."""
    with write_transaction():
        job = db.session.get(Job, job_id)
        if job is None or job.created_by is None or not job.finished:
            db.session.rollback()
            return None
        what = JOB_TITLES.get(job.kind, job.kind)
        if job.payload.get("filename"):
            what += f" “{job.payload['filename']}”"
        outcome = {JOB_DONE: "hoàn tất", JOB_CANCELLED: "đã dừng theo yêu cầu"}.get(job.status, "thất bại")
        text = compose.job_finished(what, outcome, job.error)
        row = notify(job.created_by, JOB_FINISHED, text, path_for("jobs.show", job_id=job.id), job.organisation_id)
        db.session.commit()
    return row


def mark_read(user: User, notice_id: Optional[int] = None) -> int:
    """Mark one of one's own notices read (or all of them); how many changed. Not audited: a
    reading receipt, not a decision (the notices themselves come from audited verbs)."""
    query = update(Notification).where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
    if notice_id is not None:
        query = query.where(Notification.id == notice_id)
    changed = db.session.execute(query.values(read_at=utcnow())).rowcount
    db.session.flush()
    return changed
