"""Views of the judging side: the judge's queue and sheet, the panel, closing, standings, forwarding."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from contest.auth import get_or_404, role_required
from contest.db import db, utcnow
from contest.models import ADMIN, JUDGE, JUDGING, SECRETARY, Contest, Entry

from . import export, operations, queries
from .forms import sheet_form
from .models import Assignment, Publication, ScoreSheet
from .operations import JudgingError
from .ranking import PRIZE_LABELS, sheet_total

bp = Blueprint("judging", __name__, url_prefix="/judging")
STAFF = (SECRETARY, ADMIN)


def get_assignment_or_403(entry: Entry) -> Assignment:
    """The current judge's assignment to the entry, or 403: judges see only their own queue."""
    assignment = queries.find_assignment(entry, current_user)
    if assignment is None:
        abort(403)
    return assignment


@bp.route("/")
@role_required(JUDGE)
def queue() -> Any:
    """The judge's queue: assigned entries of contests being judged, with the sheet's status."""
    return render_template("judging/queue.html", rows=queries.judge_queue(current_user))


@bp.route("/entries/<int:entry_id>", methods=["GET", "POST"])
@role_required(JUDGE)
def sheet(entry_id: int) -> Any:
    """The entry beside the judge's own score sheet; save a draft or submit (which locks it)."""
    entry = get_or_404(Entry, entry_id)
    get_assignment_or_403(entry)
    own = queries.find_sheet(entry, current_user)
    form = sheet_form(entry.contest.criteria, own, request.form if request.method == "POST" else None)
    if request.method == "POST":
        submit = request.form.get("action") == "submit"
        try:
            operations.save_sheet(current_user, entry, form.values(), submit=submit)
            db.session.commit()
        except JudgingError as error:
            db.session.rollback()
            if error.field and error.field in form:
                form[error.field].errors = [error.message]
            flash(error.message, "danger")
            return _render_sheet(entry, queries.find_sheet(entry, current_user), form, 400)
        flash("Đã nộp phiếu chấm; phiếu đã được khoá." if submit else "Đã lưu nháp phiếu chấm.", "success")
        return redirect(url_for("judging.queue") if submit else url_for("judging.sheet", entry_id=entry.id))
    return _render_sheet(entry, own, form)


def _render_sheet(entry: Entry, own: ScoreSheet | None, form: Any, status: int = 200) -> Any:
    """The sheet page with the judge's own total (never anyone else's sheet)."""
    total = sheet_total(own.points_by_criterion()) if own else 0.0
    return render_template("judging/sheet.html", entry=entry, sheet=own, form=form, total=total), status


def _render_panel(contest: Contest, status: int = 200) -> Any:
    """The panel page: judges, the assignment matrix and the missing sheets."""
    now = utcnow()
    progress = queries.panel_progress(contest, now)
    return render_template("judging/panel.html", contest=contest, progress=progress, now=now), status


@bp.route("/contests/<int:contest_id>/panel", methods=["GET", "POST"])
@role_required(*STAFF)
def panel(contest_id: int) -> Any:
    """The panel and its progress; POST assigns every active judge to every eligible entry."""
    contest = get_or_404(Contest, contest_id)
    if request.method == "GET":
        return _render_panel(contest)
    try:
        created = operations.assign_panel(current_user, contest)
        db.session.commit()
    except JudgingError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _render_panel(contest, 400)
    flash(f"Đã phân công {created} lượt chấm mới; cuộc thi chuyển sang giai đoạn chấm.", "success")
    return redirect(url_for("judging.panel", contest_id=contest.id))


@bp.route("/contests/<int:contest_id>/close", methods=["POST"])
@role_required(*STAFF)
def close(contest_id: int) -> Any:
    """End judging and compute the standings from the submitted sheets."""
    contest = get_or_404(Contest, contest_id)
    try:
        results = operations.close_judging(current_user, contest)
        db.session.commit()
    except JudgingError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _render_panel(contest, 400)
    flash(f"Đã kết thúc chấm; đã xếp hạng {len(results)} sáng kiến.", "success")
    return redirect(url_for("judging.standings", contest_id=contest.id))


def _render_standings(contest: Contest, status: int = 200) -> Any:
    """The standings page: ranking, means per criterion, prizes, forwarding, publications."""
    publications = db.session.scalars(
        db.select(Publication).filter_by(contest_id=contest.id).order_by(Publication.version.desc())
    ).all()
    return render_template(
        "judging/standings.html",
        contest=contest,
        results=queries.contest_results(contest),
        publications=publications,
        prize_labels=PRIZE_LABELS,
        judging=contest.status == JUDGING,
    ), status


@bp.route("/contests/<int:contest_id>/standings")
@role_required(*STAFF)
def standings(contest_id: int) -> Any:
    """The computed ranking of a closed contest."""
    return _render_standings(get_or_404(Contest, contest_id))


@bp.route("/contests/<int:contest_id>/publish", methods=["POST"])
@role_required(*STAFF)
def publish(contest_id: int) -> Any:
    """Publish the results: a new frozen version on the public page."""
    contest = get_or_404(Contest, contest_id)
    try:
        publication = operations.publish_results(current_user, contest)
        db.session.commit()
    except JudgingError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _render_standings(contest, 400)
    flash(f"Đã công bố kết quả (phiên bản {publication.version}).", "success")
    return redirect(url_for("judging.standings", contest_id=contest.id))


@bp.route("/contests/<int:contest_id>/forward", methods=["POST"])
@role_required(*STAFF)
def forward(contest_id: int) -> Any:
    """Choose the best recognised entries to forward to the town council."""
    contest = get_or_404(Contest, contest_id)
    try:
        chosen = operations.forward_entries(current_user, contest)
        db.session.commit()
    except JudgingError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _render_standings(contest, 400)
    flash(f"Đã chọn {len(chosen)} sáng kiến đề nghị {operations.COUNCIL} xem xét, công nhận.", "success")
    return redirect(url_for("judging.standings", contest_id=contest.id))


@bp.route("/contests/<int:contest_id>/to-registry", methods=["POST"])
@role_required(*STAFF)
def to_registry(contest_id: int) -> Any:
    """Add the recognised entries to the registry of applied initiatives."""
    contest = get_or_404(Contest, contest_id)
    try:
        items = operations.add_recognised_to_registry(current_user, contest)
        db.session.commit()
    except JudgingError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _render_standings(contest, 400)
    flash(f"Đã đưa {len(items)} sáng kiến được công nhận vào ngân hàng sáng kiến.", "success")
    return redirect(url_for("judging.standings", contest_id=contest.id))


@bp.route("/contests/<int:contest_id>/forwarded.xlsx")
@role_required(*STAFF)
def forward_xlsx(contest_id: int) -> Any:
    """The XLSX list of the forwarded entries."""
    contest = get_or_404(Contest, contest_id)
    rows = [
        export.ForwardedRow(
            title=r.entry.title,
            authors=r.entry.authors_display,
            unit=r.entry.unit.name if r.entry.unit else "",
            field=r.entry.field,
            mean_total=r.mean_total,
            rank=r.rank,
            prize_label=PRIZE_LABELS.get(r.prize or "", ""),
        )
        for r in queries.contest_results(contest)
        if r.forwarded
    ]
    data = export.workbook_bytes(export.forwarded_workbook(f"{contest.title} ({contest.year})", rows))
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="de-nghi-thi-xa-{contest.year}-{contest.id}.xlsx"'},
    )
