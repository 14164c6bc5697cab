"""The secretariat's screening of duplicate flags: side by side, confirm or clear."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from . import jobs, operations
from .auth import get_or_404, role_required
from .db import db
from .errors import OperationError
from .duplicates import threshold_for
from .forms import FlagDecisionForm, attach_error
from .matching import highlight_spans
from .models import ADMIN, SECRETARY, Contest, DuplicateFlag, Entry
from .tasks import RECHECK

bp = Blueprint("screening", __name__, url_prefix="/screening")


@bp.route("/<int:contest_id>")
@role_required(ADMIN, SECRETARY)
def index(contest_id: int) -> Any:
    """Every flag of a contest, highest score first, grouped by entry."""
    contest = get_or_404(Contest, contest_id)
    flags = db.session.scalars(
        select(DuplicateFlag).join(Entry, DuplicateFlag.entry_id == Entry.id)
        .where(Entry.contest_id == contest.id).order_by(DuplicateFlag.status.desc(), DuplicateFlag.score.desc())
        # The table shows each flag's entry, its author and what it matches: loaded in 4 queries, not 2 per row.
        .options(selectinload(DuplicateFlag.entry).selectinload(Entry.author),
                 selectinload(DuplicateFlag.registry_item), selectinload(DuplicateFlag.other_entry))
    ).all()
    return render_template("screening/index.html", contest=contest, flags=flags)


@bp.route("/<int:contest_id>/recheck", methods=["POST"])
@role_required(ADMIN, SECRETARY)
def recheck(contest_id: int) -> Any:
    """Check every submitted entry again, e.g. after a registry import."""
    contest = get_or_404(Contest, contest_id)
    job_id = jobs.enqueue(current_user, RECHECK, {"contest_id": contest.id}).id
    db.session.commit()
    jobs.start(current_app._get_current_object(), job_id)
    return redirect(url_for("jobs.show", job_id=job_id))


@bp.route("/flags/<int:flag_id>", methods=["GET", "POST"])
@role_required(ADMIN, SECRETARY)
def flag(flag_id: int) -> Any:
    """One flag: the entry and its match side by side, shared phrases highlighted."""
    item = get_or_404(DuplicateFlag, flag_id)
    form = FlagDecisionForm()
    if form.validate_on_submit():
        try:
            operations.decide_flag(current_user, item, form.decision.data == "confirm", form.reason.data)
        except OperationError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(gettext("Đã ghi nhận kết luận về cảnh báo trùng lặp."), "success")
            return redirect(url_for("screening.index", contest_id=item.entry.contest_id))
    phrases = item.shared_phrases or []
    sides = {
        "entry_title": highlight_spans(item.entry.title, phrases),
        "entry_body": highlight_spans(item.entry.body, phrases),
        "match_title": highlight_spans(item.match_title, phrases),
        "match_body": highlight_spans(item.match_body, phrases),
    }
    return render_template("screening/flag.html", flag=item, form=form, sides=sides,
                           threshold=threshold_for(item.entry.contest)), 400 if form.errors else 200
