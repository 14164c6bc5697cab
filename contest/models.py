"""Models of the submission side: people, contests, entries, the registry, flags, audit."""
from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .db import db, utcnow
from .marks import N_

# Roles, from the most to the least powerful. The labels here and below are Vietnamese marked
# with N_: exports keep them as they are, pages translate them with the `tr` filter.
ADMIN, SECRETARY, JUDGE, PARTICIPANT = "admin", "secretary", "judge", "participant"
ROLES = (ADMIN, SECRETARY, JUDGE, PARTICIPANT)
ROLE_LABELS = {
    ADMIN: N_("Ban tổ chức"),
    SECRETARY: N_("Tổ thư ký"),
    JUDGE: N_("Giám khảo"),
    PARTICIPANT: N_("Cán bộ, công chức (dự thi)"),
}


class Unit(db.Model):
    """A unit of the ward: an office of the UBND or an organisation of the political system."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class User(UserMixin, db.Model):
    """Anyone who signs in; the role decides what they may do."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    position: Mapped[str] = mapped_column(String(200), default="")
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of every session's identity: changing it ends all of the user's sessions.
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))
    # The interface language the user chose (contest.i18n.LANGUAGES); stored documents stay Vietnamese.
    language: Mapped[str] = mapped_column(String(5), default="vi", server_default="vi")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Optional[Unit]] = relationship()

    def get_id(self) -> str:
        """Flask-Login's session identity: the id and the current session token."""
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """Invalidate every session and remember-me cookie of this user."""
        self.session_token = secrets.token_hex(16)

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash of the password, never the password; other sessions end."""
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        """True when the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def has_role(self, *roles: str) -> bool:
        """True when the user holds one of the roles."""
        return self.role in roles

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="contest", order_by="Criterion.position", cascade="all, delete-orphan"
    )
    entries: Mapped[list["Entry"]] = relationship(back_populates="contest")

    @property
    def status_label(self) -> str:
        return CONTEST_STATUS_LABELS.get(self.status, self.status)

    @property
    def max_total(self) -> float:
        return sum(c.max_points for c in self.criteria)

    def accepts_submissions(self, now: datetime) -> bool:
        """Entries can be submitted while the contest is open and the deadline not passed."""
        return self.status == OPEN and now <= self.submission_deadline

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
        from judging.rubric import bands_from_json

        return bands_from_json(self.bands, self.max_points, self.code)


# Entry life cycle.
DRAFT, SUBMITTED, EXCLUDED = "draft", "submitted", "excluded"
ENTRY_STATUS_LABELS = {DRAFT: N_("Bản nháp"), SUBMITTED: N_("Đã nộp"), EXCLUDED: N_("Bị loại (trùng lặp)")}
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
    title: Mapped[str] = mapped_column(String(500))
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


# What one registry item may hold, whether typed into the form or imported from a file.
REGISTRY_TITLE_MAX, REGISTRY_SUMMARY_MAX = 500, 20_000


class RegistryItem(db.Model):
    """An initiative already applied in the ward (ngân hàng sáng kiến)."""

    id: Mapped[int] = mapped_column(primary_key=True)
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


# A flag (score at or over the contest's line) is "open" until decided; a match under the line
# that ranks among the entry's best is kept as "similar" (worth a look, never blocking anything).
FLAG_OPEN, FLAG_CONFIRMED, FLAG_CLEARED, FLAG_SIMILAR = "open", "confirmed", "cleared", "similar"
FLAG_STATUS_LABELS = {
    FLAG_OPEN: N_("Chờ xem xét"), FLAG_CONFIRMED: N_("Xác nhận trùng"), FLAG_CLEARED: N_("Không trùng"),
    FLAG_SIMILAR: N_("Tương tự, nên xem"),
}
# Statuses on which the secretary can still record a decision.
FLAG_UNDECIDED = (FLAG_OPEN, FLAG_SIMILAR)


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


class AuditLog(db.Model):
    """One change of state: who, when, what, before and after; chained by hash."""

    id: Mapped[int] = mapped_column(primary_key=True)
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


JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED = "queued", "running", "done", "failed"
JOB_CANCELLED = "cancelled"
JOB_STATUS_LABELS = {
    JOB_QUEUED: N_("Đang chờ"), JOB_RUNNING: N_("Đang chạy"), JOB_DONE: N_("Hoàn tất"), JOB_FAILED: N_("Thất bại"),
    JOB_CANCELLED: N_("Đã dừng"),
}
# What a person who stops a job chooses for the work it already committed.
CANCEL_KEEP, CANCEL_UNDO = "keep", "undo"
# The later steps a running job names (jobs.set_phase), shown instead of "Đang chạy".
JOB_PHASE_LABELS = {"index": N_("Đang cập nhật chỉ mục tra trùng")}


class Job(db.Model):
    """Long work done in the background (an import, a re-check), claimed from the database."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default=JOB_QUEUED)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[Optional[dict]] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(Text, default="")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[Optional[datetime]]
    finished_at: Mapped[Optional[datetime]]
    heartbeat_at: Mapped[Optional[datetime]]  # renewed while it runs: a stale one means its process died
    cancel: Mapped[str] = mapped_column(String(10), default="", server_default="")  # CANCEL_KEEP/UNDO once asked to stop

    created_by: Mapped[Optional[User]] = relationship()

    @property
    def status_label(self) -> str:
        if self.status == JOB_RUNNING and self.cancel:
            return N_("Đang dừng")
        if self.status == JOB_RUNNING and self.result and self.result.get("phase") in JOB_PHASE_LABELS:
            return JOB_PHASE_LABELS[self.result["phase"]]
        return JOB_STATUS_LABELS.get(self.status, self.status)

    @property
    def percent(self) -> int:
        if self.status == JOB_DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (JOB_DONE, JOB_FAILED, JOB_CANCELLED)


class FormSubmission(db.Model):
    """A creation form's one-time token: a double-submitted form creates one thing, not two."""

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
