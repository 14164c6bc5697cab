"""Blind copies of attachments: no author, unit or producer left in a PDF's XMP or a DOCX's app.xml."""
from __future__ import annotations

import io
import zipfile

import docx
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from judging.blind import strip_author_metadata

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
    buffer = io.BytesIO()
    document.save(buffer)
    # python-docx cannot set app.xml; Word fills Company from the machine's registration.
    source, patched = zipfile.ZipFile(io.BytesIO(buffer.getvalue())), io.BytesIO()
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == "docProps/app.xml":
                part = part.replace(b"<Manager/>", f"<Manager>{AUTHOR}</Manager>".encode())
                part = part.replace(b"<Company/>", f"<Company>{UNIT}</Company>".encode())
            target.writestr(info, part)
    original = patched.getvalue()
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


def test_unreadable_files_come_back_as_they_were() -> None:
    assert strip_author_metadata(b"%PDF-1.4 broken", PDF) == b"%PDF-1.4 broken"
    assert strip_author_metadata(b"PK\x03\x04 broken", DOCX) == b"PK\x03\x04 broken"
    assert strip_author_metadata(b"plain", "text/plain") == b"plain"
