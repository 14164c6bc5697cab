"""The audit log's record."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.accounts.models import User
from contest.db import db, utcnow


class AuditLog(db.Model):
    """One change of state: who, when, what, before and after; chained by hash."""

    # The log page's filters within an organisation's chain, each ending in the id it pages by
    # (newest first, keyset): a filtered page or count reads only the matching index entries.
    __table_args__ = (
        Index("ix_audit_log_org_actor", "organisation_id", "actor_id", "id"),
        Index("ix_audit_log_org_action", "organisation_id", "action", "id"),
        Index("ix_audit_log_org_object", "organisation_id", "object_type", "object_id", "id"),
        Index("ix_audit_log_org_at", "organisation_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The chain the record belongs to: its organisation's (none: the installation's, e.g. a failed sign-in).
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisation.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[Optional[int]]
    before: Mapped[Optional[dict]] = mapped_column(JSON)
    after: Mapped[Optional[dict]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")

    actor: Mapped[Optional[User]] = relationship()
