"""Blind copies of attachments: no author, unit or producer left in a PDF's XMP or a DOCX's app.xml."""
from __future__ import annotations

import io
import os
import zipfile

import docx
import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from judging.blind import CannotAnonymise, strip_author_metadata

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
AUTHOR, UNIT = "Hoàng Canary Xuân", "Phòng Canary-Unit 42"

XMP = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
 xmlns:xmp="http://ns.adobe.com/xap/1.0/">
<dc:creator><rdf:Seq><rdf:li>{AUTHOR}</rdf:li></rdf:Seq></dc:creator>
<pdf:Producer>Microsoft® Word for {UNIT}</pdf:Producer><xmp:CreatorTool>Word</xmp:CreatorTool>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>""".encode()


def xmp_stream(writer: PdfWriter) -> object:
    """An XMP metadata stream, as "Save as PDF" writes it, added to the writer."""
    stream = DecodedStreamObject()
    stream.set_data(XMP)
    stream[NameObject("/Type")] = NameObject("/Metadata")
    stream[NameObject("/Subtype")] = NameObject("/XML")
    return writer._add_object(stream)


def names_in(data: bytes) -> list[str]:
    """Which of the canary names the bytes still hold, in UTF-8 or as PDF text strings."""
    found = []
    for name in (AUTHOR, UNIT, "Canary"):
        forms = [name.encode(), name.encode("utf-16-be"), name.encode("utf-8").hex().encode()]
        if any(form in data for form in forms):
            found.append(name)
    return found


def repack(document: "docx.document.Document", change=lambda name, part: part, extra: dict | None = None) -> bytes:
    """A saved python-docx document with its parts changed by `change(name, bytes)` and `extra` parts added."""
    buffer = io.BytesIO()
    document.save(buffer)
    source, out = zipfile.ZipFile(io.BytesIO(buffer.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, change(info.filename, source.read(info.filename)))
        for name, part in (extra or {}).items():
            target.writestr(name, part)
    return out.getvalue()


def test_pdf_loses_its_document_info_and_xmp_streams() -> None:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Author": AUTHOR, "/Producer": UNIT, "/Title": "Sáng kiến"})
    writer._root_object[NameObject("/Metadata")] = xmp_stream(writer)
    writer.pages[1][NameObject("/Metadata")] = xmp_stream(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    original = buffer.getvalue()
    assert AUTHOR in names_in(original)  # the fixture really carries the names

    cleaned = strip_author_metadata(original, PDF)
    assert names_in(cleaned) == []
    reader = PdfReader(io.BytesIO(cleaned))
    assert len(reader.pages) == 2 and not reader.metadata
    assert "/Metadata" not in reader.trailer["/Root"] and reader.xmp_metadata is None


def test_docx_loses_company_and_manager_and_its_core_authors() -> None:
    document = docx.Document()
    document.add_paragraph("Bản mô tả sáng kiến")
    document.core_properties.author = AUTHOR
    document.core_properties.last_modified_by = AUTHOR
    # python-docx cannot set app.xml; Word fills Company from the machine's registration.
    original = repack(document, lambda name, part: part.replace(b"<Manager/>", f"<Manager>{AUTHOR}</Manager>".encode())
                      .replace(b"<Company/>", f"<Company>{UNIT}</Company>".encode()) if name == "docProps/app.xml" else part)
    assert UNIT.encode() in zipfile.ZipFile(io.BytesIO(original)).read("docProps/app.xml")

    cleaned = strip_author_metadata(original, DOCX)
    archive = zipfile.ZipFile(io.BytesIO(cleaned))
    assert archive.testzip() is None
    for name in archive.namelist():
        assert "Canary" not in archive.read(name).decode("utf-8", "replace"), name
    app = archive.read("docProps/app.xml")
    assert b"<Company" not in app and b"<Manager" not in app and b"<Application>" in app
    reopened = docx.Document(io.BytesIO(cleaned))  # still a Word document
    assert reopened.paragraphs[0].text == "Bản mô tả sáng kiến"
    assert reopened.core_properties.author == "" and reopened.core_properties.last_modified_by == ""


def test_a_file_no_anonymous_copy_can_be_made_of_is_never_handed_over() -> None:
    for data, kind in ((b"%PDF-1.4 broken", PDF), (b"PK\x03\x04 broken", DOCX), (b"plain", "text/plain"),
                       (docm_bytes(), DOCX), (bomb_bytes(), DOCX)):
        with pytest.raises(CannotAnonymise):
            strip_author_metadata(data, kind)


# --- fixtures built here: a Word file with every trace of its author, a PDF with annotations ---------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def traced_docx() -> bytes:
    """A Word file whose comments, tracked changes, people.xml, custom properties and an embedded
    file name the author or the unit, as Word writes them."""
    document = docx.Document()
    document.add_paragraph("Bản mô tả sáng kiến")
    revisions = (f'<w:p><w:ins w:id="1" w:author="{AUTHOR}" w:date="2024-01-01T00:00:00Z"><w:r><w:t>thêm</w:t></w:r>'
                 f'</w:ins><w:del w:id="2" w:author="{AUTHOR}"><w:r><w:delText>bớt</w:delText></w:r></w:del></w:p>')
    return repack(
        document,  # a tracked insertion and a deletion by the author
        lambda name, part: part.replace(b"</w:body>", (revisions + "</w:body>").encode()) if name == "word/document.xml" else part,
        {
            "word/comments.xml": (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:comments xmlns:w="{W}">'
                f'<w:comment w:id="0" w:author="{AUTHOR}" w:initials="HCX"><w:p><w:r><w:t>Góp ý</w:t></w:r></w:p>'
                f"</w:comment></w:comments>").encode(),
            "word/people.xml": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
                f'<w15:person w15:author="{AUTHOR}"><w15:presenceInfo w15:providerId="AD" '
                f'w15:userId="canary@{UNIT.replace(" ", "")}.gov.vn"/></w15:person></w15:people>').encode(),
            "docProps/custom.xml": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties '
                'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
                'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
                f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="DonVi"><vt:lpwstr>{UNIT}'
                "</vt:lpwstr></property></Properties>").encode(),
            "word/embeddings/oleObject1.bin": f"OLE by {AUTHOR}".encode(),
        })


def docm_bytes() -> bytes:
    """A macro-enabled Word file renamed .docx: its package says so and carries the macros."""
    return repack(
        docx.Document(),
        lambda name, part: part.replace(b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml")
        if name == "[Content_Types].xml" else part,
        {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros"})


def bomb_bytes(megabytes: int = 80) -> bytes:
    """A small Word file whose document.xml unpacks to `megabytes` MB (a zip bomb)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        with target.open("word/document.xml", "w") as part:
            block = b" " * (1024 * 1024)
            for _ in range(megabytes):
                part.write(block)
    return out.getvalue()


def test_docx_loses_comment_and_revision_authors_people_custom_properties_and_embedded_files() -> None:
    original = traced_docx()
    packed = zipfile.ZipFile(io.BytesIO(original))
    assert AUTHOR.encode() in b"".join(packed.read(n) for n in packed.namelist())  # the fixture carries the names
    cleaned = strip_author_metadata(original, DOCX)
    archive = zipfile.ZipFile(io.BytesIO(cleaned))
    assert archive.testzip() is None
    for name in archive.namelist():
        text = archive.read(name).decode("utf-8", "replace")
        assert "Canary" not in text and "HCX" not in text, name
    assert b'w:author=""' in archive.read("word/document.xml")  # the revisions stay, without their author
    assert "Góp ý" in archive.read("word/comments.xml").decode()  # the comment's text is content, kept
    assert archive.read("word/embeddings/oleObject1.bin") == b""
    reopened = docx.Document(io.BytesIO(cleaned))  # still a Word document
    assert reopened.paragraphs[0].text == "Bản mô tả sáng kiến"


def test_pdf_loses_annotation_authors_and_embedded_files() -> None:
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        NameObject,
        TextStringObject,
    )

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_attachment(f"danh-sach-{UNIT}.txt", f"Tác giả {AUTHOR}".encode())
    note = DictionaryObject({NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Text"),
                             NameObject("/Rect"): ArrayObject([]), NameObject("/T"): TextStringObject(AUTHOR),
                             NameObject("/Contents"): TextStringObject("Cần sửa mục 2")})
    pinned = DictionaryObject({NameObject("/Type"): NameObject("/Annot"),
                               NameObject("/Subtype"): NameObject("/FileAttachment"),
                               NameObject("/Rect"): ArrayObject([]), NameObject("/T"): TextStringObject(UNIT)})
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(note), writer._add_object(pinned)])
    buffer = io.BytesIO()
    writer.write(buffer)
    original = buffer.getvalue()
    assert AUTHOR in names_in(original)

    cleaned = strip_author_metadata(original, PDF)
    assert names_in(cleaned) == []
    reader = PdfReader(io.BytesIO(cleaned))
    annots = [a.get_object() for a in reader.pages[0]["/Annots"]]
    assert [a["/Subtype"] for a in annots] == ["/Text"] and "/T" not in annots[0]
    assert annots[0]["/Contents"] == "Cần sửa mục 2"  # the comment's text is content, kept
    assert not reader.attachments


# --- at upload: bombs, macros and broken PDFs are refused with the reason -----------------------------


def test_uploads_refuse_bombs_macros_and_unreadable_pdfs(app, signed_in, make_contest) -> None:
    from conftest import csrf_token_from
    from test_entries import create_draft

    from contest.accounts.models import PARTICIPANT
    from contest.db import db
    from contest.entries.models import Attachment

    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    entry = create_draft(client, contest)
    cases = [(bomb_bytes(80), "bom.docx", "giải nén ra quá lớn"), (bomb_bytes(20), "nen.docx", "nén bất thường"),
             (docm_bytes(), "macro.docx", "có macro"), (b"%PDF-1.4 broken", "hong.pdf", "tệp PDF bị hỏng")]
    for data, name, reason in cases:
        token = csrf_token_from(client.get(f"/entries/{entry.id}").get_data(as_text=True))
        response = client.post(f"/entries/{entry.id}/attachments", data={"csrf_token": token,
                               "file": (io.BytesIO(data), name)}, content_type="multipart/form-data",
                               follow_redirects=True)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "Tệp đính kèm:" in page and reason in page, name
    assert db.session.query(Attachment).count() == 0  # nothing stored
    assert len(os.listdir(app.config["UPLOAD_FOLDER"])) == 0 or not any(
        f.endswith((".pdf", ".docx")) for f in os.listdir(app.config["UPLOAD_FOLDER"]))
