"""The admin's audit log."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_login import current_user

from contest.accounts.auth import role_required
from contest.accounts.models import ADMIN
from contest.audit import queries
from contest.queries import count_rows, page_rows
from contest.views import PAGE_SIZE, page_window

bp = Blueprint("audit", __name__)


@bp.route("/audit")
@role_required(ADMIN)
def log() -> Any:
    """The audit log, newest first, a page at a time."""
    records = queries.audit_newest_first(current_user.organisation)
    total = count_rows(records)
    page, pages, offset = page_window(total)
    return render_template("audit/log.html", records=page_rows(records, offset, PAGE_SIZE), page=page, pages=pages,
                           total=total)
