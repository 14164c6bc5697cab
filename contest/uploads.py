"""What an uploaded file really is, judged by its content and never by its name."""
from __future__ import annotations

import io
import zipfile
from typing import Optional

from contest.marks import N_

# How much one entry may carry: a description, its annexes, a few scans; more is a mistake or abuse.
MAX_ATTACHMENTS_PER_ENTRY = 10
MAX_ENTRY_BYTES = 40 * 1024 * 1024
# Word forms waiting to be saved (pending_uploads): a person fills one draft at a time.
MAX_PENDING_PER_USER = 3

PDF = ("pdf", "application/pdf")
DOCX = ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
# What an entry's attachments may be (the contest's public rules page lists them from here).
ATTACHMENT_TYPES = (PDF, DOCX)


def _zip_names(data: bytes) -> set[str]:
    if not data.startswith(b"PK\x03\x04"):
        return set()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return set()


def detect_type(data: bytes) -> Optional[tuple[str, str]]:
    """(extension, MIME type) of a PDF, DOCX or XLSX file, or None for anything else."""
    if data.startswith(b"%PDF-"):
        return PDF
    names = _zip_names(data)
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    return None


def detect_attachment_type(data: bytes) -> Optional[tuple[str, str]]:
    """An entry's attachment may be a PDF or a Word document."""
    kind = detect_type(data)
    return kind if kind in ATTACHMENT_TYPES else None


# What an uploaded Word or Excel file may unpack to. A real one is a few dozen parts and a few
# megabytes (pictures included); a "zip bomb" is a small file that unpacks to gigabytes, and any
# code that opens it (the blind copy, the Word-form fill, an import) would try to hold it all.
MAX_PARTS = 1000
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
# Text parts compress 5–30 times, pictures hardly at all; a bomb's part compresses a thousand times.
MAX_RATIO = 100
_RATIO_FROM = 1024 * 1024  # parts smaller than this unpacked are never a threat, whatever their ratio
# Parts that only a macro-enabled document (.docm/.xlsm renamed) has.
_MACRO_PARTS = ("vbaproject.bin", "vbadata.xml")


# A registry import is one big sheet (200,000 rows unpack to about 170 MB of XML), read by a parser
# that keeps the cells, not the XML: its own limit.
MAX_IMPORT_UNPACKED_BYTES = 512 * 1024 * 1024
_TOO_BIG = {
    MAX_UNPACKED_BYTES: N_("tệp giải nén ra quá lớn (trên 64 MB); hãy lưu lại tài liệu với ảnh nhỏ hơn."),
    MAX_IMPORT_UNPACKED_BYTES: N_("bảng tính giải nén ra quá lớn (trên 512 MB); hãy chia thành nhiều tệp nhỏ hơn."),
}


def package_problem(data: bytes, max_unpacked: int = MAX_UNPACKED_BYTES) -> Optional[str]:
    """Why a Word/Excel package must be refused before anything opens it (a Vietnamese reason), or None.

    Reads the zip's directory only: the sizes it declares are checked, no part is unpacked.
    `max_unpacked` is MAX_UNPACKED_BYTES (documents) or MAX_IMPORT_UNPACKED_BYTES (registry imports).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_PARTS:
                return N_("tệp có quá nhiều thành phần bên trong; đây không phải một tài liệu thông thường.")
            if sum(i.file_size for i in infos) > max_unpacked:
                return _TOO_BIG[max_unpacked]
            for info in infos:
                if info.file_size > _RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    return N_("tệp có thành phần nén bất thường (có thể là tệp độc hại); không nhận.")
                if info.filename.rsplit("/", 1)[-1].lower() in _MACRO_PARTS:
                    return N_("tệp Word/Excel có macro (.docm, .xlsm); hãy lưu thành .docx hoặc .xlsx thường.")
            types = archive.getinfo("[Content_Types].xml")
            if types.file_size > 1024 * 1024 or b"macroEnabled" in archive.read(types):
                return N_("tệp Word/Excel có macro (.docm, .xlsm); hãy lưu thành .docx hoặc .xlsx thường.")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, NotImplementedError, RuntimeError):
        return N_("tệp bị hỏng, không đọc được.")
    return None


def pdf_problem(data: bytes) -> Optional[str]:
    """Why a PDF must be refused (a Vietnamese reason), or None: it must open, have pages, no password."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return N_("tệp PDF có đặt mật khẩu; hãy nộp bản không đặt mật khẩu.")
        if len(reader.pages) < 1:
            return N_("tệp PDF không có trang nào.")
    except Exception:  # pypdf raises many kinds on a damaged file
        return N_("tệp PDF bị hỏng, không đọc được.")
    return None


def display_filename(original: str, limit: int = 250) -> str:
    """An uploaded file's name fit to show and to download under: printable, no path; "" when none is left."""
    name = "".join(ch for ch in original if ch.isprintable()).strip()
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return "" if not name.strip(". ") else name[:limit]


def attachment_problem(data: bytes, kind: tuple[str, str]) -> Optional[str]:
    """Why an attachment of this checked kind must still be refused, or None."""
    return pdf_problem(data) if kind == PDF else package_problem(data)
