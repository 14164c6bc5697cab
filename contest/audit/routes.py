"""The audit log (Nhật ký) in words: filtered, paged by id, exported to XLSX."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from contest import policy
from contest.accounts.models import Organisation
from contest.audit import queries
from contest.audit.export import AuditRow, audit_workbook
from contest.audit.forms import AuditFilterForm
from contest.audit.labels import AUDIT_ACTIONS, AUDIT_OBJECTS
from contest.audit.models import AuditLog
from contest.audit.readable import Change, Line, Name, Ref, Translate, changes, plain, refs_in
from contest.timeutil import format_datetime, format_number
from contest.views import PAGE_SIZE, query_id, xlsx_download

bp = Blueprint("audit", __name__)

# The filters a page link carries on (paging, export, the object's own log).
FILTER_ARGS = ("actor", "object_type", "object_id", "action", "date_from", "date_to")
# An export beyond this many records is refused: a narrower date range makes one that opens quickly.
MAX_EXPORT_ROWS = 20_000
# The page counts the matching records up to this many, then says "more than".
COUNT_LIMIT = 10_000

Link = tuple[str, Optional[str]]  # text, and the page it links to


@dataclass
class Row:
    """One record as the page shows it."""

    record: AuditLog
    actor: Link
    action: str
    kind: str
    object: Optional[Link]
    object_filter: Optional[dict]  # the query string of this object's own log
    changes: list[tuple[str, list[list[Link]], list[list[Link]]]]  # label, before lines, after lines


def _scope() -> Organisation:
    organisation = policy.audit_scope(current_user)
    if organisation is None:
        abort(403)
    return organisation


def _translator() -> Translate:
    """gettext for one request, each label translated once: a page of records (or an export of
    thousands) asks for the same few hundreds of times."""
    cache: dict[Any, str] = {}

    def tr(text: Any, **values: Any) -> str:
        if not text:
            return ""
        key = text if isinstance(text, str) else id(text)  # a lazy label hashes by translating itself
        if key not in cache:
            cache[key] = gettext(str(text))
        return cache[key] % values if values else cache[key]  # as gettext fills in its values

    return tr


def _link(name: Name) -> Link:
    return name.text, url_for(name.endpoint, **dict(name.args)) if name.endpoint else None


def _described(organisation: Organisation, records: list[AuditLog], tr: Translate) -> tuple[dict, dict[Ref, Name]]:
    """Each record's changes in words, and the names of every object and person they mention."""
    found = {r.id: changes(r.action, r.object_type, r.before, r.after, tr) for r in records}
    refs = {ref for c in found.values() for ref in refs_in(c)}
    refs |= {ref for r in records if (ref := queries.object_ref(r)) is not None}
    refs |= {Ref("user", r.actor_id) for r in records if r.actor_id is not None}
    return found, queries.names(organisation, refs, tr)


def _object_name(record: AuditLog, names: dict[Ref, Name], tr: Translate) -> Optional[Name]:
    """The record's object by name; one since deleted by the title the record itself kept, if any."""
    ref = queries.object_ref(record)
    if ref is None:
        return None
    name = names.get(ref) or Name(f"{tr(AUDIT_OBJECTS.get(ref.kind, ref.kind))} #{ref.id}")
    if name.gone:
        kept = next((side.get(k) for side in (record.after or {}, record.before or {}) for k in ("title", "name")
                     if isinstance(side.get(k), str) and side.get(k)), None)
        if kept:
            return Name(f"{kept} {tr(queries.GONE)}", gone=True)
    return name


def _actor(record: AuditLog, names: dict[Ref, Name]) -> Name:
    if record.actor_id is None:
        return Name(gettext("Hệ thống"))
    return names.get(Ref("user", record.actor_id)) or Name(f"#{record.actor_id}")


def _lines(lines: tuple[Line, ...], names: dict[Ref, Name]) -> list[list[Link]]:
    return [[_link(names[p]) if isinstance(p, Ref) and p in names else
             (f"#{p.id}", None) if isinstance(p, Ref) else (p, None) for p in line] for line in lines]


def _rows(organisation: Organisation, records: list[AuditLog], tr: Translate) -> list[Row]:
    found, names = _described(organisation, records, tr)
    rows = []
    for r in records:
        obj = _object_name(r, names, tr)
        rows.append(Row(
            record=r, actor=_link(_actor(r, names)),
            action=tr(AUDIT_ACTIONS.get(r.action, r.action)), kind=tr(AUDIT_OBJECTS.get(r.object_type, r.object_type)),
            object=_link(obj) if obj else None,
            object_filter={"object_type": r.object_type, "object_id": r.object_id} if r.object_id is not None else None,
            changes=[(c.label, _lines(c.before, names), _lines(c.after, names)) for c in found[r.id]],
        ))
    return rows


def _filter_args() -> dict[str, str]:
    return {k: request.args[k] for k in FILTER_ARGS if request.args.get(k)}


@bp.route("/audit")
@login_required
def log() -> Any:
    """The audit log, newest first, filtered, a page at a time (by id, so a deep page is as fast as the first)."""
    organisation, tr = _scope(), _translator()
    form = AuditFilterForm(organisation, formdata=request.args)
    if not form.validate():
        return render_template("audit/log.html", form=form, rows=[], total=None, page=None, filters=_filter_args(),
                               focus=None), 400
    wanted = form.wanted()
    query = queries.audit_newest_first(organisation, wanted)
    page = queries.audit_page(query, PAGE_SIZE, before=query_id("before"), after=query_id("after"))
    focus = None
    if wanted.object_type and wanted.object_id is not None:  # reached from an object's page: name it
        ref = Ref(wanted.object_type, wanted.object_id)
        name = queries.names(organisation, [ref], tr).get(ref) or Name(f"#{ref.id}")
        focus = {"kind": tr(AUDIT_OBJECTS.get(ref.kind, ref.kind)), "name": _link(name)}
    return render_template("audit/log.html", form=form, rows=_rows(organisation, page.records, tr), page=page,
                           total=queries.count_up_to(query, COUNT_LIMIT + 1), limit=COUNT_LIMIT,
                           filters=_filter_args(), focus=focus)


@bp.route("/audit/export.xlsx")
@login_required
def export() -> Any:
    """The filtered log as an Excel file, in words, newest first; the export itself is audited."""
    organisation, tr = _scope(), _translator()
    form = AuditFilterForm(organisation, formdata=request.args)
    if not form.validate():
        return redirect(url_for("audit.log", **_filter_args()))
    query = queries.audit_newest_first(organisation, form.wanted())
    total = queries.count_up_to(query, MAX_EXPORT_ROWS + 1)
    if total > MAX_EXPORT_ROWS:
        flash(gettext("Bộ lọc khớp hơn %(limit)s bản ghi, nhiều hơn một tệp xuất được: hãy chọn khoảng ngày ngắn "
                      "hơn rồi xuất lại.", limit=format_number(MAX_EXPORT_ROWS)), "warning")
        return redirect(url_for("audit.log", **_filter_args()))
    rows: list[AuditRow] = []
    records = queries.all_records(query)
    for start in range(0, len(records), 1000):
        batch = records[start:start + 1000]
        found, names = _described(organisation, batch, tr)
        for r in batch:
            obj = _object_name(r, names, tr)
            rows.append(AuditRow(
                id=r.id, at=format_datetime(r.at), actor=_actor(r, names).text,
                action=tr(AUDIT_ACTIONS.get(r.action, r.action)),
                kind=tr(AUDIT_OBJECTS.get(r.object_type, r.object_type)), object=obj.text if obj else "",
                details="\n".join(_change_text(c, names) for c in found[r.id])))
    heading = gettext("Nhật ký thao tác của %(organisation)s — %(count)s bản ghi, mới nhất trước",
                      organisation=organisation.name, count=len(rows))
    return xlsx_download(audit_workbook(heading, rows), "nhat-ky-thao-tac.xlsx", "audit", "audit", None, len(rows))


def _change_text(change: Change, names: dict[Ref, Name]) -> str:
    """One change on one line of the export's cell: "label: before → after" (or only what it holds)."""
    before, after = plain(change.before, names).replace("\n", "; "), plain(change.after, names).replace("\n", "; ")
    if change.before and change.after:
        return f"{change.label}: {before} → {after}"
    return f"{change.label}: {after or before}"

