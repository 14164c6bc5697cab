"""Journey 1: a participant writes an entry, sees similar applied initiatives, attaches a PDF, submits."""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from contest.demo import DEMO_PDF
from tests.e2e.conftest import CONTEST_NEXT_YEAR

TINY_PDF = DEMO_PDF  # a real one-page PDF: uploads are checked to open
# Close to the registry's "Tổ lưu động giải quyết thủ tục hành chính định kỳ hằng tháng tại các thôn vùng sâu, vùng xa".
TITLE = "Tổ lưu động giải quyết thủ tục hành chính tại các thôn vùng sâu, vùng xa"
SOLUTION = "Hằng tháng, tổ lưu động gồm công chức tư pháp, địa chính đến từng thôn vùng sâu tiếp nhận hồ sơ."
REGISTRY_MATCH = "Tổ lưu động giải quyết thủ tục hành chính định kỳ hằng tháng tại các thôn vùng sâu, vùng xa"


def test_participant_writes_attaches_and_submits(page: Page, sign_in, tmp_path: Path) -> None:
    sign_in(page, "canbo1")
    page.get_by_role("link", name="Sáng kiến của tôi").click()
    page.get_by_role("listitem").filter(has_text=CONTEST_NEXT_YEAR).get_by_role(
        "link", name="Viết sáng kiến mới").click()
    expect(page.get_by_role("heading", level=1, name="Viết sáng kiến mới")).to_be_visible()

    # Suggestions must come while typing, without a reload: a marker on window survives only then.
    page.evaluate("window.__e2eSamePage = true")
    page.get_by_label("Tên sáng kiến, giải pháp").press_sequentially(TITLE, delay=5)
    page.get_by_label("Nội dung giải pháp").press_sequentially(SOLUTION, delay=2)
    suggestions = page.locator("#similar-suggestions")
    expect(suggestions.get_by_role("heading", name=re.compile("Sáng kiến đã áp dụng có nội dung tương tự"))).to_be_visible()
    expect(suggestions.get_by_role("listitem").filter(has_text=REGISTRY_MATCH)).to_be_visible()
    expect(suggestions.get_by_role("listitem").filter(has_text=REGISTRY_MATCH)).to_contain_text("Có khả năng trùng")
    assert page.evaluate("window.__e2eSamePage") is True, "the page reloaded while typing"

    page.get_by_label("Lĩnh vực").select_option("Cải cách TTHC")
    page.get_by_label("Thực trạng").fill("Người dân các thôn xa phải đi 20 km để làm thủ tục.")
    # What a submission needs besides the title (the draft itself does not).
    page.get_by_label("Hiệu quả đạt được").fill("Giảm 80% số lần người dân phải lên trụ sở phường.")
    page.get_by_label("Nơi đã áp dụng hoặc áp dụng thử").fill("UBND phường Trung Lương")
    page.get_by_label("Áp dụng từ ngày").fill("2025-03-01")
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.get_by_role("alert").filter(has_text="Đã lưu bản nháp")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.locator("h1 + div .badge")).to_have_text("Bản nháp")

    pdf = tmp_path / "ban-mo-ta-sang-kien.pdf"
    pdf.write_bytes(TINY_PDF)
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=re.compile(r"^Chọn tệp")).click()
    chooser.value.set_files(pdf)
    expect(page.get_by_text("ban-mo-ta-sang-kien.pdf")).to_be_visible()
    page.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_role("link", name="ban-mo-ta-sang-kien.pdf")).to_be_visible()

    dialogs: list[str] = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.get_by_role("alert").filter(has_text="Đã nộp bài dự thi")).to_be_visible()
    assert dialogs == ["Sau khi nộp, bài không sửa được nữa. Nộp bài?"]
    expect(page.locator("h1 + div .badge")).to_have_text("Đã nộp")
    expect(page.get_by_role("button", name="Nộp bài")).to_have_count(0)

    page.get_by_role("link", name="Sáng kiến của tôi").click()
    mine = page.get_by_role("link").filter(has_text=TITLE)
    expect(mine).to_contain_text("Đã nộp")
