"""The dossier for the town council: scores table, minutes, cover submission, certificates.

The documents are built by pure functions from a `DossierData` (plain dataclasses in, bytes
out); `gather_dossier` is the one place that reads the database. The layout follows the
administrative document rules of Nghị định 30/2020/NĐ-CP: issuing body top left, national
motto top right, number and place/date line, title, body, "Nơi nhận" and signature block.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Callable, Optional, Sequence

import segno
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from flask_babel import force_locale
from fpdf import FPDF
from sqlalchemy import select

from contest.accounts.models import ADMIN, SECRETARY, User
from contest.accounts.queries import members_with_role
from contest.audit.models import AuditLog
from contest.contests.models import Contest
from contest.db import db
from contest.timeutil import format_number, to_local
from contest.xlsx import workbook_bytes
from judging import export, queries
from judging.models import PanelVote
from judging.operations import COUNCIL, forwarding_council
from judging.ranking import PRIZE_LABELS, sheet_total

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_SUB = "Độc lập - Tự do - Hạnh phúc"
FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
DOC_FONT = "Times New Roman"  # the font NĐ 30 prescribes; Word has it, LibreOffice substitutes a metric twin
CODE_LENGTH = 16


@dataclass(frozen=True)
class Member:
    """A person named in the documents."""

    name: str
    position: str = ""


@dataclass(frozen=True)
class DossierEntry(export.ScoredEntry):
    """An entry of the standings, with what its certificate needs."""

    entry_id: int = 0
    prize: Optional[str] = None
    certificate_code: str = ""
    verify_url: str = ""
    votes: tuple[tuple[str, bool], ...] = ()  # (member, in favour) recorded at the closing meeting


@dataclass(frozen=True)
class DossierData:
    """Everything the dossier's documents say, read from the database once."""

    contest_id: int
    contest_title: str
    year: int
    threshold: float
    max_total: float
    criteria: tuple[tuple[str, str, float], ...]
    place: str  # the date line's place: "Trung Lương"
    authority: str  # the issuing body as its documents head it: "UBND PHƯỜNG TRUNG LƯƠNG"
    seat: str  # where the panel met: "Ủy ban nhân dân phường Trung Lương"
    judges: tuple[Member, ...]
    chair: Member
    secretary: Member
    organiser: Member
    entries: tuple[DossierEntry, ...]
    issued_on: date
    meeting_at: datetime  # local time of the closing of judging
    submitted_count: int = 0
    council: str = COUNCIL  # where the forwarded entries go
    trimmed: bool = False  # the contest drops each entry's highest and lowest sheet (5 or more)
    vote_share: Optional[float] = None  # percent of the panel in favour, under the vote rule
    recognition: str = ""  # "cấp thị xã": a town council's round recognises initiatives at its level
    required: int = 0  # the fewest sheets an entry should have been ranked on
    short: tuple[tuple[str, int, str, str], ...] = ()  # (title, sheets, why fewer, the chair's reason) per entry below it
    organisation: str = ""  # who writes the documents (their author in Word's properties), "" = `seat`

    @property
    def winners(self) -> list[DossierEntry]:
        return [e for e in self.entries if e.prize]

    @property
    def forwarded(self) -> list[DossierEntry]:
        return [e for e in self.entries if e.forwarded]


def contest_name(title: str) -> str:
    """“Cuộc thi …” once: titles that already start with it are left as they are."""
    return title if title.lower().startswith("cuộc thi") else f"Cuộc thi {title}"


def heading_name(authority: str) -> str:
    """The issuing body as a document's heading writes it: "Ủy ban nhân dân phường X" → "UBND PHƯỜNG X"."""
    return re.sub(r"^(?:ủy|uỷ) ban nhân dân\b", "UBND", authority.strip(), flags=re.IGNORECASE).upper()


def certificate_code(secret: str | bytes, contest_id: int, entry_id: int) -> str:
    """The unguessable code of a certificate: an HMAC of contest and entry, 16 hex digits."""
    key = secret.encode() if isinstance(secret, str) else secret
    message = f"certificate:{contest_id}:{entry_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:CODE_LENGTH]


def date_line(place: str, day: date) -> str:
    """"Trung Lương, ngày 05 tháng 02 năm 2025": a zero before days under 10 and months 1-2 (NĐ 30)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def points(value: float) -> str:
    """A score as Vietnamese write it: 75,5."""
    return format_number(float(value))


def qr_code(url: str) -> segno.QRCode:
    """The QR code of a verification URL (one encoder for the certificate and its check)."""
    return segno.make(url, error="m", micro=False)


# --- Word documents -----------------------------------------------------------------

def _new_document(data: DossierData, title: str) -> Document:
    """An A4 document with NĐ 30 margins and Times New Roman 13, its properties (File → Info in
    Word) naming the organisation as author and the document's title, never "python-docx"."""
    doc = Document()
    properties = doc.core_properties
    properties.author = properties.last_modified_by = data.organisation or data.seat
    properties.title, properties.subject = title, contest_name(data.contest_title)
    properties.comments = properties.keywords = properties.category = ""
    properties.language = "vi-VN"
    properties.created = properties.modified = datetime(data.issued_on.year, data.issued_on.month, data.issued_on.day)
    properties.revision = 1
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = DOC_FONT, Pt(13)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), DOC_FONT)
    style.paragraph_format.space_after = Pt(3)
    return doc


def _para(container, text: str = "", bold: bool = False, italic: bool = False, size: float = 13,  # type: ignore[no-untyped-def]
          align: Optional[WD_ALIGN_PARAGRAPH] = None, indent: bool = False, after: float = 3):
    """A paragraph with one run; `indent` gives the first-line indent of body text."""
    p = container.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(after)
    p.paragraph_format.space_before = Pt(0)
    if indent:
        p.paragraph_format.first_line_indent = Mm(10)
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    return p


def _rule(cell, width_mm: float, cell_mm: float) -> None:  # type: ignore[no-untyped-def]
    """A centred solid line under a heading, as long as `width_mm` (a bottom border of an empty paragraph)."""
    p = _para(cell, size=2, align=WD_ALIGN_PARAGRAPH.CENTER, after=4)
    side = Mm(max((cell_mm - width_mm) / 2, 0))
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = side
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    p._p.get_or_add_pPr().append(borders)


def _no_borders(table) -> None:  # type: ignore[no-untyped-def]
    """A layout table prints without lines."""
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _layout_table(doc, widths: Sequence[float]):  # type: ignore[no-untyped-def]
    """A borderless one-row table of the given column widths (mm), for headers and signatures."""
    table = doc.add_table(rows=1, cols=len(widths))
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    for column, width in zip(table.columns, widths):
        column.width = Mm(width)  # the grid, which LibreOffice reads; Word reads the cells'
    for cell, width in zip(table.rows[0].cells, widths):
        cell.width = Mm(width)
        cell.paragraphs[0].paragraph_format.space_after = Pt(0)
    return table.rows[0].cells


def _header(doc, data: DossierData, issuer: str, number: str) -> None:  # type: ignore[no-untyped-def]
    """Issuing body and number on the left; the national motto and the place/date on the right."""
    left, right = _layout_table(doc, (68, 100))
    C = WD_ALIGN_PARAGRAPH.CENTER
    left.paragraphs[0].add_run(data.authority).font.size = Pt(12)
    left.paragraphs[0].alignment = C
    _para(left, issuer, bold=True, size=12, align=C, after=0)
    _rule(left, 22, 68)
    _para(left, f"Số: …/{number}", size=13, align=C)
    run = right.paragraphs[0].add_run(MOTTO)
    run.bold, run.font.size = True, Pt(12)
    right.paragraphs[0].alignment = C
    _para(right, MOTTO_SUB, bold=True, size=13, align=C, after=0)
    _rule(right, 60, 100)
    _para(right, date_line(data.place, data.issued_on), italic=True, size=13, align=C)


def _signatures(doc, left: tuple[str, str, str], right: tuple[str, str, str]) -> None:  # type: ignore[no-untyped-def]
    """Two signature blocks: (authority line, title, name) each, with room to sign."""
    cells = _layout_table(doc, (82, 83))
    for cell, (authority, title, name) in zip(cells, (left, right)):
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if authority:
            p.add_run(authority).bold = True
            _para(cell, title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
        else:
            p.add_run(title).bold = True
        for _ in range(4):
            _para(cell, after=0)
        _para(cell, name, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)


def _grid(doc, headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],  # type: ignore[no-untyped-def]
          centred: frozenset[int] = frozenset({0})) -> None:
    """A bordered table with bold centred headers, 12 pt; the `centred` columns are centred too."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = Mm(width)
    for values, is_header in [(headers, True), *[(r, False) for r in rows]]:
        cells = table.rows[0].cells if is_header else table.add_row().cells
        for column, (cell, value, width) in enumerate(zip(cells, values, widths)):
            cell.width = Mm(width)
            p = cell.paragraphs[0]
            run = p.add_run(str(value))
            run.bold, run.font.size = is_header, Pt(12)
            p.paragraph_format.space_after = Pt(0)
            if is_header or column in centred:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _docx_bytes(doc) -> bytes:  # type: ignore[no-untyped-def]
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _title(doc, heading: str, subject: str) -> None:  # type: ignore[no-untyped-def]
    """The document's kind in capitals and its subject in bold below."""
    _para(doc, after=0)
    _para(doc, heading, bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _para(doc, subject, bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)


def _outcome(entry: DossierEntry) -> str:
    """The result column of the minutes: the prize, or why there is none."""
    if not entry.sheets:
        return "Chưa có phiếu chấm"
    return entry.prize_label or ("Được công nhận" if entry.recognised else "Chưa đạt")


def _entry_list(entries: Sequence[DossierEntry]) -> str:
    return "; ".join(f"“{e.title}” ({e.authors}, {e.prize_label or 'được công nhận'})" for e in entries)


def _aggregate_words(data: DossierData) -> str:
    """How an entry's score was computed, as the minutes say it."""
    if data.trimmed:
        return ("trung bình cộng các phiếu chấm, bỏ phiếu cao nhất và phiếu thấp nhất khi sáng kiến có từ 5 phiếu "
                "trở lên")
    return "trung bình cộng các phiếu chấm"


def minutes_docx(data: DossierData) -> bytes:
    """Biên bản họp Ban giám khảo: time and place, members, entries judged, results, conclusion."""
    doc = _new_document(data, f"Biên bản họp Ban giám khảo {contest_name(data.contest_title)}")
    _header(doc, data, "BAN GIÁM KHẢO CUỘC THI", "BB-BGK")
    _title(doc, "BIÊN BẢN", f"Họp Ban giám khảo {contest_name(data.contest_title)}")
    at = data.meeting_at
    _para(doc, f"Thời gian: {at.hour:02d} giờ {at.minute:02d}, {date_line('', at.date())[2:]}.", indent=True)
    _para(doc, f"Địa điểm: Trụ sở {data.seat}.", indent=True)
    _para(doc, "I. THÀNH PHẦN", bold=True)
    _para(doc, f"Ban giám khảo gồm {len(data.judges)} thành viên:", indent=True)
    for number, judge in enumerate(data.judges, start=1):
        _para(doc, f"{number}. {judge.name}{', ' + judge.position if judge.position else ''}.", indent=True)
    _para(doc, f"Thư ký: {data.secretary.name or '………'}{', ' + data.secretary.position if data.secretary.position else ''}.", indent=True)
    _para(doc, f"Chủ trì: {data.chair.name}, Trưởng Ban giám khảo.", indent=True)
    _para(doc, "II. NỘI DUNG", bold=True)
    judged = [e for e in data.entries if e.sheets]
    sheets = sum(len(e.sheets) for e in data.entries)
    _para(doc, f"1. Cuộc thi nhận được {data.submitted_count} sáng kiến, giải pháp hợp lệ; Ban giám khảo đã chấm "
               f"{len(judged)} sáng kiến với {sheets} phiếu chấm đã nộp, theo thang điểm {points(data.max_total)} "
               f"(điểm của mỗi sáng kiến là {_aggregate_words(data)}; ngưỡng công nhận {points(data.threshold)} điểm).",
          indent=True)
    _para(doc, "2. Kết quả chấm điểm, xếp hạng:", indent=True)
    _grid(doc, ("Hạng", "Tên sáng kiến, giải pháp", "Tác giả/Tập thể", "Điểm TB", "Kết quả"),
          [(e.rank if e.sheets else "—", e.title, e.authors, points(e.mean_total) if e.sheets else "—", _outcome(e))
           for e in data.entries],
          (15, 66, 38, 17, 29), frozenset({0, 3, 4}))
    if data.vote_share is not None:
        _para(doc, f"3. Biểu quyết công nhận (cần ít nhất {points(data.vote_share)}% thành viên Ban giám khảo tán thành):",
              indent=True)
        for e in data.entries:
            if e.votes:
                favour = [name for name, yes in e.votes if yes]
                against = [name for name, yes in e.votes if not yes]
                _para(doc, f"- “{e.title}”: tán thành {len(favour)}/{len(data.judges)}"
                           f" ({', '.join(favour) or 'không có'}); không tán thành: {', '.join(against) or 'không có'}.",
                      indent=True)
    if data.short:
        _para(doc, f"{4 if data.vote_share is not None else 3}. Sáng kiến được chấm bởi ít hơn {data.required} "
                   "giám khảo:", indent=True)
        for title, have, why, waiver in data.short:
            accepted = f"; Trưởng Ban giám khảo chấp nhận xếp hạng, lý do: {waiver.rstrip('. ')}" if waiver else ""
            _para(doc, f"- “{title}”: {have}/{data.required} phiếu chấm ({why}){accepted}.", indent=True)
    _para(doc, after=0)
    _para(doc, "III. KẾT LUẬN", bold=True)
    recognised = [e for e in data.entries if e.recognised]
    condition = f"đạt từ {points(data.threshold)} điểm trở lên"
    if data.vote_share is not None:
        condition += " và được Ban giám khảo biểu quyết tán thành"
    _para(doc, f"1. Công nhận {len(recognised)} sáng kiến, giải pháp {condition}"
               + ("; trao giải như sau:" if data.winners else "."), indent=True)
    for label in PRIZE_LABELS.values():
        won = [e for e in data.winners if e.prize_label == label]
        if won:
            _para(doc, f"- {label}: {'; '.join(f'“{e.title}” ({e.authors})' for e in won)}.", indent=True)
    unplaced = [e for e in recognised if not e.prize]
    if unplaced:
        _para(doc, f"- Được công nhận, không xếp giải: {'; '.join(f'“{e.title}” ({e.authors})' for e in unplaced)}.", indent=True)
    forwarded = data.forwarded
    _para(doc, f"2. Đề nghị {data.council} xem xét, công nhận {len(forwarded)} sáng kiến, giải pháp"
               + (f": {_entry_list(forwarded)}." if forwarded else "."), indent=True)
    _para(doc, "Cuộc họp kết thúc cùng ngày; biên bản đã được thông qua trước các thành viên dự họp và "
               "thống nhất nội dung như trên./.", indent=True)
    _para(doc, after=0)
    _signatures(doc, ("", "THƯ KÝ", data.secretary.name), ("", "TRƯỞNG BAN GIÁM KHẢO", data.chair.name))
    return _docx_bytes(doc)


def submission_docx(data: DossierData) -> bytes:
    """Tờ trình: the request to the town council to consider and recognise the forwarded entries."""
    doc = _new_document(data, f"Tờ trình đề nghị công nhận sáng kiến, giải pháp năm {data.year}")
    _header(doc, data, "BAN TỔ CHỨC CUỘC THI", "TTr-BTC")
    _title(doc, "TỜ TRÌNH", f"Về việc đề nghị xem xét, công nhận sáng kiến, giải pháp cải cách hành chính năm {data.year}")
    p = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, after=10)
    p.add_run("Kính gửi: ").font.size = Pt(14)
    p.add_run(data.council[0].upper() + data.council[1:] + ".").font.size = Pt(14)
    meeting = date_line("", data.meeting_at.date())[2:]
    _para(doc, f"Căn cứ Kế hoạch tổ chức {contest_name(data.contest_title)};", indent=True)
    _para(doc, f"Căn cứ Biên bản họp Ban giám khảo {meeting} về kết quả chấm điểm, xếp hạng các sáng kiến, giải pháp dự thi;", indent=True)
    forwarded = data.forwarded
    _para(doc, f"Ban tổ chức Cuộc thi kính trình {data.council} xem xét, công nhận {len(forwarded)} sáng kiến, "
               "giải pháp cải cách hành chính sau:", indent=True)
    if forwarded:
        _grid(doc, ("STT", "Tên sáng kiến, giải pháp", "Tác giả/Tập thể", "Đơn vị", "Điểm TB", "Giải"),
              [(n, e.title, e.authors, e.unit, points(e.mean_total), e.prize_label) for n, e in enumerate(forwarded, start=1)],
              (11, 54, 34, 30, 16, 23), frozenset({0, 4, 5}))
    else:
        _para(doc, "(Chưa có sáng kiến, giải pháp nào được chọn đề nghị.)", italic=True, indent=True)
    _para(doc, after=0)
    _para(doc, "(Hồ sơ kèm theo: Biên bản họp Ban giám khảo; Bảng tổng hợp điểm chấm; bản mô tả các sáng kiến, giải pháp.)",
          italic=True, indent=True)
    _para(doc, f"Ban tổ chức Cuộc thi kính trình {data.council} xem xét, công nhận./.", indent=True)
    cells = _layout_table(doc, (82, 83))
    p = cells[0].paragraphs[0]
    run = p.add_run("Nơi nhận:")
    run.bold, run.italic, run.font.size = True, True, Pt(12)
    for line in ("- Như trên;", "- Chủ tịch, các Phó Chủ tịch UBND;", "- Ban giám khảo;", "- Lưu: VT, BTC."):
        _para(cells[0], line, size=11, after=0)
    right = cells[1]
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    right.paragraphs[0].add_run("TM. BAN TỔ CHỨC").bold = True
    _para(right, "TRƯỞNG BAN", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    for _ in range(4):
        _para(right, after=0)
    _para(right, data.organiser.name, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    return _docx_bytes(doc)


# --- Certificates (PDF) -------------------------------------------------------------

INK, RED = (0, 0, 0), (150, 20, 20)


class _Certificate(FPDF):
    """A4 landscape with DejaVu Serif embedded (full Vietnamese coverage)."""

    def __init__(self) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.set_auto_page_break(False)
        self.set_margins(0, 0, 0)
        for style, name in (("", "DejaVuSerif.ttf"), ("B", "DejaVuSerif-Bold.ttf"), ("I", "DejaVuSerif-Italic.ttf")):
            self.add_font("DejaVuSerif", style=style, fname=str(FONT_DIR / name))

    def centred(self, x: float, w: float, text: str, size: float, style: str = "", colour: tuple = INK, h: float = 0) -> None:
        """Centred lines of text in the column [x, x + w] at the current y."""
        self.set_font("DejaVuSerif", style, size)
        self.set_text_color(*colour)
        self.set_x(x)
        self.multi_cell(w, h or size * 0.48, text, align="C", new_x="LMARGIN", new_y="NEXT")


def certificate_pdf(data: DossierData, entry: DossierEntry) -> bytes:
    """Giấy chứng nhận for a winning entry, with a QR code to its public verification page."""
    pdf = _Certificate()
    pdf.set_title(f"Giấy chứng nhận {entry.prize_label} - {entry.title}")
    pdf.set_author(f"Ban tổ chức {contest_name(data.contest_title)}")
    pdf.set_creation_date(datetime(data.issued_on.year, data.issued_on.month, data.issued_on.day))
    pdf.add_page()
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, 281, 194)
    pdf.set_line_width(0.4)
    pdf.rect(11, 11, 275, 188)
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.3)

    pdf.set_y(17)
    pdf.centred(16, 100, data.authority, 11)
    pdf.centred(16, 100, "BAN TỔ CHỨC CUỘC THI", 11, "B")
    pdf.line(54, pdf.get_y() + 1.5, 78, pdf.get_y() + 1.5)
    pdf.set_y(pdf.get_y() + 3.5)
    pdf.centred(16, 100, "Số: …/GCN-BTC", 11)
    pdf.set_y(17)
    pdf.centred(150, 130, MOTTO, 11, "B")
    pdf.centred(150, 130, MOTTO_SUB, 12, "B")
    pdf.line(186, pdf.get_y() + 1.5, 244, pdf.get_y() + 1.5)

    pdf.set_y(52)
    pdf.centred(20, 257, "GIẤY CHỨNG NHẬN", 30, "B", RED, h=14)
    pdf.set_y(pdf.get_y() + 2)
    pdf.centred(20, 257, "BAN TỔ CHỨC CUỘC THI CHỨNG NHẬN", 13, "B")
    pdf.set_y(pdf.get_y() + 3)
    pdf.centred(30, 237, entry.authors, 20, "B", h=9)
    if entry.unit:
        pdf.centred(30, 237, entry.unit, 13, "I")
    pdf.set_y(pdf.get_y() + 3)
    pdf.centred(30, 237, f"Đã đạt {entry.prize_label}", 20, "B", RED, h=10)
    if data.recognition and entry.recognised:
        pdf.centred(30, 237, f"và được công nhận là sáng kiến {data.recognition}", 14, "B", RED, h=7)
    pdf.centred(30, 237, contest_name(data.contest_title), 13, "I", h=6.5)
    pdf.set_y(pdf.get_y() + 2)
    pdf.centred(35, 227, f"với sáng kiến, giải pháp: “{entry.title}”", 14, "B", h=7)
    pdf.centred(30, 237, f"Điểm trung bình: {points(entry.mean_total)}/{points(data.max_total)} · Xếp hạng: {entry.rank}", 12)

    pdf.set_y(150)
    pdf.centred(170, 110, date_line(data.place, data.issued_on), 12, "I")
    pdf.centred(170, 110, "TM. BAN TỔ CHỨC", 12, "B")
    pdf.centred(170, 110, "TRƯỞNG BAN", 12, "B")
    pdf.set_y(186)
    pdf.centred(170, 110, data.organiser.name, 12, "B")

    png = BytesIO()
    qr_code(entry.verify_url).save(png, kind="png", scale=8, border=2)
    png.seek(0)
    pdf.image(png, x=20, y=148, w=32, h=32, link=entry.verify_url, alt_text="Mã QR xác thực giấy chứng nhận")
    pdf.set_y(181)
    pdf.centred(14, 100, f"Mã xác thực: {entry.certificate_code}", 8)
    pdf.set_xy(14, pdf.get_y())
    pdf.set_font("DejaVuSerif", "", 7)
    pdf.set_text_color(*INK)
    pdf.multi_cell(100, 3.2, f"Kiểm tra tại: {entry.verify_url}", align="C", link=entry.verify_url)
    return bytes(pdf.output())


# --- The whole dossier --------------------------------------------------------------

def certificate_filename(entry: DossierEntry) -> str:
    return f"giay-chung-nhan/hang-{entry.rank:02d}-sang-kien-{entry.entry_id}.pdf"


def build_dossier(data: DossierData) -> dict[str, bytes]:
    """Every document of the dossier by file name (ASCII names, so any unzip tool keeps them)."""
    stem = f"{data.year}-cuoc-thi-{data.contest_id}"
    files = {
        f"01-bang-tong-hop-diem-{stem}.xlsx": workbook_bytes(
            export.scores_workbook(f"{data.contest_title} ({data.year})", data.criteria, data.entries, export.Frame(
                (data.authority, "BAN GIÁM KHẢO CUỘC THI"), (MOTTO, MOTTO_SUB), date_line(data.place, data.issued_on),
                (("NGƯỜI LẬP BIỂU", data.secretary.name), ("TRƯỞNG BAN GIÁM KHẢO", data.chair.name))))
        ),
        f"02-bien-ban-hop-ban-giam-khao-{stem}.docx": minutes_docx(data),
        f"03-to-trinh-hoi-dong-thi-xa-{stem}.docx": submission_docx(data),
    }
    for entry in data.winners:
        files[certificate_filename(entry)] = certificate_pdf(data, entry)
    return files


def _closing(contest: Contest) -> Optional[AuditLog]:
    """The latest audit record of the closing of judging (its time is the meeting's)."""
    return db.session.scalar(
        select(AuditLog).filter_by(action="judging.close", object_type="contest", object_id=contest.id)
        .order_by(AuditLog.id.desc()).limit(1)
    )


def _first_with_role(contest: Contest, role: str, position_hint: str) -> Optional[User]:
    """The contest organisation's active person of the role whose position mentions the hint, else
    the first by name."""
    users = members_with_role(contest.organisation, role)
    return next((u for u in users if position_hint in u.position.lower()), users[0] if users else None)


def gather_dossier(contest: Contest, secret: str | bytes, verify_url: Callable[[str], str], today: date) -> DossierData:
    """Read the standings and the submitted sheets of a closed contest into a DossierData."""
    judges = queries.panel_judges(contest)
    names = {j.id: j.full_name for j in judges}
    codes = {c.id: c.code for c in contest.criteria}
    sheets: dict[int, list[export.SheetLine]] = {}
    for sheet in queries.counted_sheets(contest):  # the submitted sheets the ranking counted
        by_id = sheet.points_by_criterion()
        line = export.SheetLine(names.get(sheet.judge_id, sheet.judge.full_name),
                                {codes[k]: v for k, v in by_id.items() if k in codes}, sheet_total(by_id))
        sheets.setdefault(sheet.entry_id, []).append(line)
    votes: dict[int, list[tuple[str, bool]]] = {}
    for vote in db.session.scalars(select(PanelVote).filter_by(contest_id=contest.id).order_by(PanelVote.id)):
        votes.setdefault(vote.entry_id, []).append((names.get(vote.judge_id, ""), vote.in_favour))
    entries = []
    for r in queries.contest_results(contest):
        e = r.entry
        code = certificate_code(secret, contest.id, e.id)
        entries.append(DossierEntry(
            rank=r.rank, title=e.title, authors=e.authors_display, kind=e.kind_label,
            unit=e.unit_display, field=e.field, mean_total=r.mean_total,
            criterion_means=dict(r.criterion_means or {}), prize_label=PRIZE_LABELS.get(r.prize or "", ""),
            recognised=r.recognised, forwarded=r.forwarded, sheets=tuple(sheets.get(e.id, ())),
            entry_id=e.id, prize=r.prize, certificate_code=code, verify_url=verify_url(code),
            votes=tuple(votes.get(e.id, ())),
        ))
    closing = _closing(contest)
    closer = closing.actor if closing else None
    secretaries = members_with_role(contest.organisation, SECRETARY)
    secretary = closer if closer in secretaries else _first_with_role(contest, SECRETARY, "thư ký")
    organiser = _first_with_role(contest, ADMIN, "trưởng ban tổ chức")
    chairs = [m.judge for m in queries.panel_members(contest) if m.is_chair]
    chair = next(iter(chairs), None) or next((j for j in judges if "trưởng ban giám khảo" in j.position.lower()),
                                             judges[0] if judges else None)
    member = lambda u: Member(u.full_name, u.position) if u else Member("")  # noqa: E731
    organisation = contest.organisation
    shortfalls = queries.panel_shortfalls(contest, closing=True)
    with force_locale("vi"):  # the documents are in Vietnamese whatever the reader's interface
        short = tuple((shortfalls.entry(s.entry_id).title, s.have, queries.shortfall_reason(s, shortfalls.people),
                       w.reason if (w := shortfalls.waivers.get(s.entry_id)) else "") for s in shortfalls.items)
    return DossierData(
        contest_id=contest.id, contest_title=contest.title, year=contest.year, threshold=contest.threshold,
        max_total=contest.max_total, criteria=tuple((c.code, c.name, c.max_points) for c in contest.criteria),
        place=organisation.place or "………", authority=heading_name(organisation.authority), seat=organisation.authority,
        council=forwarding_council(contest), judges=tuple(member(j) for j in judges),
        chair=member(chair) if chair else Member("Trưởng Ban giám khảo"), secretary=member(secretary),
        organiser=member(organiser), entries=tuple(entries), issued_on=today,
        meeting_at=to_local(contest.meeting_at or closing.at) if contest.meeting_at or closing
        else datetime(today.year, today.month, today.day, 8, 0),
        submitted_count=len(queries.eligible_entries(contest)),
        trimmed=contest.aggregation == "trimmed",
        vote_share=contest.vote_share if contest.acceptance_rule == "vote" else None,
        recognition=organisation.recognition_level,
        required=shortfalls.required, short=short, organisation=organisation.authority or organisation.name,
    )
