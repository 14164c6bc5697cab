"""Background jobs: their states and stop modes."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.accounts.models import User
from contest.db import db, utcnow
from contest.marks import N_

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
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisation.id"), index=True)
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
