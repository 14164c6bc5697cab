"""What the entry pages read."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from contest.accounts.models import User
from contest.contests.models import Contest
from contest.db import db
from contest.entries.models import Entry


def contest_entries(contest: Contest) -> Select:
    """A contest's entries in the order they came, with what the overview shows of each."""
    return (select(Entry).filter_by(contest_id=contest.id).order_by(Entry.id)
            .options(selectinload(Entry.author), selectinload(Entry.unit), selectinload(Entry.coauthors),
                     selectinload(Entry.transfer_in)))


def entries_of(author: User) -> list[Entry]:
    """An author's own entries, newest first, with their contests and transfers to the town's round (the town's
    copy of a forwarded entry is not the author's to open: its ward entry shows what became of it)."""
    return list(db.session.scalars(select(Entry).filter_by(author_id=author.id).where(~Entry.transfer_in.has())
                                   .order_by(Entry.id.desc())
                                   .options(selectinload(Entry.contest), selectinload(Entry.transfers_out))))
