"""The registry of applied initiatives."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.accounts.models import Organisation
from contest.db import db, utcnow

# What one registry item may hold, whether typed into the form or imported from a file.
REGISTRY_TITLE_MAX, REGISTRY_SUMMARY_MAX = 500, 20_000


class RegistryItem(db.Model):
    """An initiative already applied in an organisation (its ngân hàng sáng kiến; the town's bank
    is the union of its wards' and its own)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    code: Mapped[str] = mapped_column(String(50), default="")
    title: Mapped[str] = mapped_column(String(REGISTRY_TITLE_MAX))
    summary: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(300), default="")
    year: Mapped[Optional[int]]
    field: Mapped[str] = mapped_column(String(200), default="")
    source_entry_id: Mapped[Optional[int]] = mapped_column(ForeignKey("entry.id"))
    # The import that added it: a stopped import can take back exactly its rows, a resumed one skip them.
    import_job_id: Mapped[Optional[int]] = mapped_column(ForeignKey("job.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
