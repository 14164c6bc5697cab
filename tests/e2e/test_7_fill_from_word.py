"""Journey 7: a participant who wrote the description in Word fills the entry form from it, checks, saves."""
from __future__ import annotations

import re
from pathlib import Path

import docx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import CONTEST_NEXT_YEAR

TITLE = "Hộp thư góp ý điện tử về thủ tục hành chính trên trang Zalo của phường"
APPLIED_WHERE = "Bộ phận Một cửa UBND phường"


def description(path: Path) -> Path:
    """A description form as a ward office writes it: numbered "Label: value" paragraphs."""
    document = docx.Document()
    document.add_paragraph("BẢN MÔ TẢ SÁNG KIẾN").runs[0].bold = True
    for line in (f"1. Tên sáng kiến: {TITLE}",
                 "2. Tác giả: Bùi Thị Hồng – Bí thư Đoàn Thanh niên phường, tỷ lệ đóng góp 100%",
                 "3. Thực trạng:",
                 "Người dân ngại góp ý trực tiếp về thái độ phục vụ và thời gian giải quyết hồ sơ.",
                 "4. Nội dung giải pháp: Mở hộp thư góp ý trên trang Zalo của phường, trả lời trong 3 ngày.",
                 "5. Hiệu quả: Mỗi tháng nhận khoảng 30 góp ý; thời gian trả lời giảm từ 10 ngày còn 3 ngày."):
        document.add_paragraph(line)
    document.save(path)
    return path


def test_fill_from_word_then_save(page: Page, sign_in, tmp_path: Path) -> None:
    sign_in(page, "canbo3")
    page.get_by_role("link", name="Sáng kiến của tôi").click()
    page.get_by_role("listitem").filter(has_text=CONTEST_NEXT_YEAR).get_by_role(
        "link", name="Viết sáng kiến mới").click()
    expect(page.get_by_role("heading", level=1, name="Viết sáng kiến mới")).to_be_visible()
    page.get_by_label("Nơi đã áp dụng hoặc áp dụng thử").fill(APPLIED_WHERE)  # typed before; the file has none

    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=re.compile(r"^Chọn tệp: Tệp bản mô tả")).click()
    chooser.value.set_files(description(tmp_path / "ban-mo-ta.docx"))
    page.get_by_role("button", name="Điền vào biểu mẫu").click()

    expect(page.get_by_role("status").filter(has_text="Đã điền từ tệp “ban-mo-ta.docx”")).to_be_visible()
    expect(page.get_by_label("Tên sáng kiến, giải pháp")).to_have_value(TITLE)
    expect(page.get_by_label("Thực trạng")).to_have_value(re.compile("^Người dân ngại góp ý"))
    expect(page.get_by_label("Nơi đã áp dụng hoặc áp dụng thử")).to_have_value(APPLIED_WHERE)
    expect(page.get_by_text("Tệp “ban-mo-ta.docx” sẽ được đính kèm vào bài khi bạn lưu.")).to_be_visible()

    page.get_by_label("Hiệu quả đạt được").fill("Thời gian trả lời góp ý giảm từ 10 ngày còn 3 ngày.")  # a correction
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.get_by_role("alert").filter(has_text="đính kèm tệp “ban-mo-ta.docx”")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.get_by_role("link", name="ban-mo-ta.docx")).to_be_visible()
    expect(page.get_by_text("Thời gian trả lời góp ý giảm từ 10 ngày còn 3 ngày.")).to_be_visible()
