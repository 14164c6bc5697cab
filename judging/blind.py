"""Files as a blind judge receives them: the author's name taken out of their properties."""
from __future__ import annotations

import io
import re
import zipfile

from contest.uploads import DOCX, PDF

# docProps/app.xml elements that name the author's side: Word fills Company from the
# machine's registration, which in a ward office is usually the unit's name.
_APP_NAMES = re.compile(rb"<((?:\w+:)?(?:Company|Manager))\b[^>]*?(?:/>|>.*?</\1\s*>)", re.DOTALL)


def _strip_pdf(data: bytes) -> bytes:
    """The PDF without its document info and its XMP metadata streams (catalog and pages)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.metadata = None
    # "Save as PDF" repeats author and producer in XMP (dc:creator, pdf:Producer…).
    writer._root_object.pop("/Metadata", None)
    for page in writer.pages:
        page.pop("/Metadata", None)
    # Dropping the references is not enough: the old objects would still be written out.
    # Called with no arguments: their names changed between pypdf 5 and 7.
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _strip_app_properties(data: bytes) -> bytes:
    """The DOCX with Company and Manager taken out of docProps/app.xml, every other part as it was."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == "docProps/app.xml":
                part = _APP_NAMES.sub(b"", part)
            target.writestr(info, part)
    return out.getvalue()


def strip_author_metadata(data: bytes, content_type: str) -> bytes:
    """The file without its document properties (author, last editor, company…), where the format allows.

    PDF: the document info and the XMP metadata streams go. DOCX: the core properties
    (author, last editor, comments, title, subject, keywords, category) are emptied and
    Company and Manager leave docProps/app.xml. The text of the file is left alone: an
    author who signs the body is the organisers' concern. A file that cannot be rewritten
    is returned as it was.
    """
    try:
        if content_type == PDF[1]:
            return _strip_pdf(data)
        if content_type == DOCX[1]:
            from docx import Document

            document = Document(io.BytesIO(data))
            props = document.core_properties
            for name in ("author", "last_modified_by", "comments", "title", "subject", "keywords", "category"):
                setattr(props, name, "")
            out = io.BytesIO()
            document.save(out)
            return _strip_app_properties(out.getvalue())
    except Exception:  # a damaged file still reaches the judge; it was accepted by content check
        return data
    return data
