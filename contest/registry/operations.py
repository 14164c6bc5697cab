"""Verb functions of the registry: adding items, importing and undoing imports."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from flask_babel import gettext
from sqlalchemy import delete, insert, select

from contest import audit
from contest.accounts.models import User
from contest.accounts.operations import acting_organisation
from contest.db import db, utcnow
from contest.errors import OperationError
from contest.registry.models import RegistryItem
from contest.screening.models import DuplicateFlag


@dataclass
class RegistryData:
    title: str
    summary: str = ""
    unit: str = ""
    year: Optional[int] = None
    field: str = ""
    code: str = ""


def add_registry_item(actor: User, data: RegistryData) -> RegistryItem:
    """Add one applied initiative to the registry by hand."""
    if not data.title.strip():
        raise OperationError(gettext("Tên sáng kiến: không được để trống."), "title")
    item = RegistryItem(organisation_id=acting_organisation(actor).id, title=data.title.strip(), summary=data.summary.strip(), unit=data.unit.strip(),
                        year=data.year, field=data.field.strip(), code=data.code.strip())
    db.session.add(item)
    db.session.flush()
    audit.record(actor, "registry.add", "registry_item", item.id, None, {"title": item.title, "year": item.year})
    return item


def import_registry(actor: Optional[User], rows: Sequence[RegistryData], source: str,
                    job_id: Optional[int] = None) -> int:
    """Add one batch of an imported file's valid rows to the registry, as one audited change; the
    rows remember the import, so that stopping it can take back exactly them. Returns the count."""
    if not rows:
        return 0
    organisation_id = acting_organisation(actor).id
    ids = db.session.scalars(
        insert(RegistryItem).returning(RegistryItem.id, sort_by_parameter_order=True),
        [{"organisation_id": organisation_id, "title": r.title, "summary": r.summary, "unit": r.unit, "year": r.year, "field": r.field,
          "code": r.code, "import_job_id": job_id, "created_at": utcnow()} for r in rows],
    ).all()
    # The id range names the added items without listing 1,000 of them.
    audit.record(actor, "registry.import", "registry", None, None,
                 {"source": source, "job": job_id, "added": len(ids), "first_id": min(ids), "last_id": max(ids)})
    return len(ids)


def undo_registry_import(actor: Optional[User], job_id: int, source: str, limit: int) -> int:
    """Take back up to `limit` of the rows an import added (the caller repeats until 0), audited.
    A row a duplicate flag already points at stays: the flag and its decision keep their evidence."""
    flagged = select(DuplicateFlag.registry_item_id).where(DuplicateFlag.registry_item_id.is_not(None))
    ids = db.session.scalars(select(RegistryItem.id)
                             .where(RegistryItem.import_job_id == job_id, RegistryItem.id.not_in(flagged))
                             .order_by(RegistryItem.id.desc()).limit(limit)).all()
    if not ids:
        return 0
    db.session.execute(delete(RegistryItem).where(RegistryItem.id.in_(ids)))
    audit.record(actor, "registry.import_undo", "registry", None, None,
                 {"source": source, "job": job_id, "removed": len(ids), "first_id": min(ids), "last_id": max(ids)})
    return len(ids)
