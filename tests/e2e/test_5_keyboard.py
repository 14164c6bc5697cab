"""Journey 5: a participant signs in and saves a new draft with the keyboard alone (no clicks)."""
from __future__ import annotations

from playwright.sync_api import Page, expect

TITLE = "Nhắn tin nhắc lịch hẹn trả kết quả hồ sơ cho người dân qua Zalo"
SITUATION = "Nhiều người dân quên ngày hẹn nên hồ sơ đã xong vẫn nằm lại bộ phận một cửa."
FOCUSED_TEXT = "(document.activeElement.innerText || '').trim()"


def tab_until(page: Page, condition: str, what: str, limit: int = 60) -> int:
    """Press Tab until the JavaScript `condition` holds for the focused element; the number of presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(condition):
            return presses
    raise AssertionError(f"{what} never got the focus within {limit} Tab presses")


def focused_id(page: Page) -> str:
    return page.evaluate("document.activeElement.id")


def test_keyboard_only_sign_in_and_draft(page: Page) -> None:
    page.goto("/auth/login")
    tab_until(page, "document.activeElement.id === 'username'", "the username field")
    page.keyboard.type("canbo2")
    page.keyboard.press("Tab")
    assert focused_id(page) == "password"
    page.keyboard.type("sangkien2024")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()

    tab_until(page, f"{FOCUSED_TEXT} === 'Sáng kiến của tôi'", "the link “Sáng kiến của tôi”")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Sáng kiến của tôi")).to_be_visible()
    tab_until(page, f"{FOCUSED_TEXT} === 'Viết sáng kiến mới'", "the link “Viết sáng kiến mới”")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Viết sáng kiến mới")).to_be_visible()

    # Focus order follows the form: kind, collective name, title, field, situation…
    tab_until(page, "document.activeElement.id === 'kind'", "the field “Hình thức dự thi”")
    expect(page.get_by_label("Hình thức dự thi")).to_have_value("individual")
    for expected in ("collective_name", "title"):
        page.keyboard.press("Tab")
        assert focused_id(page) == expected
    page.keyboard.type(TITLE)
    page.keyboard.press("Tab")
    assert focused_id(page) == "field"
    page.keyboard.press("ArrowDown")  # from the first field to the second, "Cải cách TTHC"
    expect(page.get_by_label("Lĩnh vực")).to_have_value("Cải cách TTHC")
    page.keyboard.press("Tab")
    assert focused_id(page) == "situation"
    page.keyboard.type(SITUATION)

    tab_until(page, f"{FOCUSED_TEXT} === 'Lưu bản nháp'", "the button “Lưu bản nháp”")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert").filter(has_text="Đã lưu bản nháp")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.locator("h1 + div .badge")).to_have_text("Bản nháp")
    expect(page.get_by_text("Cải cách TTHC · Cá nhân")).to_be_visible()
    expect(page.get_by_text(SITUATION)).to_be_visible()
