"""Participants' entries: write a draft, attach files, see similar initiatives, submit."""
from __future__ import annotations

import os
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required

from contest.accounts.auth import get_or_404, role_required
from contest.accounts.models import PARTICIPANT
from contest.contests.models import Contest
from contest.contests.queries import contests_taking_entries
from contest.db import db, utcnow
from contest.entries import fill as entry_fill
from contest.entries import operations, queries
from contest.entries.forms import AttachmentForm, EntryForm, entry_form
from contest.entries.models import Attachment, Entry
from contest.entries.operations import CoAuthorData, EntryData
from contest.errors import OperationError
from contest.policy import in_scope, may_edit_entry, may_read_result, may_view_entry
from contest.screening.duplicates import similar_registry_items, threshold_for
from contest.views import change, perform, query_id, query_text
from judging.queries import author_results, town_outcome
from judging.ranking import PRIZE_LABELS

bp = Blueprint("entries", __name__, url_prefix="/entries")


def get_entry_or_403(entry_id: int) -> Entry:
    """The entry if the signed-in user may see it; 404 or 403 otherwise."""
    entry = get_or_404(Entry, entry_id)
    if not may_view_entry(current_user, entry):
        abort(403)
    return entry


def _entry_data(form: EntryForm) -> EntryData:
    return EntryData(
        kind=form.kind.data, title=form.title.data or "", field=form.field.data or "",
        collective_name=form.collective_name.data or "", situation=form.situation.data or "",
        solution=form.solution.data or "", effect=form.effect.data or "", scope=form.scope.data or "",
        applied_where=form.applied_where.data or "", applied_since=form.applied_since.data,
        benefit=form.benefit.data or "",
        coauthors=[CoAuthorData(r.form.full_name.data or "", r.form.position.data or "", r.form.share.data or 0.0)
                   for r in form.coauthors],
    )


@bp.route("/")
@role_required(PARTICIPANT)
def index() -> Any:
    """The participant's own entries, each with its published result, and the contests open for submission."""
    entries = queries.entries_of(current_user)
    return render_template("entries/index.html", entries=entries, results=author_results(entries),
                           outcomes={t.source_entry_id: town_outcome(t) for e in entries for t in e.transfers_out
                                     if t.active},
                           contests=contests_taking_entries(current_user.organisation, utcnow()))


def _limit_mb() -> int:
    return current_app.config["MAX_ATTACHMENT_BYTES"] // (1024 * 1024)


def _attach_chosen(entry: Entry, files: list[Any]) -> list[str]:
    """Attach the files chosen in a form to the entry (in the caller's change); their names."""
    names = []
    for chosen in files:
        limit = current_app.config["MAX_ATTACHMENT_BYTES"]
        operations.add_attachment(current_user, entry, chosen.filename or "", chosen.read(limit + 1),
                                  current_app.config["UPLOAD_FOLDER"], limit)
        names.append(chosen.filename or "")
    return names


def _chosen_files(name: str) -> list[Any]:
    """The files a multipart form carries under `name` (an empty file input sends one without a name)."""
    return [f for f in request.files.getlist(name) if f and f.filename]


def _submit_after_save(entry_id: int) -> Any:
    """The entry form's "Nộp bài": the draft is saved (and its file attached); now submit it. A
    refusal leaves the saved draft, and its page lists what is missing, each linking to its field."""
    entry = get_entry_or_403(entry_id)
    perform(lambda: operations.submit_entry(current_user, entry),
            gettext("Đã nộp bài dự thi. Ban tổ chức sẽ kiểm tra trùng lặp trước khi chấm."))
    return redirect(url_for("entries.show", entry_id=entry_id))


def _edit(contest: Contest, entry: Entry | None) -> Any:
    """Shared by new and edit: the one place that renders and saves the entry form."""
    if request.method == "POST" and request.form.get("fill_from_file"):
        # The "fill from a Word description" button: the same form comes back filled, unsaved.
        form, report = entry_fill.fill_form(contest, entry)
        kept, stale = entry_fill.kept_file(form)
        return render_template("entries/form.html", form=form, contest=contest, entry=entry, fill=report,
                               kept_file=kept, stale_file=stale), 400 if report.error else 200
    form = entry_form(contest, entry)
    if form.validate_on_submit():
        if entry is None and not form.first_submission():
            flash(gettext("Biểu mẫu này đã được gửi trước đó; không tạo thêm bản mới."), "info")
            return redirect(url_for("entries.index"))
        chosen = _chosen_files(form.description_file.name)

        def save() -> tuple[int, list[str]]:
            saved = operations.save_entry(current_user, contest, _entry_data(form), entry)
            kept = entry_fill.attach_kept_file(form, saved)
            try:  # a file chosen but not used to fill the form is attached as it is, never dropped
                names = _attach_chosen(saved, chosen)
            except OperationError as error:  # shown beside the file picker, the text typed kept
                raise OperationError(error.message, form.description_file.name) from None
            return saved.id, [n for n in (kept, *names) if n]

        done = change(save, form)
        if done.ok:
            entry_id, attached = done.result
            if form.description_token.data and attached:
                entry_fill.forget_kept_file(form)
            if request.form.get("action") == "submit":
                return _submit_after_save(entry_id)
            if attached:
                flash(gettext("Đã lưu bản nháp và đính kèm tệp “%(name)s”. Hãy kiểm tra lại rồi bấm “Nộp bài”.",
                              name="”, “".join(attached)), "success")
            else:
                flash(gettext("Đã lưu bản nháp. Hãy đính kèm bản mô tả sáng kiến rồi bấm “Nộp bài”."), "success")
            return redirect(url_for("entries.show", entry_id=entry_id))
    status = 400 if form.is_submitted() else 200
    kept, stale = entry_fill.kept_file(form)
    return render_template("entries/form.html", form=form, contest=contest, entry=entry,
                           kept_file=kept, stale_file=stale), status


@bp.route("/new/<int:contest_id>", methods=["GET", "POST"])
@role_required(PARTICIPANT)
def create(contest_id: int) -> Any:
    """Start a new entry in an open contest."""
    contest = get_or_404(Contest, contest_id)
    if not contest.accepts_submissions(utcnow()):
        flash(gettext("Cuộc thi này đã hết hạn nhận bài."), "warning")
        return redirect(url_for("entries.index"))
    return _edit(contest, None)


@bp.route("/<int:entry_id>/edit", methods=["GET", "POST"])
@role_required(PARTICIPANT)
def edit(entry_id: int) -> Any:
    """Change a draft."""
    entry = get_entry_or_403(entry_id)
    if not may_edit_entry(current_user, entry):
        flash(gettext("Bài đã nộp thì không sửa được nữa."), "warning")
        return redirect(url_for("entries.show", entry_id=entry.id))
    return _edit(entry.contest, entry)


@bp.route("/<int:entry_id>")
@login_required
def show(entry_id: int) -> Any:
    """An entry with its attachments; for a draft, what it still needs and the similar applied initiatives;
    for its author (and the secretariat), its published result with the panel's comments when the contest
    shares them."""
    entry = get_entry_or_403(entry_id)
    similar, missing = [], []
    if may_edit_entry(current_user, entry):
        similar = similar_registry_items(entry.contest.organisation, entry.title, entry.body, solution=entry.solution)
        missing = operations.submission_problems(entry)
    results = author_results([entry], comments=True) if may_read_result(current_user, entry) else {}
    return render_template("entries/show.html", entry=entry, similar=similar, upload_form=AttachmentForm(),
                           missing=missing, threshold=threshold_for(entry.contest), prize_labels=PRIZE_LABELS,
                           published=entry.id in results, result=results.get(entry.id),
                           outcomes=[(t, town_outcome(t)) for t in reversed(entry.transfers_out)])


@bp.route("/<int:entry_id>/submit", methods=["POST"])
@role_required(PARTICIPANT)
def submit(entry_id: int) -> Any:
    """Submit a draft, with the files chosen beside the button uploaded first; refused after the deadline."""
    entry = get_entry_or_403(entry_id)
    chosen = _chosen_files("file")
    if chosen:
        done = change(lambda: _attach_chosen(entry, chosen), refused="danger")
        if not done.ok:
            flash(gettext("Bài chưa được nộp vì tệp đã chọn chưa tải lên được (xem lý do ở trên)."), "warning")
            return redirect(url_for("entries.show", entry_id=entry_id))
        flash(gettext("Đã đính kèm tệp “%(name)s”.", name="”, “".join(done.result)), "success")
    perform(lambda: operations.submit_entry(current_user, entry),
            gettext("Đã nộp bài dự thi. Ban tổ chức sẽ kiểm tra trùng lặp trước khi chấm."))
    return redirect(url_for("entries.show", entry_id=entry_id))


@bp.route("/<int:entry_id>/attachments", methods=["POST"])
@role_required(PARTICIPANT)
def upload(entry_id: int) -> Any:
    """Attach one or more PDF or DOCX files to a draft."""
    entry = get_entry_or_403(entry_id)
    form = AttachmentForm()
    chosen = _chosen_files("file")
    if not form.validate_on_submit() or not chosen:
        flash(gettext("Tệp đính kèm: hãy chọn một tệp PDF hoặc DOCX."), "danger")
        return redirect(url_for("entries.show", entry_id=entry_id))
    perform(lambda: _attach_chosen(entry, chosen), gettext("Đã đính kèm tệp."))
    return redirect(url_for("entries.show", entry_id=entry_id))


@bp.errorhandler(413)
def too_large(error: Any) -> Any:
    """A request bigger than the server takes (its body is never read): back to the entry, nothing of
    it saved, with the limit named. What the entry had saved before is untouched."""
    entry_id = (request.view_args or {}).get("entry_id")
    contest_id = (request.view_args or {}).get("contest_id")
    if request.endpoint in ("entries.create", "entries.edit"):
        flash(gettext("Tệp bản mô tả sáng kiến: vượt quá giới hạn %(mb)s MB mỗi tệp nên chưa được tải lên; nội dung "
                      "vừa nhập cũng chưa được lưu. Hãy chọn tệp nhỏ hơn (hoặc lưu bản nháp trước rồi đính kèm).",
                      mb=_limit_mb()), "danger")
        target = (url_for("entries.edit", entry_id=entry_id) if entry_id
                  else url_for("entries.create", contest_id=contest_id) if contest_id else url_for("entries.index"))
    else:
        flash(gettext("Tệp đính kèm: vượt quá giới hạn %(mb)s MB mỗi tệp nên chưa được tải lên; bài chưa thay đổi "
                      "(chưa nộp). Hãy chọn tệp nhỏ hơn.", mb=_limit_mb()), "danger")
        target = url_for("entries.show", entry_id=entry_id) if entry_id else url_for("entries.index")
    return redirect(target, code=303)


@bp.route("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int) -> Any:
    """Download an attachment, for those who may see its entry; never rendered inline."""
    item = get_or_404(Attachment, attachment_id)
    get_entry_or_403(item.entry_id)
    path = os.path.join(current_app.config["UPLOAD_FOLDER"], item.stored_name)
    if not os.path.exists(path):
        abort(404)
    response = send_file(path, mimetype=item.content_type, as_attachment=True, download_name=item.download_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/attachments/<int:attachment_id>/delete", methods=["POST"])
@role_required(PARTICIPANT)
def delete_attachment(attachment_id: int) -> Any:
    """Remove an attachment from a draft."""
    item = get_or_404(Attachment, attachment_id)
    entry = get_entry_or_403(item.entry_id)
    perform(lambda: operations.remove_attachment(current_user, item, current_app.config["UPLOAD_FOLDER"]),
            gettext("Đã xoá tệp đính kèm."))
    return redirect(url_for("entries.show", entry_id=entry.id))


@bp.route("/similar")
@login_required
def similar() -> Any:
    """Applied initiatives like the text being typed (JSON, for the live suggestions): each with its
    summary, to be opened in place, and whether it reaches the contest's flag line."""
    title = query_text("title", 500)
    solution = query_text("solution", 5000)
    body = "\n".join(query_text(k, 5000) for k in ("situation", "solution", "effect"))
    if len((title + body).strip()) < 8:
        return jsonify(matches=[])
    contest_id = query_id("contest")
    contest = db.session.get(Contest, contest_id) if contest_id else None
    threshold = threshold_for(contest if contest is not None and in_scope(current_user, contest) else None)
    return jsonify(matches=[
        {"id": item.id, "title": item.title, "summary": item.summary, "score": round(m.score, 1),
         "flag": m.score >= threshold and not elsewhere, "elsewhere": elsewhere,
         "meta": ", ".join(str(p) for p in (item.unit, item.year, item.organisation.name if elsewhere else "") if p)}
        for item, m, elsewhere in similar_registry_items(current_user.organisation, title, body, solution=solution)
    ])
