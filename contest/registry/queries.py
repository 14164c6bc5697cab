"""What the registry pages read."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import Select, func, or_, select

from contest.accounts.models import Organisation
from contest.db import db
from contest.registry.models import RegistryItem


def registry_search(organisation: Organisation, text: str) -> Select:
    """The organisation's registry items whose title or unit contains `text` (all when empty),
    newest year first."""
    query = select(RegistryItem).filter_by(organisation_id=organisation.id)
    if text:
        like = f"%{text}%"
        query = query.where(or_(RegistryItem.title.ilike(like), RegistryItem.unit.ilike(like)))
    return query.order_by(RegistryItem.year.desc(), RegistryItem.id.desc())


def registry_in_order(organisation: Organisation) -> list[RegistryItem]:
    """The organisation's whole registry in the order it was added (the export)."""
    return list(db.session.scalars(select(RegistryItem).filter_by(organisation_id=organisation.id)
                                   .order_by(RegistryItem.id)))


@dataclass(frozen=True)
class RegistrySpan:
    """How many applied initiatives registries hold, and the years they were applied in."""

    count: int
    first_year: Optional[int]
    last_year: Optional[int]


def registry_span(organisation_ids: list[int]) -> RegistrySpan:
    """The count and year range of the items of these organisations' registries (one aggregate query)."""
    count, first, last = db.session.execute(
        select(func.count(RegistryItem.id), func.min(RegistryItem.year), func.max(RegistryItem.year))
        .where(RegistryItem.organisation_id.in_(organisation_ids))
    ).one()
    return RegistrySpan(int(count or 0), first, last)
