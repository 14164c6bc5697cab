"""Views of the judging side: the judge's queue and sheet, the panel, closing, standings, forwarding."""
from __future__ import annotations

import io
import os
from typing import Any, Optional

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from contest.accounts.auth import get_or_404, role_required
from contest.accounts.models import ADMIN, JUDGE, SECRETARY, User
from contest.contests.models import CLOSED, JUDGING, OPEN, PUBLISHED, Contest
from contest.db import db, utcnow
from contest.entries.models import Attachment, Entry
from contest.forms import attach_error
from contest.policy import is_assigned
from contest.screening.queries import cleared_registry_flags, open_flag_counts
from contest.timeutil import format_datetime, format_number, to_local, to_utc
from contest.views import PAGE_SIZE, audit_read, change, page_window, xlsx_download
from contest.xlsx import workbook_bytes
from judging import aggregation, charts, export, operations, queries
from judging.assignment import CONFLICT_LABELS
from judging.blind import CannotAnonymise, strip_author_metadata
from judging.dossier_routes import certificate_base_url, contest_dossier, zip_bytes
from judging.forms import (
    AddAssignmentForm,
    AmendResultForm,
    CloseForm,
    ReasonForm,
    RemindForm,
    ReopenForm,
    WaiverForm,
    forward_form,
    panel_form,
    sheet_form,
)
from judging.models import (
    ASSIGNMENT_SOURCE_LABELS,
    SHEET_DRAFT,
    SHEET_SUBMITTED,
    Assignment,
    Publication,
    ScoreSheet,
    Transfer,
)
from judging.ranking import PRIZE_LABELS, sheet_total

bp = Blueprint("judging", __name__, url_prefix="/judging")
STAFF = (SECRETARY, ADMIN)


def get_assignment_or_403(entry: Entry) -> Assignment:
    """The current judge's assignment to the entry, or 403: judges see only their own queue."""
    if not is_assigned(current_user, entry):
        abort(403)
    return queries.find_assignment(entry, current_user)


@bp.route("/")
@role_required(JUDGE)
def queue() -> Any:
    """The judge's queue: assigned entries of contests being judged, with the sheet's status."""
    rows = queries.judge_queue(current_user)
    page, pages, offset = page_window(len(rows))
    behind = {entry.contest_id for entry, sheet in rows if not (sheet and sheet.locked)}  # reminders only while behind
    reminders = {c: r for c, r in queries.judge_reminders(current_user).items() if c in behind}
    chaired = queries.chaired_contests(current_user)
    return render_template("judging/queue.html", rows=rows[offset:offset + PAGE_SIZE], page=page, pages=pages,
                           total=len(rows), submitted=sum(1 for _, sheet in rows if sheet and sheet.locked),
                           chaired=chaired, notices=queries.notice_counts(chaired), reminders=reminders)


@bp.route("/entries/<int:entry_id>", methods=["GET", "POST"])
@role_required(JUDGE)
def sheet(entry_id: int) -> Any:
    """The entry beside the judge's own score sheet; save a draft or submit (which locks it)."""
    entry = get_or_404(Entry, entry_id)
    get_assignment_or_403(entry)
    own = queries.find_sheet(entry, current_user)
    form = sheet_form(entry.contest.criteria, own, request.form if request.method == "POST" else None,
                      step=entry.contest.score_step or 0.5)
    if request.method == "POST":
        submit = request.form.get("action") == "submit"
        done = change(lambda: operations.save_sheet(current_user, entry, form.values(), submit=submit,
                                                    expected_version=request.form.get("version", type=int)))
        if not done.ok:
            for field, message in done.error.problems:
                if field and field in form:
                    form[field].errors = [*form[field].errors, message]
            return _render_sheet(entry, queries.find_sheet(entry, current_user), form, 400)
        flash(gettext("Đã nộp phiếu chấm; phiếu đã được khoá.") if submit else gettext("Đã lưu nháp phiếu chấm."),
              "success")
        # entry_id, not entry.id: the commit expired the row, and reading it would begin a second transaction
        return redirect(url_for("judging.queue") if submit else url_for("judging.sheet", entry_id=entry_id))
    return _render_sheet(entry, own, form)


def _render_sheet(entry: Entry, own: ScoreSheet | None, form: Any, status: int = 200,
                  conflict_form: Any = None) -> Any:
    """The sheet page with the judge's own total (never anyone else's sheet)."""
    total = sheet_total(own.points_by_criterion()) if own else 0.0
    return render_template("judging/sheet.html", entry=entry, sheet=own, form=form, total=total,
                           conflict_form=conflict_form or ReasonForm(formdata=None), blind=entry.contest.blind,
                           cleared=cleared_registry_flags(entry)), status


@bp.route("/entries/<int:entry_id>/conflict", methods=["POST"])
@role_required(JUDGE)
def declare_conflict(entry_id: int) -> Any:
    """The judge declares a conflict of interest: the entry leaves their queue, the secretary sees why."""
    entry = get_or_404(Entry, entry_id)
    get_assignment_or_403(entry)
    form = ReasonForm()
    reason = form.reason.data if form.validate() else ""  # an invalid reason is refused by the verb, by name
    if not change(lambda: operations.declare_conflict(current_user, entry, reason), form, refused="danger").ok:
        own = queries.find_sheet(entry, current_user)
        return _render_sheet(entry, own, sheet_form(entry.contest.criteria, own, step=entry.contest.score_step),
                             400, conflict_form=form)
    flash(gettext("Đã ghi nhận xung đột lợi ích; sáng kiến đã được rút khỏi danh sách chấm của bạn."), "success")
    return redirect(url_for("judging.queue"))


def neutral_name(position: int, attachment: Attachment) -> str:
    """The name a blind judge downloads a file under: no author, no unit, only its place and type."""
    return f"tep-dinh-kem-{position}.{attachment.extension}"


@bp.route("/attachments/<int:attachment_id>")
@role_required(JUDGE)
def attachment(attachment_id: int) -> Any:
    """An assigned judge downloads an entry's file; in blind mode under a neutral name."""
    item = get_or_404(Attachment, attachment_id)
    entry = item.entry
    get_assignment_or_403(entry)
    path = os.path.join(current_app.config["UPLOAD_FOLDER"], item.stored_name)
    if not os.path.exists(path):
        abort(404)
    if entry.contest.blind:
        with open(path, "rb") as fh:  # at most MAX_ATTACHMENT_BYTES: checked at upload
            data = fh.read()
        try:
            content = io.BytesIO(strip_author_metadata(data, item.content_type))
        except CannotAnonymise as error:
            reason = error.reason
            audit_read(lambda: operations.report_unblindable(current_user, item, reason))
            flash(gettext("Tệp không thể ẩn danh: %(reason)s Tệp không được gửi cho giám khảo; Tổ thư ký đã được "
                          "báo để đề nghị tác giả nộp tệp khác.", reason=gettext(reason)), "warning")
            return redirect(url_for("judging.sheet", entry_id=entry.id))
        response = send_file(content, mimetype=item.content_type, as_attachment=True,
                             download_name=neutral_name(entry.attachments.index(item) + 1, item))
    else:
        response = send_file(path, mimetype=item.content_type, as_attachment=True, download_name=item.download_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _reopen_choices(contest: Contest, shown: Optional[list[Entry]] = None) -> list[tuple[int, str]]:
    """The submitted sheets that can be reopened: all of the contest's, or those of the entries `shown`."""
    sheets = (select(ScoreSheet).join(Entry, Entry.id == ScoreSheet.entry_id)
              .where(Entry.contest_id == contest.id, ScoreSheet.status == SHEET_SUBMITTED).order_by(ScoreSheet.id)
              .options(selectinload(ScoreSheet.entry), selectinload(ScoreSheet.judge)))
    if shown is not None:
        sheets = sheets.where(ScoreSheet.entry_id.in_([e.id for e in shown]))
    return [(s.id, f"{s.entry.title} — {s.judge.full_name}") for s in db.session.scalars(sheets)]


def _panel_forms(contest: Contest, formdata: Any = None, shown: Optional[list[Entry]] = None) -> dict[str, Any]:
    """The panel page's forms. Their selects offer every eligible entry and submitted sheet, or, for
    the page as shown, those of the entries `shown` in the matrix (a select of a thousand is no choice)."""
    members = queries.panel_members(contest)
    judges = queries.active_judges(contest)
    judges += [m.judge for m in members if m.judge not in judges]
    add = AddAssignmentForm(formdata=None)
    add.entry_id.choices = [(e.id, e.title) for e in (shown if shown is not None else queries.eligible_entries(contest))]
    add.judge_id.choices = [(m.judge_id, m.judge.full_name) for m in members]
    reopen = ReopenForm(formdata=None)
    reopen.sheet_id.choices = _reopen_choices(contest, shown)
    close = CloseForm(formdata=None, meeting_at=to_local(utcnow()).replace(second=0, microsecond=0))
    return {"panel_form": panel_form(contest, judges, members, formdata), "add_form": add, "reopen_form": reopen,
            "remind_form": RemindForm(formdata=None, message=_reminder_text(contest)), "close_form": close}


def _reminder_text(contest: Contest) -> str:
    """The reminder the form proposes; the secretary may rewrite it."""
    return gettext("Tổ thư ký kính nhắc: đồng chí còn phiếu chấm chưa nộp của cuộc thi “%(title)s”. Đề nghị đồng chí "
                   "hoàn thành và nộp phiếu trước hạn chấm %(deadline)s.",
                   title=contest.title, deadline=format_datetime(contest.judging_deadline))


def _render_panel(contest: Contest, status: int = 200, **forms: Any) -> Any:
    """The panel page: members and chair, conflicts, the assignment matrix, the missing sheets."""
    now = utcnow()
    progress = queries.panel_progress(contest, now)
    members = queries.panel_members(contest)
    page, pages, offset = page_window(len(progress.entries))  # the assignment matrix, a page of entries at a time
    shown = progress.entries[offset:offset + PAGE_SIZE]
    context = {**_panel_forms(contest, shown=shown), **forms}  # on a single page, shown is every eligible entry
    assignments = {(a.entry_id, a.judge_id): a for a in queries.contest_assignments(contest, [e.id for e in shown])}
    behind = queries.outstanding(contest, progress)
    short, short_sheets = (queries.shortfall_views(contest) if contest.status == JUDGING
                           else (queries.panel_shortfalls(contest) if contest.status == OPEN else None, None))
    context["remind_form"].judges.choices = [(o.judge.id, o.judge.full_name) for o in behind]
    if context["remind_form"].judges.data is None:  # offered: everyone behind, ticked
        context["remind_form"].judges.data = [o.judge.id for o in behind]
    return render_template(
        "judging/panel.html", contest=contest, progress=progress, now=now, members=members,
        matrix_entries=shown, page=page, pages=pages,
        entries_by_id={e.id: e for e in progress.entries},
        conflicts=queries.conflicts(contest, progress.entries, members), conflict_labels=CONFLICT_LABELS,
        declared=queries.declared_conflicts(contest), overrides=queries.overridden(contest),
        assignments=assignments, source_labels=ASSIGNMENT_SOURCE_LABELS, notices=queries.contest_notices(contest),
        behind=behind, short=short, short_sheets=short_sheets,
        open_flags=sum(open_flag_counts(contest, eligible_only=True).values()) if contest.status == JUDGING else 0,
        shortfall_reason=queries.shortfall_reason, **context,
    ), status


def _panel_action(contest: Contest, action: Any, success: str, **forms: Any) -> Any:
    """Run one verb for the panel page, commit once, and come back (or show the refusal).

    `success` may name what the verb returned as %(result)s.
    """
    done = change(action, *forms.values(), refused="danger")
    if not done.ok:
        return _render_panel(contest, 400, **forms)
    flash(success % {"result": done.result}, "success")
    return redirect(url_for("judging.panel", contest_id=contest.id))


def _standings_action(contest: Contest, action: Any, success: Any) -> Any:
    """Run one verb for the standings page, commit once, and come back (or show the refusal).

    `success` builds the message from what the verb returned.
    """
    done = change(action)
    if not done.ok:
        return _render_standings(contest, 400)
    flash(success(done.result), "success")
    return redirect(url_for("judging.standings", contest_id=contest.id))


@bp.route("/contests/<int:contest_id>/panel", methods=["GET", "POST"])
@role_required(*STAFF)
def panel(contest_id: int) -> Any:
    """The panel and its progress; POST assigns the panel to the eligible entries by the contest's mode."""
    contest = get_or_404(Contest, contest_id)
    if request.method == "GET":
        return _render_panel(contest)
    success = (gettext("Đã phân công %(result)s lượt chấm mới; cuộc thi chuyển sang giai đoạn chấm.")
               if contest.status == OPEN
               else gettext("Đã phân công %(result)s lượt chấm mới (cuộc thi đang trong giai đoạn chấm)."))
    done = change(lambda: operations.assign_panel(current_user, contest), refused="danger")
    if not done.ok:
        return _render_panel(contest, 400)
    flash(success % {"result": done.result}, "success")
    short = queries.panel_shortfalls(contest)
    if short.items:
        flash(gettext("%(count)s sáng kiến có ít hơn %(required)s giám khảo: xem mục “Sáng kiến chưa đủ giám khảo” "
                      "để biết lý do và người có thể bổ sung.", count=len(short.items), required=short.required),
              "warning")
    return redirect(url_for("judging.panel", contest_id=contest.id, _anchor="short" if short.items else None))


@bp.route("/contests/<int:contest_id>/panel/members", methods=["POST"])
@role_required(*STAFF)
def panel_members(contest_id: int) -> Any:
    """Choose the panel's judges, its chair and each member's fields."""
    contest = get_or_404(Contest, contest_id)
    form = _panel_forms(contest, request.form)["panel_form"]
    if not form.validate():
        flash(gettext("Biểu mẫu Ban giám khảo chưa hợp lệ."), "danger")
        return _render_panel(contest, 400, panel_form=form)
    chair = form.chosen_chair()
    return _panel_action(
        contest, lambda: operations.set_panel(current_user, contest, form.chosen(), chair, form.fields_by_judge()),
        gettext("Đã lưu Ban giám khảo."), panel_form=form,
    )


@bp.route("/contests/<int:contest_id>/assignments", methods=["POST"])
@role_required(*STAFF)
def add_assignment(contest_id: int) -> Any:
    """Assign one judge to one entry by hand; a conflict needs a reason."""
    contest = get_or_404(Contest, contest_id)
    form = AddAssignmentForm()
    entries = {e.id: e for e in queries.eligible_entries(contest)}
    judges = {m.judge_id: m.judge for m in queries.panel_members(contest)}
    form.entry_id.choices = [(e.id, e.title) for e in entries.values()]
    form.judge_id.choices = [(j.id, j.full_name) for j in judges.values()]
    valid = form.validate()
    entry, judge = (entries.get(form.entry_id.data), judges.get(form.judge_id.data)) if valid else (None, None)
    if entry is None or judge is None:
        flash(gettext("Hãy chọn một sáng kiến và một giám khảo của cuộc thi."), "danger")
        return _render_panel(contest, 400, add_form=form)
    return _panel_action(contest, lambda: operations.add_assignment(current_user, entry, judge, form.reason.data or ""),
                         gettext("Đã phân công thêm."), add_form=form)


@bp.route("/assignments/<int:assignment_id>/remove", methods=["POST"])
@role_required(*STAFF)
def remove_assignment(assignment_id: int) -> Any:
    """Take one entry out of one judge's queue."""
    target = get_or_404(Assignment, assignment_id)
    contest = target.entry.contest
    return _panel_action(contest, lambda: operations.remove_assignment(current_user, target),
                         gettext("Đã bỏ phân công."))


@bp.route("/contests/<int:contest_id>/reopen", methods=["POST"])
@role_required(*STAFF)
def reopen(contest_id: int) -> Any:
    """Reopen one submitted sheet, with the reason the judge will read."""
    contest = get_or_404(Contest, contest_id)
    form = ReopenForm()
    form.sheet_id.choices = _reopen_choices(contest)
    offered = {choice[0] for choice in form.sheet_id.choices}  # the contest's submitted sheets, nothing else
    sheet = db.session.get(ScoreSheet, form.sheet_id.data) if form.sheet_id.data in offered else None
    if sheet is None:
        flash(gettext("Hãy chọn một phiếu chấm đã nộp của cuộc thi."), "danger")
        return _render_panel(contest, 400, reopen_form=form)
    return _panel_action(contest, lambda: operations.reopen_sheet(current_user, sheet, form.reason.data or ""),
                         gettext("Đã mở lại phiếu chấm; giám khảo sẽ thấy lý do."), reopen_form=form)


@bp.route("/contests/<int:contest_id>/remind", methods=["POST"])
@role_required(*STAFF)
def remind(contest_id: int) -> Any:
    """Remind the chosen judges who still have sheets to submit; they read it in their queue."""
    contest = get_or_404(Contest, contest_id)
    form = RemindForm()
    if not form.validate():
        flash(gettext("Biểu mẫu nhắc giám khảo chưa hợp lệ."), "danger")
        return _render_panel(contest, 400, remind_form=form)
    return _panel_action(contest, lambda: len(operations.remind_judges(current_user, contest, form.judges.data or [],
                                                                       form.message.data or "")),
                         gettext("Đã gửi lời nhắc tới %(result)s giám khảo."), remind_form=form)


@bp.route("/contests/<int:contest_id>/reminders.xlsx")
@role_required(*STAFF)
def reminders_xlsx(contest_id: int) -> Any:
    """The list to remind them: each judge with sheets still to submit, the entries, the last reminder."""
    contest = get_or_404(Contest, contest_id)
    progress = queries.panel_progress(contest, utcnow())
    titles = {e.id: e.title for e in progress.entries}
    rows = [
        export.ReminderRow(
            judge=o.judge.full_name, position=o.judge.position, unit=o.judge.unit.name if o.judge.unit else "",
            drafts=o.drafts, not_started=o.not_started,
            entries=[f"{titles.get(entry_id, entry_id)} ({'bản nháp' if status == SHEET_DRAFT else 'chưa chấm'})"
                     for entry_id, status in o.sheets],
            last_reminded=format_datetime(o.last_reminder.created_at) if o.last_reminder else "",
        )
        for o in queries.outstanding(contest, progress)
    ]
    line = f"{contest.heading} — hạn chấm {format_datetime(contest.judging_deadline)}"
    data = workbook_bytes(export.reminder_workbook(line, rows))
    return xlsx_download(data, f"nhac-giam-khao-{contest.year}-{contest.id}.xlsx", "reminders", "contest", contest.id,
                         len(rows))


def get_chair_or_403(contest: Contest) -> None:
    """Only the chair of the contest's panel opens the chair's page."""
    if not queries.is_chair(contest, current_user):
        abort(403)


def _render_chair(contest: Contest, status: int = 200, form: Any = None, waiver_form: Any = None,
                  waiver_entry: Optional[int] = None) -> Any:
    """The chair's page: notices always; every sheet, spreads and z-scores only once the round is closed."""
    closed = contest.status in (CLOSED, PUBLISHED)
    # Every counted sheet's total (for each judge's scale and the z-scores), the sheets themselves for one page.
    rows = [(e, j, sheet_total(p)) for (e, j), p in queries.counted_points(contest).items()] if closed else []
    scales = aggregation.judge_scales(rows)
    page, pages, offset = page_window(queries.result_counts(contest)[0] if closed else 0)
    results = queries.contest_results(contest, offset, PAGE_SIZE) if closed else []
    by_entry: dict[int, list[ScoreSheet]] = {}
    for s in queries.counted_sheets(contest, [r.entry_id for r in results]) if closed else []:
        by_entry.setdefault(s.entry_id, []).append(s)
    judges = db.session.scalars(select(User).where(User.id.in_(scales)).order_by(User.full_name)).all()
    return render_template(
        "judging/chair.html", contest=contest, closed=closed, judges=judges, sheets_by_entry=by_entry,
        totals={(e, j): t for e, j, t in rows}, z=aggregation.z_scores(rows), scales=scales,
        results=results, page=page, pages=pages,
        notices=queries.contest_notices(contest), form=form or ReasonForm(formdata=None),
        short=queries.panel_shortfalls(contest, closing=True) if contest.status == JUDGING else None,
        shortfall_reason=queries.shortfall_reason, waiver_form=waiver_form or WaiverForm(formdata=None),
        waiver_entry=waiver_entry,
    ), status


@bp.route("/contests/<int:contest_id>/chair")
@role_required(JUDGE)
def chair(contest_id: int) -> Any:
    """The chair's page."""
    contest = get_or_404(Contest, contest_id)
    get_chair_or_403(contest)
    return _render_chair(contest)


def _chaired_entry(contest_id: int, entry_id: int) -> tuple[Contest, Entry]:
    """The contest the current user chairs and one of its entries (403 for anyone else, 404 for another contest's)."""
    contest = get_or_404(Contest, contest_id)
    get_chair_or_403(contest)
    entry = get_or_404(Entry, entry_id)
    if entry.contest_id != contest.id:
        abort(404)
    return contest, entry


@bp.route("/contests/<int:contest_id>/chair/rescore/<int:entry_id>", methods=["POST"])
@role_required(JUDGE)
def rescore(contest_id: int, entry_id: int) -> Any:
    """The chair asks the entry's judges to score it again."""
    contest, entry = _chaired_entry(contest_id, entry_id)
    form = ReasonForm()
    if not change(lambda: operations.request_rescore(current_user, entry, form.reason.data or "")).ok:
        return _render_chair(contest, 400, form)
    flash(gettext("Đã mở lại các phiếu chấm của sáng kiến; giám khảo sẽ chấm lại."), "success")
    return redirect(url_for("judging.chair", contest_id=contest.id))


@bp.route("/contests/<int:contest_id>/chair/waive/<int:entry_id>", methods=["POST"])
@role_required(JUDGE)
def waive(contest_id: int, entry_id: int) -> Any:
    """The chair accepts that the entry be ranked on fewer sheets than the minimum, with a reason."""
    contest, entry = _chaired_entry(contest_id, entry_id)
    form = WaiverForm()
    if not form.validate() or not change(lambda: operations.waive_minimum(current_user, entry, form.reason.data or ""),
                                         form).ok:
        return _render_chair(contest, 400, waiver_form=form, waiver_entry=entry.id)
    flash(gettext("Đã ghi nhận: “%(title)s” được xếp hạng với số phiếu hiện có.", title=entry.title), "success")
    return redirect(url_for("judging.chair", contest_id=contest.id))


@bp.route("/contests/<int:contest_id>/chair/waive-all", methods=["POST"])
@role_required(JUDGE)
def waive_all(contest_id: int) -> Any:
    """The chair accepts, with one reason, every entry still short of sheets."""
    contest = get_or_404(Contest, contest_id)
    get_chair_or_403(contest)
    form = WaiverForm()
    done = change(lambda: operations.waive_shortfalls(current_user, contest, form.reason.data or ""), form,
                  refused="danger") if form.validate() else None
    if done is None or not done.ok:
        return _render_chair(contest, 400, waiver_form=form, waiver_entry=0)
    flash(gettext("Đã ghi nhận: %(count)s sáng kiến được xếp hạng với số phiếu hiện có.", count=len(done.result)),
          "success")
    return redirect(url_for("judging.chair", contest_id=contest.id))


@bp.route("/contests/<int:contest_id>/close", methods=["POST"])
@role_required(*STAFF)
def close(contest_id: int) -> Any:
    """End judging and compute the standings from the submitted sheets."""
    contest = get_or_404(Contest, contest_id)
    form = CloseForm()
    if not form.validate():
        return _render_panel(contest, 400, close_form=form)
    done = change(lambda: operations.close_judging(
        current_user, contest, to_utc(form.meeting_at.data) if form.meeting_at.data else None,
        despite_open_flags=form.despite_open_flags.data), refused="danger")
    if not done.ok:
        if done.error.field:  # also beside its field, below the page's summary
            attach_error(form, done.error)
        return _render_panel(contest, 400, close_form=form)
    ranked = sum(1 for r in done.result if r.sheet_count)
    flash(gettext("Đã kết thúc chấm; đã xếp hạng %(count)s sáng kiến.", count=ranked)
          + (" " + gettext("%(count)s sáng kiến chưa có phiếu chấm nào nên không được xếp hạng.",
                           count=len(done.result) - ranked) if ranked < len(done.result) else ""), "success")
    return redirect(url_for("judging.standings", contest_id=contest.id))


def _amend_form(contest: Contest, results: list, formdata: Any = None) -> AmendResultForm:
    form = AmendResultForm(formdata=formdata)
    form.result_id.choices = [(r.id, gettext("Hạng %(rank)s: %(title)s", rank=r.rank, title=r.entry.title))
                              for r in results]
    return form


def _render_standings(contest: Contest, status: int = 200, amend_form: Any = None, forward: Any = None) -> Any:
    """The standings page: ranking, means per criterion, prizes, forwarding, publications."""
    publications = db.session.scalars(
        db.select(Publication).filter_by(contest_id=contest.id).order_by(Publication.version.desc())
    ).all()
    total, forwarded = queries.result_counts(contest)
    page, pages, offset = page_window(total)
    results = queries.contest_results(contest, offset, PAGE_SIZE)  # one page of the ranking
    return render_template(
        "judging/standings.html",
        contest=contest,
        total=total, forwarded=forwarded, page=page, pages=pages,
        amend_form=amend_form or _amend_form(contest, results),
        forward_form=forward or (_forward_form(contest) if contest.status == PUBLISHED else None),
        transfers=[(t, queries.town_outcome(t)) for t in queries.contest_transfers(contest)],
        council=operations.forwarding_council(contest),
        members=queries.panel_members(contest),
        votes={(v.entry_id, v.judge_id): v.in_favour for v in queries.contest_votes(contest)},
        by_category=bool(contest.collective_prizes),
        results=results,
        publications=publications,
        prize_labels=PRIZE_LABELS,
        judging=contest.status == JUDGING,
        short=queries.panel_shortfalls(contest, closing=True) if contest.status in (CLOSED, PUBLISHED) else None,
        shortfall_reason=queries.shortfall_reason,
    ), status


@bp.route("/contests/<int:contest_id>/standings")
@role_required(*STAFF)
def standings(contest_id: int) -> Any:
    """The computed ranking of a closed contest."""
    return _render_standings(get_or_404(Contest, contest_id))


@bp.route("/contests/<int:contest_id>/dashboard")
@role_required(*STAFF)
def dashboard(contest_id: int) -> Any:
    """Pictures for the secretariat: totals per judge and per criterion, entries per field, progress.

    Staff only, like the panel page: before closing it shows individual scores.
    """
    contest = get_or_404(Contest, contest_id)
    data = queries.dashboard_data(contest, utcnow())
    pictures = {
        "judges": charts.judge_totals_chart(data.judges, data.max_total),
        "criteria": charts.criterion_chart(data.criteria),
        "fields": charts.field_chart(data.fields),
        "progress": charts.progress_chart(data.progress),
    }
    return render_template("judging/dashboard.html", contest=contest, data=data, charts=pictures,
                           mean=charts.mean, num=charts.num)


@bp.route("/contests/<int:contest_id>/votes/<int:entry_id>", methods=["POST"])
@role_required(*STAFF)
def votes(contest_id: int, entry_id: int) -> Any:
    """Record the panel's vote on one entry at the closing meeting (one select per member)."""
    contest = get_or_404(Contest, contest_id)
    entry = get_or_404(Entry, entry_id)
    if entry.contest_id != contest.id:
        abort(404)
    choices = {"yes": True, "no": False, "": None}
    cast = {m.judge_id: choices.get(request.form.get(f"vote_{m.judge_id}", ""), None)
            for m in queries.panel_members(contest)}
    return _standings_action(contest, lambda: operations.record_votes(current_user, entry, cast),
                             lambda _: gettext("Đã ghi biểu quyết cho “%(title)s”; bảng xếp hạng đã được tính lại.",
                                               title=entry.title))


@bp.route("/contests/<int:contest_id>/amend", methods=["POST"])
@role_required(*STAFF)
def amend(contest_id: int) -> Any:
    """Change one computed result by hand, with a reason."""
    contest = get_or_404(Contest, contest_id)
    results = {r.id: r for r in queries.contest_results(contest)}
    form = _amend_form(contest, list(results.values()), request.form)
    result = results.get(form.result_id.data) if form.validate() else None
    if result is None:
        if not form.errors:
            form.result_id.errors = [gettext("Hãy chọn một sáng kiến đã xếp hạng.")]
        flash(gettext("Chưa điều chỉnh được: hãy sửa các lỗi của biểu mẫu."), "danger")
        return _render_standings(contest, 400, form)
    if not change(lambda: operations.amend_result(current_user, result, form.rank.data, form.prize.data or None,
                                                  form.recognised.data, form.reason.data), form, refused="danger").ok:
        return _render_standings(contest, 400, form)
    flash(gettext("Đã điều chỉnh kết quả; lý do đã được ghi nhật ký."), "success")
    return redirect(url_for("judging.standings", contest_id=contest.id))


@bp.route("/contests/<int:contest_id>/publish", methods=["POST"])
@role_required(*STAFF)
def publish(contest_id: int) -> Any:
    """Publish the results: a new frozen version on the public page."""
    contest = get_or_404(Contest, contest_id)
    return _standings_action(contest, lambda: operations.publish_results(current_user, contest),
                             lambda publication: gettext("Đã công bố kết quả (phiên bản %(version)s).",
                                                         version=publication.version))


def _forward_form(contest: Contest, formdata: Any = None) -> Any:
    """The forward form of a published contest: the town's open rounds and the entries to send."""
    waiting = queries.forward_candidates(contest)
    sent = len(queries.active_transfers(contest))
    suggested = [r.entry_id for r in waiting][: max(contest.forward_count - sent, 0)]
    form = forward_form(queries.open_rounds_above(contest),
                        [(r.entry_id, f"{r.rank}. {r.entry.title} ({format_number(r.mean_total)})") for r in waiting],
                        suggested, formdata)
    form.sent_count = sent  # the hint says the real numbers, not only the contest's planned one
    return form


@bp.route("/contests/<int:contest_id>/forward", methods=["POST"])
@role_required(*STAFF)
def forward(contest_id: int) -> Any:
    """Transfer the chosen recognised entries into the town council's open round."""
    contest = get_or_404(Contest, contest_id)
    form = _forward_form(contest, request.form)
    if not form.validate():
        flash(gettext("Chưa chuyển được: hãy sửa các lỗi của biểu mẫu."), "danger")
        return _render_standings(contest, 400, forward=form)
    # Looked up among the town's rounds, never by a raw id: another body's contest is no round, and
    # the verb says why a closed one refuses.
    target = {c.id: c for c in queries.rounds_above(contest)}.get(form.round.data)
    dossier = zip_bytes(contest_dossier(contest)) if contest.status == PUBLISHED and certificate_base_url() else None
    done = change(lambda: operations.forward_entries(current_user, contest, target, form.entries.data or [],
                                                     current_app.config["UPLOAD_FOLDER"], dossier), form, refused="danger")
    if not done.ok:
        return _render_standings(contest, 400, forward=form)
    flash(gettext("Đã chuyển %(count)s sáng kiến lên “%(round)s”.", count=len(done.result),
                  round=done.result[0].target_contest.title), "success")
    return redirect(url_for("judging.standings", contest_id=contest.id))


@bp.route("/transfers/<int:transfer_id>/withdraw", methods=["POST"])
@role_required(*STAFF)
def withdraw(transfer_id: int) -> Any:
    """Take a forwarded entry back from the town's round, before its panel is assigned."""
    transfer = get_or_404(Transfer, transfer_id)
    contest = transfer.source_contest
    return _standings_action(contest, lambda: operations.withdraw_transfer(current_user, transfer),
                             lambda t: gettext("Đã rút “%(title)s” khỏi vòng thị xã.", title=t.source_entry.title))


@bp.route("/contests/<int:contest_id>/to-registry", methods=["POST"])
@role_required(*STAFF)
def to_registry(contest_id: int) -> Any:
    """Add the recognised entries to the registry of applied initiatives."""
    contest = get_or_404(Contest, contest_id)
    return _standings_action(contest, lambda: operations.add_recognised_to_registry(current_user, contest),
                             lambda items: gettext("Đã đưa %(count)s sáng kiến được công nhận vào ngân hàng sáng kiến.",
                                                   count=len(items)))


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
    data = workbook_bytes(export.forwarded_workbook(contest.heading, rows))
    return xlsx_download(data, f"de-nghi-thi-xa-{contest.year}-{contest.id}.xlsx", "forwarded", "contest", contest.id,
                         len(rows))
