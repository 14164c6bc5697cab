"""The public results: rendered only from the latest published snapshot, open to anyone."""
from __future__ import annotations

from typing import Any, Optional

from flask import Blueprint, abort, render_template
from sqlalchemy import func, select

from contest.db import db

from .models import Publication

bp = Blueprint("results", __name__, url_prefix="/results")


def latest_publication(contest_id: int) -> Optional[Publication]:
    """The newest publication of a contest, if it was ever published."""
    return db.session.scalar(
        select(Publication).filter_by(contest_id=contest_id).order_by(Publication.version.desc()).limit(1)
    )


@bp.route("/")
def index() -> Any:
    """Every contest with published results, newest first."""
    newest = (
        select(Publication.contest_id, func.max(Publication.version).label("version"))
        .group_by(Publication.contest_id)
        .subquery()
    )
    publications = db.session.scalars(
        select(Publication)
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
    return render_template("results/show.html", publication=publication, snap=snap, winners=winners)
