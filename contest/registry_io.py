"""Reading and writing the registry of applied initiatives as CSV or XLSX."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Iterable, Optional

from flask_babel import gettext
from openpyxl import Workbook, load_workbook

from .xlsx import workbook_bytes

from .errors import OperationError
from .matching import fold
from .operations import RegistryData
from .uploads import XLSX, detect_type, package_problem

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
MAX_TITLE = 500


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


def _read_table(filename: str, data: bytes) -> list[list[str]]:
    """The file's cells as text rows; refuses anything that is not CSV or XLSX."""
    if detect_type(data) == XLSX:
        problem = package_problem(data)  # bombs, macros: refused before openpyxl unpacks anything
        if problem:
            raise OperationError(gettext("Tệp: %(reason)s", reason=gettext(problem)), "file")
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise OperationError(f"Tệp: không đọc được bảng tính Excel ({exc.__class__.__name__}).", "file") from exc
        sheet = book.worksheets[0]
        return [["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)]
    if filename.lower().endswith(".csv"):
        for encoding in ("utf-8-sig", "cp1258"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise OperationError("Tệp: tệp CSV không phải văn bản UTF-8.", "file")
        if "\x00" in text:
            raise OperationError("Tệp: tệp CSV chứa dữ liệu nhị phân, không phải bảng tính.", "file")
        delimiter = _csv_delimiter(text)
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    raise OperationError("Tệp: chỉ nhận bảng tính Excel (.xlsx) hoặc CSV.", "file")


def parse_registry_file(filename: str, data: bytes) -> ParsedFile:
    """Rows of a CSV/XLSX registry file, with a reason for every row that cannot be used."""
    table = [row for row in _read_table(filename, data)]
    while table and not any(table[0]):
        table.pop(0)
    if not table:
        raise OperationError("Tệp: không có dữ liệu.", "file")
    mapping = _header_map(table[0])
    if "title" not in mapping:
        raise OperationError("Tệp: dòng đầu phải có cột “Tên sáng kiến” (title).", "file")
    parsed = ParsedFile()
    for number, row in enumerate(table[1:], start=2):
        if not any(row):
            continue
        cell = lambda key: row[mapping[key]].strip() if key in mapping and mapping[key] < len(row) else ""  # noqa: E731
        title = cell("title")
        if not title:
            parsed.rejected.append((number, "thiếu tên sáng kiến"))
            continue
        if len(title) > MAX_TITLE:
            parsed.rejected.append((number, f"tên sáng kiến dài quá {MAX_TITLE} ký tự"))
            continue
        year: Optional[int] = None
        raw_year = cell("year")
        if raw_year:
            try:
                year = int(float(raw_year))
            except ValueError:
                parsed.rejected.append((number, f"năm “{raw_year}” không phải là số"))
                continue
            if not 1990 <= year <= 2100:
                parsed.rejected.append((number, f"năm {year} không hợp lệ"))
                continue
        parsed.rows.append(RegistryData(title=title, summary=cell("summary"), unit=cell("unit"), year=year,
                                        field=cell("field"), code=cell("code")))
        parsed.lines.append(number)
    if not parsed.rows and not parsed.rejected:
        raise OperationError("Tệp: không có dòng dữ liệu nào (chỉ có dòng tiêu đề).", "file")
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
