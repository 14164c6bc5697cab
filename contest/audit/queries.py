"""What the audit log page reads."""
from __future__ import annotations

from sqlalchemy import Select, select

from contest.audit.models import AuditLog


def audit_newest_first() -> Select:
    return select(AuditLog).order_by(AuditLog.id.desc())
