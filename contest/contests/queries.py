"""What the contest pages read."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from contest.accounts.models import Organisation
from contest.contests.models import OPEN, Contest
from contest.db import db
from contest.policy import contest_is_public


def contests_newest_first(organisation: Organisation) -> list[Contest]:
    """The organisation's contests, newest first."""
    return list(db.session.scalars(select(Contest).filter_by(organisation_id=organisation.id)
                                   .order_by(Contest.year.desc(), Contest.id.desc())))


def contests_taking_entries(organisation: Organisation, now: datetime) -> list[Contest]:
    """The organisation's contests open for submission at `now` (status open and before the deadline)."""
    return [c for c in db.session.scalars(select(Contest).filter_by(organisation_id=organisation.id, status=OPEN))
            if c.accepts_submissions(now)]


def public_contests_taking_entries(now: datetime) -> list[Contest]:
    """Every organisation's contests open for submission at `now` that anyone may read the rules of
    (policy.contest_is_public), soonest deadline first: the sign-in page lists them."""
    found = db.session.scalars(select(Contest).filter(Contest.status == OPEN, Contest.submission_deadline >= now)
                               .order_by(Contest.submission_deadline, Contest.id))
    return [c for c in found if c.accepts_submissions(now) and contest_is_public(c)]
