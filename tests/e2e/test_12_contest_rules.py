"""Journey 12: a resident on a phone finds an open contest's rules (thể lệ) from the sign-in page; printed, they keep the content."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import NEXT_YEAR

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
OPEN_CONTEST = re.compile(f"Bắc Hồng năm {NEXT_YEAR}")


@pytest.mark.browser_context_args(**PHONE)
def test_resident_reads_the_rules_of_an_open_contest_on_a_phone(page: Page) -> None:
    page.goto("/auth/login")
    page.get_by_role("region", name="Cuộc thi đang nhận bài").get_by_role("link", name=OPEN_CONTEST).tap()
    expect(page.get_by_role("heading", level=1, name=OPEN_CONTEST)).to_be_visible()
    expect(page.locator("#status")).to_contain_text("Đang nhận bài")
    assert page.evaluate("document.documentElement.scrollWidth") <= 361, "the page is wider than the phone"

    # The rubric stacks: each criterion a block, its bands readable under it, nothing cut off at the side.
    rubric = page.locator(".rubric-table")
    expect(rubric.locator("thead")).to_have_css("position", "absolute")
    novelty = rubric.locator("tbody tr").first
    expect(novelty.locator("td").first).to_have_css("display", "block")
    expect(novelty).to_contain_text("36–40 điểm: Hoàn toàn mới")
    box = novelty.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    expect(page.locator("#deadlines")).to_contain_text("(giờ Việt Nam)")
    page.get_by_role("link", name="Đăng nhập để viết và nộp sáng kiến").tap()
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()


def test_the_printed_rules_keep_the_content_without_the_menu(page: Page) -> None:
    page.goto("/auth/login")
    page.get_by_role("link", name=OPEN_CONTEST).click()
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Điều hướng chính")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Các mục của thể lệ")).to_be_hidden()
    for heading in ("1. Đơn vị tổ chức", "4. Tiêu chí chấm", "5. Giải thưởng", "7. Không trùng lặp ý tưởng"):
        expect(page.get_by_role("heading", name=re.compile("^" + re.escape(heading)))).to_be_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF-") and len(pdf) > 10_000
