"""Journey 10: on a phone, an author of Đậu Liêu's published contest of this year reads their entry's result
(place, points, prize, recognition, the town's round) from the list and on the entry's page, the
same as the public results; nobody else sees that block. Then the ward's admin lets authors read
the panel's comments, and the author reads them per criterion, the judges unnamed."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import THIS_YEAR, sign_in
from tests.e2e.test_4_public_results import PHONE, assert_no_horizontal_overflow
from tests.e2e.test_9_town_round import switch_user

DAULIEU_THIS_YEAR = re.compile(f"phường Đậu Liêu năm {THIS_YEAR}")
JUDGES = ("Lưu Văn Tâm", "Mai Thị Thảo")  # Đậu Liêu's panel
DEMO_COMMENT = "Nhận xét của giám khảo."


def open_my_ranked_entry(page: Page) -> str:
    """As the author: Sáng kiến của tôi → the first entry whose line gives a rank; its title."""
    page.goto("/entries/")
    expect(page.get_by_role("heading", level=1, name="Sáng kiến của tôi")).to_be_visible()
    ranked = page.get_by_role("link").filter(has_text=re.compile(r"Hạng \d+/5 · [\d,]+/100 điểm"))
    expect(ranked.first).to_be_visible()
    assert_no_horizontal_overflow(page)
    title = ranked.first.locator("strong").first.inner_text()
    ranked.first.tap()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    return title


@pytest.mark.browser_context_args(**PHONE)
def test_an_author_reads_their_result_on_a_phone_and_nobody_else_does(page: Page) -> None:
    sign_in(page, "dauliu_canbo1")
    title = open_my_ranked_entry(page)
    block = page.get_by_role("region", name="Kết quả của bài")
    expect(block).to_be_visible()
    box = block.bounding_box()
    assert box and box["y"] < 740, f"the result starts {box} down the page, below the first screen"
    facts = block.locator("dl")
    expect(facts).to_contain_text(re.compile(r"Xếp hạng\s*\d+ trên 5 sáng kiến"))
    expect(facts).to_contain_text(re.compile(r"Điểm trung bình\s*[\d,]+/100"))
    expect(facts).to_contain_text(re.compile(r"Giải\s*(Giải (Nhất|Nhì|Ba|Khuyến khích)|Không đạt giải)"))
    expect(facts).to_contain_text(re.compile(r"Công nhận\s*(Được công nhận|Không được công nhận)"))
    expect(facts).to_contain_text("Vòng thị xã")
    expect(block).to_contain_text("Điểm trung bình theo tiêu chí")
    expect(block).not_to_contain_text("Giám khảo")  # the contest does not share the comments (the default)
    expect(page.get_by_text(DEMO_COMMENT)).to_have_count(0)
    assert_no_horizontal_overflow(page)
    rank = re.search(r"(\d+) trên 5", block.locator("#result-rank").inner_text()).group(1)
    points = re.search(r"([\d,]+)/100", block.locator("#result-points").inner_text()).group(1)
    entry_url = page.url

    # What the author reads is what was published.
    block.get_by_role("link", name="Xem kết quả toàn cuộc thi").tap()
    expect(page.get_by_role("heading", level=1, name=DAULIEU_THIS_YEAR)).to_be_visible()
    row = page.get_by_role("row").filter(has_text=title)
    expect(row.get_by_role("cell").first).to_have_text(rank)
    expect(row).to_contain_text(points)

    # Another author, a judge of the entry, a visitor: none reads this block.
    page = switch_user(page, "dauliu_canbo2")
    page.goto(entry_url)
    expect(page.get_by_role("heading", level=1, name="Lỗi 403")).to_be_visible()
    expect(page.get_by_text("Kết quả của bài")).to_have_count(0)
    page = switch_user(page, "dauliu_giamkhao1")  # assigned to the author's entries; the contest is not blind
    page.goto(entry_url)
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(page.get_by_role("region", name="Kết quả của bài")).to_have_count(0)
    page.context.clear_cookies()
    page.goto(entry_url)
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()


@pytest.mark.browser_context_args(**PHONE)
def test_once_comments_are_shared_the_author_reads_them_without_judges_names(page: Page) -> None:
    sign_in(page, "dauliu_bantochuc")
    page.get_by_role("button", name="Mở menu").tap()
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Cuộc thi").tap()
    page.get_by_role("link", name=DAULIEU_THIS_YEAR).first.tap()
    page.get_by_role("link", name="Sửa cuộc thi").tap()
    share = page.get_by_role("checkbox", name=re.compile("cho tác giả xem nhận xét của Ban giám khảo"))
    expect(share).not_to_be_checked()  # off by default
    expect(page.get_by_text(re.compile("giám khảo chỉ được gọi là “Giám khảo 1, 2…”"))).to_be_visible()
    share.check()
    page.get_by_role("button", name="Lưu", exact=True).tap()
    expect(page.get_by_role("alert").filter(has_text="Đã lưu thay đổi của cuộc thi.")).to_be_visible()

    page = switch_user(page, "dauliu_canbo1")
    open_my_ranked_entry(page)
    block = page.get_by_role("region", name="Kết quả của bài")
    criteria = block.locator(".result-criteria > li")
    expect(criteria).to_have_count(3)
    for index, name in enumerate(("Tính mới", "Tính hữu ích, hiệu quả", "Khả năng nhân rộng")):
        item = criteria.nth(index)
        expect(item).to_contain_text(re.compile(rf"{re.escape(name)}\s*[\d,]+/\d+"))  # with its mean points
        expect(item.locator(".result-comments li").first).to_have_text(f"Giám khảo 1: {DEMO_COMMENT}")
    for judge in JUDGES:
        expect(page.get_by_text(judge)).to_have_count(0)
    assert_no_horizontal_overflow(page)
