"""Contests and their rubric criteria."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.accounts.models import Organisation
from contest.db import db, utcnow
from contest.marks import N_
from judging.rubric import bands_from_json

if TYPE_CHECKING:
    from contest.entries.models import Entry


# Contest life cycle.
OPEN, JUDGING, CLOSED, PUBLISHED = "open", "judging", "closed", "published"
CONTEST_STATUS_LABELS = {
    OPEN: N_("Đang nhận bài"),
    JUDGING: N_("Đang chấm"),
    CLOSED: N_("Đã kết thúc chấm"),
    PUBLISHED: N_("Đã công bố kết quả"),
}


class Contest(db.Model):
    """One yearly contest: its fields, deadlines, rubric, threshold and prize structure."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    year: Mapped[int]
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    submission_deadline: Mapped[datetime]  # UTC
    judging_deadline: Mapped[datetime]  # UTC
    threshold: Mapped[float] = mapped_column(default=50.0)
    forward_count: Mapped[int] = mapped_column(default=3)
    duplicate_threshold: Mapped[Optional[float]] = mapped_column(default=None)
    prize_first: Mapped[int] = mapped_column(default=1)
    prize_second: Mapped[int] = mapped_column(default=2)
    prize_third: Mapped[int] = mapped_column(default=3)
    prize_consolation: Mapped[int] = mapped_column(default=4)
    # Judging rules (judging/assignment.py, judging/aggregation.py, judging/rubric.py apply them).
    blind: Mapped[bool] = mapped_column(default=False)  # judges see no author or unit
    assignment_mode: Mapped[str] = mapped_column(String(20), default="all")  # "all" or "balanced"
    judges_per_entry: Mapped[int] = mapped_column(default=2)  # k, in balanced mode
    # The fewest submitted sheets an entry may be ranked on, in balanced mode (in "all" mode: the whole
    # panel); an entry with fewer needs the chair's waiver (judging.models.PanelWaiver) before closing.
    min_judges: Mapped[int] = mapped_column(default=2, server_default="2")
    arbitration_limit: Mapped[Optional[float]] = mapped_column(default=None)  # None: no third judge
    disagreement_threshold: Mapped[Optional[float]] = mapped_column(default=20.0)  # spread that flags
    aggregation: Mapped[str] = mapped_column(String(20), default="mean")  # "mean" or "trimmed"
    score_step: Mapped[float] = mapped_column(default=0.5)  # 1 or 0.5
    # Prizes per category: when set, the prize_* counts are for individuals and these for collectives.
    collective_prizes: Mapped[Optional[list]] = mapped_column(JSON, default=None)  # [nhat, nhi, ba, kk]
    acceptance_rule: Mapped[str] = mapped_column(String(20), default="threshold")  # or "vote": threshold and a panel vote
    vote_share: Mapped[float] = mapped_column(default=66.67)  # percent of the panel in favour needed
    # Community vote (bình chọn) on published prize winners: combined = panel_weight × score ÷ max + vote_weight × votes ÷ most votes.
    community_vote: Mapped[bool] = mapped_column(default=False)
    panel_weight: Mapped[float] = mapped_column(default=80.0)
    vote_weight: Mapped[float] = mapped_column(default=20.0)
    status: Mapped[str] = mapped_column(String(20), default=OPEN)
    meeting_at: Mapped[Optional[datetime]] = mapped_column(default=None)  # UTC; the closing meeting, for the minutes
    # After publication authors read the panel's comments per criterion, without judges' names.
    share_comments: Mapped[bool] = mapped_column(default=False, server_default="0")
    # The signed contest plan (kế hoạch, PDF) shown on the public contest page.
    plan_filename: Mapped[Optional[str]] = mapped_column(String(255), default=None)
    plan_stored_name: Mapped[Optional[str]] = mapped_column(String(100), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="contest", order_by="Criterion.position", cascade="all, delete-orphan"
    )
    entries: Mapped[list["Entry"]] = relationship(back_populates="contest")

    @property
    def status_label(self) -> str:
        return CONTEST_STATUS_LABELS.get(self.status, self.status)

    @property
    def heading(self) -> str:
        """The title with its year, unless the title already says it ("… năm 2024", not "… năm 2024 (2024)")."""
        return self.title if str(self.year) in self.title else f"{self.title} ({self.year})"

    @property
    def max_total(self) -> float:
        return sum(c.max_points for c in self.criteria)

    def accepts_submissions(self, now: datetime) -> bool:
        """Entries can be submitted while the contest is open and the deadline not passed."""
        return self.status == OPEN and now <= self.submission_deadline

    @property
    def plan_download_name(self) -> str:
        """The signed plan's name to download under: the uploaded name, always ending in .pdf."""
        name = self.plan_filename or ""
        stem = name.rsplit(".", 1)[0].strip(". ") if "." in name else name
        return f"{stem or f'ke-hoach-{self.year}'}.pdf"

    @property
    def results_public(self) -> bool:
        return self.status == PUBLISHED


class Criterion(db.Model):
    """One criterion of a contest's rubric, with its maximum points."""

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    max_points: Mapped[float]
    position: Mapped[int] = mapped_column(default=0)
    bands: Mapped[list] = mapped_column(JSON, default=list)  # [[low, high, descriptor], …]; empty = default

    contest: Mapped[Contest] = relationship(back_populates="criteria")

    @property
    def band_list(self) -> list:
        """The point bands, best first (the stored ones, or the default scaled to the maximum)."""
        return bands_from_json(self.bands, self.max_points, self.code)
