"""Pages that follow a background job: a progress bar, then its report."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from contest import jobs
from contest.accounts.auth import get_or_404
from contest.contests.models import Contest
from contest.jobs.models import Job
from contest.policy import may_follow_job
from contest.views import change

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def get_job_or_403(job_id: int) -> Job:
    """A job, for the person who started it or an admin."""
    job = get_or_404(Job, job_id)
    if not may_follow_job(current_user, job):
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
    return render_template("jobs/show.html", job=job, contest=contest, stop_modes=jobs.STOP_MODES.get(job.kind, ()))


@bp.route("/<int:job_id>/stop/<any(keep, undo):mode>", methods=["POST"])
@login_required
def stop(job_id: int, mode: str) -> Any:
    """Ask the job to stop after the step it is at, keeping or undoing what it did."""
    job = get_job_or_403(job_id)
    if change(lambda: jobs.request_stop(current_user, job, mode)).ok:
        flash(gettext("Đã yêu cầu dừng; tác vụ dừng ngay sau lô dữ liệu đang ghi."), "info")
    return redirect(url_for("jobs.show", job_id=job_id))


@bp.route("/<int:job_id>.json")
@login_required
def status(job_id: int) -> Any:
    """The job's progress as JSON, for the progress bar."""
    job = get_job_or_403(job_id)
    return jsonify(status=job.status, label=gettext(job.status_label), done=job.done, total=job.total,
                   percent=job.percent, finished=job.finished)
