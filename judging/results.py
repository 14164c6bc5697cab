"""The public results: rendered only from the latest published snapshot, open to anyone."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import func, select

from contest.accounts.models import Organisation
from contest.contests.models import Contest
from contest.db import db
from contest.views import change
from judging import aggregation, charts
from judging.models import CommunityVote, Publication
from judging.operations import cast_community_vote
from judging.queries import active_transfers, latest_publication, town_outcome

bp = Blueprint("results", __name__, url_prefix="/results")


@bp.route("/")
def index() -> Any:
    """Every contest with published results, newest first."""
    newest = (
        select(Publication.contest_id, func.max(Publication.version).label("version"))
        .group_by(Publication.contest_id)
        .subquery()
    )
    publications = db.session.execute(
        select(Publication, Organisation.name)
        .join(Contest, Contest.id == Publication.contest_id).join(Organisation, Organisation.id == Contest.organisation_id)
        .join(newest, (Publication.contest_id == newest.c.contest_id) & (Publication.version == newest.c.version))
        .order_by(Publication.published_at.desc())
    ).all()
    return render_template("results/index.html", publications=publications)


@bp.route("/<int:contest_id>")
def show(contest_id: int) -> Any:
    """The published results of a contest: winners, scores, the panel; 404 until published."""
    publication = latest_publication(contest_id)
    if publication is None:
        abort(404)
    snap = publication.snapshot
    winners = [r for r in snap["results"] if r.get("prize")]
    max_total = sum(c["max_points"] for c in snap["criteria"])
    # Drawn from the frozen snapshot only, never from live results.
    picture = charts.winners_chart([charts.Bar(r["title"], r["mean_total"], r.get("prize_label", "")) for r in winners],
                                   max_total)
    contest = db.session.get(Contest, contest_id)
    votes: dict[int, int] = {}
    mine: set[int] = set()
    combined: dict[int, float] = {}
    if contest is not None and contest.community_vote:
        votes = dict(db.session.execute(
            select(CommunityVote.entry_id, func.count(CommunityVote.id)).where(CommunityVote.contest_id == contest_id)
            .group_by(CommunityVote.entry_id)
        ).all())
        if current_user.is_authenticated:
            mine = set(db.session.scalars(select(CommunityVote.entry_id).filter_by(contest_id=contest_id,
                                                                                   user_id=current_user.id)))
        combined = aggregation.combined_scores({r["entry_id"]: r["mean_total"] for r in winners}, votes, max_total,
                                               contest.panel_weight, contest.vote_weight)
    return render_template("results/show.html", publication=publication, snap=snap, winners=winners,
                           voting=bool(contest and contest.community_vote), votes=votes, mine=mine,
                           combined=combined, contest=contest, winners_chart=picture,
                           outcomes={t.source_entry_id: town_outcome(t)
                                     for t in (active_transfers(contest) if contest is not None else [])})


@bp.route("/<int:contest_id>/vote/<int:entry_id>", methods=["POST"])
@login_required
def vote(contest_id: int, entry_id: int) -> Any:
    """One vote per signed-in person per published prize winner, whichever organisation ran it:
    published results are public."""
    if latest_publication(contest_id) is None:
        abort(404)
    contest = db.session.get(Contest, contest_id)
    if change(lambda: cast_community_vote(current_user, contest, entry_id), refused="warning").ok:
        flash(gettext("Cảm ơn bạn đã bình chọn."), "success")
    return redirect(url_for("results.show", contest_id=contest_id))
