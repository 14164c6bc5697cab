"""What the account pages read."""
from __future__ import annotations

from sqlalchemy import select

from contest.accounts.models import User
from contest.db import db


def user_named(username: str) -> User | None:
    """The account signing in by that name, if any (names are unique across the installation)."""
    return db.session.scalar(select(User).filter_by(username=username))


def users_by_role() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.username)))
