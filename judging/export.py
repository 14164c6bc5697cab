"""The XLSX of the entries forwarded to the town council, built from plain rows."""
from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

FORWARD_TITLE = "DANH SÁCH SÁNG KIẾN ĐỀ NGHỊ HỘI ĐỒNG THỊ XÃ XEM XÉT, CÔNG NHẬN"
FORWARD_HEADERS = (
    "STT",
    "Tên sáng kiến",
    "Tác giả/Tập thể",
    "Đơn vị",
    "Lĩnh vực",
    "Điểm trung bình",
    "Xếp hạng",
    "Giải",
)
WIDTHS = (6, 50, 28, 28, 22, 14, 10, 20)
HEADER_ROW = 4


@dataclass(frozen=True)
class ForwardedRow:
    """One forwarded entry as the council's list shows it."""

    title: str
    authors: str
    unit: str
    field: str
    mean_total: float
    rank: int
    prize_label: str


def forwarded_workbook(contest_title: str, rows: Sequence[ForwardedRow]) -> Workbook:
    """A one-sheet workbook: the title, the contest, then one numbered line per entry."""
    wb = Workbook()
    ws = wb.active
    ws.title = "De nghi thi xa"
    last_col = get_column_letter(len(FORWARD_HEADERS))
    ws["A1"] = FORWARD_TITLE
    ws["A2"] = contest_title
    for row, size in ((1, 13), (2, 12)):
        ws.merge_cells(f"A{row}:{last_col}{row}")
        cell = ws[f"A{row}"]
        cell.font = Font(bold=True, size=size)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, (header, width) in enumerate(zip(FORWARD_HEADERS, WIDTHS), start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        ws.column_dimensions[get_column_letter(col)].width = width
    for number, item in enumerate(rows, start=1):
        values = (number, item.title, item.authors, item.unit, item.field, item.mean_total, item.rank, item.prize_label)
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=HEADER_ROW + number, column=col, value=value)
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        ws.cell(row=HEADER_ROW + number, column=6).number_format = "0.00"
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook saved to bytes, ready to send."""
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
