"""What the contest pages read."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from contest.contests.models import OPEN, Contest
from contest.db import db


def contests_newest_first() -> list[Contest]:
    return list(db.session.scalars(select(Contest).order_by(Contest.year.desc(), Contest.id.desc())))


def contests_taking_entries(now: datetime) -> list[Contest]:
    """The contests open for submission at `now` (status open and before the deadline)."""
    return [c for c in db.session.scalars(select(Contest).filter_by(status=OPEN)) if c.accepts_submissions(now)]
