"""Journey 11: a conflict leaves entries short of judges, and the round cannot close on one sheet unnoticed.

On a phone, the secretary of Trung Lương assigns this year's panel: the page says which entries have
fewer judges than the whole panel and why (a judge of the author's unit); closing is refused while
they lack sheets; the chair accepts them with a reason on the chair's page; the secretary closes,
entering the meeting's time; the standings name the entries and the chair's reason.
"""
from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from contest.db import utcnow
from contest.timeutil import to_local

from tests.e2e.conftest import (
    CONTEST_THIS_YEAR,
    accept_as_chair,
    accept_dialogs,
    close_despite_open_flags,
    open_contest,
    sign_in,
)

PHONE = {"width": 360, "height": 740}
MEETING = (to_local(utcnow()) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")  # this morning's meeting, say


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1


def test_secretary_sees_entries_short_of_judges_and_closes_only_after_the_chair_accepts(page: Page) -> None:
    sign_in(page, "thuky")
    dialogs = accept_dialogs(page)
    open_contest(page, CONTEST_THIS_YEAR)
    page.set_viewport_size(PHONE)  # from here on, a phone
    page.get_by_role("link", name="2. Ban giám khảo, tiến độ chấm").click()
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Phân công Ban giám khảo chấm các sáng kiến đã nộp").click()
    expect(page.get_by_role("alert").filter(has_text=re.compile(r"\d+ sáng kiến có ít hơn 3 giám khảo"))).to_be_visible()
    assert any("Phân công thêm cho các sáng kiến chưa đủ giám khảo" in m for m in dialogs), dialogs

    short = page.locator("section#short")
    expect(short.get_by_role("heading", name="Sáng kiến chưa đủ giám khảo")).to_be_visible()
    expect(short).to_contain_text("cùng đơn vị với tác giả")
    expect(short).to_contain_text(re.compile(r"\d/3 giám khảo"))
    no_sideways_scroll(page)

    # Closing is refused while entries lack sheets; the refusal names them.
    page.get_by_label("Thời gian họp Ban giám khảo (giờ Việt Nam)").fill(MEETING)
    close_despite_open_flags(page)
    page.get_by_role("button", name="Kết thúc chấm và xếp hạng").click()
    expect(page.get_by_role("alert").filter(has_text="Chưa thể kết thúc chấm")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=re.compile("Ban giám khảo và tiến độ chấm"))).to_contain_text("Đang chấm")

    # The chair accepts them with one reason; the secretary closes with the meeting's time.
    accept_as_chair(page, CONTEST_THIS_YEAR)
    page.goto(page.url.split("#")[0].replace("/close", "/panel"))
    page.wait_for_load_state("load")
    expect(page.locator("#close-short")).to_have_count(0)
    page.get_by_label("Thời gian họp Ban giám khảo (giờ Việt Nam)").fill(MEETING)
    close_despite_open_flags(page)
    page.get_by_role("button", name="Kết thúc chấm và xếp hạng").click()
    expect(page.get_by_role("alert").filter(has_text="Đã kết thúc chấm")).to_be_visible()
    named = page.locator("#short")
    expect(named).to_contain_text(re.compile(r"sáng kiến được xếp hạng với ít hơn 3 phiếu chấm"))
    expect(named).to_contain_text("Trưởng ban chấp nhận: Giám khảo chưa chấm kịp")
    no_sideways_scroll(page)
