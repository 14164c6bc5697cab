"""The signed-in person's notices: the list (newest first) and marking them read."""
from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required

from contest.notices import delivery, operations, queries
from contest.views import change, page_window

bp = Blueprint("notices", __name__, url_prefix="/notices")


@bp.app_context_processor
def notice_badge() -> dict[str, Any]:
    """The menu's unread count, asked only where the menu shows it (a signed-in page)."""

    def unread_notices() -> int:
        return queries.unread_count(current_user.id) if current_user.is_authenticated else 0

    return {"unread_notices": unread_notices}


@bp.route("/")
@login_required
def index() -> Any:
    """The person's notices, newest first, unread ones marked."""
    page, pages, offset = page_window(queries.count_for(current_user.id))
    rows = queries.notices_for(current_user.id, offset, 50)
    return render_template("notices/index.html", rows=rows, page=page, pages=pages,
                           unread=queries.unread_count(current_user.id),
                           by_email=bool(delivery.settings(current_app.config)))


@bp.route("/read", methods=["POST"])
@login_required
def read() -> Any:
    """Mark one of one's own notices read (`notice`), or all of them."""
    raw = request.form.get("notice", "")
    notice_id = int(raw) if raw.isdigit() and 0 < int(raw) < 2**63 else None
    user = current_user._get_current_object()
    done = change(lambda: operations.mark_read(user, notice_id))
    if done.ok and notice_id is None:
        flash(gettext("Đã đánh dấu tất cả thông báo là đã đọc."), "success")
    return redirect(url_for("notices.index", page=request.form.get("page", 1, type=int)))
