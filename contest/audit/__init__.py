"""The audit log: one record per change of state, chained by an HMAC and anchored outside the database.

Each record's hash is an HMAC-SHA256, with a key kept outside the database (AUDIT_KEY, or the file
instance/audit_key), of its content and its predecessor's hash: someone who can write the database
but not read the key cannot rewrite a record and recompute the chain. The chain's head (the last
record's id and hash) is written after every commit that appended records to a file outside the
database (AUDIT_HEAD_FILE), and printed by `sangkien audit head` for an operator to keep elsewhere:
deleting the last records, or rewriting the whole chain, no longer matches it. Records written before
the chain was keyed (plain SHA-256) are accepted only as the chain's first part.
"""
from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from typing import Any, Optional

from flask import current_app
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from contest.audit.models import AuditLog
from contest.db import db, utcnow
from contest.instance_secret import instance_secret


def _payload(record: AuditLog) -> bytes:
    """What a record's hash covers: its content and its predecessor's hash."""
    return json.dumps(
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
    ).encode("utf-8")


def _digest(record: AuditLog, key: Optional[bytes]) -> str:
    """The record's hash: HMAC-SHA256 with the key; plain SHA-256 (key None) for records of old releases."""
    if key is None:
        return hashlib.sha256(_payload(record)).hexdigest()
    return hmac.new(key, _payload(record), hashlib.sha256).hexdigest()


def _key() -> bytes:
    """AUDIT_KEY, or instance/audit_key (made once), read once per app: every append needs it."""
    key = current_app.extensions.get("audit_key")
    if key is None:
        configured = current_app.config.get("AUDIT_KEY")
        key = str(configured or instance_secret(current_app.instance_path, "audit_key")).encode()
        current_app.extensions["audit_key"] = key
    return key


def record(
    actor: Any,
    action: str,
    object_type: str,
    object_id: Optional[int],
    before: Optional[dict] = None,
    after: Optional[dict] = None,
    organisation: Any = None,
) -> AuditLog:
    """Append one audit record; called by every verb function, never by views. The record belongs
    to the organisation given, else to the one the actor acts for, and links to the last record of
    that organisation's chain: wards never wait on each other's appends."""
    organisation = organisation or getattr(actor, "organisation", None)
    organisation_id = getattr(organisation, "id", None)
    _serialise_appends(organisation_id)
    last = db.session.scalar(select(AuditLog).where(_in_chain(organisation_id)).order_by(AuditLog.id.desc()).limit(1))
    entry = AuditLog(
        organisation_id=organisation_id,
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=_jsonable(before),
        after=_jsonable(after),
        prev_hash=last.hash if last else "",
    )
    entry.hash = _digest(entry, _key())
    db.session.add(entry)
    db.session.flush()
    # the heads to write once this transaction commits (see _write_head_after_commit)
    db.session.info.setdefault("audit_heads", {})[chain_name(organisation_id)] = Head(entry.id, entry.hash)
    db.session.info["audit_head_path"] = _head_path()
    return entry


def chain_name(organisation_id: Optional[int]) -> str:
    """A chain's name in the head file: its organisation's id, "0" for the installation's own."""
    return str(organisation_id or 0)


def _in_chain(organisation_id: Optional[int]) -> Any:
    return AuditLog.organisation_id.is_(None) if organisation_id is None else AuditLog.organisation_id == organisation_id


# Any constant: the key of the PostgreSQL advisory lock that orders appends to the chain.
_CHAIN_LOCK = 0x5A4E4B  # "ZNK"


def _serialise_appends(organisation_id: Optional[int]) -> None:
    """Make concurrent appends to one chain go one after another, each linking to the last committed record.

    SQLite needs nothing: a writing transaction holds the database's write lock from its start
    (BEGIN IMMEDIATE). On PostgreSQL two transactions could read the same newest record and fork
    the chain; a transaction-scoped advisory lock per chain, released at commit or rollback, orders
    them, while other organisations' chains go on.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key, :chain)"),
                           {"key": _CHAIN_LOCK, "chain": organisation_id or 0})


# ---------------------------------------------------------------- the head, outside the database

@dataclass(frozen=True)
class Head:
    """The chain's last record as it was once committed: what the database must still hold."""

    last_id: int
    last_hash: str

    def line(self) -> str:
        """The head as one line an operator can keep and give back to `audit verify --head`."""
        return f"{self.last_id}:{self.last_hash}"

    @classmethod
    def parse(cls, value: str) -> "Head":
        """A head from its line ("id:hash")."""
        last_id, _, last_hash = value.strip().partition(":")
        if not last_id.isdigit() or len(last_hash) != 64:
            raise ValueError("the head is id:hash, as `sangkien audit head` prints it")
        return cls(int(last_id), last_hash)


def _head_path() -> Optional[str]:
    """AUDIT_HEAD_FILE, or a file in instance/ named after the database; empty config: none kept."""
    configured = current_app.config.get("AUDIT_HEAD_FILE")
    if configured is not None:
        return str(configured) or None
    name = hashlib.sha256(str(db.engine.url).encode()).hexdigest()[:16]
    return os.path.join(current_app.instance_path, f"audit-head-{name}.json")


def read_head(path: Optional[str] = None) -> Optional[Head]:
    """The head kept in the file, if there is one."""
    path = path or _head_path()
    try:
        with open(path or "", encoding="utf-8") as fh:
            data = json.load(fh)
        return Head(int(data["last_id"]), str(data["last_hash"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_chain_heads(path: Optional[str] = None) -> dict[str, Head]:
    """Each chain's head kept in the file (none in a file of a release before organisations)."""
    path = path or _head_path()
    try:
        with open(path or "", encoding="utf-8") as fh:
            chains = json.load(fh).get("chains", {})
        return {str(name): Head(int(i), str(h)) for name, (i, h) in chains.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def write_head(path: Optional[str], heads: dict[str, Head], force: bool = False) -> None:
    """Keep the chains' heads in the file, and the newest of them as the log's head, never moving
    one back (several workers commit; the furthest wins), unless forced (a restore puts the
    database back on purpose: the heads given replace the file's)."""
    if not path or not heads:
        return
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        chains = {} if force else read_chain_heads(path)
        for name, head in heads.items():
            if name not in chains or chains[name].last_id < head.last_id:
                chains[name] = head
        newest = max(chains.values(), key=lambda h: h.last_id)
        current = None if force else read_head(path)
        if current is not None and current.last_id > newest.last_id:
            newest = current
        draft = f"{path}.{secrets.token_hex(4)}"
        with open(draft, "w", encoding="utf-8") as fh:
            json.dump({"last_id": newest.last_id, "last_hash": newest.last_hash,
                       "chains": {n: [h.last_id, h.last_hash] for n, h in sorted(chains.items())},
                       "written": utcnow().isoformat()}, fh)
        os.replace(draft, path)


@event.listens_for(Session, "after_commit")
def _write_head_after_commit(session: Session) -> None:
    """Once records are committed, move the head kept outside the database to the last of them."""
    pending, path = session.info.pop("audit_heads", None), session.info.pop("audit_head_path", None)
    if pending:
        try:
            write_head(path, pending)
        except OSError:  # a full or read-only disk must not fail a committed request; verify will say
            pass


@event.listens_for(Session, "after_rollback")
def _forget_head(session: Session) -> None:
    """Records rolled back never become a head."""
    session.info.pop("audit_heads", None)


def current_head() -> Optional[Head]:
    """The database's last record, as a head."""
    last = db.session.scalar(select(AuditLog).order_by(AuditLog.id.desc()).limit(1))
    return Head(last.id, last.hash) if last else None


def current_chain_heads() -> dict[str, Head]:
    """Each chain's last record in the database, as heads."""
    newest = select(func.max(AuditLog.id)).group_by(AuditLog.organisation_id)
    return {chain_name(r.organisation_id): Head(r.id, r.hash)
            for r in db.session.scalars(select(AuditLog).where(AuditLog.id.in_(newest)))}


# ---------------------------------------------------------------- verification

def verify_chain() -> Optional[int]:
    """Id of the first record whose hash or link to its chain's previous record is wrong, or None
    when every organisation's chain holds."""
    key = _key()
    prev: dict[Optional[int], str] = {}
    keyed: set[Optional[int]] = set()
    for rec in db.session.scalars(select(AuditLog).order_by(AuditLog.id)):
        chain = rec.organisation_id
        if rec.prev_hash != prev.get(chain, ""):
            return rec.id
        if hmac.compare_digest(_digest(rec, key), rec.hash):
            keyed.add(chain)
        elif chain in keyed or _digest(rec, None) != rec.hash:  # plain SHA-256 only before the first keyed record
            return rec.id
        prev[chain] = rec.hash
    return None


def check_chain_heads(heads: dict[str, Head]) -> Optional[str]:
    """What is wrong with any organisation's chain against its head kept outside the database, or None:
    one ward's log cut short is found even when other wards wrote after it."""
    for name, head in sorted(heads.items()):
        rec = db.session.get(AuditLog, head.last_id)
        if rec is None:
            return f"Nhật ký bị cắt: chuỗi {name} đã ghi đến bản ghi #{head.last_id} nhưng bản ghi đó không còn."
        if chain_name(rec.organisation_id) != name or not hmac.compare_digest(rec.hash, head.last_hash):
            return f"Nhật ký bị viết lại: bản ghi #{head.last_id} không còn là bản ghi đã ghi ở đầu chuỗi {name}."
    return None


def check_head(head: Optional[Head]) -> Optional[str]:
    """What is wrong with the database against a head kept outside it (Vietnamese), or None."""
    if head is None:
        return None
    rec = db.session.get(AuditLog, head.last_id)
    if rec is None:
        last = current_head()
        return (f"Nhật ký bị cắt: đầu chuỗi đã ghi là bản ghi #{head.last_id} nhưng cơ sở dữ liệu chỉ còn đến "
                f"#{last.last_id if last else 0}.")
    if not hmac.compare_digest(rec.hash, head.last_hash):
        return f"Nhật ký bị viết lại: bản ghi #{head.last_id} không còn là bản ghi đã ghi ở đầu chuỗi."
    return None


def _jsonable(value: Optional[dict]) -> Optional[dict]:
    """Round-trip through JSON so dates and decimals are stored as text, stably."""
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))
