"""Entries, their co-authors and attachments."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.accounts.models import Unit, User
from contest.contests.models import Contest
from contest.db import db, utcnow
from contest.entries.limits import TITLE_MAX
from contest.marks import N_

if TYPE_CHECKING:
    from contest.screening.models import DuplicateFlag
    from judging.models import Transfer


# Entry life cycle.
# WITHDRAWN: an entry forwarded to the town's round that its ward took back.
DRAFT, SUBMITTED, EXCLUDED, WITHDRAWN = "draft", "submitted", "excluded", "withdrawn"
ENTRY_STATUS_LABELS = {DRAFT: N_("Bản nháp"), SUBMITTED: N_("Đã nộp"), EXCLUDED: N_("Bị loại (trùng lặp)"),
                       WITHDRAWN: N_("Đơn vị đã rút lại")}
INDIVIDUAL, COLLECTIVE = "individual", "collective"
ENTRY_KIND_LABELS = {INDIVIDUAL: N_("Cá nhân"), COLLECTIVE: N_("Tập thể")}


class Entry(db.Model):
    """An initiative submitted to a contest by an individual or for a collective."""

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"))
    kind: Mapped[str] = mapped_column(String(20), default=INDIVIDUAL)
    collective_name: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    field: Mapped[str] = mapped_column(String(200))
    situation: Mapped[str] = mapped_column(Text, default="")
    solution: Mapped[str] = mapped_column(Text, default="")
    effect: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[str] = mapped_column(Text, default="")
    applied_where: Mapped[str] = mapped_column(String(300), default="")
    applied_since: Mapped[Optional[date]]
    benefit: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=DRAFT)
    exclusion_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[Optional[datetime]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    contest: Mapped[Contest] = relationship(back_populates="entries")
    author: Mapped[User] = relationship()
    unit: Mapped[Optional[Unit]] = relationship()
    coauthors: Mapped[list["CoAuthor"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="CoAuthor.id"
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="Attachment.id"
    )
    flags: Mapped[list["DuplicateFlag"]] = relationship(
        back_populates="entry", foreign_keys="DuplicateFlag.entry_id", cascade="all, delete-orphan"
    )
    # The town round's copy of a ward's entry came in by a transfer; the ward's entry went out by them.
    transfer_in: Mapped[Optional["Transfer"]] = relationship(
        foreign_keys="Transfer.target_entry_id", viewonly=True, uselist=False)
    transfers_out: Mapped[list["Transfer"]] = relationship(
        foreign_keys="Transfer.source_entry_id", viewonly=True, order_by="Transfer.id")

    @property
    def status_label(self) -> str:
        return ENTRY_STATUS_LABELS.get(self.status, self.status)

    @property
    def kind_label(self) -> str:
        return ENTRY_KIND_LABELS.get(self.kind, self.kind)

    @property
    def body(self) -> str:
        """The text the matcher compares: situation, solution and effect."""
        return "\n".join(p for p in (self.situation, self.solution, self.effect) if p)

    @property
    def unit_display(self) -> str:
        """The author's unit, and for an entry forwarded from a ward, that ward."""
        unit = self.unit.name if self.unit else ""
        if self.transfer_in is not None:
            ward = self.transfer_in.source_organisation.name
            return f"{unit} – {ward}" if unit else ward
        return unit

    @property
    def authors_display(self) -> str:
        if self.kind == COLLECTIVE and self.collective_name:
            return self.collective_name
        return self.author.full_name


class CoAuthor(db.Model):
    """A co-author of an entry with their share of the contribution, in percent."""

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id"))
    full_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200), default="")
    share: Mapped[float] = mapped_column(default=0.0)

    entry: Mapped[Entry] = relationship(back_populates="coauthors")


class Attachment(db.Model):
    """A Word or PDF file attached to an entry, stored under a generated name."""

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id"))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    original_name: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    entry: Mapped[Entry] = relationship(back_populates="attachments")

    @property
    def extension(self) -> str:
        """The extension of the type its content was checked to be (pdf, docx), not of its name."""
        return self.stored_name.rsplit(".", 1)[-1] if "." in self.stored_name else "bin"

    @property
    def download_name(self) -> str:
        """The name it is downloaded under: the uploaded name with the checked type's extension
        ("ban-mo-ta.html" holding a PDF downloads as "ban-mo-ta.pdf")."""
        stem = self.original_name.rsplit(".", 1)[0].strip(". ") if "." in self.original_name else self.original_name
        return f"{stem or 'tep-dinh-kem'}.{self.extension}"
