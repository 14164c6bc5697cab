"""The admin's page for their own organisation (its name and the names its documents carry), and the
town admin's page of its wards."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from contest.accounts import operations, queries
from contest.accounts.auth import role_required
from contest.accounts.models import ADMIN
from contest.accounts.operations import OrganisationData
from contest.forms import BaseForm
from contest.policy import may_manage_wards
from contest.views import change

bp = Blueprint("organisations", __name__, url_prefix="/organisation")


class OrganisationForm(BaseForm):
    name = StringField(_l("Tên cơ quan, đơn vị"), validators=[
        DataRequired(_l("Tên cơ quan, đơn vị: không được để trống.")), Length(max=200)])
    place = StringField(_l("Địa danh ghi ở dòng ngày tháng"), validators=[Optional(), Length(max=100)])
    authority = StringField(_l("Cơ quan ban hành văn bản"), validators=[Optional(), Length(max=200)])
    council = StringField(_l("Tên Hội đồng chấm sáng kiến"), validators=[Optional(), Length(max=300)])
    signer = StringField(_l("Chức danh người ký"), validators=[Optional(), Length(max=200)])


@bp.route("/", methods=["GET", "POST"])
@role_required(ADMIN)
def edit() -> Any:
    """Edit the organisation the admin acts for; a field left empty takes the name's default."""
    organisation = current_user.organisation
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        data = OrganisationData(name=form.name.data, level=organisation.level, place=form.place.data or "",
                                authority=form.authority.data or "", council=form.council.data or "",
                                signer=form.signer.data or "")
        if change(lambda: operations.update_organisation(current_user, organisation, data), form).ok:
            flash(gettext("Đã lưu thông tin cơ quan, đơn vị."), "success")
            return redirect(url_for("organisations.edit"))
    return render_template("organisations/edit.html", form=form, organisation=organisation), 400 if form.errors else 200


class WardForm(BaseForm):
    name = StringField(_l("Tên phường, xã"), validators=[
        DataRequired(_l("Tên phường, xã: không được để trống.")), Length(max=200)])
    admin_username = StringField(_l("Tên đăng nhập của Ban tổ chức phường"), validators=[
        DataRequired(_l("Tên đăng nhập của Ban tổ chức phường: không được để trống.")), Length(max=80)])
    admin_full_name = StringField(_l("Họ và tên"), validators=[Optional(), Length(max=200)])
    password = PasswordField(_l("Mật khẩu"), validators=[
        DataRequired(_l("Mật khẩu: không được để trống."))])


@bp.route("/wards", methods=["GET", "POST"])
@login_required
def wards() -> Any:
    """The town's admin: the wards, and a new ward with its first admin."""
    if not may_manage_wards(current_user):
        abort(403)
    form = WardForm()
    if form.validate_on_submit():
        outcome = change(lambda: operations.create_ward(
            current_user, OrganisationData(name=form.name.data), form.admin_username.data,
            form.admin_full_name.data or "", form.password.data), form)
        if outcome.ok:
            ward, admin = outcome.result
            flash(gettext("Đã tạo %(ward)s và tài khoản %(username)s của Ban tổ chức.", ward=ward.name,
                          username=admin.username), "success")
            return redirect(url_for("organisations.wards"))
    return render_template("organisations/wards.html", form=form, wards=queries.wards_of(current_user.organisation),
                           town=current_user.organisation), 400 if form.errors else 200
