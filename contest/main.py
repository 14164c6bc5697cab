"""The home page of each role, and the admin's audit log."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from . import queries
from .auth import role_required
from .models import ADMIN, JUDGE, PARTICIPANT
from .views import PAGE_SIZE, page_window

bp = Blueprint("main", __name__)


@bp.route("/")
def home() -> Any:
    """Send each role to where its work is; visitors see the published results."""
    if not current_user.is_authenticated:
        return redirect(url_for("results.index"))
    if current_user.has_role(PARTICIPANT):
        return redirect(url_for("entries.index"))
    if current_user.has_role(JUDGE):
        return redirect(url_for("judging.queue"))
    return redirect(url_for("contests.index"))



@bp.route("/audit")
@role_required(ADMIN)
def audit() -> Any:
    """The audit log, newest first, a page at a time."""
    log = queries.audit_newest_first()
    total = queries.count(log)
    page, pages, offset = page_window(total)
    return render_template("main/audit.html", records=queries.page(log, offset, PAGE_SIZE), page=page, pages=pages,
                           total=total)


@bp.route("/favicon.ico")
def favicon() -> Any:
    """Browsers ask for /favicon.ico whatever the page says."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)
