"""What the contest pages read."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from contest.accounts.models import Organisation
from contest.contests.models import OPEN, Contest
from contest.db import db


def contests_newest_first(organisation: Organisation) -> list[Contest]:
    """The organisation's contests, newest first."""
    return list(db.session.scalars(select(Contest).filter_by(organisation_id=organisation.id)
                                   .order_by(Contest.year.desc(), Contest.id.desc())))


def contests_taking_entries(organisation: Organisation, now: datetime) -> list[Contest]:
    """The organisation's contests open for submission at `now` (status open and before the deadline)."""
    return [c for c in db.session.scalars(select(Contest).filter_by(organisation_id=organisation.id, status=OPEN))
            if c.accepts_submissions(now)]
