"""The XLSX workbooks, built from plain rows: forwarded entries, the scores table, the judges to remind."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

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
    ws.title = "Đề nghị thị xã"
    border = _header_block(ws, FORWARD_TITLE, contest_title, FORWARD_HEADERS, WIDTHS, HEADER_ROW)
    _numbered_rows(ws, border, [(i.title, i.authors, i.unit, i.field, i.mean_total, i.rank, i.prize_label) for i in rows])
    for number in range(1, len(rows) + 1):
        ws.cell(row=HEADER_ROW + number, column=6).number_format = "0.00"
    return wb


REMIND_TITLE = "DANH SÁCH GIÁM KHẢO CHƯA NỘP ĐỦ PHIẾU CHẤM"
REMIND_HEADERS = ("STT", "Giám khảo", "Chức vụ", "Đơn vị", "Bản nháp", "Chưa chấm", "Sáng kiến chưa nộp phiếu",
                  "Nhắc lần gần nhất")
REMIND_WIDTHS = (6, 26, 22, 26, 10, 10, 60, 20)


@dataclass(frozen=True)
class ReminderRow:
    """One judge with sheets still to submit, as the secretariat's list to remind them shows it."""

    judge: str
    position: str
    unit: str
    drafts: int
    not_started: int
    entries: Sequence[str]
    last_reminded: str


def reminder_workbook(contest_line: str, rows: Sequence[ReminderRow]) -> Workbook:
    """A one-sheet workbook of the judges to remind: one numbered line per judge, their unsubmitted entries listed."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Nhắc giám khảo"
    border = _header_block(ws, REMIND_TITLE, contest_line, REMIND_HEADERS, REMIND_WIDTHS, HEADER_ROW)
    _numbered_rows(ws, border, [(r.judge, r.position, r.unit, r.drafts, r.not_started, "\n".join(r.entries),
                                 r.last_reminded) for r in rows])
    return wb


def _numbered_rows(ws, border: Border, rows: Sequence[Sequence[object]]) -> None:  # type: ignore[no-untyped-def]
    """Under the header block: one bordered, top-aligned line per row, numbered from 1 in the first column."""
    for number, values in enumerate(rows, start=1):
        for col, value in enumerate((number, *values), start=1):
            cell = ws.cell(row=HEADER_ROW + number, column=col, value=value)
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=True)


# The dossier's scores table: one line per submitted sheet, and the ranking summary.
SCORES_TITLE = "BẢNG TỔNG HỢP ĐIỂM CHẤM SÁNG KIẾN, GIẢI PHÁP"
SUMMARY_TITLE = "BẢNG TỔNG HỢP KẾT QUẢ XẾP HẠNG"


@dataclass(frozen=True)
class SheetLine:
    """One judge's submitted sheet: points per criterion code and the sheet's total."""

    judge: str
    points: dict[str, float]
    total: float


@dataclass(frozen=True)
class ScoredEntry:
    """An entry of the standings with its submitted sheets."""

    rank: int
    title: str
    authors: str
    kind: str
    unit: str
    field: str
    mean_total: float
    criterion_means: dict[str, float]
    prize_label: str
    recognised: bool
    forwarded: bool
    sheets: tuple[SheetLine, ...]


@dataclass(frozen=True)
class Frame:
    """What makes a table a document the administration files: who issues it, the motto, who signs."""

    issuer: tuple[str, str]  # ("UBND PHƯỜNG …", "BAN GIÁM KHẢO CUỘC THI"), top left of each printed page
    motto: tuple[str, str]  # the national motto and its subtitle, top right
    date_line: str  # "Trung Lương, ngày 05 tháng 11 năm 2024"
    signers: tuple[tuple[str, str], ...]  # (title, name) from left to right: who made the table, who approves


def _frame(ws, frame: Frame, width: int) -> None:  # type: ignore[no-untyped-def]
    """The issuer and the motto in the printed page header; the date and the signatures below the table."""
    for part, lines in ((ws.oddHeader.left, frame.issuer), (ws.oddHeader.right, frame.motto)):
        part.text, part.font, part.size = "\n".join(lines), "Times New Roman,Bold", 11
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    row = ws.max_row + 2
    half = max(width // 2, 1)
    spans = [(1, half), (half + 1, width)] if len(frame.signers) > 1 else [(1, width)]
    right = spans[-1]
    _merged(ws, row, right, frame.date_line, Font(italic=True))
    for (title, name), (first, last) in zip(frame.signers, spans):
        _merged(ws, row + 1, (first, last), title, Font(bold=True))
        _merged(ws, row + 5, (first, last), name, Font(bold=True))


def _merged(ws, row: int, span: tuple[int, int], text: str, font: Font) -> None:  # type: ignore[no-untyped-def]
    """`text` centred across columns span[0]..span[1] of `row`."""
    first, last = span
    cell = ws.cell(row=row, column=first, value=text)
    cell.font, cell.alignment = font, Alignment(horizontal="center")
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def _header_block(ws, title: str, subtitle: str, headers: Sequence[str], widths: Sequence[int], row: int) -> Border:  # type: ignore[no-untyped-def]
    """Title lines merged across the table, then bold bordered headers at `row`."""
    last_col = get_column_letter(len(headers))
    for line, (text, size) in enumerate(((title, 13), (subtitle, 12)), start=1):
        ws.cell(row=line, column=1, value=text)
        ws.merge_cells(f"A{line}:{last_col}{line}")
        ws.cell(row=line, column=1).font = Font(bold=True, size=size)
        ws.cell(row=line, column=1).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, (header, width) in enumerate(zip(headers, widths), start=1):
        cell = ws.cell(row=row, column=col, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    return border


def _standing(entry: ScoredEntry) -> tuple[Optional[float], Optional[int], str]:
    """Mean, rank and prize cells; an entry nobody scored has none, as the standings page shows it."""
    if not entry.sheets:
        return None, None, "Chưa chấm"
    return entry.mean_total, entry.rank, entry.prize_label


def scores_workbook(
    contest_title: str, criteria: Sequence[tuple[str, str, float]], entries: Sequence[ScoredEntry],
    frame: Optional[Frame] = None,
) -> Workbook:
    """Sheet 1: per entry, per judge, per criterion, each sheet's total, the mean, rank, prize.

    Sheet 2: the ranking summary (criterion means, mean total, rank, prize, recognised,
    forwarded). `criteria` are (code, name, max points) in rubric order. The entry columns
    are merged over the entry's sheet lines, as the printed tables have them. With a `frame`,
    both sheets print with the issuer and the motto and end with the date and signatures.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "Bảng điểm chi tiết"
    crit_headers = [f"{name} (tối đa {max_points:g})" for _, name, max_points in criteria]
    headers = ["STT", "Tên sáng kiến", "Tác giả/Tập thể", "Đơn vị", "Giám khảo", *crit_headers,
               "Tổng điểm phiếu", "Điểm trung bình", "Xếp hạng", "Giải"]
    widths = [6, 44, 26, 26, 24, *[14] * len(criteria), 12, 12, 9, 18]
    border = _header_block(ws, SCORES_TITLE, contest_title, headers, widths, HEADER_ROW)
    n = len(criteria)
    entry_cols = {1, 2, 3, 4, 6 + n + 1, 6 + n + 2, 6 + n + 3}
    row = HEADER_ROW + 1
    for number, entry in enumerate(entries, start=1):
        lines = entry.sheets or (SheetLine("", {}, 0.0),)
        first = row
        for line in lines:
            values = [number, entry.title, entry.authors, entry.unit, line.judge,
                      *[line.points.get(code) for code, _, _ in criteria],
                      line.total if line.judge else None, *_standing(entry)]
            for col, value in enumerate(values, start=1):
                cell = ws.cell(row=row, column=col, value=value if (row == first or col not in entry_cols) else None)
                cell.border = border
                cell.alignment = Alignment(vertical="top", wrap_text=True)
            ws.cell(row=row, column=6 + n + 1).number_format = "0.00"
            row += 1
        if row - first > 1:
            for col in entry_cols:
                letter = get_column_letter(col)
                ws.merge_cells(f"{letter}{first}:{letter}{row - 1}")

    summary = wb.create_sheet("Tổng hợp xếp hạng")
    headers = ["STT", "Tên sáng kiến", "Tác giả/Tập thể", "Cá nhân/Tập thể", "Đơn vị", "Lĩnh vực",
               *[f"TB {name}" for _, name, _ in criteria], "Số phiếu", "Điểm trung bình", "Xếp hạng", "Giải",
               "Được công nhận", "Đề nghị thị xã"]
    widths = [6, 44, 26, 12, 26, 20, *[12] * len(criteria), 8, 12, 9, 18, 11, 11]
    border = _header_block(summary, SUMMARY_TITLE, contest_title, headers, widths, HEADER_ROW)
    for number, entry in enumerate(entries, start=1):
        values = [number, entry.title, entry.authors, entry.kind, entry.unit, entry.field,
                  *[entry.criterion_means.get(code) for code, _, _ in criteria], len(entry.sheets),
                  *_standing(entry),
                  "Có" if entry.recognised else "Không", "Có" if entry.forwarded else "Không"]
        for col, value in enumerate(values, start=1):
            cell = summary.cell(row=HEADER_ROW + number, column=col, value=value)
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        summary.cell(row=HEADER_ROW + number, column=6 + n + 2).number_format = "0.00"
    if frame is not None:
        for sheet in (ws, summary):
            _frame(sheet, frame, sheet.max_column)
    return wb
