"""Journey 3: the secretary settles a duplicate flag, closes judging, publishes, downloads the dossier."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import CONTEST_THIS_YEAR, THIS_YEAR

REASON = "Khác giải pháp cốt lõi: chỉ trùng một số cụm từ chung về thủ tục hành chính."


def test_secretary_reviews_flag_closes_publishes_and_downloads(page: Page, sign_in, open_contest,
                                                               close_and_publish, tmp_path: Path) -> None:
    sign_in(page, "thuky")
    open_contest(page, CONTEST_THIS_YEAR)
    page.get_by_role("link", name=re.compile(r"^1\. Sàng lọc trùng lặp")).click()
    expect(page.get_by_role("heading", level=1, name="Sàng lọc trùng lặp")).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Xem xét")).first
    row_id = row.get_attribute("id")
    row.get_by_role("link", name="Xem xét").click()

    # The entry and its match side by side, shared phrases highlighted.
    expect(page.get_by_role("heading", level=1, name=re.compile("Cảnh báo trùng lặp"))).to_contain_text("Chờ xem xét")
    expect(page.get_by_role("heading", name="Bài dự thi", exact=True)).to_be_visible()
    expect(page.locator(".side-by-side mark").first).to_be_visible()
    page.get_by_label("Kết luận").select_option(label="Không trùng lặp (bỏ cảnh báo)")
    page.get_by_label("Lý do").fill(REASON)
    page.get_by_role("button", name="Ghi nhận kết luận").click()
    expect(page.get_by_role("alert").filter(has_text="Đã ghi nhận kết luận")).to_be_visible()
    settled = page.locator(f"tr#{row_id}")
    expect(settled).to_contain_text("Không trùng")
    expect(settled.get_by_role("link", name="Xem", exact=True)).to_be_visible()

    page.get_by_role("link", name="← Về cuộc thi").click()
    close_and_publish(page)
    expect(page.get_by_role("alert").filter(has_text="Đã công bố kết quả (phiên bản 1)")).to_be_visible()

    page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name=CONTEST_THIS_YEAR).click()
    expect(page.get_by_role("heading", level=1, name=CONTEST_THIS_YEAR)).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"Hồ sơ gửi Hội đồng thị xã \(ZIP\)")).click()
    download = info.value
    assert re.fullmatch(rf"ho-so-hoi-dong-thi-xa-{THIS_YEAR}-\d+\.zip", download.suggested_filename), download.suggested_filename
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert zipfile.is_zipfile(saved)
    with zipfile.ZipFile(saved) as archive:
        assert archive.testzip() is None
        assert archive.namelist(), "the dossier ZIP is empty"
