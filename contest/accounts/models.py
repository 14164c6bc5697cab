"""People: roles, units and user accounts."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

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


class Unit(db.Model):
    """A unit of the ward: an office of the UBND or an organisation of the political system."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class User(UserMixin, db.Model):
    """Anyone who signs in; the role decides what they may do."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    position: Mapped[str] = mapped_column(String(200), default="")
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of every session's identity: changing it ends all of the user's sessions.
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))
    # The interface language the user chose (contest.i18n.LANGUAGES); stored documents stay Vietnamese.
    language: Mapped[str] = mapped_column(String(5), default="vi", server_default="vi")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Optional[Unit]] = relationship()

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

    def has_role(self, *roles: str) -> bool:
        """True when the user holds one of the roles."""
        return self.role in roles

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)
