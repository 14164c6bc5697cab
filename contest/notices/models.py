"""The outbox: one row per notice to one person, read in the app and, when they want it, e-mailed."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.accounts.models import Organisation, User
from contest.db import db, utcnow
from contest.marks import N_

# What becomes of a notice's e-mail: waiting (or waiting to be tried again), being sent by a
# worker that holds its lease, sent, given up; "in-app" ones are never e-mailed (no address, the
# person turned e-mail off, or no mail server was configured when the notice was written).
PENDING, SENDING, SENT, FAILED, IN_APP = "pending", "sending", "sent", "failed", "inapp"
STATUS_LABELS = {
    PENDING: N_("Chờ gửi thư"), SENDING: N_("Đang gửi thư"), SENT: N_("Đã gửi thư"), FAILED: N_("Gửi thư không được"),
    IN_APP: N_("Chỉ trong hệ thống"),
}

# What a notice is about.
ASSIGNED, REMINDED, ARBITRATION, DISAGREEMENT = "assigned", "reminded", "arbitration", "disagreement"
EXCLUDED, PUBLISHED, JOB_FINISHED = "excluded", "published", "job"
KIND_LABELS = {
    ASSIGNED: N_("Phân công chấm"), REMINDED: N_("Nhắc nộp phiếu chấm"), ARBITRATION: N_("Chấm thứ ba"),
    DISAGREEMENT: N_("Điểm chênh lệch"), EXCLUDED: N_("Loại do trùng lặp"), PUBLISHED: N_("Công bố kết quả"),
    JOB_FINISHED: N_("Tác vụ nền kết thúc"),
}


class Notification(db.Model):
    """A notice to one person: its Vietnamese subject and body, the page it points to, and the
    state of its e-mail (sent once by the worker, retried with backoff, reclaimed after a lease)."""

    __table_args__ = (Index("ix_notification_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisation.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), default="")  # the address when written ("" for in-app only)
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500), default="")  # a path of the app; e-mails prefix BASE_URL
    status: Mapped[str] = mapped_column(String(10), default=IN_APP)
    attempts: Mapped[int] = mapped_column(default=0)
    # When a pending e-mail is next due; while sending, when the worker's lease runs out.
    next_attempt_at: Mapped[Optional[datetime]]
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    sent_at: Mapped[Optional[datetime]]
    last_error: Mapped[str] = mapped_column(Text, default="")
    read_at: Mapped[Optional[datetime]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recipient: Mapped[User] = relationship()
    organisation: Mapped[Optional[Organisation]] = relationship()

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)
