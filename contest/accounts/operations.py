"""Verb functions of accounts: each changes state, writes the audit log, flushes.

Views and CLI commands call these and commit once (contest/views.py); nothing here commits."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from flask_babel import gettext
from sqlalchemy import select

from contest import audit
from contest.accounts.models import (
    ADMIN,
    LEVEL_LABELS,
    ROLES,
    TOWN,
    WARD,
    Membership,
    Organisation,
    Unit,
    User,
)
from contest.accounts.naming import document_names
from contest.db import db
from contest.errors import OperationError
from contest.i18n import LANGUAGES
from contest.policy import may_manage_wards


def acting_organisation(actor: Any) -> Organisation:
    """The organisation a new contest, registry item, unit, account or job belongs to: the one the
    actor acts for."""
    organisation = getattr(actor, "organisation", None)
    if organisation is None:
        raise OperationError(gettext("Cơ quan, đơn vị: tài khoản chưa thuộc cơ quan, đơn vị nào."), "organisation")
    return organisation


def create_user(
    actor: Optional[User],
    username: str,
    full_name: str,
    role: str,
    password: str,
    unit_name: str = "",
    position: str = "",
    organisation: Optional[Organisation] = None,
    email: str = "",
) -> User:
    """Create an account with a hashed password and its membership: of the organisation given,
    else of the one the actor acts for."""
    organisation = organisation or acting_organisation(actor)
    username = username.strip()
    if not username:
        raise OperationError(gettext("Tên đăng nhập: không được để trống."), "username")
    if role not in ROLES:
        raise OperationError(gettext("Vai trò: “%(role)s” không hợp lệ.", role=role), "role")
    if len(password) < 8:
        raise OperationError(gettext("Mật khẩu: cần ít nhất 8 ký tự."), "password")
    if db.session.scalar(select(User.id).filter_by(username=username)) is not None:
        raise OperationError(gettext("Tên đăng nhập: “%(username)s” đã có người dùng.", username=username), "username")
    user = User(username=username, full_name=full_name.strip() or username, position=position, email=clean_email(email))
    if unit_name:
        user.unit = get_or_create_unit(unit_name, organisation)
    user.set_password(password)
    user.memberships.append(Membership(organisation=organisation, role=role))
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", user.id, None,
                 {"username": username, "role": role, "organisation": organisation.name}, organisation=organisation)
    return user


def add_membership(actor: Optional[User], user: User, role: str, organisation: Optional[Organisation] = None) -> Membership:
    """Give an existing person a role in another organisation (a ward's civil servant who judges
    for the town): the same account and password, a second membership."""
    organisation = organisation or acting_organisation(actor)
    if role not in ROLES:
        raise OperationError(gettext("Vai trò: “%(role)s” không hợp lệ.", role=role), "role")
    membership = next((m for m in user.memberships if m.organisation_id == organisation.id), None)
    if membership is not None and membership.active:
        raise OperationError(gettext("Vai trò: người này đã thuộc %(name)s.", name=organisation.name), "role")
    before = None
    if membership is None:  # a first role here
        membership = Membership(organisation=organisation, role=role)
        user.memberships.append(membership)
    else:  # a role closed earlier, opened again
        before = {"role": membership.role, "active": False}
        membership.role, membership.active = role, True
    db.session.flush()
    audit.record(actor, "membership.add", "user", user.id, before,
                 {"username": user.username, "role": role, "organisation": organisation.name}, organisation=organisation)
    return membership


def add_member(actor: User, username: str, role: str) -> Membership:
    """The admin gives a person who already has an account (in another organisation) a role in
    their own organisation, by username."""
    user = db.session.scalar(select(User).filter_by(username=username.strip()))
    if user is None:
        raise OperationError(gettext("Tên đăng nhập: không có tài khoản “%(username)s”.", username=username.strip()),
                             "username")
    return add_membership(actor, user, role)


def get_or_create_unit(name: str, organisation: Organisation) -> Unit:
    """The organisation's unit of that name, created when new."""
    unit = db.session.scalar(select(Unit).filter_by(organisation_id=organisation.id, name=name.strip()))
    if unit is None:
        unit = Unit(organisation_id=organisation.id, name=name.strip())
        db.session.add(unit)
        db.session.flush()
    return unit


@dataclass
class OrganisationData:
    name: str
    level: str = WARD
    place: str = ""
    authority: str = ""
    council: str = ""
    signer: str = ""


def create_organisation(actor: Optional[User], data: OrganisationData,
                        parent: Optional[Organisation] = None) -> Organisation:
    """Create the town (no parent) or a ward under it; document names left empty are filled from
    the name ("Phường Trung Lương" → "Ủy ban nhân dân phường Trung Lương", …)."""
    name = data.name.strip()
    if not name:
        raise OperationError(gettext("Tên cơ quan, đơn vị: không được để trống."), "name")
    if data.level not in LEVEL_LABELS:
        raise OperationError(gettext("Cấp: “%(level)s” không hợp lệ.", level=data.level), "level")
    if (data.level == WARD) != (parent is not None and parent.level == TOWN):
        raise OperationError(gettext("Cấp: phường, xã thuộc một thị xã; thị xã không thuộc đơn vị nào."), "level")
    if db.session.scalar(select(Organisation.id).filter_by(name=name)) is not None:
        raise OperationError(gettext("Tên cơ quan, đơn vị: “%(name)s” đã có.", name=name), "name")
    defaults = document_names(name)
    organisation = Organisation(
        name=name, level=data.level, parent=parent,
        **{k: getattr(data, k).strip() or defaults[k] for k in ("place", "authority", "council", "signer")})
    db.session.add(organisation)
    db.session.flush()
    audit.record(actor, "organisation.create", "organisation", organisation.id, None,
                 {"name": name, "level": data.level, "parent": parent.name if parent else None},
                 organisation=organisation)
    return organisation


def create_ward(actor: User, data: OrganisationData, admin_username: str, admin_full_name: str,
                password: str) -> tuple[Organisation, User]:
    """The town's admin opens a ward with its first admin, who then manages the ward's accounts."""
    if not may_manage_wards(actor):
        raise OperationError(gettext("Chỉ Ban tổ chức của thị xã tạo được phường, xã."), "name")
    ward = create_organisation(actor, OrganisationData(name=data.name, level=WARD, place=data.place,
                                                       authority=data.authority, council=data.council,
                                                       signer=data.signer), parent=acting_organisation(actor))
    admin = create_user(actor, admin_username, admin_full_name, ADMIN, password, organisation=ward)
    return ward, admin


def update_organisation(actor: User, organisation: Organisation, data: OrganisationData) -> Organisation:
    """Rename an organisation or change its document names; an empty one takes the name's default."""
    name = data.name.strip()
    if not name:
        raise OperationError(gettext("Tên cơ quan, đơn vị: không được để trống."), "name")
    taken = db.session.scalar(select(Organisation.id).where(Organisation.name == name, Organisation.id != organisation.id))
    if taken is not None:
        raise OperationError(gettext("Tên cơ quan, đơn vị: “%(name)s” đã có.", name=name), "name")
    fields = ("name", "place", "authority", "council", "signer")
    before = {k: getattr(organisation, k) for k in fields}
    defaults = document_names(name)
    organisation.name = name
    for k in fields[1:]:
        setattr(organisation, k, getattr(data, k).strip() or defaults[k])
    db.session.flush()
    audit.record(actor, "organisation.update", "organisation", organisation.id, before,
                 {k: getattr(organisation, k) for k in fields}, organisation=organisation)
    return organisation


@dataclass
class UserData:
    full_name: str
    role: str
    unit_name: str = ""
    position: str = ""
    active: bool = True
    email: Optional[str] = None  # None: left as it is


def update_user(actor: User, user: User, data: UserData, new_password: str = "") -> User:
    """Change an account and its role here. Disabling closes the person's membership of the
    admin's organisation only (a ward's admin never locks a person out of the town's council);
    with no membership left open, or a new password, the person's sessions end."""
    if data.role not in ROLES:
        raise OperationError(gettext("Vai trò: “%(role)s” không hợp lệ.", role=data.role), "role")
    if user.id == actor.id and (not data.active or data.role != user.role):
        raise OperationError(
            gettext("Vai trò: không thể tự khoá hoặc đổi vai trò tài khoản của chính mình."), "role")
    if new_password and len(new_password) < 8:
        raise OperationError(gettext("Mật khẩu mới: cần ít nhất 8 ký tự."), "password")
    organisation = acting_organisation(actor)
    membership = next((m for m in user.memberships if m.organisation_id == organisation.id), None)
    if membership is None:
        raise OperationError(gettext("Vai trò: người này không thuộc %(name)s.", name=organisation.name), "role")
    email = user.email if data.email is None else clean_email(data.email)
    before = {"full_name": user.full_name, "role": membership.role, "unit": user.unit.name if user.unit else "",
              "position": user.position, "active": membership.active, "email": user.email}
    user.full_name = data.full_name.strip() or user.full_name
    membership.role, user.position, membership.active = data.role, data.position.strip(), data.active
    user.email = email
    user.unit = get_or_create_unit(data.unit_name, organisation) if data.unit_name.strip() else None
    if new_password:
        user.set_password(new_password)
    if not any(m.active for m in user.memberships):
        user.end_sessions()
    db.session.flush()
    audit.record(actor, "user.update", "user", user.id, before,
                 {"full_name": user.full_name, "role": membership.role, "unit": data.unit_name.strip(),
                  "position": user.position, "active": membership.active, "email": user.email,
                  "password_reset": bool(new_password)})
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


EMAIL_MAX = 254
# One address: a local part and a domain with a dot, no spaces, quotes, commas or angle brackets
# (the usual office address; nothing that could add a header or a second recipient).
EMAIL_PATTERN = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                           r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


def clean_email(raw: Optional[str]) -> str:
    """The address as stored ("" for none), or refused with the reason beside the field."""
    address = (raw or "").strip()
    if not address:
        return ""
    if len(address) > EMAIL_MAX:
        raise OperationError(gettext("Thư điện tử: tối đa %(max)s ký tự.", max=EMAIL_MAX), "email")
    if not EMAIL_PATTERN.match(address) or ".." in address:
        raise OperationError(gettext("Thư điện tử: “%(address)s” không phải địa chỉ thư hợp lệ (ví dụ: ten@phuong.gov.vn).",
                                     address=address), "email")
    return address


def update_contact(user: User, email: str, by_email: bool) -> User:
    """A person sets their own e-mail address and whether notices are e-mailed to them (the
    in-app list has them either way); their organisation's admin can set the address too (update_user)."""
    address = clean_email(email)
    before = {"email": user.email, "notices_by_email": user.notices_by_email}
    user.email, user.notices_by_email = address, by_email
    after = {"email": user.email, "notices_by_email": user.notices_by_email}
    if after != before:
        db.session.flush()
        audit.record(user, "user.contact", "user", user.id, before, after)
    return user
