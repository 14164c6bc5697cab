"""What thin views share: run one verb function and commit, or roll back and say why."""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Callable, Generic, Optional, TypeVar

from flask import Response, flash, request, send_file
from flask_login import current_user

from contest.audit.operations import record_export
from contest.db import db, write_transaction
from contest.errors import OperationError
from contest.forms import attach_error, clean_text
from contest.uploads import XLSX

T = TypeVar("T")


@dataclass
class Outcome(Generic[T]):
    """What a request's change came to: done (with what the verb returned), or refused."""

    ok: bool
    result: Optional[T] = None
    error: Optional[OperationError] = None


def change(action: Callable[[], T], *forms: Any, refused: Optional[str] = None) -> Outcome[T]:
    """The request's one change, and the only place a view commits or rolls back: run the verb
    function (which writes its own audit record) and commit; or roll back and show its refusal
    beside the field of each form given, and as a flashed message of kind `refused` (by default
    only when no form shows it)."""
    try:
        result = action()
    except OperationError as error:
        db.session.rollback()
        for form in forms:
            attach_error(form, error)
        if refused or not forms:
            flash(error.message, refused or "danger")
        return Outcome(False, error=error)
    db.session.commit()
    return Outcome(True, result)


def perform(action: Callable[[], Any], success: str) -> bool:
    """Run a verb function as the request's change; flash `success` when it is done."""
    done = change(action).ok
    if done:
        flash(success, "success")
    return done


PAGE_SIZE = 50


def page_window(total: int, size: int = PAGE_SIZE) -> tuple[int, int, int]:
    """(page, pages, offset) for the `page` asked in the query string, kept within 1..pages."""
    pages = max((total + size - 1) // size, 1)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    return page, pages, (page - 1) * size


def query_id(name: str) -> Optional[int]:
    """A row id in the query string, or None for anything that cannot be one (text, 0, beyond 64 bits)."""
    value = request.args.get(name, type=int)
    return value if value is not None and 0 < value < 2**63 else None


def query_text(name: str, limit: int) -> str:
    """A text parameter of the query string (a search box), cleaned as form text is and cut to `limit`."""
    return str(clean_text(request.args.get(name, ""))).strip()[:limit]


def xlsx_download(data: bytes, filename: str, what: str, object_type: str, object_id: Optional[int],
                  rows: int) -> Response:
    """A workbook sent as an attachment named `filename`, its export audited (`what`, of which object)."""
    

    audit_read(lambda: record_export(current_user, what, object_type, object_id, rows))
    return send_file(io.BytesIO(data), as_attachment=True, download_name=filename, mimetype=XLSX[1])


def audit_read(record: Callable[[], Any]) -> None:
    """Write the audit record of a request that otherwise only reads (a sign-in, an export).

    The request's read transaction ends first and the record goes in a short transaction of its
    own that takes the write lock at its start: a read transaction on SQLite may not be upgraded
    to a write while another request writes, and a sign-in must not hold the lock through its
    password check.
    """
    db.session.commit()
    with write_transaction():
        record()
        db.session.commit()
