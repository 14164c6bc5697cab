"""What the account pages read."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from contest.accounts.models import Membership, Organisation, User
from contest.db import db


def user_named(username: str) -> User | None:
    """The account signing in by that name, if any (names are unique across the installation)."""
    return db.session.scalar(select(User).filter_by(username=username))


def members_by_role(organisation: Organisation) -> list[Membership]:
    """The organisation's memberships, by role then username, each with its person."""
    return list(db.session.scalars(
        select(Membership).join(User).where(Membership.organisation_id == organisation.id)
        .order_by(Membership.role, User.username).options(joinedload(Membership.user))))


def membership_in(organisation: Organisation, user_id: int) -> Membership | None:
    """The person's membership of the organisation, if they are a member."""
    return db.session.scalar(select(Membership).filter_by(organisation_id=organisation.id, user_id=user_id))


def members_with_role(organisation: Organisation, role: str) -> list[User]:
    """The organisation's active people holding the role there, by name."""
    return list(db.session.scalars(
        select(User).join(Membership).where(Membership.organisation_id == organisation.id, Membership.role == role,
                                            Membership.active, User.active).order_by(User.full_name)))


def wards_of(town: Organisation) -> list[tuple[Organisation, int]]:
    """The town's wards by name, each with how many people are members."""
    members = (select(func.count(Membership.id)).where(Membership.organisation_id == Organisation.id)
               .scalar_subquery())
    return [(o, n) for o, n in db.session.execute(
        select(Organisation, members).filter_by(parent_id=town.id).order_by(Organisation.name))]


def ward_ids_of(town: Organisation) -> list[int]:
    """The ids of the town's wards."""
    return list(db.session.scalars(select(Organisation.id).filter_by(parent_id=town.id).order_by(Organisation.id)))
