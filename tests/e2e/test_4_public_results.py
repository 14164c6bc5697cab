"""Journey 4: an anonymous visitor reads the published results on a phone."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import THIS_YEAR

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def assert_no_horizontal_overflow(page: Page) -> None:
    """Nothing sticks out sideways: the page is no wider than the 360 px screen."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360 + 1, f"{page.url} is {width}px wide on a 360px screen"


@pytest.mark.browser_context_args(**PHONE)
@pytest.mark.usefixtures("published_this_year")
def test_visitor_reads_results_on_a_phone(page: Page) -> None:
    page.goto("/")
    menu = page.get_by_role("button", name="Mở menu")
    expect(menu).to_be_visible()  # the navigation is collapsed at this width
    menu.tap()
    page.get_by_role("link", name="Kết quả công bố").tap()
    expect(page.get_by_role("heading", level=1, name="Kết quả cuộc thi đã công bố")).to_be_visible()
    assert_no_horizontal_overflow(page)

    page.get_by_role("link", name=re.compile(f"Trung Lương năm {THIS_YEAR}")).tap()
    expect(page.get_by_role("heading", level=1, name=re.compile(f"Trung Lương năm {THIS_YEAR}"))).to_be_visible()
    expect(page.get_by_role("heading", name="Sáng kiến đạt giải")).to_be_visible()
    winners = page.locator(".card").filter(has=page.get_by_role("heading", level=3))
    expect(winners.filter(has_text="Giải Nhất")).to_have_count(1)
    expect(winners.first).to_be_in_viewport()
    assert winners.count() >= 2, "expected several winners"
    expect(page.get_by_role("heading", name="Bảng điểm")).to_be_visible()
    assert_no_horizontal_overflow(page)
