"""Reading and writing the registry of applied initiatives as CSV or XLSX."""
from __future__ import annotations

import csv
import io
import sys
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional

from flask_babel import format_number, gettext
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from contest.errors import OperationError
from contest.matching import fold
from contest.registry.models import REGISTRY_SUMMARY_MAX, REGISTRY_TITLE_MAX
from contest.registry.operations import RegistryData
from contest.uploads import (
    MAX_IMPORT_UNPACKED_BYTES,
    XLSX,
    detect_type,
    package_problem,
)
from contest.xlsx import workbook_bytes

# Accepted headers (compared normalised, so case and diacritics don't matter).
COLUMNS = {
    "title": ["title", "tên sáng kiến", "ten sang kien", "tên", "tên giải pháp", "tên sáng kiến, giải pháp"],
    "summary": ["summary", "tóm tắt", "nội dung", "tóm tắt nội dung", "mô tả"],
    "unit": ["unit", "đơn vị", "đơn vị áp dụng", "tác giả/đơn vị"],
    "year": ["year", "năm", "năm áp dụng", "năm công nhận"],
    "field": ["field", "lĩnh vực"],
    "code": ["code", "mã", "số", "mã số"],
}
HEADERS_VI = {"code": "Mã", "title": "Tên sáng kiến", "summary": "Tóm tắt", "unit": "Đơn vị",
              "year": "Năm", "field": "Lĩnh vực"}
# A cell longer than the csv module's default (128 KB) is a row refused for its length, not a file
# refused whole; the file's own size limit bounds what a cell can hold.
csv.field_size_limit(sys.maxsize)


@dataclass
class ParsedFile:
    """The rows a file yields, and each rejected row with its reason."""

    rows: list[RegistryData] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # the file's line number of each row
    rejected: list[tuple[int, str]] = field(default_factory=list)


def _header_map(header: list[str]) -> dict[str, int]:
    wanted = {fold(alias): key for key, aliases in COLUMNS.items() for alias in aliases}
    mapping: dict[str, int] = {}
    for index, name in enumerate(header):
        key = wanted.get(fold(str(name or "")))
        if key and key not in mapping:
            mapping[key] = index
    return mapping


def _csv_delimiter(text: str) -> str:
    """The delimiter under which the header row names the most known columns (Excel in Vietnam often writes ';').

    Decided on the header alone: a semicolon inside a summary must not turn a comma file into a semicolon one.
    """
    header = next((line for line in text.splitlines() if line.strip()), "")
    found = {d: len(_header_map(next(csv.reader([header], delimiter=d), []))) for d in (",", ";", "\t")}
    return max(found, key=lambda d: found[d])  # ties keep the first, the comma


# One file is at most this many data rows (a province's registry is well under it); a bigger file
# is refused before anything is imported, with the reason.
MAX_IMPORT_ROWS = 250_000


def _cell(value: object) -> str:
    """A cell as text: a whole number without ".0" (Excel keeps every number as a float)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_table(filename: str, data: bytes) -> tuple[Iterator[list[str]], int]:
    """The file's cells as text rows, one at a time, and how many rows there are; refuses anything
    that is not CSV or XLSX."""
    if detect_type(data) == XLSX:
        # Bombs and macros are refused from the zip's directory, before anything unpacks a part.
        problem = package_problem(data, MAX_IMPORT_UNPACKED_BYTES)
        if problem:
            raise OperationError(gettext("Tệp: %(reason)s", reason=gettext(problem)), "file")
        try:
            # calamine reads a sheet about eight times faster than openpyxl (bench/import.py), and
            # keeps its cells, never the XML, in memory.
            sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        except Exception as exc:  # a damaged file raises many kinds
            raise OperationError(gettext("Tệp: không đọc được bảng tính Excel (%(kind)s).",
                                         kind=exc.__class__.__name__), "file") from exc
        return ([_cell(v) for v in row] for row in sheet.iter_rows()), sheet.height
    if filename.lower().endswith(".csv"):
        # UTF-8 (with or without its mark), UTF-16 as Excel's "Unicode Text" writes it, or the
        # Vietnamese Windows code page; always composed (NFC), as typed text is stored and searched.
        encodings = ("utf-16",) if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "cp1258")
        for encoding in encodings:
            try:
                text = unicodedata.normalize("NFC", data.decode(encoding))
                break
            except UnicodeDecodeError:
                continue
        else:
            raise OperationError(gettext("Tệp: tệp CSV không phải văn bản UTF-8 (hãy lưu lại dưới dạng “CSV UTF-8”)."),
                                 "file")
        if "\x00" in text:
            raise OperationError(gettext("Tệp: tệp CSV chứa dữ liệu nhị phân, không phải bảng tính."), "file")
        delimiter = _csv_delimiter(text)
        # strict: a quote never closed is an error at its line, not the rest of the file swallowed into one cell.
        reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
        try:
            count = sum(1 for _ in reader)
        except csv.Error as exc:
            raise OperationError(gettext("Tệp: dòng %(line)s không đọc được (%(reason)s); thường là một dấu ngoặc kép "
                                         "không được đóng.", line=reader.line_num, reason=str(exc)), "file") from exc
        return ([c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)), count
    raise OperationError(gettext("Tệp: chỉ nhận bảng tính Excel (.xlsx) hoặc CSV."), "file")


@dataclass
class RegistryFile:
    """A registry file opened for import: how many data rows it has at most (for the progress bar),
    and its rows one at a time, each with its line number and either the row or why it is refused."""

    total: int
    rows: Iterator[tuple[int, RegistryData | str]]


def open_registry_file(filename: str, data: bytes) -> RegistryFile:
    """Check the file as a whole (type, header, size) and return its rows to read one at a time."""
    table, count = _read_table(filename, data)
    number = 0
    for number, header in enumerate(table, start=1):
        if any(header):
            break
    else:
        raise OperationError(gettext("Tệp: không có dữ liệu."), "file")
    mapping = _header_map(header)
    if "title" not in mapping:
        raise OperationError(gettext("Tệp: dòng đầu phải có cột “Tên sáng kiến” (title)."), "file")
    total = count - number
    if total > MAX_IMPORT_ROWS:
        raise OperationError(gettext("Tệp: có %(count)s dòng, nhiều hơn giới hạn %(limit)s dòng một lần nhập; "
                                     "hãy chia thành nhiều tệp.", count=format_number(total),
                                     limit=format_number(MAX_IMPORT_ROWS)), "file")
    if total <= 0:
        raise OperationError(gettext("Tệp: không có dòng dữ liệu nào (chỉ có dòng tiêu đề)."), "file")
    return RegistryFile(total, _rows(table, mapping, number + 1))


def _rows(table: Iterator[list[str]], mapping: dict[str, int], first: int) -> Iterator[tuple[int, RegistryData | str]]:
    for number, row in enumerate(table, start=first):
        if any(row):
            yield number, _row(row, mapping)


def _row(row: list[str], mapping: dict[str, int]) -> RegistryData | str:
    """One data row as a registry item, or the reason it cannot be one."""

    def cell(key: str) -> str:
        return row[mapping[key]] if key in mapping and mapping[key] < len(row) else ""

    title = cell("title")
    if not title:
        return gettext("thiếu tên sáng kiến")
    if len(title) > REGISTRY_TITLE_MAX:
        return gettext("tên sáng kiến dài quá %(max)s ký tự", max=REGISTRY_TITLE_MAX)
    if len(cell("summary")) > REGISTRY_SUMMARY_MAX:
        return gettext("tóm tắt dài quá %(max)s ký tự", max=format_number(REGISTRY_SUMMARY_MAX))
    year: Optional[int] = None
    raw_year = cell("year")
    if raw_year:
        try:
            year = int(float(raw_year))
        except (ValueError, OverflowError):
            return gettext("năm “%(year)s” không phải là số", year=raw_year[:20])
        if not 1990 <= year <= 2100:
            return gettext("năm %(year)s không hợp lệ (từ 1990 đến 2100)", year=year)
    return RegistryData(title=title, summary=cell("summary"), unit=cell("unit")[:300], year=year,
                        field=cell("field")[:200], code=cell("code")[:50])


def parse_registry_file(filename: str, data: bytes) -> ParsedFile:
    """Every row of a CSV/XLSX registry file at once, with a reason for every row that cannot be used."""
    parsed = ParsedFile()
    for number, row in open_registry_file(filename, data).rows:
        if isinstance(row, str):
            parsed.rejected.append((number, row))
        else:
            parsed.rows.append(row)
            parsed.lines.append(number)
    return parsed


def registry_workbook(items: Iterable) -> bytes:
    """The registry as an XLSX file with the same columns the import reads."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Ngân hàng sáng kiến"
    keys = ["code", "title", "summary", "unit", "year", "field"]
    sheet.append([HEADERS_VI[k] for k in keys])
    for item in items:
        sheet.append([getattr(item, k) for k in keys])
    for column, width in zip("ABCDEF", (10, 60, 90, 35, 8, 25)):
        sheet.column_dimensions[column].width = width
    return workbook_bytes(book)
