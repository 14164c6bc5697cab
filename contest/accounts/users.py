"""The organising committee's accounts page: create, edit, disable, reset a password."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from contest.accounts import operations, queries
from contest.accounts.auth import role_required
from contest.accounts.models import ADMIN, ROLE_LABELS, ROLES
from contest.accounts.operations import UserData
from contest.forms import BaseForm
from contest.notices import queries as notice_queries
from contest.notices.delivery import base_url as mail_base_url
from contest.notices.delivery import settings as mail_settings
from contest.views import change

bp = Blueprint("users", __name__, url_prefix="/users")


class UserForm(BaseForm):
    """An account as the admin edits it."""

    username = StringField(_l("Tên đăng nhập"), validators=[Optional(), Length(max=80)])
    full_name = StringField(_l("Họ và tên"),
                            validators=[DataRequired(_l("Họ và tên: không được để trống.")), Length(max=200)])
    role = SelectField(_l("Vai trò"), choices=[SelectChoice(r, _l(ROLE_LABELS[r])) for r in ROLES])
    unit = StringField(_l("Đơn vị"), validators=[Optional(), Length(max=200)])
    position = StringField(_l("Chức vụ"), validators=[Optional(), Length(max=200)])
    email = StringField(_l("Thư điện tử"), validators=[Optional(), Length(max=254, message=_l("Thư điện tử: tối đa 254 ký tự."))])
    active = BooleanField(_l("Đang hoạt động"), default=True)
    password = PasswordField(_l("Mật khẩu (để trống nếu không đổi)"), validators=[Optional()])


@bp.route("/")
@role_required(ADMIN)
def index() -> Any:
    """The accounts of the admin's organisation, each with its role there."""
    return render_template("users/index.html", members=queries.members_by_role(current_user.organisation),
                           organisation=current_user.organisation, member_form=MemberForm(formdata=None),
                           mail=mail_settings(current_app.config), mail_base=mail_base_url(current_app.config),
                           mail_counts=notice_queries.mail_counts(current_user.organisation.id))


class MemberForm(BaseForm):
    """A person with an account elsewhere, given a role here."""

    username = StringField(_l("Tên đăng nhập"), validators=[
        DataRequired(_l("Tên đăng nhập: không được để trống.")), Length(max=80)])
    role = SelectField(_l("Vai trò"), choices=[SelectChoice(r, _l(ROLE_LABELS[r])) for r in ROLES])


@bp.route("/members", methods=["POST"])
@role_required(ADMIN)
def add_member() -> Any:
    """Give a person who has an account in another organisation a role in this one."""
    form = MemberForm()
    if form.validate_on_submit():
        username = form.username.data
        if change(lambda: operations.add_member(current_user, username, form.role.data), form).ok:
            flash(gettext("Đã thêm %(username)s vào %(organisation)s.", username=username.strip(),
                          organisation=current_user.organisation.name), "success")
            return redirect(url_for("users.index"))
    for errors in form.errors.values():
        for message in errors:
            flash(message, "danger")
    return redirect(url_for("users.index"))


@bp.route("/new", methods=["GET", "POST"])
@role_required(ADMIN)
def create() -> Any:
    """Create an account."""
    form = UserForm()
    if form.validate_on_submit():
        username = form.username.data or ""
        if change(lambda: operations.create_user(current_user, username, form.full_name.data, form.role.data,
                                                 form.password.data or "", unit_name=form.unit.data or "",
                                                 position=form.position.data or "", email=form.email.data or ""), form).ok:
            flash(gettext("Đã tạo tài khoản %(username)s.", username=username.strip()), "success")
            return redirect(url_for("users.index"))
    return render_template("users/form.html", form=form, user=None), 400 if form.errors else 200


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@role_required(ADMIN)
def edit(user_id: int) -> Any:
    """Edit, disable or reset the password of an account."""
    membership = queries.membership_in(current_user.organisation, user_id)
    if membership is None:
        abort(404)  # another organisation's account is none of this admin's business
    user = membership.user
    # Not obj=user: a field the request leaves out would take user.unit, a Unit, not its name.
    form = UserForm(data={"username": user.username, "full_name": user.full_name, "role": membership.role,
                          "unit": user.unit.name if user.unit else "", "position": user.position, "active": membership.active,
                          "email": user.email})
    if form.validate_on_submit():
        if change(lambda: operations.update_user(current_user, user, UserData(
                full_name=form.full_name.data, role=form.role.data, unit_name=form.unit.data or "",
                position=form.position.data or "", active=form.active.data, email=form.email.data or ""),
                new_password=form.password.data or ""),
                form).ok:
            flash(gettext("Đã lưu tài khoản."), "success")
            return redirect(url_for("users.index"))
    return render_template("users/form.html", form=form, user=user), 400 if form.errors else 200
