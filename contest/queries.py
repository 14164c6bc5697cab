"""Query helpers every area's queries share: counting and paging.

Views call the areas' query modules (contest/*/queries.py, judging/queries.py) and never build a
query themselves, so that a filter every page must apply is added in one place."""
from __future__ import annotations

from sqlalchemy import Select, func, select

from contest.db import db


def count_rows(query: Select) -> int:
    """How many rows a query selects (for a page's "n of m" and its page links)."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def page_rows(query: Select, offset: int, size: int) -> list:
    """One page of a query's rows."""
    return list(db.session.scalars(query.limit(size).offset(offset)))
