"""The audit log as an XLSX workbook, built from plain rows (text already in words)."""
from __future__ import annotations

from copy import copy
from dataclasses import dataclass
from typing import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from contest.xlsx import workbook_bytes

AUDIT_HEADERS = ("Mã bản ghi", "Thời điểm (giờ Việt Nam)", "Người thực hiện", "Thao tác", "Loại đối tượng",
                 "Đối tượng", "Nội dung thay đổi")
AUDIT_WIDTHS = (10, 18, 26, 32, 22, 44, 90)


@dataclass(frozen=True)
class AuditRow:
    """One record as the export writes it."""

    id: int
    at: str
    actor: str
    action: str
    kind: str
    object: str
    details: str


def audit_workbook(heading: str, rows: Sequence[AuditRow]) -> bytes:
    """One sheet: a heading line (whose log, which filter), the column names, one line per record."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Nhật ký thao tác"
    ws.append([heading])
    ws["A1"].font = Font(bold=True)
    ws.append(list(AUDIT_HEADERS))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([r.id, r.at, r.actor, r.action, r.kind, r.object, r.details])
    # Every cell top-aligned and wrapped: styled once, then the style copied (setting a style on
    # each of 100,000 cells one by one is most of an export's time).
    styled = None
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            if styled is None:
                cell.alignment = Alignment(vertical="top", wrap_text=True)
                styled = cell
            else:
                cell._style = copy(styled._style)
    for index, width in enumerate(AUDIT_WIDTHS):
        ws.column_dimensions["ABCDEFG"[index]].width = width
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:G{max(ws.max_row, 2)}"
    return workbook_bytes(wb)
