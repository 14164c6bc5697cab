"""The audit log: one record per change of state, chained by SHA-256."""
from __future__ import annotations

import hashlib
import json
from typing import Any, Optional

from sqlalchemy import select, text

from .db import db, utcnow
from .models import AuditLog


def _digest(record: AuditLog) -> str:
    """The hash of a record's content and its predecessor's hash."""
    payload = json.dumps(
        [
            record.prev_hash,
            record.at.isoformat(),
            record.actor_id,
            record.action,
            record.object_type,
            record.object_id,
            record.before,
            record.after,
        ],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    actor: Any,
    action: str,
    object_type: str,
    object_id: Optional[int],
    before: Optional[dict] = None,
    after: Optional[dict] = None,
) -> AuditLog:
    """Append one audit record; called by every verb function, never by views."""
    _serialise_appends()
    last = db.session.scalar(select(AuditLog).order_by(AuditLog.id.desc()).limit(1))
    entry = AuditLog(
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=_jsonable(before),
        after=_jsonable(after),
        prev_hash=last.hash if last else "",
    )
    entry.hash = _digest(entry)
    db.session.add(entry)
    db.session.flush()
    return entry


# Any constant: the key of the PostgreSQL advisory lock that orders appends to the chain.
_CHAIN_LOCK = 0x5A4E4B  # "ZNK"


def _serialise_appends() -> None:
    """Make concurrent transactions append one after another, each linking to the last committed record.

    SQLite needs nothing: a writing transaction holds the database's write lock from its start
    (BEGIN IMMEDIATE). On PostgreSQL two transactions could read the same newest record and fork
    the chain; a transaction-scoped advisory lock, released at commit or rollback, orders them.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})


def verify_chain() -> Optional[int]:
    """Id of the first record whose hash or link is wrong, or None when the chain holds."""
    prev = ""
    for rec in db.session.scalars(select(AuditLog).order_by(AuditLog.id)):
        if rec.prev_hash != prev or _digest(rec) != rec.hash:
            return rec.id
        prev = rec.hash
    return None


def _jsonable(value: Optional[dict]) -> Optional[dict]:
    """Round-trip through JSON so dates and decimals are stored as text, stably."""
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))
