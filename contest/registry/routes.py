"""The registry of applied initiatives: browse, add by hand, import CSV/XLSX, export XLSX."""
from __future__ import annotations

import os
import uuid
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import format_number, gettext
from flask_login import current_user

from contest import jobs
from contest.accounts.auth import role_required
from contest.accounts.models import ADMIN, SECRETARY
from contest.queries import count_rows, page_rows
from contest.registry import operations, queries
from contest.registry.files import MAX_IMPORT_ROWS, registry_workbook
from contest.registry.forms import RegistryImportForm, RegistryItemForm
from contest.registry.operations import RegistryData
from contest.registry.tasks import REGISTRY_IMPORT
from contest.views import PAGE_SIZE, change, page_window, query_text, xlsx_download

bp = Blueprint("registry", __name__, url_prefix="/registry")


@bp.route("/")
@role_required(ADMIN, SECRETARY)
def index() -> Any:
    """The registry, searchable by title, a page at a time."""
    q = query_text("q", 200)
    found = queries.registry_search(current_user.organisation, q)
    total = count_rows(found)
    page, pages, offset = page_window(total)
    return render_template("registry/index.html", items=page_rows(found, offset, PAGE_SIZE), q=q, page=page, pages=pages, total=total,
                           form=RegistryItemForm(), import_form=RegistryImportForm(),
                           max_rows=format_number(MAX_IMPORT_ROWS))


@bp.route("/new", methods=["POST"])
@role_required(ADMIN, SECRETARY)
def create() -> Any:
    """Add one applied initiative by hand."""
    form = RegistryItemForm()
    if form.validate_on_submit():
        if not form.first_submission():
            flash(gettext("Biểu mẫu này đã được gửi trước đó; không tạo thêm bản mới."), "info")
            return redirect(url_for("registry.index"))
        if change(lambda: operations.add_registry_item(current_user, RegistryData(
                title=form.title.data, summary=form.summary.data or "", unit=form.unit.data or "",
                year=form.year.data, field=form.field.data or "", code=form.code.data or "")), form).ok:
            flash(gettext("Đã thêm sáng kiến vào ngân hàng."), "success")
            return redirect(url_for("registry.index"))
    return render_template("registry/new.html", form=form), 400


@bp.route("/import", methods=["POST"])
@role_required(ADMIN, SECRETARY)
def import_file() -> Any:
    """Queue the import of a CSV or XLSX file and follow its progress."""
    form = RegistryImportForm()
    upload = form.file.data if form.validate_on_submit() else None
    if not upload or not upload.filename:
        flash(gettext("Tệp: hãy chọn một tệp CSV hoặc Excel (.xlsx)."), "danger")
        return redirect(url_for("registry.index"))
    data = upload.read()
    if len(data) > current_app.config["MAX_IMPORT_BYTES"]:
        flash(gettext("Tệp: lớn hơn %(mb)s MB, hãy chia thành nhiều tệp.",
                      mb=current_app.config["MAX_IMPORT_BYTES"] // (1024 * 1024)), "danger")
        return redirect(url_for("registry.index"))
    # Beside the attachments: on several hosts UPLOAD_FOLDER is the shared store any worker can read.
    folder = os.path.join(current_app.config["UPLOAD_FOLDER"], "imports")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{uuid.uuid4().hex}.upload")
    with open(path, "xb") as fh:
        fh.write(data)
    job_id = change(lambda: jobs.enqueue(current_user, REGISTRY_IMPORT,
                                         {"path": path, "filename": os.path.basename(upload.filename)}).id).result
    jobs.start(current_app._get_current_object(), job_id)
    return redirect(url_for("jobs.show", job_id=job_id))


@bp.route("/export.xlsx")
@role_required(ADMIN, SECRETARY)
def export() -> Any:
    """The whole registry as an Excel file."""
    items = queries.registry_in_order(current_user.organisation)
    return xlsx_download(registry_workbook(items), "ngan-hang-sang-kien.xlsx", "registry", "registry", None, len(items))
