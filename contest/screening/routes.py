"""The secretariat's screening of duplicate flags: side by side, confirm or clear."""
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
from flask_login import current_user

from contest import jobs
from contest.accounts.auth import get_or_404, role_required
from contest.accounts.models import ADMIN, SECRETARY
from contest.contests.models import Contest
from contest.matching import differences, evidence_spans, fold
from contest.screening import operations, queries
from contest.screening.duplicates import banks_of, index_coverage, threshold_for
from contest.screening.forms import FlagDecisionForm
from contest.screening.models import FLAG_OPEN, FLAG_STATUS_LABELS, DuplicateFlag
from contest.screening.tasks import RECHECK
from contest.views import change

bp = Blueprint("screening", __name__, url_prefix="/screening")


# How the screening list can be ordered (?sort=…): the best match first, by entry (Vietnamese
# order: marks folded, so "Điểm" sorts with "Diem", not after "Xây"), or by status.
_ORDERS: dict[str, Any] = {
    "score": lambda f: (-f.score, f.id),
    "entry": lambda f: (fold(f.entry.title), f.entry.title, -f.score),
    "status": lambda f: (f.status != FLAG_OPEN, f.status, -f.score),
}


@bp.route("/<int:contest_id>")
@role_required(ADMIN, SECRETARY)
def index(contest_id: int) -> Any:
    """A contest's flags (over the line), then its similar matches (under it), sorted as asked."""
    contest = get_or_404(Contest, contest_id)
    sort = request.args.get("sort", "score")
    if sort not in _ORDERS:
        sort = "score"
    rows = sorted(queries.contest_flags(contest), key=_ORDERS[sort])
    threshold = threshold_for(contest)
    own, wider = banks_of(contest.organisation)
    # The tier is the score's and the bank's, not the status's: a similar match decided stays in its tier.
    flags, similar, elsewhere = [], [], []
    for f in rows:
        if f.registry_item is not None and f.registry_item.organisation_id not in own:
            elsewhere.append(f)
        else:
            (flags if f.status == FLAG_OPEN or f.score >= threshold else similar).append(f)
    anchors: dict[int, int] = {}  # entry id → its first row, the target of the contest page's links
    for f in flags + similar + elsewhere:
        anchors.setdefault(f.entry_id, f.id)
    indexed, registry_size = index_coverage(own + wider)
    return render_template("screening/index.html", contest=contest, flags=flags, similar=similar, elsewhere=elsewhere,
                           open_count=sum(1 for f in flags if f.status == FLAG_OPEN),
                           sort=sort, status_labels={k: gettext(v) for k, v in FLAG_STATUS_LABELS.items()},
                           threshold=threshold, anchors=anchors,
                           index_behind=(indexed, registry_size) if indexed < registry_size else None)


@bp.route("/<int:contest_id>/recheck", methods=["POST"])
@role_required(ADMIN, SECRETARY)
def recheck(contest_id: int) -> Any:
    """Check every submitted entry again, e.g. after a registry import."""
    contest = get_or_404(Contest, contest_id)
    job_id = change(lambda: jobs.enqueue(current_user, RECHECK, {"contest_id": contest.id}).id).result
    jobs.start(current_app._get_current_object(), job_id)
    return redirect(url_for("jobs.show", job_id=job_id))


@bp.route("/flags/<int:flag_id>", methods=["GET", "POST"])
@role_required(ADMIN, SECRETARY)
def flag(flag_id: int) -> Any:
    """One flag: the entry and its match side by side, shared phrases highlighted."""
    item = get_or_404(DuplicateFlag, flag_id)
    form = FlagDecisionForm()
    if form.validate_on_submit():
        contest_id = item.entry.contest_id
        if change(lambda: operations.decide_flag(current_user, item, form.decision.data == "confirm",
                                                 form.reason.data), form).ok:
            flash(gettext("Đã ghi nhận kết luận về cảnh báo trùng lặp."), "success")
            if not queries.open_flag_counts(item.entry.contest):  # the last one: the list says what comes next
                return redirect(url_for("screening.index", contest_id=contest_id, _anchor="next-step"))
            return redirect(url_for("screening.index", contest_id=contest_id))
    phrases = item.shared_phrases or []
    other = item.other_entry
    entry_only, match_only = differences(item.entry.title, item.entry.body, item.match_title, item.match_body,
                                         query_core=item.entry.solution, doc_core=other.solution if other else "")
    sides = {
        "entry_title": evidence_spans(item.entry.title, phrases, entry_only),
        "entry_body": evidence_spans(item.entry.body, phrases, entry_only),
        "match_title": evidence_spans(item.match_title, phrases, match_only),
        "match_body": evidence_spans(item.match_body, phrases, match_only),
    }
    return render_template("screening/flag.html", flag=item, form=form, sides=sides, entry_only=entry_only,
                           match_only=match_only, threshold=threshold_for(item.entry.contest)), \
        400 if form.errors else 200
