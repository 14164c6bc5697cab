"""What the contest side's pages read: every query of its views, in one module.

Views call these and never build a query themselves, so that a filter every page must apply
(the organisation, in the town round) is added here once. The judging side has its own
(judging/queries.py).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from judging.models import Result

from .db import db
from .models import FLAG_OPEN, OPEN, AuditLog, Contest, DuplicateFlag, Entry, RegistryItem, User


def count(query: Select) -> int:
    """How many rows a query selects (for a page's "n of m" and its page links)."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def page(query: Select, offset: int, size: int) -> list:
    """One page of a query's rows."""
    return list(db.session.scalars(query.limit(size).offset(offset)))


# --- contests --------------------------------------------------------------------------------

def contests_newest_first() -> list[Contest]:
    return list(db.session.scalars(select(Contest).order_by(Contest.year.desc(), Contest.id.desc())))


def contests_taking_entries(now: datetime) -> list[Contest]:
    """The contests open for submission at `now` (status open and before the deadline)."""
    return [c for c in db.session.scalars(select(Contest).filter_by(status=OPEN)) if c.accepts_submissions(now)]


def contest_entries(contest: Contest) -> Select:
    """A contest's entries in the order they came, with what the overview shows of each."""
    return (select(Entry).filter_by(contest_id=contest.id).order_by(Entry.id)
            .options(selectinload(Entry.author), selectinload(Entry.unit), selectinload(Entry.coauthors)))


def open_flag_counts(contest: Contest) -> dict[int, int]:
    """Per entry of the contest, how many duplicate flags wait for a decision."""
    return dict(db.session.execute(
        select(DuplicateFlag.entry_id, func.count(DuplicateFlag.id))
        .join(Entry, DuplicateFlag.entry_id == Entry.id)
        .where(Entry.contest_id == contest.id, DuplicateFlag.status == FLAG_OPEN)
        .group_by(DuplicateFlag.entry_id)
    ).all())


def forwarded_count(contest: Contest) -> int:
    return db.session.scalar(select(func.count(Result.id)).filter_by(contest_id=contest.id, forwarded=True)) or 0


def contest_flags(contest: Contest) -> list[DuplicateFlag]:
    """Every flag and similar match of a contest's entries, with what the screening table shows of
    each (loaded in 4 queries, not 2 per row)."""
    return list(db.session.scalars(
        select(DuplicateFlag).join(Entry, DuplicateFlag.entry_id == Entry.id).where(Entry.contest_id == contest.id)
        .options(selectinload(DuplicateFlag.entry).selectinload(Entry.author),
                 selectinload(DuplicateFlag.registry_item), selectinload(DuplicateFlag.other_entry))
    ))


# --- entries ---------------------------------------------------------------------------------

def entries_of(author: User) -> list[Entry]:
    """An author's own entries, newest first."""
    return list(db.session.scalars(select(Entry).filter_by(author_id=author.id).order_by(Entry.id.desc())))


# --- registry --------------------------------------------------------------------------------

def registry_search(text: str) -> Select:
    """Registry items whose title or unit contains `text` (all when empty), newest year first."""
    query = select(RegistryItem)
    if text:
        like = f"%{text}%"
        query = query.where(or_(RegistryItem.title.ilike(like), RegistryItem.unit.ilike(like)))
    return query.order_by(RegistryItem.year.desc(), RegistryItem.id.desc())


def registry_in_order() -> list[RegistryItem]:
    """The whole registry in the order it was added (the export)."""
    return list(db.session.scalars(select(RegistryItem).order_by(RegistryItem.id)))


# --- accounts and the audit log --------------------------------------------------------------

def user_named(username: str) -> User | None:
    """The account signing in by that name, if any (names are unique across the installation)."""
    return db.session.scalar(select(User).filter_by(username=username))


def users_by_role() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.username)))


def audit_newest_first() -> Select:
    return select(AuditLog).order_by(AuditLog.id.desc())
