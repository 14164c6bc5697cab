"""Models of the judging side: assignments, score sheets, results and their publication."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.accounts.models import Organisation, User
from contest.contests.models import Contest, Criterion
from contest.db import db, utcnow
from contest.entries.models import Entry
from contest.marks import N_


class PanelMember(db.Model):
    """A judge on a contest's panel (Ban giám khảo); one member is its chair (trưởng ban)."""

    __table_args__ = (UniqueConstraint("contest_id", "judge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    is_chair: Mapped[bool] = mapped_column(default=False)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)  # fields of expertise; empty = any
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    judge: Mapped[User] = relationship()


# How an assignment came about.
BY_PANEL, BY_BALANCE, BY_HAND, BY_ARBITRATION = "panel", "balanced", "manual", "arbitration"
ASSIGNMENT_SOURCE_LABELS = {BY_PANEL: N_("Cả ban"), BY_BALANCE: N_("Cân bằng"), BY_HAND: N_("Thủ công"),
                            BY_ARBITRATION: N_("Trọng tài (giám khảo thứ ba)")}


class Assignment(db.Model):
    """A judge is asked to score an entry; a conflict overridden by the secretary keeps its reason."""

    __table_args__ = (UniqueConstraint("entry_id", "judge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    source: Mapped[str] = mapped_column(String(20), default=BY_PANEL)
    override_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    entry: Mapped[Entry] = relationship()
    judge: Mapped[User] = relationship()


class Conflict(db.Model):
    """A conflict of interest a judge declared on an entry; it blocks the pair from then on."""

    __table_args__ = (UniqueConstraint("entry_id", "judge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    entry: Mapped[Entry] = relationship()
    judge: Mapped[User] = relationship()


class PanelWaiver(db.Model):
    """The chair's acceptance that an entry be ranked on fewer sheets than the contest's minimum, and why."""

    __table_args__ = (UniqueConstraint("entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id"))
    reason: Mapped[str] = mapped_column(Text)
    chair_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    entry: Mapped[Entry] = relationship()
    chair: Mapped[User] = relationship()


# A blind judge asked for a file no anonymous copy could be made of: for the secretariat.
NOTICE_ARBITRATION, NOTICE_RESCORE, NOTICE_BLIND = "arbitration", "rescore", "blind"


class Notice(db.Model):
    """Something the panel must know: a third judge assigned (or nobody left to be one), a re-score
    asked, a file that could not be made anonymous."""

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"))
    entry_id: Mapped[Optional[int]] = mapped_column(ForeignKey("entry.id"))
    kind: Mapped[str] = mapped_column(String(20), default=NOTICE_ARBITRATION, server_default=NOTICE_ARBITRATION)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    entry: Mapped[Optional[Entry]] = relationship()


REMINDER_MAX = 1000  # characters of a reminder's message
REASON_MAX = 2000  # characters of a reason: a conflict, a reopened sheet, an amendment, the chair's acceptance


class Reminder(db.Model):
    """The secretariat's reminder to a judge with sheets still to submit, shown in the judge's queue."""

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    sender_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    message: Mapped[str] = mapped_column(Text)
    outstanding: Mapped[int]  # sheets not yet submitted when it was sent
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    judge: Mapped[User] = relationship(foreign_keys=[judge_id])
    sender: Mapped[User] = relationship(foreign_keys=[sender_id])


SHEET_DRAFT, SHEET_SUBMITTED = "draft", "submitted"
SHEET_STATUS_LABELS = {SHEET_DRAFT: N_("Bản nháp"), SHEET_SUBMITTED: N_("Đã nộp phiếu")}


class ScoreSheet(db.Model):
    """One judge's score sheet (phiếu chấm) for one entry."""

    __table_args__ = (UniqueConstraint("entry_id", "judge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(String(20), default=SHEET_DRAFT)
    version: Mapped[int] = mapped_column(default=1)
    submitted_at: Mapped[Optional[datetime]]
    reopen_reason: Mapped[str] = mapped_column(Text, default="")  # why it was reopened, shown to the judge
    reopened_at: Mapped[Optional[datetime]]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    entry: Mapped[Entry] = relationship()
    judge: Mapped[User] = relationship()
    scores: Mapped[list["Score"]] = relationship(
        back_populates="sheet", cascade="all, delete-orphan", order_by="Score.criterion_id"
    )

    @property
    def status_label(self) -> str:
        return SHEET_STATUS_LABELS.get(self.status, self.status)

    @property
    def locked(self) -> bool:
        return self.status == SHEET_SUBMITTED

    def points_by_criterion(self) -> dict[int, float]:
        """Points given per criterion id (criteria left blank are absent)."""
        return {s.criterion_id: s.points for s in self.scores if s.points is not None}


class Score(db.Model):
    """Points and a comment for one criterion of one sheet."""

    __table_args__ = (UniqueConstraint("sheet_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheet.id"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id"))
    points: Mapped[Optional[float]]
    comment: Mapped[str] = mapped_column(Text, default="")

    sheet: Mapped[ScoreSheet] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()


class PanelVote(db.Model):
    """One panel member's vote on recognising an entry, recorded at the closing meeting."""

    __table_args__ = (UniqueConstraint("entry_id", "judge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    in_favour: Mapped[bool]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommunityVote(db.Model):
    """One signed-in person's vote (bình chọn) for a published finalist; one per person per entry."""

    __table_args__ = (UniqueConstraint("entry_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Result(db.Model):
    """An entry's place in the computed standings of a closed contest."""

    __table_args__ = (UniqueConstraint("contest_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id"))
    rank: Mapped[int]
    mean_total: Mapped[float]
    criterion_means: Mapped[dict] = mapped_column(JSON, default=dict)
    sheet_count: Mapped[int] = mapped_column(default=0)
    recognised: Mapped[bool] = mapped_column(default=False)
    prize: Mapped[Optional[str]] = mapped_column(String(20))
    forwarded: Mapped[bool] = mapped_column(default=False)
    spread: Mapped[float] = mapped_column(default=0.0)  # max − min of the judges' totals
    disputed: Mapped[bool] = mapped_column(default=False)  # spread above the contest's threshold
    z_mean: Mapped[Optional[float]] = mapped_column(default=None)  # mean of the judges' z-scores
    category: Mapped[str] = mapped_column(String(20), default="")  # set when prizes go by category
    computed: Mapped[Optional[dict]] = mapped_column(JSON, default=None)  # rank/prize/recognised before a manual change
    amend_reason: Mapped[str] = mapped_column(Text, default="")  # why the computed result was changed

    entry: Mapped[Entry] = relationship()


class Publication(db.Model):
    """A frozen snapshot of the results as published; a new publication is a new version."""

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"))
    version: Mapped[int]
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    snapshot: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")


class Transfer(db.Model):
    """A ward's entry forwarded into the town's round: the town's read-only copy of it, the ward's
    result and dossier as they stood when it was sent, and whether the ward took it back."""

    id: Mapped[int] = mapped_column(primary_key=True)
    source_entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id"), index=True)
    target_entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id"), unique=True)
    source_contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), index=True)
    target_contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), index=True)
    source_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    # The ward's result when it was sent.
    ward_rank: Mapped[int]
    ward_mean_total: Mapped[float]
    ward_max_total: Mapped[float]
    ward_prize: Mapped[Optional[str]] = mapped_column(String(20))
    dossier_stored_name: Mapped[Optional[str]] = mapped_column(String(100))  # the ward's dossier ZIP, in uploads
    forwarded_at: Mapped[datetime] = mapped_column(default=utcnow)
    forwarded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    withdrawn_at: Mapped[Optional[datetime]]
    withdrawn_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))

    source_entry: Mapped[Entry] = relationship(foreign_keys=[source_entry_id])
    target_entry: Mapped[Entry] = relationship(foreign_keys=[target_entry_id])
    source_contest: Mapped[Contest] = relationship(foreign_keys=[source_contest_id])
    target_contest: Mapped[Contest] = relationship(foreign_keys=[target_contest_id])
    source_organisation: Mapped[Organisation] = relationship()

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None

    @property
    def organisation_id(self) -> int:
        """A transfer is the sending ward's: its pages and buttons are the ward's."""
        return self.source_organisation_id
