"""Journey 15: on a phone, the organising committee reads the audit log (Nhật ký): each record
stacks under its labels with its table of changes, nothing scrolls sideways; a filter narrows it."""
from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_4_public_results import PHONE, assert_no_horizontal_overflow


@pytest.mark.browser_context_args(**PHONE)
def test_admin_reads_and_filters_the_audit_log_on_a_phone(page: Page, sign_in) -> None:
    sign_in(page, "bantochuc")
    page.get_by_role("button", name="Mở menu").tap()
    page.get_by_role("link", name="Nhật ký").tap()
    expect(page.get_by_role("heading", level=1, name="Nhật ký thao tác")).to_be_visible()
    records = page.locator("#audit-records > tbody > tr")
    expect(records.first).to_be_visible()
    assert_no_horizontal_overflow(page)
    # stacked: the time, the person, the action and the object each sit under their label, full width
    first = records.first
    cells = first.locator(":scope > td")
    boxes = [cells.nth(i).bounding_box() for i in range(4)]
    assert all(b and b["width"] > 300 for b in boxes), boxes
    assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"] < boxes[3]["y"]
    if os.environ.get("AUDIT_SCREENSHOT"):  # to look at: AUDIT_SCREENSHOT=/tmp/audit.png pytest …
        page.screenshot(path=os.environ["AUDIT_SCREENSHOT"], full_page=False)

    # the filters are folded until asked for; a contest's creation, in words, stacked
    page.get_by_text("Bộ lọc", exact=True).tap()
    page.get_by_label("Thao tác").select_option(label="Tạo cuộc thi")
    page.get_by_role("button", name="Lọc").tap()
    expect(page.locator("#audit-total")).to_contain_text("khớp bộ lọc")
    created = records.first
    expect(created).to_contain_text("Tạo cuộc thi")
    expect(created.get_by_role("link", name=re.compile("năm 20"))).to_be_visible()  # the contest, by its title
    deadline = created.locator(".audit-diff tr").filter(has_text="Hạn nộp bài")
    expect(deadline).to_contain_text(re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}"))  # in Vietnam time, not ISO
    expect(created).not_to_contain_text("submission_deadline")
    assert_no_horizontal_overflow(page)
    if os.environ.get("AUDIT_SCREENSHOT"):
        created.scroll_into_view_if_needed()
        page.screenshot(path=os.environ["AUDIT_SCREENSHOT"].replace(".png", "-filtered.png"), full_page=False)
