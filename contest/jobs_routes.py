"""Pages that follow a background job: a progress bar, then its report."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, render_template
from flask_babel import gettext
from flask_login import current_user, login_required

from .auth import get_or_404
from .models import ADMIN, Contest, Job

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def get_job_or_403(job_id: int) -> Job:
    """A job, for the person who started it or an admin."""
    job = get_or_404(Job, job_id)
    if job.created_by_id != current_user.id and not current_user.has_role(ADMIN):
        abort(403)
    return job


@bp.route("/<int:job_id>")
@login_required
def show(job_id: int) -> Any:
    """Progress while the job runs (the page polls), the report when it is done."""
    job = get_job_or_403(job_id)
    contest = None
    if job.result and job.result.get("contest_id"):
        contest = get_or_404(Contest, job.result["contest_id"])
    return render_template("jobs/show.html", job=job, contest=contest)


@bp.route("/<int:job_id>.json")
@login_required
def status(job_id: int) -> Any:
    """The job's progress as JSON, for the progress bar."""
    job = get_job_or_403(job_id)
    return jsonify(status=job.status, label=gettext(job.status_label), done=job.done, total=job.total,
                   percent=job.percent, finished=job.finished)
