"""Verbs that only write an audit record (what was exported, by whom)."""
from __future__ import annotations

from typing import Optional

from contest import audit
from contest.accounts.models import User


def record_export(actor: Optional[User], what: str, object_type: str, object_id: Optional[int],
                  rows: Optional[int] = None) -> None:
    """Audit a document that leaves the system (an XLSX list, the dossier): who took what, when."""
    if what not in ("registry", "reminders", "forwarded", "dossier", "audit"):
        raise ValueError(f"unknown export {what!r}")
    action = ("export.registry" if what == "registry" else "export.reminders" if what == "reminders"
              else "export.forwarded" if what == "forwarded" else "export.audit" if what == "audit"
              else "export.dossier")
    audit.record(actor, action, object_type, object_id, None, {"rows": rows} if rows is not None else None)
