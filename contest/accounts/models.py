"""People and the bodies they act for: organisations (the town and its wards), their units,
user accounts and the memberships that give a person a role in an organisation."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from contest.accounts.naming import recognition_level
from contest.db import db, utcnow
from contest.marks import N_

# Roles, from the most to the least powerful. The labels here and below are Vietnamese marked
# with N_: exports keep them as they are, pages translate them with the `tr` filter.
ADMIN, SECRETARY, JUDGE, PARTICIPANT = "admin", "secretary", "judge", "participant"
ROLES = (ADMIN, SECRETARY, JUDGE, PARTICIPANT)
ROLE_LABELS = {
    ADMIN: N_("Ban tổ chức"),
    SECRETARY: N_("Tổ thư ký"),
    JUDGE: N_("Giám khảo"),
    PARTICIPANT: N_("Cán bộ, công chức (dự thi)"),
}


# Levels of organisation: the town (thị xã, huyện) and the wards and communes under it.
TOWN, WARD = "town", "ward"
LEVEL_LABELS = {TOWN: N_("Thị xã, huyện"), WARD: N_("Phường, xã, thị trấn")}


class Organisation(db.Model):
    """A ward, commune or town: it owns its contests, registry, units and audit chain, and its
    documents carry the names below (edited by its admin, never guessed from a title)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)  # "Phường Trung Lương"
    level: Mapped[str] = mapped_column(String(10))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisation.id"))
    place: Mapped[str] = mapped_column(String(100), default="")  # the date line's place: "Trung Lương"
    authority: Mapped[str] = mapped_column(String(200), default="")  # "Ủy ban nhân dân phường Trung Lương"
    council: Mapped[str] = mapped_column(String(300), default="")  # "Hội đồng chấm sáng kiến phường …"
    signer: Mapped[str] = mapped_column(String(200), default="")  # who signs: "Chủ tịch UBND phường"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Optional["Organisation"]] = relationship(remote_side=[id])

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)

    @property
    def recognition_level(self) -> str:
        """What a town council's round recognises initiatives as ("cấp thị xã"); "" for a ward,
        whose contest forwards to the town rather than recognising at a level of its own."""
        return recognition_level(self.name) if self.level == TOWN else ""


class Unit(db.Model):
    """A unit of an organisation: an office of the UBND or an organisation of the political system."""

    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))

    organisation: Mapped[Organisation] = relationship()


class User(UserMixin, db.Model):
    """Anyone who signs in; the role decides what they may do."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200), default="")
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of every session's identity: changing it ends all of the user's sessions.
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))
    # The interface language the user chose (contest.i18n.LANGUAGES); stored documents stay Vietnamese.
    language: Mapped[str] = mapped_column(String(5), default="vi", server_default="vi")
    # Where notices are e-mailed ("" for none), and whether the person wants them by e-mail at all
    # (the in-app list always has them).
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    notices_by_email: Mapped[bool] = mapped_column(default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Optional[Unit]] = relationship()
    memberships: Mapped[list["Membership"]] = relationship(back_populates="user", order_by="Membership.id")

    # The membership this request acts in (contest.accounts.auth chooses it from the session);
    # elsewhere (the CLI, a background job) a person acts in their first membership.
    _current = None  # Optional[Membership]

    def get_id(self) -> str:
        """Flask-Login's session identity: the id and the current session token."""
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """Invalidate every session and remember-me cookie of this user."""
        self.session_token = secrets.token_hex(16)

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash of the password, never the password; other sessions end."""
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        """True when the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def membership(self) -> Optional["Membership"]:
        """The membership the person acts in now."""
        if self._current is not None:
            return self._current
        return next((m for m in self.memberships if m.active), None)

    def act_as(self, membership: "Membership") -> None:
        """Act in one of one's own memberships for the rest of this request."""
        if membership.user_id != self.id:
            raise ValueError("not this user's membership")
        self._current = membership

    @property
    def role(self) -> str:
        """The role of the current membership ("" without one: nothing is allowed)."""
        return self.membership.role if self.membership else ""

    @property
    def organisation(self) -> Optional[Organisation]:
        return self.membership.organisation if self.membership else None

    def has_role(self, *roles: str) -> bool:
        """True when the user holds one of the roles in the organisation they act for."""
        return self.role in roles

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


class Membership(db.Model):
    """A person's role in one organisation: one account may be a participant in a ward and a
    judge on the town's council, each chosen per request."""

    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship()

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)
