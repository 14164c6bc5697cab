"""Reads of the outbox: a person's notices, their unread count, and the state of the e-mails."""
from __future__ import annotations

from typing import Optional

from sqlalchemy import func, select

from contest.db import db
from contest.notices.models import FAILED, PENDING, SENDING, SENT, Notification


def unread_count(user_id: int) -> int:
    """How many of the person's notices are unread (the menu's badge)."""
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.recipient_id == user_id, Notification.read_at.is_(None))) or 0


def count_for(user_id: int) -> int:
    """How many notices the person has in all."""
    return db.session.scalar(select(func.count(Notification.id)).where(Notification.recipient_id == user_id)) or 0


def notices_for(user_id: int, offset: int = 0, limit: Optional[int] = None) -> list[Notification]:
    """The person's notices, newest first (whichever organisation they came from)."""
    return list(db.session.scalars(select(Notification).where(Notification.recipient_id == user_id)
                                   .order_by(Notification.created_at.desc(), Notification.id.desc())
                                   .offset(offset).limit(limit)))


def mail_counts(organisation_id: int) -> dict[str, int]:
    """How many of an organisation's notices wait, are being sent, were sent or failed by e-mail."""
    rows = db.session.execute(select(Notification.status, func.count(Notification.id))
                              .where(Notification.organisation_id == organisation_id,
                                     Notification.status.in_((PENDING, SENDING, SENT, FAILED)))
                              .group_by(Notification.status))
    counts = {PENDING: 0, SENDING: 0, SENT: 0, FAILED: 0}
    counts.update({status: n for status, n in rows})
    return counts
