"""Verb functions of accounts: each changes state, writes the audit log, flushes.

Views and CLI commands call these and commit once (contest/views.py); nothing here commits."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from flask_babel import gettext
from sqlalchemy import select

from contest import audit
from contest.accounts.models import ROLES, Unit, User
from contest.db import db
from contest.errors import OperationError
from contest.i18n import LANGUAGES


def create_user(
    actor: Optional[User],
    username: str,
    full_name: str,
    role: str,
    password: str,
    unit_name: str = "",
    position: str = "",
) -> User:
    """Create an account with a hashed password."""
    username = username.strip()
    if not username:
        raise OperationError(gettext("Tên đăng nhập: không được để trống."), "username")
    if role not in ROLES:
        raise OperationError(gettext("Vai trò: “%(role)s” không hợp lệ.", role=role), "role")
    if len(password) < 8:
        raise OperationError(gettext("Mật khẩu: cần ít nhất 8 ký tự."), "password")
    if db.session.scalar(select(User.id).filter_by(username=username)) is not None:
        raise OperationError(gettext("Tên đăng nhập: “%(username)s” đã có người dùng.", username=username), "username")
    user = User(username=username, full_name=full_name.strip() or username, role=role, position=position)
    if unit_name:
        user.unit = get_or_create_unit(unit_name)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", user.id, None, {"username": username, "role": role})
    return user


def get_or_create_unit(name: str) -> Unit:
    """The unit of that name, created when new."""
    unit = db.session.scalar(select(Unit).filter_by(name=name.strip()))
    if unit is None:
        unit = Unit(name=name.strip())
        db.session.add(unit)
        db.session.flush()
    return unit


@dataclass
class UserData:
    full_name: str
    role: str
    unit_name: str = ""
    position: str = ""
    active: bool = True


def update_user(actor: User, user: User, data: UserData, new_password: str = "") -> User:
    """Change an account; disabling it or setting a password ends its sessions."""
    if data.role not in ROLES:
        raise OperationError(gettext("Vai trò: “%(role)s” không hợp lệ.", role=data.role), "role")
    if user.id == actor.id and (not data.active or data.role != user.role):
        raise OperationError(
            gettext("Vai trò: không thể tự khoá hoặc đổi vai trò tài khoản của chính mình."), "role")
    if new_password and len(new_password) < 8:
        raise OperationError(gettext("Mật khẩu mới: cần ít nhất 8 ký tự."), "password")
    before = {"full_name": user.full_name, "role": user.role, "unit": user.unit.name if user.unit else "",
              "position": user.position, "active": user.active}
    user.full_name = data.full_name.strip() or user.full_name
    user.role, user.position, user.active = data.role, data.position.strip(), data.active
    user.unit = get_or_create_unit(data.unit_name) if data.unit_name.strip() else None
    if new_password:
        user.set_password(new_password)
    if not data.active:
        user.end_sessions()
    db.session.flush()
    audit.record(actor, "user.update", "user", user.id, before,
                 {"full_name": user.full_name, "role": user.role, "unit": data.unit_name.strip(),
                  "position": user.position, "active": user.active, "password_reset": bool(new_password)})
    return user


def set_language(user: User, language: str) -> User:
    """Switch one's own interface language; stored data and exported documents stay Vietnamese."""
    if language not in LANGUAGES:
        raise OperationError(gettext("Ngôn ngữ: “%(language)s” không được hỗ trợ.", language=language), "language")
    before = user.language
    if before == language:
        return user
    user.language = language
    db.session.flush()
    audit.record(user, "user.language", "user", user.id, {"language": before}, {"language": language})
    return user


def record_sign_in(user: Optional[User], username: str, succeeded: bool, address: str) -> None:
    """Audit a sign-in, or a refused one (with the name that was tried and the address it came from)."""
    action = "auth.sign_in" if succeeded else "auth.sign_in_failed"
    audit.record(user if succeeded else None, action, "user", user.id if user else None, None,
                 {"username": username[:150], "address": address[:100]})


def change_password(user: User, current: str, new: str) -> None:
    """Change one's own password after checking the current one; every session of the account ends
    (set_password changes its token)."""
    if not user.check_password(current or ""):
        raise OperationError(gettext("Mật khẩu hiện tại: không đúng."), "current")
    user.set_password(new)
    db.session.flush()
    audit.record(user, "user.password", "user", user.id, None, None)


def sign_out(user: User, address: str) -> None:
    """End every session of the user (the session token changes) and audit it."""
    user.end_sessions()
    db.session.flush()
    audit.record(user, "auth.sign_out", "user", user.id, None, {"address": address[:100]})
