"""The home page of each role."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, url_for
from flask_login import current_user

from contest.accounts.models import JUDGE, PARTICIPANT

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


@bp.route("/favicon.ico")
def favicon() -> Any:
    """Browsers ask for /favicon.ico whatever the page says."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)
