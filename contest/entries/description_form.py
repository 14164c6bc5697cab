"""Read a Word file written on the standard form "Bản mô tả sáng kiến" into the entry's fields.

Pure: bytes in, dataclasses out; no Flask, no database. Ward offices write the form in many
ways — numbered headings ("1.", "6.2.", "II.", "a)"), "Label: value" paragraphs, two-column
tables, bold or capitalised labels, with or without diacritics — so a label is recognised by
its folded words (``contest.matching.fold``) at the start of a paragraph or a table cell, and
its section runs over the following paragraphs until the next recognised label.
A file is a description form only with a title and at least two of the body sections; junk,
a spreadsheet or a damaged file is "not recognised" with a reason, never an exception.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from dataclasses import field as _field  # "field" is also an entry field below
from datetime import date
from itertools import islice
from typing import Any, Iterator, Optional, Sequence

from contest.entries.limits import TITLE_MAX
from contest.marks import N_
from contest.matching import fold, normalize
from contest.uploads import DOCX, PDF, XLSX, detect_type, package_problem

# Where a section goes. "" is a heading the entry has no field for: it only ends the section before.
TITLE, AUTHORS, COAUTHORS, FIELD = "title", "authors", "coauthors", "field"
APPLIED_SINCE, APPLIED_WHERE = "applied_since", "applied_where"
BODY_SECTIONS = ("situation", "solution", "effect", "scope", "benefit")
OTHER = ""

_ALIASES: dict[str, tuple[str, ...]] = {
    TITLE: ("tên sáng kiến", "tên giải pháp", "tên đề tài", "tên gọi sáng kiến", "tên sáng kiến giải pháp"),
    AUTHORS: ("tác giả", "tác giả sáng kiến", "họ và tên tác giả", "họ tên tác giả", "nhóm tác giả",
              "danh sách tác giả", "tác giả đồng tác giả", "tác giả hoặc nhóm tác giả"),
    COAUTHORS: ("đồng tác giả", "danh sách đồng tác giả", "các đồng tác giả"),
    FIELD: ("lĩnh vực", "lĩnh vực áp dụng", "lĩnh vực dự thi"),
    APPLIED_SINCE: ("ngày sáng kiến được áp dụng", "ngày áp dụng", "thời gian áp dụng", "thời điểm áp dụng",
                    "áp dụng từ ngày", "ngày bắt đầu áp dụng", "ngày được áp dụng lần đầu"),
    APPLIED_WHERE: ("nơi áp dụng", "nơi đã áp dụng", "đơn vị áp dụng", "đơn vị đã áp dụng", "địa điểm áp dụng",
                    "cơ quan đơn vị áp dụng"),
    "situation": ("thực trạng", "mô tả thực trạng", "tình trạng giải pháp đã biết", "tình trạng giải pháp",
                  "sự cần thiết", "lý do chọn", "lý do đề xuất", "đặt vấn đề", "tình hình thực tế"),
    "solution": ("nội dung giải pháp", "nội dung sáng kiến", "nội dung", "mô tả bản chất", "mô tả giải pháp",
                 "mô tả sáng kiến", "giải pháp", "các giải pháp", "bản chất của giải pháp", "cách thức thực hiện",
                 "nội dung của giải pháp", "nội dung của sáng kiến"),
    "effect": ("hiệu quả", "hiệu quả đạt được", "hiệu quả lợi ích thu được", "kết quả đạt được",
               "kết quả thực hiện", "kết quả áp dụng", "hiệu quả kinh tế", "hiệu quả xã hội"),
    "benefit": ("lợi ích", "lợi ích thu được", "đánh giá lợi ích", "lợi ích kinh tế xã hội"),
    "scope": ("khả năng áp dụng", "khả năng nhân rộng", "phạm vi nhân rộng", "phạm vi áp dụng", "khả năng ứng dụng",
              "phạm vi ảnh hưởng", "các điều kiện cần thiết để áp dụng", "điều kiện cần thiết để áp dụng",
              "điều kiện áp dụng", "khả năng triển khai"),
    OTHER: ("chủ đầu tư", "những thông tin cần được bảo mật", "thông tin cần được bảo mật", "thông tin bảo mật",
            "những người tham gia", "danh sách những", "danh sách người tham gia", "tài liệu kèm theo",
            "tài liệu tham khảo", "kết luận", "kiến nghị", "đề xuất kiến nghị", "cam đoan", "tôi xin cam đoan",
            "xác nhận của", "ý kiến của", "người viết", "người làm đơn", "nơi nhận", "kính gửi", "mã số",
            "phần mở đầu", "mở đầu"),
}
# Longest alias first, so that "hiệu quả, lợi ích thu được" is an effect and "đồng tác giả" no author.
_LABELS = sorted(((tuple(fold(a).split()), target) for target, names in _ALIASES.items() for a in names),
                 key=lambda pair: -len(pair[0]))

# The form's own heading and other lines that belong to no section (national motto, place and date).
_FORM_HEADINGS = [tuple(fold(h).split()) for h in ("bản mô tả sáng kiến", "bản mô tả giải pháp",
                                                   "báo cáo mô tả sáng kiến", "bản mô tả sáng kiến giải pháp")]
_BOILERPLATE = [tuple(fold(h).split()) for h in ("cộng hòa xã hội chủ nghĩa việt nam", "độc lập tự do hạnh phúc")]
_PLACE_DATE = re.compile(r"^[\w ]{0,60}\bngay \d{1,2} thang \d{1,2} nam \d{4}$")

# Sub-labels inside an author section.
_PERSON_LABELS = sorted(((tuple(fold(a).split()), kind) for kind, names in {
    "name": ("họ và tên", "họ tên", "tên tác giả"),
    "position": ("chức vụ", "chức danh", "đơn vị công tác", "nơi công tác", "đơn vị", "cơ quan công tác",
                 "chức vụ đơn vị công tác"),
    "share": ("tỷ lệ", "tỉ lệ", "tỷ lệ đóng góp", "tỉ lệ đóng góp", "đóng góp"),
    "skip": ("ngày tháng năm sinh", "ngày sinh", "năm sinh", "trình độ", "điện thoại", "email", "địa chỉ"),
}.items() for a in names), key=lambda pair: -len(pair[0]))
_NOT_NAME_WORDS = {normalize(w) for w in ("phòng", "phường", "xã", "ban", "bộ", "hội", "chủ", "tịch", "trưởng",
                                          "phó", "viên", "ủy", "chức", "tổ", "đội", "thị", "trấn", "huyện")}
_HONORIFICS = re.compile(r"^(?:ông|bà|anh|chị|đồng chí|đ/c|đc)\s+", re.IGNORECASE)

_NUMBERING = re.compile(
    r"^\s*(?:(?:phần|mục|chương|phan|muc|chuong)\s+[ivxlc\d]+\s*[.:)\-–]?\s*"
    r"|[ivxlcIVXLC]{1,5}\s*[.)]\s*|\d{1,2}(?:\.\d{1,2}){0,3}\s*[.)]\s*|\d{1,2}(?:\.\d{1,2}){1,3}\s+"
    r"|[a-zA-ZđĐ]\s*[.)]\s+|[-–—•+*·▪●○■□✓]\s*)"
)
_COLON = re.compile(r"[:：]")
_DASH = re.compile(r"\s[-–—]\s")
_BULLET = re.compile(r"^\s*[-–—•+*·▪●○■□✓]")
_SHARE = re.compile(r"(\d{1,3}(?:[.,]\d{1,2})?)\s*%")
_PERSON_SPLIT = re.compile(r"\s*(?:,(?!\d)|;|\(|\)|\[|\])\s*|\s+[-–—]\s+")

MAX_TITLE = TITLE_MAX  # a title longer than the entry may hold is read whole, then refused by the form
MAX_LINE = 300
MAX_BLOCKS = 5000  # paragraphs and table rows; a description has a few hundred, reading 5000 takes seconds
_MAX_XML_BYTES = 20 * 1024 * 1024  # a description's text is a few hundred kB; more is a zip bomb
_MAX_LABEL_CHARS = 250


@dataclass
class Person:
    """An author or co-author as the file lists them."""

    full_name: str
    position: str = ""
    share: Optional[float] = None


@dataclass
class ParsedDescription:
    """What was read from the file; ``recognised`` False means fill nothing and show ``message``."""

    recognised: bool
    reason: str = ""  # a message id (Vietnamese), formatted with reason_args
    reason_args: dict[str, Any] = _field(default_factory=dict)
    title: str = ""
    field: str = ""
    situation: str = ""
    solution: str = ""
    effect: str = ""
    scope: str = ""
    benefit: str = ""
    applied_where: str = ""
    applied_since: Optional[date] = None
    applied_since_text: str = ""
    applied_since_month_only: bool = False
    authors: list[Person] = _field(default_factory=list)
    coauthors: list[Person] = _field(default_factory=list)
    labels: list[str] = _field(default_factory=list)  # the labels recognised, as written, in order
    # The title section ran over several paragraphs longer than a title may be: only its first was
    # taken as the title; this is the length of the whole section (0 when the title is all of it).
    title_section_length: int = 0

    @property
    def message(self) -> str:
        """The reason in Vietnamese, for callers without a translation layer."""
        return self.reason % self.reason_args if self.reason_args else self.reason


@dataclass
class _Line:
    text: str
    heading: bool = False  # bold, a heading style or capitals: a label may stand alone on it
    bold_prefix: str = ""  # the leading bold text when the rest of the paragraph is not bold


@dataclass
class _PeopleTable:
    people: list[Person]
    header: str


# ---------------------------------------------------------------- reading the document

def _not_recognised(reason: str, **args: Any) -> ParsedDescription:
    return ParsedDescription(recognised=False, reason=reason, reason_args=args)


def _open_docx(data: bytes) -> tuple[Any, Optional[ParsedDescription]]:
    """The python-docx Document, or the reason it cannot be one."""
    kind = detect_type(data)
    if kind == PDF:
        return None, _not_recognised(N_("đây là tệp PDF; chỉ đọc được nội dung tệp Word (.docx)"))
    if kind == XLSX:
        return None, _not_recognised(N_("đây là bảng tính Excel, không phải tệp Word (.docx)"))
    if kind != DOCX:
        return None, _not_recognised(N_("nội dung tệp không phải tệp Word (.docx)"))
    problem = package_problem(data)  # bombs, macros: refused before anything unpacks the file
    if problem:
        return None, _not_recognised(problem)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(info.file_size for info in archive.infolist()) > _MAX_XML_BYTES * 4 or \
                archive.getinfo("word/document.xml").file_size > _MAX_XML_BYTES:
            return None, _not_recognised(N_("tệp Word quá lớn sau khi giải nén"))
    import docx

    try:
        return docx.Document(io.BytesIO(data)), None
    except Exception:  # python-docx raises many kinds on a damaged package; any of them means "cannot read"
        return None, _not_recognised(N_("tệp Word bị hỏng hoặc không mở được"))


def _style(paragraph: Any, styles: dict[Optional[str], tuple[str, bool]]) -> tuple[str, bool]:
    """(name, bold) of the paragraph's style; python-docx looks a style up slowly, so once per style."""
    key = paragraph._p.style  # the w:pStyle id, None for the default style
    if key not in styles:
        style = paragraph.style
        styles[key] = ((style.name or "") if style is not None else "",
                       bool(style is not None and style.font is not None and style.font.bold))
    return styles[key]


def _paragraph_lines(paragraph: Any, styles: dict[Optional[str], tuple[str, bool]]) -> list[_Line]:
    text = paragraph.text or ""
    if not text.strip():
        return []
    style_name, style_bold = _style(paragraph, styles)
    runs = [r for r in paragraph.runs if r.text.strip()]

    def _is_bold(run: Any) -> bool:
        return bool(run.bold) if run.bold is not None else style_bold

    all_bold = bool(runs) and all(_is_bold(r) for r in runs)
    letters = [ch for ch in text if ch.isalpha()]
    heading = all_bold or style_name.lower().startswith(("heading", "title")) or \
        (bool(letters) and all(ch.isupper() for ch in letters))
    bold_prefix = ""
    if runs and not all_bold:
        for r in paragraph.runs:
            if r.text.strip() and not _is_bold(r):
                break
            bold_prefix += r.text
    parts = [p for p in re.split(r"[\n\r\v]+", text) if p.strip()]
    lines = [_Line(p.strip(), heading) for p in parts]
    if lines and bold_prefix.strip() and len(parts) == 1:
        lines[0].bold_prefix = bold_prefix.strip()
    return lines


def _distinct_cells(row: Any) -> list[Any]:
    """The row's cells, a merged cell once."""
    seen: set[int] = set()
    cells = []
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            cells.append(cell)
    return cells


def _cell_text(cell: Any) -> str:
    return " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())


def _people_table(table: Any) -> Optional[_PeopleTable]:
    """A table of authors (Họ và tên | Chức vụ | Tỷ lệ đóng góp…), read into people."""
    rows = list(table.rows)
    for header_at, row in enumerate(rows[:2]):
        heads = [" ".join(_lead(_cell_text(c))) for c in _distinct_cells(row)]
        name_col = next((i for i, h in enumerate(heads) if h.startswith(("ho va ten", "ho ten", "ten tac gia"))), None)
        share_col = next((i for i, h in enumerate(heads) if h.startswith(("ty le", "ti le")) or "dong gop" in h), None)
        position_cols = [i for i, h in enumerate(heads)
                         if h.startswith(("chuc vu", "chuc danh", "noi cong tac", "don vi", "co quan"))]
        if name_col is None or (share_col is None and not position_cols):
            continue
        people = []
        for body_row in rows[header_at + 1:]:
            cells = [_cell_text(c) for c in _distinct_cells(body_row)]
            if len(cells) <= name_col:
                continue
            name = _clean_name(cells[name_col])
            if not name or any(ch.isdigit() for ch in name):
                continue
            position = ", ".join(cells[i] for i in position_cols if i < len(cells) and cells[i])
            share = _share(cells[share_col]) if share_col is not None and share_col < len(cells) else None
            people.append(Person(name, position, share))
        return _PeopleTable(people, _cell_text(_distinct_cells(row)[name_col]))
    return None


def _walk(container: Any, styles: dict[Optional[str], tuple[str, bool]], depth: int = 0) -> Iterator[Any]:
    """Lines and author tables of a document or a cell, in reading order."""
    from docx.table import Table

    for block in container.iter_inner_content():
        if not isinstance(block, Table):
            yield from _paragraph_lines(block, styles)
            continue
        people = _people_table(block)
        if people is not None:
            yield people
            continue
        for row in block.rows:
            cells = _distinct_cells(row)
            if len(cells) > 1 and re.fullmatch(r"[\divxlcIVXLC.]{1,6}", _cell_text(cells[0]) or "-"):
                cells = cells[1:]  # a "Số TT" column
            first = [line for p in cells[0].paragraphs for line in _paragraph_lines(p, styles)] if cells else []
            if len(cells) == 2 and len(first) == 1 and len(first[0].text) <= 80:
                # A two-column row is a "label | value" pair whatever its formatting.
                rest = [line for line in _cell_lines(cells[1], styles, depth)]
                label = first[0].text.rstrip(" :：")
                if rest and isinstance(rest[0], _Line):
                    yield _Line(f"{label}: {rest[0].text}", True)
                    yield from rest[1:]
                else:
                    yield _Line(label, True)
                    yield from rest
                continue
            for cell in cells:
                yield from _cell_lines(cell, styles, depth)


def _cell_lines(cell: Any, styles: dict[Optional[str], tuple[str, bool]], depth: int) -> Iterator[Any]:
    if depth < 3:  # a frame table inside a frame table is still read; deeper nesting is not a form
        yield from _walk(cell, styles, depth + 1)


# ---------------------------------------------------------------- labels and sections

def _strip_numbering(text: str) -> str:
    for _ in range(3):
        stripped = _NUMBERING.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return text.strip()


def _lead(text: str, count: int = 12) -> tuple[str, ...]:
    """Folded words of the text's first words: enough for any label, and folding is not cheap."""
    return tuple(fold(" ".join(text.split()[:count])).split())


def _label_target(head: str, extra_words: int) -> Optional[str]:
    size = len(head.split())
    if len(head) > _MAX_LABEL_CHARS or not size:
        return None
    words = _lead(head)
    for alias, target in _LABELS:
        if words[:len(alias)] == alias and size - len(alias) <= extra_words:
            return target
    return None


def _match_label(line: _Line) -> Optional[tuple[str, str, str]]:
    """(target, label as written, the value after it) when the line opens a section."""
    body = _strip_numbering(line.text)
    numbered = body != line.text.strip()
    colon = _COLON.search(body[:_MAX_LABEL_CHARS])
    if colon:
        head = body[:colon.start()].strip()
        target = _label_target(head, 30)
        if target is not None and ". " not in head:
            return target, head, body[colon.end():].strip()
    dash = _DASH.search(body[:_MAX_LABEL_CHARS])
    if dash:  # "Lĩnh vực – Chính quyền số": a dash stands for the colon only right after a short label
        head = body[:dash.start()].strip()
        target = _label_target(head, 3)
        if target is not None:
            return target, head, body[dash.end():].strip()
    if line.bold_prefix:
        prefix = _strip_numbering(line.bold_prefix).rstrip(" :：.-–")
        target = _label_target(prefix, 12)
        if target is not None:
            rest = line.text.strip()[len(line.bold_prefix):].lstrip(" :：.-–")
            return target, prefix, rest.strip()
    if (numbered or line.heading) and len(body) <= 200 and (numbered or not body.endswith(".")):
        head = body.rstrip(" :：.")
        target = _label_target(head, 15)
        if target is not None:
            return target, head, ""
    return None


def _starts_with(text: str, prefixes: Sequence[tuple[str, ...]]) -> bool:
    words = _lead(text)
    return any(words[:len(p)] == p for p in prefixes)


@dataclass
class _Section:
    target: str
    label: str
    lines: list[str] = _field(default_factory=list)
    people: list[Person] = _field(default_factory=list)


def _sections(blocks: Sequence[Any]) -> tuple[list[_Section], str]:
    """The document cut into labelled sections; also a title written under the form's heading."""
    sections: list[_Section] = []
    current: Optional[_Section] = None
    heading_seen = False
    title_under_heading = ""
    for block in blocks:
        if isinstance(block, _PeopleTable):
            if current is None or current.target not in (AUTHORS, COAUTHORS):
                current = _Section(AUTHORS, block.header)
                sections.append(current)
            current.people.extend(block.people)
            continue
        text = block.text
        short = len(text.split()) <= 14  # headings, mottos, "place, date" lines; the long rest is never folded here
        if short and _starts_with(text, _FORM_HEADINGS) and len(text.split()) <= 8:
            heading_seen, current = True, None
            continue
        if short and (_starts_with(text, _BOILERPLATE) or _PLACE_DATE.match(" ".join(_lead(text, 14)))):
            current = None
            continue
        if text.startswith("(") and _lead(text, 2)[:1] in (("ky",), ("chu",)):
            continue  # "(Ký, ghi rõ họ tên)" under a signature
        match = _match_label(block)
        if match is not None and current is not None and match[0] == current.target and \
                (current.lines or current.people or _BULLET.match(text)):
            match = None  # "- Hiệu quả kinh tế: …" inside the effect section is its text
        if match is not None:
            target, label, value = match
            current = _Section(target, label)
            sections.append(current)
            if value:
                current.lines.append(value)
        elif current is not None:
            current.lines.append(text)
        elif heading_seen and not title_under_heading and not sections and len(text) <= MAX_TITLE:
            title_under_heading = text
    return sections, title_under_heading


# ---------------------------------------------------------------- values

def _clean_name(text: str) -> str:
    text = _HONORIFICS.sub("", text.strip(" .:-–\t"))
    return re.sub(r"\s+", " ", text).strip()


def _looks_like_name(text: str) -> bool:
    words = text.split()
    if not 2 <= len(words) <= 6 or len(text) > 70:
        return False
    if any(not w.isalpha() for w in words):
        return False
    if any(normalize(w) in _NOT_NAME_WORDS for w in words):
        return False
    return text.isupper() or all(w[0].isupper() and (len(w) == 1 or w[1:].islower()) for w in words)


def _share(text: str) -> Optional[float]:
    found = _SHARE.search(text) or re.fullmatch(r"\s*(\d{1,3}(?:[.,]\d{1,2})?)\s*", text)
    if not found:
        return None
    value = float(found.group(1).replace(",", "."))
    return value if 0 <= value <= 100 else None


def _person_label(text: str) -> tuple[Optional[str], str]:
    """(kind of sub-label, value) for "Họ và tên: …", "Chức vụ: …", "Tỷ lệ đóng góp: …"."""
    colon = _COLON.search(text)
    head, value = (text[:colon.start()], text[colon.end():]) if colon else (text, "")
    size = len(head.split())
    words = _lead(head) if size <= 12 else ()
    for alias, kind in _PERSON_LABELS:
        if words[:len(alias)] == alias and size - len(alias) <= 4:
            return kind, value.strip()
    return None, text


def _people(lines: Sequence[str]) -> list[Person]:
    """People of an author section: sub-labelled lines or "Name – position, 60%" lines."""
    people: list[Person] = []
    current: Optional[Person] = None
    pending: Optional[str] = None
    for raw in lines:
        text = _strip_numbering(raw)
        if not text:
            continue
        kind, value = _person_label(text)
        if kind is None and pending is not None:
            kind, value = pending, text
        pending = None
        if kind is not None and not value:
            pending = kind
            continue
        if kind == "name":
            name = _clean_name(value)
            if name and len(name) <= 100 and not any(ch.isdigit() for ch in name):
                current = Person(name)
                people.append(current)
        elif kind == "position" and current is not None:
            current.position = ", ".join(p for p in (current.position, value.strip()) if p)
        elif kind == "share" and current is not None:
            current.share = _share(value)
        elif kind is None:
            for part in (p.strip(" .:") for p in _PERSON_SPLIT.split(text)):
                if not part:
                    continue
                name = _clean_name(part)
                if _looks_like_name(name):
                    current = Person(name)
                    people.append(current)
                elif current is not None and _SHARE.search(part):
                    current.share = _share(part)
                elif current is not None and not _starts_with(part, [a for a, k in _PERSON_LABELS if k == "share"]):
                    sub_kind, sub_value = _person_label(part)
                    position = sub_value if sub_kind == "position" else part
                    if sub_kind in (None, "position") and position:
                        current.position = ", ".join(p for p in (current.position, position) if p)
    return people


def parse_date(text: str) -> tuple[Optional[date], bool]:
    """A date written the Vietnamese way ("01/3/2024", "ngày 1 tháng 3 năm 2024", "tháng 3/2024").

    The flag says only the month was written (the first day of it is returned)."""
    folded = fold(text[:MAX_LINE])
    patterns = [
        (r"ngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})", (1, 2, 3)),
        (r"\b(\d{1,2}) (\d{1,2}) (\d{4})\b", (1, 2, 3)),
        (r"\b(\d{4}) (\d{1,2}) (\d{1,2})\b", (3, 2, 1)),
    ]
    for pattern, (d, m, y) in patterns:
        found = re.search(pattern, folded)
        if found:
            try:
                return date(int(found.group(y)), int(found.group(m)), int(found.group(d))), False
            except ValueError:
                return None, False
    found = re.search(r"\bthang (\d{1,2}) (?:nam )?(\d{4})\b", folded) or re.search(r"\b(\d{1,2}) (\d{4})\b", folded)
    if found:
        try:
            return date(int(found.group(2)), int(found.group(1)), 1), True
        except ValueError:
            return None, False
    return None, False


def _one_line(lines: Sequence[str], limit: int) -> str:
    joined = re.sub(r"\s+", " ", " ".join(lines)).strip()
    if len(joined) > limit and lines:
        joined = re.sub(r"\s+", " ", lines[0]).strip()
    return joined.strip(" \"'“”‘’«»")


def _assemble(sections: Sequence[_Section], title_under_heading: str) -> ParsedDescription:
    result = ParsedDescription(recognised=False, labels=[s.label for s in sections])
    texts: dict[str, list[str]] = {}
    for section in sections:
        if section.target in (AUTHORS, COAUTHORS):
            people = section.people + _people(section.lines)
            getattr(result, section.target).extend(people)
            continue
        if section.target == OTHER or not section.lines:
            continue
        parts = texts.setdefault(section.target, [])
        if parts and section.target in BODY_SECTIONS:
            parts.append(section.label)  # a second section of the same kind keeps its heading
        parts.extend(section.lines)
    title_lines = texts.get(TITLE, [])
    result.title = _one_line(title_lines, MAX_TITLE) or _one_line([title_under_heading], MAX_TITLE)
    whole = _one_line(title_lines, len(" ".join(title_lines)) + 1)
    if title_lines and whole != result.title:
        result.title_section_length = len(whole)
    result.field = _one_line(texts.get(FIELD, [])[:1], 200)
    result.applied_where = _one_line(texts.get(APPLIED_WHERE, []), MAX_LINE)
    result.applied_since_text = _one_line(texts.get(APPLIED_SINCE, []), MAX_LINE)
    if result.applied_since_text:
        result.applied_since, result.applied_since_month_only = parse_date(result.applied_since_text)
    for name in BODY_SECTIONS:
        setattr(result, name, "\n".join(texts.get(name, [])).strip())
    for name in (AUTHORS, COAUTHORS):
        unique: dict[str, Person] = {}
        for person in getattr(result, name):
            unique.setdefault(fold(person.full_name), person)
        setattr(result, name, list(unique.values()))
    return result


def read_description(data: bytes) -> ParsedDescription:
    """Read a DOCX description form; a result with recognised=False and a reason for anything else."""
    try:
        document, refusal = _open_docx(data)
        if refusal is not None:
            return refusal
        blocks = list(islice(_walk(document, {}), MAX_BLOCKS + 1))
        if not blocks:
            return _not_recognised(N_("tệp không có nội dung chữ"))
        if len(blocks) > MAX_BLOCKS:
            return _not_recognised(N_("tệp quá dài để điền tự động (hơn %(count)d đoạn văn)"), count=MAX_BLOCKS)
        result = _assemble(*_sections(blocks))
    except Exception:  # untrusted input: whatever python-docx or lxml trips on is a file we cannot read
        return _not_recognised(N_("tệp Word bị hỏng hoặc không mở được"))
    found = sum(1 for name in BODY_SECTIONS if getattr(result, name))
    if not result.title and found < 2:
        result.reason = N_("không thấy các mục của bản mô tả (tên sáng kiến, thực trạng, nội dung giải pháp, hiệu quả…)")
    elif not result.title:
        result.reason = N_("không thấy mục “Tên sáng kiến”")
    elif found < 2:
        result.reason = N_("chỉ thấy %(count)d trong các mục thực trạng, nội dung giải pháp, hiệu quả, khả năng áp dụng, "
                           "lợi ích thu được (cần ít nhất hai)")
        result.reason_args = {"count": found}
    else:
        result.recognised = True
    return result


# ---------------------------------------------------------------- onto the entry form

@dataclass
class FormFill:
    """What filling the entry form from a parsed description changes."""

    values: dict[str, str] = _field(default_factory=dict)  # entry form field -> new text
    coauthors: Optional[list[Person]] = None  # None: leave the co-author rows as they are
    notes: list[tuple[str, dict[str, Any]]] = _field(default_factory=list)  # (message id, args)


def match_choice(text: str, choices: Sequence[str]) -> Optional[str]:
    """The contest field the written one means (same words, or one contains the other), if any."""
    words = fold(text).split()
    if not words:
        return None
    best: Optional[tuple[int, str]] = None
    for choice in choices:
        option = fold(choice).split()
        if not option:
            continue
        if option == words:
            return choice
        joined, needle = f" {' '.join(words)} ", f" {' '.join(option)} "
        if needle in joined or (len(words) >= 2 and joined in needle):
            if best is None or len(option) > best[0]:
                best = (len(option), choice)
    return best[1] if best else None


def plan_fill(parsed: ParsedDescription, choices: Sequence[str], author_name: str,
              max_coauthors: int = 10) -> FormFill:
    """The entry form's new values; empty sections of the file change nothing."""
    fill = FormFill()
    for name in ("title", *BODY_SECTIONS, "applied_where"):
        value = getattr(parsed, name)
        if value:
            fill.values[name] = value
    if parsed.title_section_length:
        fill.notes.append((N_("Mục “Tên sáng kiến” trong tệp có nhiều đoạn, dài %(length)d ký tự (tên tối đa %(max)d ký "
                              "tự): chỉ đoạn đầu được điền làm tên; hãy kiểm tra lại tên."),
                           {"length": parsed.title_section_length, "max": MAX_TITLE}))
    if parsed.field:
        choice = match_choice(parsed.field, choices)
        if choice is not None:
            fill.values["field"] = choice
        else:
            fill.notes.append((N_("Lĩnh vực ghi trong tệp (“%(value)s”) không khớp lĩnh vực nào của cuộc thi; "
                                  "hãy chọn lĩnh vực."), {"value": parsed.field}))
    if parsed.applied_since is not None:
        fill.values["applied_since"] = parsed.applied_since.isoformat()
        if parsed.applied_since_month_only:
            fill.notes.append((N_("Ngày áp dụng trong tệp chỉ ghi tháng (“%(value)s”); đã điền ngày 01 của tháng "
                                  "đó, hãy sửa nếu cần."), {"value": parsed.applied_since_text}))
    elif parsed.applied_since_text:
        fill.notes.append((N_("Không đọc được ngày áp dụng “%(value)s”; hãy chọn ngày."),
                           {"value": parsed.applied_since_text}))
    people = list(parsed.authors) + [p for p in parsed.coauthors
                                     if fold(p.full_name) not in {fold(a.full_name) for a in parsed.authors}]
    me = fold(author_name)
    others = [p for p in people if fold(p.full_name) != me]
    if len(others) == len(people) and parsed.authors:
        # The signed-in author is not named in the file: the first author is taken to be them.
        main = parsed.authors[0]
        others = [p for p in others if p is not main]
        fill.notes.append((N_("Tác giả ghi trong tệp là “%(name)s”; bài được ghi tên người đang đăng nhập "
                              "(%(user)s)."), {"name": main.full_name, "user": author_name}))
    if others:
        if len(others) > max_coauthors:
            fill.notes.append((N_("Tệp có %(count)d đồng tác giả; biểu mẫu chỉ nhận %(max)d người đầu."),
                               {"count": len(others), "max": max_coauthors}))
        fill.coauthors = others[:max_coauthors]
    return fill
