"""Files as a blind judge receives them: every trace of the author taken out, or not given at all."""
from __future__ import annotations

import io
import re
import zipfile

from contest.marks import N_
from contest.uploads import DOCX, PDF, package_problem, pdf_problem


class CannotAnonymise(Exception):
    """A file no blind copy can be made of: it never reaches a blind judge as it is."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # Vietnamese, marked for translation


# docProps/app.xml elements that name the author's side: Word fills Company from the
# machine's registration, which in a ward office is usually the unit's name.
_APP_NAMES = re.compile(rb"<((?:\w+:)?(?:Company|Manager))\b[^>]*?(?:/>|>.*?</\1\s*>)", re.DOTALL)
# docProps/core.xml: who wrote and last saved it, and what they called it.
_CORE_NAMES = re.compile(
    rb"<((?:\w+:)?(?:creator|lastModifiedBy|title|subject|description|keywords|category))\b([^>]*?)(?:/>|>.*?</\1\s*>)",
    re.DOTALL)
# In every Word part: the author and initials of comments and tracked changes (insertions, deletions,
# formatting changes), and the identity of people in word/people.xml.
_PERSON_ATTRS = re.compile(rb'\b((?:w|w15):(?:author|initials|userId|providerId))="[^"]*"')
_PEOPLE = re.compile(rb"(<((?:\w+:)?)people\b[^>]*>).*?(</\2people\s*>)", re.DOTALL)
_CUSTOM = re.compile(rb"(<((?:\w+:)?)Properties\b[^>]*>).*?(</\2Properties\s*>)", re.DOTALL)


def _docx_part(name: str, part: bytes) -> bytes:
    """One part of a Word package with the author's traces taken out."""
    if name == "docProps/core.xml":
        return _CORE_NAMES.sub(rb"<\1\2/>", part)
    if name == "docProps/app.xml":
        return _APP_NAMES.sub(b"", part)
    if name == "docProps/custom.xml":  # custom properties: the unit, the author's code…
        return _CUSTOM.sub(rb"\1\3", part)
    if name.startswith("word/embeddings/"):  # embedded files carry their own authors: none is passed on
        return b""
    if name == "word/people.xml":
        part = _PEOPLE.sub(rb"\1\3", part)
    if name.startswith("word/") and name.endswith(".xml"):
        part = _PERSON_ATTRS.sub(rb'\1=""', part)
    return part


def _strip_docx(data: bytes) -> bytes:
    """The Word package rewritten part by part (the parts' sizes were checked before: bounded)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, _docx_part(info.filename, source.read(info.filename)))
    return out.getvalue()


def _strip_pdf(data: bytes) -> bytes:
    """The PDF without document info, XMP metadata, annotation authors and embedded files."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, NameObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.metadata = None
    root = writer._root_object
    # "Save as PDF" repeats author and producer in XMP (dc:creator, pdf:Producer…).
    root.pop("/Metadata", None)
    root.pop("/AF", None)  # files associated with the document
    names = root.get("/Names")
    if names is not None:
        names.get_object().pop("/EmbeddedFiles", None)
    for page in writer.pages:
        page.pop("/Metadata", None)
        annots = page.get("/Annots")
        if annots is None:
            continue
        kept = ArrayObject()
        for ref in annots.get_object():
            annot = ref.get_object()
            if annot.get("/Subtype") == "/FileAttachment":
                continue  # a file pinned to the page
            for key in ("/T", "/RC", "/Popup"):  # the annotation's author, rich text and its pop-up
                annot.pop(key, None)
            kept.append(ref)
        page[NameObject("/Annots")] = kept
    # Dropping the references is not enough: the old objects would still be written out. A second
    # copy made from the first takes only what the document still refers to.
    first = io.BytesIO()
    writer.write(first)
    out = io.BytesIO()
    PdfWriter(clone_from=PdfReader(first)).write(out)
    return out.getvalue()


def strip_author_metadata(data: bytes, content_type: str) -> bytes:
    """The file without any trace of its author, or CannotAnonymise: never the file as it was.

    PDF: the document info, the XMP metadata streams, annotation authors and embedded files go.
    DOCX: the core properties (author, last editor, title, subject…), Company and Manager, custom
    properties, the authors and initials of comments and tracked changes, word/people.xml and
    embedded files. The text itself is left alone: an author who signs the body is the organisers'
    concern. A file too big or strange to open safely, or that fails to rewrite, is refused.
    """
    if content_type == PDF[1]:
        problem = pdf_problem(data)
        strip = _strip_pdf
    elif content_type == DOCX[1]:
        problem = package_problem(data)
        strip = _strip_docx
    else:
        raise CannotAnonymise(N_("loại tệp này không ẩn danh được."))
    if problem:
        raise CannotAnonymise(problem)
    try:
        return strip(data)
    except Exception as error:  # pypdf and zipfile raise many kinds on a damaged file
        raise CannotAnonymise(N_("tệp bị hỏng, không viết lại được.")) from error
