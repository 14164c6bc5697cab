"""Fill the entry form from an uploaded Word description, and attach that file when the form is saved.

The filled form goes back to the author unsaved: they check and correct it, then save. The
file waits in the pending area (``pending_uploads``) under a token carried by the form, so
saving attaches it through ``add_attachment``; the entry itself is untouched until then.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from flask import current_app, flash, request
from flask_babel import gettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from contest.contests.models import Contest
from contest.entries import operations, pending_uploads
from contest.entries.description_form import plan_fill, read_description
from contest.entries.forms import EntryForm, entry_form
from contest.entries.models import Entry
from contest.errors import OperationError
from contest.forms import attach_error
from contest.uploads import DOCX, PDF, detect_type

# The entry form's fields a description can fill, in the form's order (the order the author is told them in).
TEXT_FIELDS = ("title", "field", "situation", "solution", "effect", "scope", "applied_where", "applied_since", "benefit")


@dataclass
class FillReport:
    """What the author is told after an upload: what was filled, or why nothing was."""

    file_name: str = ""
    filled: list[str] = field(default_factory=list)  # labels of the fields filled from the file
    replaced: list[str] = field(default_factory=list)  # of those, the ones whose typed text the file replaced
    notes: list[str] = field(default_factory=list)
    error: str = ""


def _refusal(data: bytes) -> Optional[str]:
    """Why the uploaded bytes cannot be read as a Word description, judged by content."""
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    if not data:
        return gettext("Tệp bản mô tả: hãy chọn một tệp Word (.docx).")
    if len(data) > limit:
        return gettext("Tệp bản mô tả: vượt quá giới hạn %(mb)d MB.", mb=limit // (1024 * 1024))
    kind = detect_type(data)
    if kind == PDF:
        return gettext("Tệp bản mô tả: tệp PDF không điền tự động được. Hãy viết vào biểu mẫu, lưu bản nháp rồi "
                       "đính kèm tệp PDF ở trang sáng kiến.")
    if kind != DOCX:
        return gettext("Tệp bản mô tả: chỉ nhận tệp Word (.docx); nội dung tệp này không phải tệp Word.")
    return None


def fill_form(contest: Contest, entry: Optional[Entry]) -> tuple[EntryForm, FillReport]:
    """The entry form as posted, with what the uploaded description fills; nothing is saved."""
    posted = entry_form(contest, entry)
    report = FillReport()
    upload = posted.description_file.data
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    data = upload.read(limit + 1) if upload else b""
    report.file_name = (upload.filename or "") if upload else ""
    report.error = _refusal(data) or ""
    if report.error:
        return posted, report
    parsed = read_description(data)
    if not parsed.recognised:
        report.error = gettext("Tệp này không phải bản mô tả sáng kiến theo mẫu: %(reason)s. Biểu mẫu chưa được "
                               "điền gì.", reason=gettext(parsed.reason, **parsed.reason_args))
        return posted, report
    plan = plan_fill(parsed, contest.fields, current_user.full_name,
                     max_coauthors=posted.coauthors.max_entries or 10)
    merged = MultiDict(request.form.items(multi=True))
    for name, value in sorted(plan.values.items(), key=lambda item: TEXT_FIELDS.index(item[0])):
        typed = (request.form.get(name) or "").strip()
        if typed and typed != value and name != "field":  # a select always has a value: not "typed"
            report.replaced.append(str(posted[name].label.text))
        merged.setlist(name, [value])
        report.filled.append(str(posted[name].label.text))
    if plan.coauthors is not None:
        if any((request.form.get(f"coauthors-{i}-full_name") or "").strip() for i in range(len(posted.coauthors))):
            report.replaced.append(gettext("Đồng tác giả"))
        for key in [k for k in merged if k.startswith("coauthors-")]:
            merged.poplist(key)
        for i, person in enumerate(plan.coauthors):
            merged[f"coauthors-{i}-full_name"] = person.full_name
            merged[f"coauthors-{i}-position"] = person.position
            merged[f"coauthors-{i}-share"] = f"{person.share:g}" if person.share is not None else ""
        report.filled.append(gettext("Đồng tác giả (%(count)d người)", count=len(plan.coauthors)))
    report.notes = [gettext(message, **args) for message, args in plan.notes]
    folder = current_app.config["UPLOAD_FOLDER"]
    previous = request.form.get("description_token", "")
    if previous and pending_uploads.name_of(folder, previous, current_user.id) is not None:
        pending_uploads.discard(folder, previous)  # the new file replaces the one uploaded before
    merged["description_token"] = pending_uploads.keep(folder, current_user.id, report.file_name, data)
    filled = entry_form(contest, entry, merged)
    too_long = operations.title_problem(filled.title.data or "")
    if too_long:  # the whole title is kept in the field, refused beside it until the author shortens it
        attach_error(filled, OperationError(too_long, "title"))
    return filled, report


def kept_file(form: EntryForm) -> tuple[Optional[str], bool]:
    """(name of the file that saving will attach, whether the form carried a token no longer valid)."""
    token = form.description_token.data or ""
    if not token:
        return None, False
    name = pending_uploads.name_of(current_app.config["UPLOAD_FOLDER"], token, current_user.id)
    if name is None:
        form.description_token.data = ""
        return None, True
    return name, False


def attach_kept_file(form: EntryForm, entry: Entry) -> Optional[str]:
    """Attach the file kept when the form was filled; its name, or None (a stale token is said so)."""
    token = form.description_token.data or ""
    if not token:
        return None
    folder = current_app.config["UPLOAD_FOLDER"]
    kept = pending_uploads.load(folder, token, current_user.id)
    if kept is None:
        flash(gettext("Tệp bản mô tả tải lên trước đó không còn hiệu lực nên chưa được đính kèm; hãy đính kèm lại "
                      "ở trang sáng kiến."), "warning")
        return None
    name, data = kept
    operations.add_attachment(current_user, entry, name, data, folder, current_app.config["MAX_ATTACHMENT_BYTES"])
    return name


def forget_kept_file(form: EntryForm) -> None:
    """Remove the kept copy once its attachment is committed."""
    token = form.description_token.data or ""
    if token and pending_uploads.name_of(current_app.config["UPLOAD_FOLDER"], token, current_user.id) is not None:
        pending_uploads.discard(current_app.config["UPLOAD_FOLDER"], token)
