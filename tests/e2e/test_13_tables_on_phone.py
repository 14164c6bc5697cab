"""Journey 13: on a phone, the secretary reads the standings and the organiser fills the rubric, with
nothing hidden behind sideways scrolling: each table stacks, every value under its label."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_4_public_results import PHONE, assert_no_horizontal_overflow

WIDTH = PHONE["viewport"]["width"]


def within_screen(box: dict | None, what: str) -> None:
    """The box is on the 360 px screen, not to its right."""
    assert box is not None, f"{what} is not rendered"
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH + 1, f"{what} sticks out sideways: {box}"


@pytest.mark.browser_context_args(**PHONE)
def test_the_standings_stack_with_the_mean_and_prize_on_screen(page: Page, sign_in) -> None:
    sign_in(page, "dauliu_thuky")
    page.goto("/contests/")
    page.get_by_role("link", name=re.compile("phường Đậu Liêu")).first.tap()
    expect(page).to_have_url(re.compile(r"/contests/\d+$"))
    contest_id = re.search(r"/contests/(\d+)", page.url).group(1)
    page.goto(f"/judging/contests/{contest_id}/standings")
    table = page.locator("#standings")
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    assert rows.count() >= 2
    for i in range(rows.count()):
        row = rows.nth(i)
        mean, prize = row.locator("td.standings-mean"), row.locator("td.standings-prize")
        # its label is drawn before it (a ::before of the cell's data-label)
        assert "Điểm TB" in mean.evaluate("el => getComputedStyle(el, '::before').content")
        within_screen(mean.bounding_box(), f"row {i + 1}'s mean")
        within_screen(prize.bounding_box(), f"row {i + 1}'s prize")
        title_box = row.locator("td").nth(1).bounding_box()
        assert title_box and title_box["y"] < mean.bounding_box()["y"], "not stacked: the mean sits beside the title"
    winner = rows.filter(has_text="Giải Nhất")
    expect(winner).to_have_count(1)
    within_screen(winner.get_by_text("Giải Nhất").bounding_box(), "the first prize")
    assert_no_horizontal_overflow(page)
    # The wide table no longer scrolls sideways inside its box either.
    region = page.get_by_role("region", name="Bảng xếp hạng")
    assert region.evaluate("el => el.scrollWidth <= el.clientWidth + 1"), "the table still scrolls sideways"


@pytest.mark.browser_context_args(**PHONE)
def test_the_rubric_of_a_new_contest_stacks_with_vietnamese_names(page: Page, sign_in) -> None:
    sign_in(page, "bantochuc")
    page.goto("/contests/new")
    expect(page.get_by_role("heading", level=1, name="Tạo cuộc thi")).to_be_visible()
    name = page.get_by_label("Tên tiêu chí 1")
    expect(name).to_have_value("Tính mới")
    expect(page.get_by_text("novelty", exact=True)).to_have_count(0)
    points, description = page.get_by_label("Điểm tối đa tiêu chí 1"), page.get_by_label("Mô tả tiêu chí 1")
    bands = page.get_by_label("Các mức điểm tiêu chí 1")
    boxes = [(what, field.bounding_box()) for what, field in
             (("name", name), ("points", points), ("description", description), ("bands", bands))]
    for what, box in boxes:
        within_screen(box, f"criterion 1's {what}")
        assert box and box["width"] >= WIDTH * 0.6, f"criterion 1's {what} is squeezed: {box}"
    ys = [box["y"] for _, box in boxes]
    assert ys == sorted(ys) and len(set(ys)) == 4, f"not stacked one under another: {boxes}"
    expect(points).to_have_value("40")
    expect(page.get_by_label("Tỷ lệ thành viên tán thành cần có (%)")).to_have_value("66,67")
    assert_no_horizontal_overflow(page)
