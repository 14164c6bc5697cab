"""Journey 14: the help. A visitor on a phone finds the author's guide in the menu, reads it with
its screenshots and takes its PDF; a judge on a desktop finds the judge's guide first in the
menu's Hướng dẫn. Both pages pass axe-core's WCAG 2 A/AA checks."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_4_public_results import PHONE, assert_no_horizontal_overflow
from tests.e2e.test_6_accessibility import (
    AXE_PATH,
    BLOCKING,
    _serve_axe,
    axe_violations,
)


def screenshots_loaded(page: Page) -> int:
    """How many of the guide's screenshots the browser has decoded (each scrolled into view first)."""
    figures = page.locator("article figure img")
    for index in range(figures.count()):
        figures.nth(index).scroll_into_view_if_needed()
        expect(figures.nth(index)).to_have_js_property("complete", True)
    return page.evaluate("[...document.querySelectorAll('article figure img')].filter(i => i.naturalWidth > 0).length")


def no_blocking_violations(page: Page, base_url: str) -> None:
    page.route(f"**{AXE_PATH}", _serve_axe)
    blocking = [v for v in axe_violations(page, base_url) if v["impact"] in BLOCKING]
    assert not blocking, blocking


@pytest.mark.browser_context_args(**PHONE)
def test_a_visitor_on_a_phone_reads_the_authors_guide_and_takes_its_pdf(page: Page, live_server: str) -> None:
    page.goto("/")
    page.get_by_role("button", name="Mở menu").tap()
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Hướng dẫn").tap()
    expect(page.get_by_role("heading", level=1, name="Viết và nộp sáng kiến")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="3. Xem các sáng kiến tương tự")).to_be_visible()
    assert screenshots_loaded(page) == 5
    assert_no_horizontal_overflow(page)
    pdf = page.request.get(page.get_by_role("link", name="Tải bản in (PDF)").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    no_blocking_violations(page, live_server)


def test_a_judge_finds_the_judges_guide_first_under_huong_dan(page: Page, sign_in, live_server: str) -> None:
    sign_in(page, "giamkhao2")
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    nav.get_by_role("button", name="Hướng dẫn").click()
    items = nav.locator(".dropdown-menu a.dropdown-item")
    expect(items.first).to_be_visible()
    assert items.all_inner_texts() == ["Chấm điểm sáng kiến", "Viết và nộp sáng kiến", "Sàng lọc sáng kiến trùng lặp",
                                       "Phân công, kết thúc chấm và công bố kết quả"]
    items.first.click()
    expect(page.get_by_role("heading", level=1, name="Chấm điểm sáng kiến")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=re.compile("Chấm theo thang điểm"))).to_be_visible()
    assert screenshots_loaded(page) == 5
    no_blocking_violations(page, live_server)
