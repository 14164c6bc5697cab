"""Filling the entry form from a Word description form (bản mô tả sáng kiến): the parser, then the flow."""
from __future__ import annotations

import io
import os
import zipfile
from datetime import date

import docx
import pytest
from sqlalchemy import select

from contest.accounts.models import PARTICIPANT
from contest.audit.models import AuditLog
from contest.db import db
from contest.entries.description_form import (
    ParsedDescription,
    match_choice,
    parse_date,
    plan_fill,
    read_description,
)
from contest.entries.models import Attachment, Entry

TITLE = "Ứng dụng mã QR trên giấy hẹn để người dân tra cứu tiến độ hồ sơ"
SITUATION = "Trước đây người dân phải gọi điện hoặc đến trụ sở nhiều lần để hỏi hồ sơ đã giải quyết đến đâu."
SITUATION_2 = "Mỗi ngày Bộ phận Một cửa nhận khoảng 40 cuộc gọi hỏi tiến độ, làm gián đoạn việc tiếp nhận hồ sơ."
SOLUTION = "In mã QR lên giấy tiếp nhận và hẹn trả kết quả; người dân quét mã để biết hồ sơ đang ở bước nào."
EFFECT = "Số cuộc gọi hỏi tiến độ giảm khoảng 70% sau ba tháng áp dụng."


def _save(document: docx.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _para(document, text: str, bold: bool = False, label: str = "") -> None:
    """A paragraph; `label` is written bold before the (plain) text, as ward offices format labels."""
    paragraph = document.add_paragraph()
    if label:
        paragraph.add_run(label).bold = True
    run = paragraph.add_run(text)
    run.bold = bold or None


def standard_form() -> bytes:
    """The standard numbered layout (Thông tư 18/2013/TT-BKHCN), as a ward office fills it in."""
    d = docx.Document()
    _para(d, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True)
    _para(d, "Độc lập - Tự do - Hạnh phúc", bold=True)
    _para(d, "BẢN MÔ TẢ SÁNG KIẾN", bold=True)
    _para(d, TITLE, label="1. Tên sáng kiến: ")
    _para(d, "", label="2. Tác giả sáng kiến:")
    _para(d, "- Họ và tên: Nguyễn Thị Hoa")
    _para(d, "- Chức vụ, đơn vị công tác: Công chức Văn phòng - Thống kê, UBND phường Trung Lương")
    _para(d, "- Tỷ lệ đóng góp: 70%")
    _para(d, "Trần Văn Nam – Công chức Tư pháp - Hộ tịch, tỷ lệ đóng góp 30%", label="3. Đồng tác giả: ")
    _para(d, "Cải cách thủ tục hành chính", label="4. Lĩnh vực áp dụng sáng kiến: ")
    _para(d, "01/3/2024", label="5. Ngày sáng kiến được áp dụng lần đầu hoặc áp dụng thử: ")
    _para(d, "6. Mô tả bản chất của sáng kiến:", bold=True)
    _para(d, "6.1. Tình trạng giải pháp đã biết (thực trạng):", bold=True)
    _para(d, SITUATION)
    _para(d, SITUATION_2)
    _para(d, "6.2. Nội dung giải pháp đề nghị công nhận là sáng kiến:", bold=True)
    _para(d, "- Mục đích của giải pháp: giúp người dân tự theo dõi hồ sơ.")
    _para(d, SOLUTION)
    _para(d, "6.3. Khả năng áp dụng của giải pháp:", bold=True)
    _para(d, "Áp dụng được ở mọi phường, xã có phần mềm một cửa điện tử.")
    _para(d, "6.4. Hiệu quả, lợi ích thu được hoặc dự kiến có thể thu được do áp dụng giải pháp:", bold=True)
    _para(d, "- Hiệu quả kinh tế: tiết kiệm chi phí điện thoại.")
    _para(d, "- Hiệu quả xã hội: " + EFFECT)
    _para(d, "Không.", label="7. Những thông tin cần được bảo mật (nếu có): ")
    _para(d, "Máy in và phần mềm một cửa điện tử.", label="8. Các điều kiện cần thiết để áp dụng sáng kiến: ")
    _para(d, "Tiết kiệm thời gian đi lại của người dân.",
          label="9. Đánh giá lợi ích thu được do áp dụng sáng kiến theo ý kiến của tác giả: ")
    _para(d, "Bộ phận Một cửa UBND phường Trung Lương", label="10. Nơi áp dụng: ")
    _para(d, "Trung Lương, ngày 15 tháng 4 năm 2024")
    _para(d, "TÁC GIẢ SÁNG KIẾN", bold=True)
    _para(d, "(Ký, ghi rõ họ tên)")
    _para(d, "Nguyễn Thị Hoa", bold=True)
    return _save(d)


def table_form() -> bytes:
    """The two-column table layout, with an authors' table."""
    d = docx.Document()
    d.add_heading("Bản mô tả sáng kiến", level=1)
    authors = d.add_table(rows=3, cols=4)
    for row, cells in zip(authors.rows, [("STT", "Họ và tên", "Chức vụ, đơn vị", "Tỷ lệ đóng góp (%)"),
                                         ("1", "Lê Minh Tuấn", "Chuyên viên Văn phòng HĐND-UBND", "60"),
                                         ("2", "Phạm Thị Lan", "Công chức Văn hóa - Xã hội", "40")]):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    rows = [
        ("Tên sáng kiến", ["Tổ công nghệ số hướng dẫn người dân nộp hồ sơ trực tuyến tại nhà"]),
        ("Lĩnh vực", ["Chính quyền số"]),
        ("Thực trạng", ["Người cao tuổi không biết dùng dịch vụ công trực tuyến.",
                        "Tỷ lệ hồ sơ trực tuyến của phường chỉ đạt 12%."]),
        ("Giải pháp", ["Đoàn viên thanh niên đến từng nhà hướng dẫn cài đặt VNeID và nộp hồ sơ."]),
        ("Hiệu quả đạt được", ["Tỷ lệ hồ sơ trực tuyến tăng lên 65% sau sáu tháng."]),
        ("Phạm vi nhân rộng", ["Các phường trong thị xã."]),
        ("Thời gian áp dụng", ["Từ tháng 5/2024"]),
    ]
    table = d.add_table(rows=len(rows), cols=2)
    for row, (label, paragraphs) in zip(table.rows, rows):
        row.cells[0].text = label
        row.cells[0].paragraphs[0].runs[0].bold = True
        row.cells[1].text = paragraphs[0]
        for extra in paragraphs[1:]:
            row.cells[1].add_paragraph(extra)
    return _save(d)


def unaccented_form() -> bytes:
    """Labels typed without diacritics, numbered with letters and Roman numerals."""
    d = docx.Document()
    _para(d, "BAN MO TA SANG KIEN")
    _para(d, "I. Ten sang kien: Nhan tin Zalo nhac lich hen tra ket qua ho so")
    _para(d, "II. Tac gia: Nguyen Van Binh (60%), Tran Thi Mai (40%)")
    _para(d, "III. Linh vuc: Chinh quyen so")
    _para(d, "a) Thuc trang")
    _para(d, "Nhieu nguoi dan quen ngay hen nen ho so da xong van nam lai bo phan mot cua.")
    _para(d, "b) Noi dung giai phap:")
    _para(d, "Cong chuc gui tin nhan Zalo nhac lich truoc mot ngay.")
    _para(d, "c) Hieu qua: Ho so tra dung hen tang tu 60% len 95%.")
    _para(d, "d) Kha nang ap dung: moi phuong, xa.")
    return _save(d)


def letter() -> bytes:
    """A letter that mentions initiatives but is no description form."""
    d = docx.Document()
    _para(d, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True)
    _para(d, "Kính gửi: Ban tổ chức Hội thi sáng kiến CCHC phường")
    _para(d, "Tôi tên là Nguyễn Thị Hoa, công chức Văn phòng, xin đăng ký tham gia hội thi.")
    _para(d, "Nội dung: đề nghị Ban tổ chức gửi mẫu bản mô tả sáng kiến để tôi hoàn thiện hồ sơ.")
    _para(d, "Trân trọng cảm ơn.")
    return _save(d)


def xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "Tên sáng kiến"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "Tên sáng kiến: không phải Word")
    return buffer.getvalue()


def broken_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(standard_form())) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, b"<w:document><not xml" if item.filename == "word/document.xml" else data)
    return buffer.getvalue()


# ---------------------------------------------------------------- the parser

def test_standard_numbered_form_is_read() -> None:
    parsed = read_description(standard_form())
    assert parsed.recognised, parsed.message
    assert parsed.title == TITLE
    assert parsed.situation == f"{SITUATION}\n{SITUATION_2}"
    assert parsed.solution.startswith("- Mục đích của giải pháp") and SOLUTION in parsed.solution
    assert "Hiệu quả kinh tế: tiết kiệm" in parsed.effect and EFFECT in parsed.effect
    assert parsed.scope.startswith("Áp dụng được ở mọi phường")
    assert "Các điều kiện cần thiết để áp dụng sáng kiến\nMáy in" in parsed.scope
    assert parsed.benefit == "Tiết kiệm thời gian đi lại của người dân."
    assert parsed.applied_where == "Bộ phận Một cửa UBND phường Trung Lương"
    assert parsed.applied_since == date(2024, 3, 1) and not parsed.applied_since_month_only
    assert parsed.field == "Cải cách thủ tục hành chính"
    assert [(p.full_name, p.share) for p in parsed.authors] == [("Nguyễn Thị Hoa", 70.0)]
    assert parsed.authors[0].position.startswith("Công chức Văn phòng - Thống kê")
    assert [(p.full_name, p.position, p.share) for p in parsed.coauthors] == [
        ("Trần Văn Nam", "Công chức Tư pháp, Hộ tịch", 30.0)]
    assert "Tên sáng kiến" in parsed.labels and "Những thông tin cần được bảo mật (nếu có)" in parsed.labels
    # Nothing of the sections that have no field leaks into the others.
    assert all("bảo mật" not in getattr(parsed, f) for f in ("situation", "solution", "effect", "scope", "benefit"))
    assert "Trung Lương, ngày 15" not in parsed.applied_where + parsed.benefit


def test_table_layout_is_read() -> None:
    parsed = read_description(table_form())
    assert parsed.recognised, parsed.message
    assert parsed.title == "Tổ công nghệ số hướng dẫn người dân nộp hồ sơ trực tuyến tại nhà"
    assert parsed.field == "Chính quyền số"
    assert parsed.situation == ("Người cao tuổi không biết dùng dịch vụ công trực tuyến.\n"
                                "Tỷ lệ hồ sơ trực tuyến của phường chỉ đạt 12%.")
    assert parsed.solution.startswith("Đoàn viên thanh niên") and parsed.effect.startswith("Tỷ lệ hồ sơ")
    assert parsed.scope == "Các phường trong thị xã."
    assert parsed.applied_since == date(2024, 5, 1) and parsed.applied_since_month_only
    assert [(p.full_name, p.position, p.share) for p in parsed.authors] == [
        ("Lê Minh Tuấn", "Chuyên viên Văn phòng HĐND-UBND", 60.0), ("Phạm Thị Lan", "Công chức Văn hóa - Xã hội", 40.0)]


def test_labels_without_diacritics_are_read() -> None:
    parsed = read_description(unaccented_form())
    assert parsed.recognised, parsed.message
    assert parsed.title == "Nhan tin Zalo nhac lich hen tra ket qua ho so"
    assert parsed.situation.startswith("Nhieu nguoi dan quen ngay hen")
    assert parsed.solution == "Cong chuc gui tin nhan Zalo nhac lich truoc mot ngay."
    assert parsed.effect == "Ho so tra dung hen tang tu 60% len 95%."
    assert parsed.scope == "moi phuong, xa."
    assert [(p.full_name, p.share) for p in parsed.authors] == [("Nguyen Van Binh", 60.0), ("Tran Thi Mai", 40.0)]
    assert match_choice(parsed.field, ["Cải cách TTHC", "Chính quyền số"]) == "Chính quyền số"


def test_a_letter_is_not_a_description_form() -> None:
    parsed = read_description(letter())
    assert not parsed.recognised
    assert "Tên sáng kiến" in parsed.message or "không thấy" in parsed.message


def test_a_title_alone_is_not_enough() -> None:
    d = docx.Document()
    _para(d, "Tên sáng kiến: Sổ tay thủ tục hành chính bỏ túi")
    _para(d, "Thực trạng: người dân không biết cần giấy tờ gì.")
    parsed = read_description(_save(d))
    assert not parsed.recognised and "chỉ thấy 1" in parsed.message and "cần ít nhất hai" in parsed.message


@pytest.mark.parametrize("data, says", [
    (b"", "không phải tệp Word"),
    (b"hello, this is text", "không phải tệp Word"),
    (b"PK\x03\x04not really a zip", "không phải tệp Word"),
    (b"%PDF-1.4\n%%EOF\n", "tệp PDF"),
])
def test_junk_bytes_are_not_recognised(data: bytes, says: str) -> None:
    parsed = read_description(data)
    assert not parsed.recognised and says in parsed.message


def test_other_packages_are_not_recognised() -> None:
    assert "Excel" in read_description(xlsx()).message
    assert "không phải tệp Word" in read_description(plain_zip()).message
    broken = read_description(broken_docx())
    assert not broken.recognised and "bị hỏng" in broken.message
    empty = read_description(_save(docx.Document()))
    assert not empty.recognised and "không có nội dung" in empty.message


def test_heading_styles_line_breaks_and_a_frame_table_are_read() -> None:
    """Labels as Word headings with no colon, a value after a soft line break, all inside a 1×1 frame."""
    d = docx.Document()
    frame = d.add_table(rows=1, cols=1).cell(0, 0)
    frame.paragraphs[0].text = "BẢN MÔ TẢ SÁNG KIẾN"
    frame.add_paragraph("Tên sáng kiến:\nSổ tay điện tử thủ tục hành chính cho người dân")
    frame.add_paragraph("Tác giả: Ông Đỗ Văn Hùng – Phó Chủ tịch UBND phường")
    frame.add_paragraph("Lĩnh vực – Chính quyền số")
    for heading, text in (("Thực trạng", SITUATION), ("Mô tả giải pháp", SOLUTION), ("Kết quả đạt được", EFFECT)):
        frame.add_paragraph(heading, style="Heading 2")
        frame.add_paragraph(text)
    parsed = read_description(_save(d))
    assert parsed.recognised, parsed.message
    assert parsed.title == "Sổ tay điện tử thủ tục hành chính cho người dân"
    assert (parsed.situation, parsed.solution, parsed.effect) == (SITUATION, SOLUTION, EFFECT)
    assert [(p.full_name, p.position) for p in parsed.authors] == [("Đỗ Văn Hùng", "Phó Chủ tịch UBND phường")]
    assert parsed.field == "Chính quyền số"


def test_a_sentence_that_starts_like_a_label_stays_in_its_section() -> None:
    d = docx.Document()
    _para(d, "Tên sáng kiến: Một cửa lưu động")
    _para(d, "Thực trạng:")
    _para(d, "Thực trạng hồ sơ tồn đọng kéo dài nhiều năm ở các thôn xa.")
    _para(d, "Nội dung giải pháp:")
    _para(d, "- Giải pháp thứ nhất: lập tổ lưu động.")
    _para(d, "- Giải pháp thứ hai: nhận hồ sơ tại nhà văn hóa thôn.")
    parsed = read_description(_save(d))
    assert parsed.situation == "Thực trạng hồ sơ tồn đọng kéo dài nhiều năm ở các thôn xa."
    assert parsed.solution == "- Giải pháp thứ nhất: lập tổ lưu động.\n- Giải pháp thứ hai: nhận hồ sơ tại nhà văn hóa thôn."


def test_damaged_files_never_raise() -> None:
    import random

    base, rnd = standard_form(), random.Random(7)
    for _ in range(200):
        data = bytearray(base)
        for _ in range(rnd.randint(1, 30)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        parsed = read_description(bytes(data[:rnd.randint(0, len(data))]) if rnd.random() < 0.3 else bytes(data))
        # a damaged file is either still read as a form or refused with a reason: never an exception
        assert isinstance(parsed, ParsedDescription) and (parsed.recognised or parsed.reason)


def test_dates_are_read_the_vietnamese_way() -> None:
    assert parse_date("ngày 01 tháng 3 năm 2024") == (date(2024, 3, 1), False)
    assert parse_date("Từ ngày 15/02/2024 tại bộ phận một cửa") == (date(2024, 2, 15), False)
    assert parse_date("2024-03-09") == (date(2024, 3, 9), False)
    assert parse_date("tháng 7 năm 2023") == (date(2023, 7, 1), True)
    assert parse_date("31/02/2024") == (None, False)
    assert parse_date("Quý II") == (None, False)


def test_plan_fill_skips_the_signed_in_author_and_keeps_empty_sections_out() -> None:
    parsed = read_description(standard_form())
    fill = plan_fill(parsed, ["Cải cách TTHC", "Chính quyền số"], "Nguyễn Thị Hoa")
    assert fill.values["field"] == "Cải cách TTHC"  # "thủ tục hành chính" is what TTHC stands for
    assert fill.values["applied_since"] == "2024-03-01"
    assert [p.full_name for p in fill.coauthors] == ["Trần Văn Nam"]
    assert not fill.notes
    # Another user's name: the first author of the file is taken to be them, and they are told.
    fill = plan_fill(parsed, ["Chính quyền số"], "Lê Văn Khác")
    assert [p.full_name for p in fill.coauthors] == ["Trần Văn Nam"]
    assert any("không khớp lĩnh vực" in m for m, _ in fill.notes)
    assert any("Tác giả ghi trong tệp" in m for m, _ in fill.notes)
    sparse = plan_fill(read_description(unaccented_form()), ["Chính quyền số"], "Nguyen Van Binh")
    assert "applied_where" not in sparse.values and "benefit" not in sparse.values


# ---------------------------------------------------------------- the flow through the entry form

def browser_fields(html: str) -> dict[str, str]:
    """What a browser would send from the entry form as shown (inputs, text areas, selected options)."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.values: dict[str, str] = {}
            self.textarea: str | None = None
            self.select: str | None = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "input" and a.get("name") and a.get("type") not in ("file", "submit", "checkbox"):
                self.values[a["name"]] = a.get("value") or ""
            elif tag == "textarea":
                self.textarea = a["name"]
                self.values[self.textarea] = ""
            elif tag == "select":
                self.select = a["name"]
            elif tag == "option" and self.select and (self.select not in self.values or "selected" in a):
                self.values[self.select] = a.get("value") or ""

        def handle_endtag(self, tag):
            if tag == "textarea":
                self.textarea = None
            elif tag == "select":
                self.select = None

        def handle_data(self, data):
            if self.textarea:
                self.values[self.textarea] += data

    reader = Reader()
    reader.feed(html)
    for name in list(reader.values):
        if name in ("situation", "solution", "effect", "scope", "benefit"):
            reader.values[name] = reader.values[name].removeprefix("\r\n")  # written after <textarea>
    return reader.values


def fill(client, url: str, data: bytes, name: str = "ban-mo-ta-sang-kien.docx", **typed):
    """Press “Điền vào biểu mẫu” on the form at url, with what the author had typed."""
    payload = {**browser_fields(client.get(url).get_data(as_text=True)), **typed, "fill_from_file": "1",
               "description_file": (io.BytesIO(data), name)}
    return client.post(url, data=payload, content_type="multipart/form-data")


def save(client, url: str, html: str, **corrections):
    """Press “Lưu bản nháp” on the page as shown, after the author's corrections."""
    return client.post(url, data={**browser_fields(html), **corrections})


def pending_files(app) -> list[str]:
    folder = os.path.join(app.config["UPLOAD_FOLDER"], "pending")
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def test_upload_fills_the_form_and_saving_keeps_the_fields_and_the_file(app, signed_in, make_contest) -> None:
    contest = make_contest(fields=["Cải cách TTHC", "Chính quyền số"])
    client, user = signed_in(PARTICIPANT, full_name="Lê Minh Tuấn")
    url = f"/entries/new/{contest.id}"
    response = fill(client, url, table_form(), title="Tên tạm", applied_where="Bộ phận Một cửa UBND phường",
                    benefit="Người dân đỡ phải đi lại.")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:2000]
    assert "Đã điền từ tệp “ban-mo-ta-sang-kien.docx”" in html and "Chưa có gì được lưu" in html
    assert "Ngày áp dụng trong tệp chỉ ghi tháng" in html
    shown = browser_fields(html)
    assert shown["title"] == "Tổ công nghệ số hướng dẫn người dân nộp hồ sơ trực tuyến tại nhà"
    assert shown["situation"].startswith("Người cao tuổi") and shown["field"] == "Chính quyền số"
    assert shown["applied_since"] == "2024-05-01"
    assert shown["applied_where"] == "Bộ phận Một cửa UBND phường"  # the file has no such section: kept as typed
    assert shown["benefit"] == "Người dân đỡ phải đi lại."
    assert (shown["coauthors-0-full_name"], shown["coauthors-0-share"]) == ("Phạm Thị Lan", "40")
    assert "thay bằng nội dung trong tệp: Tên sáng kiến, giải pháp" in html
    # Nothing is saved before the author saves; the file waits, bound to them.
    assert db.session.scalar(select(Entry)) is None and db.session.scalar(select(Attachment)) is None
    assert db.session.scalar(select(AuditLog).filter(AuditLog.action.like("entry.%"))) is None
    assert len(pending_files(app)) == 2 and shown["description_token"]
    assert "sẽ được đính kèm vào bài khi bạn lưu" in html

    response = save(client, url, html, scope="Các phường, xã trong thị xã.")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    entry = db.session.scalar(select(Entry))
    assert entry.title == shown["title"] and entry.field == "Chính quyền số" and entry.scope == "Các phường, xã trong thị xã."
    assert entry.situation == shown["situation"] and entry.applied_since == date(2024, 5, 1)
    assert entry.applied_where == "Bộ phận Một cửa UBND phường" and entry.author_id == user.id
    assert [(c.full_name, c.share) for c in entry.coauthors] == [("Phạm Thị Lan", 40.0)]
    attachment = db.session.scalar(select(Attachment))
    assert attachment.entry_id == entry.id and attachment.original_name == "ban-mo-ta-sang-kien.docx"
    assert attachment.stored_name.endswith(".docx") and attachment.size > 0
    assert pending_files(app) == []
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "đính kèm tệp “ban-mo-ta-sang-kien.docx”" in follow


def test_the_attached_file_is_the_uploaded_one(app, signed_in, make_contest) -> None:
    contest = make_contest()
    client, _ = signed_in(PARTICIPANT, full_name="Nguyễn Thị Hoa")
    data = standard_form()
    url = f"/entries/new/{contest.id}"
    html = fill(client, url, data).get_data(as_text=True)
    assert browser_fields(html)["field"] == "Cải cách TTHC"
    assert save(client, url, html).status_code == 302
    attachment = db.session.scalar(select(Attachment))
    with open(os.path.join(app.config["UPLOAD_FOLDER"], attachment.stored_name), "rb") as fh:
        assert fh.read() == data
    assert [c.full_name for c in db.session.scalar(select(Entry)).coauthors] == ["Trần Văn Nam"]


def test_filling_a_saved_draft_changes_nothing_until_it_is_saved(app, signed_in, make_contest, make_entry) -> None:
    contest = make_contest()
    client, user = signed_in(PARTICIPANT, full_name="Nguyễn Thị Hoa")
    entry = make_entry(contest, user, status="draft", submitted_at=None, applied_where="Văn phòng UBND")
    before = (entry.title, entry.situation, entry.solution, entry.effect, entry.updated_at)
    url = f"/entries/{entry.id}/edit"
    response = fill(client, url, standard_form())
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and browser_fields(html)["title"] == TITLE
    assert "thay bằng nội dung trong tệp" in html
    db.session.refresh(entry)
    assert (entry.title, entry.situation, entry.solution, entry.effect, entry.updated_at) == before
    assert not entry.attachments
    assert save(client, url, html).status_code == 302
    db.session.refresh(entry)
    assert entry.title == TITLE and entry.applied_where == "Bộ phận Một cửa UBND phường Trung Lương"
    assert [a.original_name for a in entry.attachments] == ["ban-mo-ta-sang-kien.docx"]


def test_a_file_that_is_not_a_form_fills_nothing_and_says_so(app, signed_in, make_contest) -> None:
    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    url = f"/entries/new/{contest.id}"
    response = fill(client, url, letter(), name="don-dang-ky.docx", title="Tên tôi đã gõ", situation="Thực trạng tôi đã gõ")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Tệp này không phải bản mô tả sáng kiến theo mẫu: không thấy" in html and "chưa được điền gì" in html
    shown = browser_fields(html)
    assert shown["title"] == "Tên tôi đã gõ" and shown["situation"] == "Thực trạng tôi đã gõ"
    assert shown["description_token"] == "" and pending_files(app) == []
    assert db.session.scalar(select(Entry)) is None


def test_junk_and_oversize_files_are_refused_with_a_message(app, signed_in, make_contest) -> None:
    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    url = f"/entries/new/{contest.id}"
    app.config["MAX_ATTACHMENT_BYTES"] = 100_000
    for data, name, says in [
        (b"hello", "mo-ta.docx", "chỉ nhận tệp Word (.docx)"),
        (b"PK\x03\x04not really a zip", "mo-ta.docx", "chỉ nhận tệp Word (.docx)"),
        (xlsx(), "mo-ta.docx", "chỉ nhận tệp Word (.docx)"),
        (b"%PDF-1.4\n%%EOF\n", "mo-ta.pdf", "tệp PDF không điền tự động được"),
        (b"", "mo-ta.docx", "hãy chọn một tệp Word (.docx)"),
        (standard_form() + b"\0" * 100_000, "to.docx", "vượt quá giới hạn"),
        (broken_docx(), "hong.docx", "bị hỏng"),
    ]:
        response = fill(client, url, data, name=name, title="Tên tôi đã gõ")
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and says in html, (name, html[:3000])
        assert browser_fields(html)["title"] == "Tên tôi đã gõ"
    assert pending_files(app) == [] and db.session.scalar(select(Entry)) is None


def test_another_users_token_is_ignored(app, signed_in, make_contest) -> None:
    contest = make_contest()
    alice, _ = signed_in(PARTICIPANT, full_name="Nguyễn Thị Hoa")
    url = f"/entries/new/{contest.id}"
    alice_html = fill(alice, url, standard_form()).get_data(as_text=True)
    token = browser_fields(alice_html)["description_token"]
    bob, _ = signed_in(PARTICIPANT)
    page = bob.get(url).get_data(as_text=True)
    shown = browser_fields(page)
    assert "sẽ được đính kèm" not in bob.post(url, data={**shown, "title": "", "description_token": token}).get_data(as_text=True)
    response = bob.post(url, data={**shown, "title": "Sáng kiến của Bình", "description_token": token})
    assert response.status_code == 302
    assert "không còn hiệu lực" in bob.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(Attachment)) is None
    response = bob.post(url, data={**browser_fields(bob.get(url).get_data(as_text=True)), "title": "Bài thứ hai",
                                   "description_token": "../../instance/secret_key"})
    assert response.status_code == 302 and db.session.scalar(select(Attachment)) is None
    # Alice's file is untouched and still hers to attach.
    assert len(pending_files(app)) == 2
    assert save(alice, url, alice_html).status_code == 302
    assert db.session.scalar(select(Attachment)).original_name == "ban-mo-ta-sang-kien.docx"


def test_an_expired_token_is_ignored(app, signed_in, make_contest, monkeypatch) -> None:
    from contest.entries import pending_uploads

    contest = make_contest()
    client, _ = signed_in(PARTICIPANT, full_name="Nguyễn Thị Hoa")
    url = f"/entries/new/{contest.id}"
    html = fill(client, url, standard_form()).get_data(as_text=True)
    monkeypatch.setattr(pending_uploads, "MAX_AGE_SECONDS", -1)
    response = save(client, url, html)
    assert response.status_code == 302 and db.session.scalar(select(Attachment)) is None
    assert db.session.scalar(select(Entry)).title == TITLE  # the entry itself is saved
    assert "không còn hiệu lực" in client.get(response.headers["Location"]).get_data(as_text=True)
