"""What the screening pages read."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from contest.contests.models import Contest
from contest.db import db
from contest.entries.models import SUBMITTED, Entry
from contest.registry.models import RegistryItem
from contest.screening.models import FLAG_CLEARED, FLAG_OPEN, DuplicateFlag


def open_flag_counts(contest: Contest, eligible_only: bool = False) -> dict[int, int]:
    """Per entry of the contest (only the submitted, judged ones when `eligible_only`), how many
    duplicate flags wait for a decision."""
    query = (select(DuplicateFlag.entry_id, func.count(DuplicateFlag.id))
             .join(Entry, DuplicateFlag.entry_id == Entry.id)
             .where(Entry.contest_id == contest.id, DuplicateFlag.status == FLAG_OPEN))
    if eligible_only:
        query = query.where(Entry.status == SUBMITTED)
    return dict(db.session.execute(query.group_by(DuplicateFlag.entry_id)).all())


def contest_flags(contest: Contest) -> list[DuplicateFlag]:
    """Every flag and similar match of a contest's entries, with what the screening table shows of
    each (loaded in 5 queries, not 2 per row)."""
    return list(db.session.scalars(
        select(DuplicateFlag).join(Entry, DuplicateFlag.entry_id == Entry.id).where(Entry.contest_id == contest.id)
        .options(selectinload(DuplicateFlag.entry).selectinload(Entry.author),
                 selectinload(DuplicateFlag.registry_item).selectinload(RegistryItem.organisation),
                 selectinload(DuplicateFlag.other_entry))
    ))


def cleared_registry_flags(entry: Entry) -> list[DuplicateFlag]:
    """The entry's flags against an applied initiative that the secretariat cleared (not a duplicate),
    with their registry items, oldest first: what a judge is told the entry was checked against."""
    return list(db.session.scalars(
        select(DuplicateFlag).where(DuplicateFlag.entry_id == entry.id, DuplicateFlag.status == FLAG_CLEARED,
                                    DuplicateFlag.registry_item_id.is_not(None))
        .options(selectinload(DuplicateFlag.registry_item), selectinload(DuplicateFlag.decided_by))
        .order_by(DuplicateFlag.id)
    ))
