"""What an uploaded file really is, judged by its content and never by its name."""
from __future__ import annotations

import io
import zipfile
from typing import Optional

PDF = ("pdf", "application/pdf")
DOCX = ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


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
    return kind if kind in (PDF, DOCX) else None
