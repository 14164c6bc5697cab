"""Files as a blind judge receives them: the author's name taken out of their properties."""
from __future__ import annotations

import io

from contest.uploads import DOCX, PDF


def strip_author_metadata(data: bytes, content_type: str) -> bytes:
    """The file without its document properties (author, last editor, company…), where the format allows.

    The text of the file is left alone: an author who signs the body is the organisers' concern.
    A file that cannot be rewritten is returned as it was.
    """
    try:
        if content_type == PDF[1]:
            from pypdf import PdfReader, PdfWriter

            writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
            writer.metadata = None
            out = io.BytesIO()
            writer.write(out)
            return out.getvalue()
        if content_type == DOCX[1]:
            from docx import Document

            document = Document(io.BytesIO(data))
            props = document.core_properties
            for name in ("author", "last_modified_by", "comments", "title", "subject", "keywords", "category"):
                setattr(props, name, "")
            out = io.BytesIO()
            document.save(out)
            return out.getvalue()
    except Exception:  # a damaged file still reaches the judge; it was accepted by content check
        return data
    return data
