"""What the audit log page reads."""
from __future__ import annotations

from sqlalchemy import Select, select

from contest.accounts.models import Organisation
from contest.audit.models import AuditLog


def audit_newest_first(organisation: Organisation) -> Select:
    """The organisation's audit records, newest first."""
    return select(AuditLog).filter_by(organisation_id=organisation.id).order_by(AuditLog.id.desc())
