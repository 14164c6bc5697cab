"""What the registry pages read."""
from __future__ import annotations

from sqlalchemy import Select, or_, select

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
