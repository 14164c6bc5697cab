"""What the audit log page reads: an organisation's records, filtered and paged by id, and the
names of the objects they mention."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Optional

from sqlalchemy import Select, func, or_, select

from contest.accounts.models import Membership, Organisation, User
from contest.audit.labels import AUDIT_OBJECTS
from contest.audit.models import AuditLog
from contest.audit.readable import Name, Ref, Translate, as_is
from contest.contests.models import Contest, Criterion
from contest.db import db
from contest.entries.models import Entry
from contest.jobs.models import Job
from contest.marks import N_
from contest.registry.models import RegistryItem
from contest.screening.models import DuplicateFlag
from judging.models import Assignment, Result, ScoreSheet, Transfer


@dataclass(frozen=True)
class AuditFilter:
    """What the reader narrowed the log to; None: any."""

    actor_id: Optional[int] = None  # SYSTEM: records no person made
    object_type: Optional[str] = None
    object_id: Optional[int] = None
    action: Optional[str] = None
    since: Optional[datetime] = None  # UTC, inclusive
    until: Optional[datetime] = None  # UTC, exclusive


SYSTEM = 0


def audit_newest_first(organisation: Organisation, wanted: AuditFilter = AuditFilter()) -> Select:
    """The organisation's audit records that match the filter, newest first."""
    query = select(AuditLog).filter_by(organisation_id=organisation.id)
    if wanted.actor_id == SYSTEM:
        query = query.where(AuditLog.actor_id.is_(None))
    elif wanted.actor_id is not None:
        query = query.where(AuditLog.actor_id == wanted.actor_id)
    if wanted.object_type:
        query = query.where(AuditLog.object_type == wanted.object_type)
        if wanted.object_id is not None:
            query = query.where(AuditLog.object_id == wanted.object_id)
    if wanted.action:
        query = query.where(AuditLog.action == wanted.action)
    # With a person, an action or an object to narrow by, their index (in id order) is the way in
    # and the dates only filter what it finds; so too when the dates hold much of the log (reading
    # it newest first finds a page at once). The dates are then written as an expression no index
    # serves: else a planner without statistics (SQLite) takes the dates' index and sorts most of
    # the log by id. A few days' records are found through the dates' index and sorted.
    narrowed = wanted.actor_id is not None or wanted.object_type or wanted.action
    at = func.coalesce(AuditLog.at, AuditLog.at) if narrowed or _dense(organisation, wanted) else AuditLog.at
    if wanted.since is not None:
        query = query.where(at >= wanted.since)
    if wanted.until is not None:
        query = query.where(at < wanted.until)
    return query.order_by(AuditLog.id.desc())


# More records than this between the dates: read the log newest first rather than sort them.
DENSE = 20_000


def _dense(organisation: Organisation, wanted: AuditFilter) -> bool:
    """Whether the dates hold at least DENSE of the organisation's records (counted on their index, up to DENSE)."""
    if wanted.since is None and wanted.until is None:
        return False
    probe = select(AuditLog.id).where(AuditLog.organisation_id == organisation.id)
    if wanted.since is not None:
        probe = probe.where(AuditLog.at >= wanted.since)
    if wanted.until is not None:
        probe = probe.where(AuditLog.at < wanted.until)
    return (db.session.scalar(select(func.count()).select_from(probe.limit(DENSE).subquery())) or 0) >= DENSE


@dataclass(frozen=True)
class Page:
    """One page of records, newest first, and the ids that lead to the pages either side (None: no such page)."""

    records: list[AuditLog]
    newer: Optional[int]  # ask for after=newer
    older: Optional[int]  # ask for before=older


def audit_page(query: Select, size: int, before: Optional[int] = None, after: Optional[int] = None) -> Page:
    """A page of a newest-first query by id (keyset): the records older than `before`, or the page
    just newer than `after`, or the newest. Each page costs the same however deep it is."""
    if after is not None:
        rising = list(db.session.scalars(query.where(AuditLog.id > after).order_by(None).order_by(AuditLog.id)
                                         .limit(size + 1)))
        if not rising:  # nothing newer any more: the newest page
            return audit_page(query, size)
        rows = list(reversed(rising[:size]))
        more_newer, more_older = len(rising) > size, _exists(query.where(AuditLog.id < rows[-1].id))
    else:
        rows = list(db.session.scalars((query.where(AuditLog.id < before) if before is not None else query)
                                       .limit(size + 1)))
        more_older, rows = len(rows) > size, rows[:size]
        more_newer = before is not None and _exists(query.where(AuditLog.id >= before))
    newest = rows[0].id if rows else (before or 1) - 1
    return Page(rows, newest if more_newer else None, rows[-1].id if more_older and rows else None)


def count_up_to(query: Select, limit: int) -> int:
    """How many records the query selects, counted no further than `limit` (a page says "more than …"):
    a count of the whole log would cost what the paging saves."""
    ids = query.with_only_columns(AuditLog.id).order_by(None).limit(limit)
    return db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0


def all_records(query: Select) -> list[AuditLog]:
    """Every record the query selects (an export, after its size was checked)."""
    return list(db.session.scalars(query))


def _exists(query: Select) -> bool:
    return db.session.scalar(query.with_only_columns(AuditLog.id).order_by(None).limit(1)) is not None


def audit_people(organisation: Organisation) -> list[User]:
    """The people who may appear in the organisation's log, by name: its members."""
    return list(db.session.scalars(select(User).join(Membership).where(Membership.organisation_id == organisation.id)
                                   .order_by(User.full_name, User.id)))


# ---------------------------------------------------------------- names

GONE = N_("(đã xoá)")
_ELSEWHERE = N_("(thuộc đơn vị khác)")


def object_ref(record: AuditLog) -> Optional[Ref]:
    """The record's object as a reference, if it has an id."""
    return Ref(record.object_type, record.object_id) if record.object_id is not None else None


def names(organisation: Organisation, refs: Iterable[Ref], tr: Translate = as_is) -> dict[Ref, Name]:
    """How each object is named on the page, loaded a kind at a time: by its title or name, linked
    to its page when the reader's organisation holds it; one of another organisation is not named
    (except an entry forwarded between this organisation and another, which both sides read)."""
    by_kind: dict[str, set[int]] = {}
    for ref in refs:
        by_kind.setdefault(ref.kind, set()).add(ref.id)
    found: dict[Ref, Name] = {}
    for kind, ids in by_kind.items():
        loader = _LOADERS.get(kind)
        if loader is None:
            continue
        found.update({Ref(kind, i): name for i, name in loader(organisation, sorted(ids), tr).items()})
        for i in ids:  # what the database no longer holds
            found.setdefault(Ref(kind, i), Name(f"{tr(AUDIT_OBJECTS.get(kind, kind))} {tr(GONE)}", gone=True))
    return found


def _rows(model: Any, ids: list[int]) -> list[Any]:
    rows: list[Any] = []
    for start in range(0, len(ids), 500):  # stay under the database's parameter limit
        rows += db.session.scalars(select(model).where(model.id.in_(ids[start:start + 500])))
    return rows


def _users(organisation: Organisation, ids: list[int], tr: Translate) -> dict[int, Name]:
    members = set(db.session.scalars(select(Membership.user_id).where(
        Membership.organisation_id == organisation.id, Membership.user_id.in_(ids))))
    return {u.id: Name(u.full_name or u.username, "users.edit" if u.id in members else None,
                       (("user_id", u.id),) if u.id in members else ()) for u in _rows(User, ids)}


def _contests(organisation: Organisation, ids: list[int], tr: Translate) -> dict[int, Name]:
    rows = _rows(Contest, ids)
    others = [c.id for c in rows if c.organisation_id != organisation.id]
    shared: set[int] = set()
    if others:  # the town's round a ward forwarded to, the ward's contest the town received from
        for t in db.session.scalars(select(Transfer).where(or_(Transfer.source_contest_id.in_(others),
                                                               Transfer.target_contest_id.in_(others)))):
            if organisation.id in (t.source_organisation_id, t.target_contest.organisation_id):
                shared |= {t.source_contest_id, t.target_contest_id}
    return {c.id: Name(c.heading, "contests.show", (("contest_id", c.id),)) if c.organisation_id == organisation.id
            else Name(f"{c.heading} ({c.organisation.name})") if c.id in shared
            else Name(f"{tr(AUDIT_OBJECTS['contest'])} {tr(_ELSEWHERE)}") for c in rows}


def _shared_entries(organisation: Organisation, ids: list[int]) -> set[int]:
    """Entries of other organisations forwarded from or to this one's contests: both sides read them."""
    transfers = db.session.scalars(select(Transfer).where(or_(Transfer.source_entry_id.in_(ids),
                                                              Transfer.target_entry_id.in_(ids))))
    shared = set()
    for t in transfers:
        if organisation.id in (t.source_organisation_id, t.target_contest.organisation_id):
            shared |= {t.source_entry_id, t.target_entry_id}
    return shared


def _entries(organisation: Organisation, ids: list[int], tr: Translate) -> dict[int, Name]:
    rows = _rows(Entry, ids)
    shared = _shared_entries(organisation, [e.id for e in rows if e.contest.organisation_id != organisation.id])
    found = {}
    for e in rows:
        if e.contest.organisation_id == organisation.id:
            found[e.id] = Name(e.title, "entries.show", (("entry_id", e.id),))
        else:
            found[e.id] = Name(f"{e.title} ({e.contest.organisation.name})" if e.id in shared
                               else f"{tr(AUDIT_OBJECTS['entry'])} {tr(_ELSEWHERE)}")
    return found


def _criteria(organisation: Organisation, ids: list[int], tr: Translate) -> dict[int, Name]:
    return {c.id: Name(c.name) for c in _rows(Criterion, ids)}


def _registry_items(organisation: Organisation, ids: list[int], tr: Translate) -> dict[int, Name]:
    return {i.id: Name(i.title, "registry.index", (("q", i.title[:200]),)) if i.organisation_id == organisation.id
            else Name(f"{tr(AUDIT_OBJECTS['registry_item'])} {tr(_ELSEWHERE)}") for i in _rows(RegistryItem, ids)}


def _sheets(organisation: Organisation, ids: list[int], tr: Translate) -> dict[int, Name]:
    found = {}
    for s in _rows(ScoreSheet, ids):
        if s.entry.contest.organisation_id == organisation.id:
            found[s.id] = Name(tr(N_("%(judge)s chấm “%(title)s”"), judge=s.judge.full_name, title=s.entry.title),
                               "entries.show", (("entry_id", s.entry_id),))
        else:
            found[s.id] = Name(f"{tr(AUDIT_OBJECTS['score_sheet'])} {tr(_ELSEWHERE)}")
    return found


def _assignments(organisation: Organisation, ids: list[int], tr: Translate) -> dict[int, Name]:
    found = {}
    for a in _rows(Assignment, ids):
        if a.entry.contest.organisation_id == organisation.id:
            found[a.id] = Name(tr(N_("%(judge)s chấm “%(title)s”"), judge=a.judge.full_name, title=a.entry.title),
                               "entries.show", (("entry_id", a.entry_id),))
        else:
            found[a.id] = Name(f"{tr(AUDIT_OBJECTS['assignment'])} {tr(_ELSEWHERE)}")
    return found


def _flags(organisation: Organisation, ids: list[int], tr: Translate) -> dict[int, Name]:
    return {f.id: Name(f"{f.entry.title} ~ {f.match_title}", "screening.flag", (("flag_id", f.id),))
            if f.entry.contest.organisation_id == organisation.id
            else Name(f"{tr(AUDIT_OBJECTS['duplicate_flag'])} {tr(_ELSEWHERE)}") for f in _rows(DuplicateFlag, ids)}


_JOB_TITLES = {"registry_import": N_("Nhập ngân hàng sáng kiến"), "recheck": N_("Kiểm tra lại trùng lặp")}


def _jobs(organisation: Organisation, ids: list[int], tr: Translate) -> dict[int, Name]:
    found = {}
    for j in _rows(Job, ids):
        text = tr(_JOB_TITLES.get(j.kind, j.kind))
        if (j.payload or {}).get("filename"):
            text += f" ({j.payload['filename']})"
        found[j.id] = (Name(text, "jobs.show", (("job_id", j.id),)) if j.organisation_id == organisation.id
                       else Name(f"{tr(AUDIT_OBJECTS['job'])} {tr(_ELSEWHERE)}"))
    return found


def _transfers(organisation: Organisation, ids: list[int], tr: Translate) -> dict[int, Name]:
    found = {}
    for t in _rows(Transfer, ids):
        if t.source_organisation_id == organisation.id:
            found[t.id] = Name(t.source_entry.title, "entries.show", (("entry_id", t.source_entry_id),))
        elif t.target_contest.organisation_id == organisation.id:
            found[t.id] = Name(t.target_entry.title, "entries.show", (("entry_id", t.target_entry_id),))
        else:
            found[t.id] = Name(f"{tr(AUDIT_OBJECTS['transfer'])} {tr(_ELSEWHERE)}")
    return found


def _results(organisation: Organisation, ids: list[int], tr: Translate) -> dict[int, Name]:
    found = {}
    for r in _rows(Result, ids):
        contest = db.session.get(Contest, r.contest_id)
        entry = db.session.get(Entry, r.entry_id)
        found[r.id] = (Name(entry.title, "judging.standings", (("contest_id", contest.id),))
                       if contest.organisation_id == organisation.id
                       else Name(f"{tr(AUDIT_OBJECTS['result'])} {tr(_ELSEWHERE)}"))
    return found


def _organisations(organisation: Organisation, ids: list[int], tr: Translate) -> dict[int, Name]:
    return {o.id: Name(o.name, "organisations.edit" if o.id == organisation.id else None)
            for o in _rows(Organisation, ids)}


_LOADERS = {
    "user": _users, "contest": _contests, "entry": _entries, "criterion": _criteria, "registry_item": _registry_items,
    "score_sheet": _sheets, "assignment": _assignments, "duplicate_flag": _flags, "job": _jobs,
    "transfer": _transfers, "result": _results, "organisation": _organisations,
}
