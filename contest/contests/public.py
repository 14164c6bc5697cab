"""The public contest page (thể lệ) and its signed plan: open to anyone, signed in or not."""
from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, abort, current_app, render_template, send_file

from contest.contests import rules
from contest.contests.models import Contest
from contest.db import db, utcnow
from contest.policy import contest_is_public
from contest.registry.queries import registry_span
from contest.screening.duplicates import banks_of
from contest.uploads import (
    ATTACHMENT_TYPES,
    MAX_ATTACHMENTS_PER_ENTRY,
    MAX_ENTRY_BYTES,
    PDF,
)
from judging.operations import tie_break_order
from judging.queries import latest_publication

bp = Blueprint("rules", __name__, url_prefix="/rules")


def get_public_contest_or_404(contest_id: int) -> Contest:
    """A contest anyone may read the rules of; 404 for any other id (no hint that it exists)."""
    contest = db.session.get(Contest, contest_id)
    if contest is None or not contest_is_public(contest):
        abort(404)
    return contest


@bp.route("/<int:contest_id>")
def show(contest_id: int) -> Any:
    """Who may take part, the fields, deadlines, rubric, prizes, how to submit, the duplicate rule, the status."""
    contest = get_public_contest_or_404(contest_id)
    published = latest_publication(contest.id) is not None
    own, wider = banks_of(contest.organisation)
    order = {code: i for i, code in enumerate(tie_break_order(contest))}
    return render_template(
        "rules/show.html", contest=contest, organisation=contest.organisation,
        phase=rules.public_phase(contest.status, contest.submission_deadline, utcnow(), published),
        phase_labels=rules.PHASE_LABELS, published=published,
        prizes=rules.prize_rows([contest.prize_first, contest.prize_second, contest.prize_third,
                                 contest.prize_consolation], contest.collective_prizes),
        tie_break=sorted(contest.criteria, key=lambda c: order.get(c.code, len(order))),
        registry=registry_span(own), town_bank=bool(wider),
        file_types=[extension.upper() for extension, _ in ATTACHMENT_TYPES],
        max_file_bytes=current_app.config["MAX_ATTACHMENT_BYTES"], max_files=MAX_ATTACHMENTS_PER_ENTRY,
        max_entry_bytes=MAX_ENTRY_BYTES)


@bp.route("/<int:contest_id>/plan.pdf")
def plan(contest_id: int) -> Any:
    """The contest's signed plan, always downloaded (never shown inline), checked as a PDF when it was attached."""
    contest = get_public_contest_or_404(contest_id)
    if not contest.plan_stored_name:
        abort(404)
    path = os.path.join(current_app.config["UPLOAD_FOLDER"], contest.plan_stored_name)
    if not os.path.exists(path):
        abort(404)
    response = send_file(path, mimetype=PDF[1], as_attachment=True, download_name=contest.plan_download_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
