"""The organising committee's contests: create, edit, and the secretariat's overview."""
from __future__ import annotations

import os
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user

from contest.accounts.auth import get_or_404, role_required
from contest.accounts.models import ADMIN, SECRETARY
from contest.contests import operations, queries
from contest.contests.forms import ContestForm, PlanForm
from contest.contests.models import Contest
from contest.contests.operations import (
    DEFAULT_CRITERIA,
    JUDGING_SETTINGS,
    RESULT_SETTINGS,
    ContestData,
    CriterionData,
)
from contest.db import utcnow
from contest.entries.queries import contest_entries
from contest.errors import OperationError
from contest.policy import may_edit_contest
from contest.queries import count_rows, page_rows
from contest.screening.queries import open_flag_counts
from contest.timeutil import to_local, to_utc
from contest.views import PAGE_SIZE, change, page_window
from judging.queries import (
    contest_transfers,
    forwarded_count,
    received_count,
    town_outcome,
)
from judging.rubric import bands_from_json, format_bands, parse_bands

bp = Blueprint("contests", __name__, url_prefix="/contests")


def _data_from(form: ContestForm) -> ContestData:
    """The form's values as the operation's input (deadlines converted to UTC)."""
    criteria = []
    for i, row in enumerate(form.criteria):
        if not (row.form.name.data or "").strip() or row.form.max_points.data is None:
            continue
        try:
            bands = [b.as_list() for b in parse_bands(row.form.bands.data or "", float(row.form.max_points.data))]
        except ValueError as error:
            raise OperationError(gettext("Tiêu chí “%(name)s”, mức điểm: %(error)s", name=row.form.name.data.strip(),
                                         error=error), "criteria") from None
        criteria.append(CriterionData(
            code=(row.form.code.data or f"c{i + 1}").strip(), name=row.form.name.data.strip(),
            max_points=float(row.form.max_points.data), description=(row.form.description.data or "").strip(),
            bands=bands))
    settings = {name: getattr(form, name).data for name in JUDGING_SETTINGS + RESULT_SETTINGS
                if getattr(form, name).data is not None or name in ("arbitration_limit", "disagreement_threshold")}
    settings["collective_prizes"] = _parse_counts(form.collective_prizes.data or "")
    return ContestData(
        title=form.title.data, year=form.year.data,
        fields=[line.strip() for line in (form.fields.data or "").splitlines() if line.strip()],
        submission_deadline=to_utc(form.submission_deadline.data),
        judging_deadline=to_utc(form.judging_deadline.data),
        criteria=criteria, threshold=form.threshold.data, forward_count=form.forward_count.data,
        prize_first=form.prize_first.data, prize_second=form.prize_second.data,
        prize_third=form.prize_third.data, prize_consolation=form.prize_consolation.data,
        duplicate_threshold=form.duplicate_threshold.data,
        **settings,
    )


def _parse_counts(text: str) -> list[int] | None:
    """"1, 1, 2, 3" as four prize counts; blank is None (one ranking for both categories)."""
    if not text.strip():
        return None
    try:
        counts = [int(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise OperationError(gettext("Số giải cho tập thể: cần 4 số nguyên, ví dụ “1, 1, 2, 3”."),
                             "collective_prizes") from None
    return counts


def _fill_criteria(form: ContestForm, criteria: list) -> None:
    for row, c in zip(form.criteria, criteria):
        row.form.code.data, row.form.name.data, row.form.max_points.data, row.form.description.data = (
            c.code, c.name, c.max_points, c.description)
        row.form.bands.data = format_bands(bands_from_json(c.bands, c.max_points, c.code))


@bp.route("/")
@role_required(ADMIN, SECRETARY)
def index() -> Any:
    """Every contest, newest first."""
    return render_template("contests/index.html", contests=queries.contests_newest_first(current_user.organisation))


@bp.route("/new", methods=["GET", "POST"])
@role_required(ADMIN)
def create() -> Any:
    """Open a new contest with the default rubric filled in."""
    form = ContestForm()
    if not form.is_submitted():
        _fill_criteria(form, DEFAULT_CRITERIA)
        form.year.data = to_local(utcnow()).year  # this year in Vietnam, as the contest usually is
    if form.validate_on_submit():
        if not form.first_submission():
            flash(gettext("Biểu mẫu này đã được gửi trước đó; không tạo thêm bản mới."), "info")
            return redirect(url_for("contests.index"))
        done = change(lambda: operations.create_contest(current_user, _data_from(form)), form)
        if done.ok:
            flash(gettext("Đã tạo cuộc thi."), "success")
            return redirect(url_for("contests.show", contest_id=done.result.id))
    return render_template("contests/form.html", form=form, contest=None), 400 if form.errors else 200


def get_contest_to_edit_or_404(contest_id: int) -> Contest:
    """A contest of the admin's organisation (404 for another's), 403 unless they may edit it."""
    contest = get_or_404(Contest, contest_id)
    if not may_edit_contest(current_user, contest):
        abort(403)
    return contest


def _edit_page(contest: Contest, form: ContestForm | None = None, plan_form: PlanForm | None = None) -> Any:
    """The edit page: the settings form (as stored unless given) and the signed plan's form."""
    if form is None:
        form = ContestForm(obj=contest, formdata=None)
        form.fields.data = "\n".join(contest.fields)
        form.submission_deadline.data = to_local(contest.submission_deadline)
        form.judging_deadline.data = to_local(contest.judging_deadline)
        _fill_criteria(form, contest.criteria)
        form.collective_prizes.data = ", ".join(str(n) for n in contest.collective_prizes or [])
    plan_form = plan_form or PlanForm(formdata=None)
    failed = form.errors or plan_form.errors
    return render_template("contests/form.html", form=form, contest=contest, plan_form=plan_form,
                           max_plan_bytes=current_app.config["MAX_ATTACHMENT_BYTES"]), 400 if failed else 200


@bp.route("/<int:contest_id>/edit", methods=["GET", "POST"])
@role_required(ADMIN)
def edit(contest_id: int) -> Any:
    """Change a contest's settings."""
    contest = get_contest_to_edit_or_404(contest_id)
    form = ContestForm()
    if not form.is_submitted():
        return _edit_page(contest)
    if form.validate() and change(lambda: operations.update_contest(current_user, contest, _data_from(form)), form).ok:
        flash(gettext("Đã lưu thay đổi của cuộc thi."), "success")
        return redirect(url_for("contests.show", contest_id=contest_id))
    return _edit_page(contest, form=form)


@bp.route("/<int:contest_id>/plan", methods=["POST"])
@role_required(ADMIN)
def upload_plan(contest_id: int) -> Any:
    """Attach the signed plan (PDF), replacing any earlier one; a refusal is shown beside the field."""
    contest = get_contest_to_edit_or_404(contest_id)
    plan_form = PlanForm()
    if plan_form.validate_on_submit():
        upload = plan_form.plan.data
        if not upload or not upload.filename:
            plan_form.plan.errors = [gettext("Kế hoạch cuộc thi: hãy chọn tệp PDF của kế hoạch đã ký.")]
            return _edit_page(contest, plan_form=plan_form)
        folder = current_app.config["UPLOAD_FOLDER"]
        done = change(lambda: operations.attach_plan(current_user, contest, upload.filename, upload.read(), folder,
                                                     current_app.config["MAX_ATTACHMENT_BYTES"]), plan_form)
        if done.ok:
            _discard(folder, done.result)
            flash(gettext("Đã đính kèm kế hoạch cuộc thi; trang thể lệ công khai có liên kết tải về."), "success")
            return redirect(url_for("contests.edit", contest_id=contest.id, _anchor="plan"))
    return _edit_page(contest, plan_form=plan_form)


@bp.route("/<int:contest_id>/plan/remove", methods=["POST"])
@role_required(ADMIN)
def remove_plan(contest_id: int) -> Any:
    """Take the signed plan off the contest."""
    contest = get_contest_to_edit_or_404(contest_id)
    done = change(lambda: operations.remove_plan(current_user, contest))
    if done.ok:
        _discard(current_app.config["UPLOAD_FOLDER"], done.result)
        flash(gettext("Đã gỡ kế hoạch cuộc thi."), "success")
    return redirect(url_for("contests.edit", contest_id=contest.id, _anchor="plan"))


def _discard(folder: str, stored_name: str | None) -> None:
    """Delete a file the committed change no longer points at (a plan replaced or removed)."""
    if stored_name:
        path = os.path.join(folder, stored_name)
        if os.path.exists(path):
            os.remove(path)


@bp.route("/<int:contest_id>")
@role_required(ADMIN, SECRETARY)
def show(contest_id: int) -> Any:
    """The secretariat's overview of one contest: entries, flags, the next step."""
    contest = get_or_404(Contest, contest_id)
    entries = contest_entries(contest)
    total = count_rows(entries)
    page, pages, offset = page_window(total)
    return render_template("contests/show.html", contest=contest, entries=page_rows(entries, offset, PAGE_SIZE),
                           open_flags=open_flag_counts(contest), total=total, page=page, pages=pages,
                           forwarded=forwarded_count(contest), received=received_count(contest),
                           transfers=[(t, town_outcome(t)) for t in contest_transfers(contest)])
