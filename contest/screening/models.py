"""Duplicate flags: an entry's match in the registry or in another entry."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.accounts.models import User
from contest.db import db, utcnow
from contest.entries.models import Entry
from contest.marks import N_
from contest.registry.models import RegistryItem

# A flag (score at or over the contest's line) is "open" until decided; a match under the line
# that ranks among the entry's best is kept as "similar" (worth a look, never blocking anything);
# a match in another organisation's registry of the town's bank is "elsewhere", whatever its
# score (shown below the similar ones, never a flag).
FLAG_OPEN, FLAG_CONFIRMED, FLAG_CLEARED, FLAG_SIMILAR, FLAG_ELSEWHERE = (
    "open", "confirmed", "cleared", "similar", "elsewhere")
FLAG_STATUS_LABELS = {
    FLAG_OPEN: N_("Chờ xem xét"), FLAG_CONFIRMED: N_("Xác nhận trùng"), FLAG_CLEARED: N_("Không trùng"),
    FLAG_SIMILAR: N_("Tương tự, nên xem"), FLAG_ELSEWHERE: N_("Tương tự ở đơn vị khác"),
}


# Statuses on which the secretary can still record a decision.
FLAG_UNDECIDED = (FLAG_OPEN, FLAG_SIMILAR, FLAG_ELSEWHERE)


class DuplicateFlag(db.Model):
    """A likely duplicate found by the matcher: an entry against a registry item or another entry."""

    __table_args__ = (UniqueConstraint("entry_id", "registry_item_id", "other_entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id"))
    registry_item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("registry_item.id"))
    other_entry_id: Mapped[Optional[int]] = mapped_column(ForeignKey("entry.id"))
    score: Mapped[float]
    title_score: Mapped[float] = mapped_column(default=0.0)
    body_score: Mapped[float] = mapped_column(default=0.0)
    shared_phrases: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default=FLAG_OPEN)
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[Optional[datetime]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    entry: Mapped[Entry] = relationship(back_populates="flags", foreign_keys=[entry_id])
    registry_item: Mapped[Optional[RegistryItem]] = relationship()
    other_entry: Mapped[Optional[Entry]] = relationship(foreign_keys=[other_entry_id])
    decided_by: Mapped[Optional[User]] = relationship()

    @property
    def status_label(self) -> str:
        return FLAG_STATUS_LABELS.get(self.status, self.status)

    @property
    def match_title(self) -> str:
        target = self.registry_item or self.other_entry
        return target.title if target else ""

    @property
    def match_body(self) -> str:
        if self.registry_item:
            return self.registry_item.summary
        return self.other_entry.body if self.other_entry else ""
