"""Journey 2: a judge scores an entry, saves a draft, comes back to it, submits, and can no longer edit."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

# giamkhao2 is assigned entries of this year's contest that the demo left unscored.
JUDGE = "giamkhao2"
SCORES = {"Tính mới": ("32.5", "Cách làm mới so với đơn vị."),
          "Tính hữu ích, hiệu quả": ("28", "Giảm rõ thời gian chờ của người dân."),
          "Khả năng nhân rộng": ("20", "Áp dụng được ở các phường khác.")}


def criterion(page: Page, name: str):
    """The fieldset of one rubric criterion, found by its legend."""
    return page.get_by_role("group", name=re.compile(rf"^{re.escape(name)} \(tối đa"))


def test_judge_scores_saves_returns_submits_and_is_locked(page: Page, sign_in) -> None:
    sign_in(page, JUDGE)
    page.get_by_role("link", name="Bài cần chấm").click()
    expect(page.get_by_role("heading", level=1, name="Bài cần chấm")).to_be_visible()
    todo = page.get_by_role("link").filter(has_text="Chưa chấm").first
    title = todo.locator("strong").inner_text()
    todo.click()
    expect(page.get_by_role("heading", name=re.compile("Phiếu chấm điểm"))).to_contain_text("Chưa chấm")

    for name, (points, comment) in SCORES.items():
        group = criterion(page, name)
        group.get_by_role("spinbutton", name=re.compile(r"^Điểm")).fill(points)
        group.get_by_role("textbox", name=re.compile(r"^Nhận xét")).fill(comment)
    expect(page.locator("#sheet-total")).to_have_text("80,5")  # the live total, Vietnamese decimal comma
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.get_by_role("alert").filter(has_text="Đã lưu nháp phiếu chấm")).to_be_visible()

    page.reload()
    expect(page.get_by_role("heading", name=re.compile("Phiếu chấm điểm"))).to_contain_text("Bản nháp")
    for name, (points, comment) in SCORES.items():
        group = criterion(page, name)
        expect(group.get_by_role("spinbutton", name=re.compile(r"^Điểm"))).to_have_value(points)
        expect(group.get_by_role("textbox", name=re.compile(r"^Nhận xét"))).to_have_value(comment)

    dialogs: list[str] = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Nộp phiếu chấm").click()
    expect(page.get_by_role("alert").filter(has_text="Đã nộp phiếu chấm; phiếu đã được khoá.")).to_be_visible()
    assert dialogs and dialogs[0].startswith("Nộp phiếu chấm?"), dialogs
    done = page.get_by_role("link").filter(has_text=title)
    expect(done).to_contain_text("Đã nộp")

    done.click()
    sheet = page.get_by_role("region", name=re.compile("Phiếu chấm điểm"))
    expect(sheet).to_contain_text("Phiếu đã khoá, không sửa được.")
    expect(sheet.get_by_role("spinbutton")).to_have_count(0)
    expect(sheet.get_by_role("textbox")).to_have_count(0)
    expect(page.get_by_role("button", name="Lưu nháp")).to_have_count(0)
    expect(page.get_by_role("button", name="Nộp phiếu chấm")).to_have_count(0)
    expect(sheet).to_contain_text("80,5")
