"""Journey 9: one entry from a ward's form to the town council's certificate.

`canbo1` writes and submits an entry in Trung Lương's open contest (next year's); the ward's secretary seats a
one-judge panel, the judge scores it, the secretary publishes and forwards it into the town's open
round (where Đậu Liêu's two already wait); the town's secretary seats a one-judge panel; the town
judge scores the round; the town publishes and downloads its dossier; a visitor checks a
certificate's code; the author and the ward see what became of the entry."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from contest.demo import DEMO_PDF
from tests.e2e.conftest import NEXT_YEAR, THIS_YEAR, accept_dialogs, close_and_publish, open_contest, sign_in

TOWN_ROUND = re.compile(f"cấp thị xã Hồng Lĩnh năm {THIS_YEAR}")
WARD_NEXT_YEAR = re.compile(f"phường Trung Lương năm {NEXT_YEAR}")  # the demo's open contest (next year's)
TITLE = "Phiếu hẹn trả kết quả gửi qua tin nhắn cho người làm thủ tục đất đai"
MARKS = {"Tính mới": "35", "Tính hữu ích, hiệu quả": "30", "Khả năng nhân rộng": "22"}


def switch_user(page: Page, username: str) -> Page:
    """Sign in as another person, on a page of their own (a page's dialog handlers stay with it).
    The old page is closed first: a request of its still in flight would bring its cookie back."""
    context = page.context
    page.wait_for_load_state("networkidle")
    page.close()
    context.clear_cookies()
    fresh = context.new_page()
    sign_in(fresh, username)
    return fresh


def seat_one_judge(page: Page, name: str, others: tuple[str, ...], assigned: str) -> None:
    """On the contest's panel page: keep only `name` in the panel, then assign it."""
    dialogs = accept_dialogs(page)
    page.get_by_role("link", name="2. Ban giám khảo, tiến độ chấm").click()
    page.get_by_text("Chọn giám khảo, Trưởng ban và lĩnh vực chuyên môn").click()
    for other in others:
        page.get_by_role("checkbox", name=other).uncheck()
    page.get_by_role("checkbox", name=name).check()
    page.get_by_role("button", name="Lưu Ban giám khảo").click()
    # The new page's script (which asks the confirm()) must run before the next click; under load
    # a click could land while the page was still parsing.
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Phân công Ban giám khảo chấm các sáng kiến đã nộp").click()
    expect(page.get_by_role("alert").filter(has_text=f"Đã phân công {assigned} lượt chấm mới")).to_be_visible()
    assert any("Phân công Ban giám khảo" in m for m in dialogs), dialogs


def score(page: Page, entry: re.Pattern | str) -> None:
    """As a judge: open the entry from the queue, score every criterion, submit the sheet."""
    page.get_by_role("link", name="Bài cần chấm").click()
    page.get_by_role("link").filter(has_text="Chưa chấm").filter(has_text=entry).first.click()
    for criterion, points in MARKS.items():
        group = page.get_by_role("group", name=re.compile(rf"^{re.escape(criterion)} \(tối đa"))
        group.get_by_role("spinbutton", name=re.compile(r"^Điểm")).fill(points)
        group.get_by_role("textbox", name=re.compile(r"^Nhận xét")).fill("Giải pháp thiết thực, dễ nhân rộng.")
    page.get_by_role("button", name="Nộp phiếu chấm").click()
    expect(page.get_by_role("alert").filter(has_text="Đã nộp phiếu chấm")).to_be_visible()


def test_an_entry_goes_from_the_ward_form_to_the_towns_certificate(page: Page, tmp_path: Path) -> None:
    # The author writes and submits in the ward's open contest.
    sign_in(page, "canbo1")
    accept_dialogs(page)
    page.get_by_role("link", name="Sáng kiến của tôi").click()
    page.get_by_role("listitem").filter(has_text=WARD_NEXT_YEAR).get_by_role("link", name="Viết sáng kiến mới").click()
    page.get_by_label("Tên sáng kiến, giải pháp").fill(TITLE)
    page.get_by_label("Lĩnh vực").select_option("Cải cách TTHC")
    page.get_by_label("Thực trạng").fill("Người làm thủ tục đất đai phải quay lại phường nhiều lần để hỏi ngày trả kết quả.")
    page.get_by_label("Nội dung giải pháp").fill("Khi nhận hồ sơ, công chức nhập số điện thoại; hệ thống nhắn tin ngày hẹn và nhắc lại trước một ngày.")
    page.get_by_label("Hiệu quả đạt được").fill("Không còn người dân phải quay lại hỏi; trả kết quả đúng hẹn 98%.")
    page.get_by_label("Nơi đã áp dụng hoặc áp dụng thử").fill("Bộ phận Một cửa UBND phường Trung Lương")
    page.get_by_label("Áp dụng từ ngày").fill("2025-02-01")
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    pdf = tmp_path / "ban-mo-ta.pdf"
    pdf.write_bytes(DEMO_PDF)
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=re.compile(r"^Chọn tệp")).click()
    chooser.value.set_files(pdf)
    page.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_role("link", name="ban-mo-ta.pdf")).to_be_visible()
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.get_by_role("alert").filter(has_text="Đã nộp bài dự thi")).to_be_visible()
    entry_url = page.url

    # The ward judges it with one judge, publishes, and forwards it.
    page = switch_user(page, "thuky")
    open_contest(page, WARD_NEXT_YEAR)
    seat_one_judge(page, "Hoàng Đức Anh", ("Lê Văn Minh", "Phạm Thị Lan"), "1")
    page = switch_user(page, "giamkhao3")
    accept_dialogs(page)
    score(page, TITLE)
    page = switch_user(page, "thuky")
    close_and_publish(page, WARD_NEXT_YEAR)  # also accepts this page's confirm() dialogs from now on
    forward = page.get_by_role("region", name="Chuyển lên vòng thị xã")
    expect(forward.get_by_label("Vòng thị xã")).to_contain_text("cấp thị xã Hồng Lĩnh")
    expect(forward.get_by_role("checkbox", name=re.compile(re.escape(TITLE)))).to_be_checked()
    forward.get_by_role("button", name="Chuyển lên vòng thị xã").click()
    expect(page.get_by_role("alert").filter(has_text="Đã chuyển 1 sáng kiến")).to_be_visible()
    sent = page.locator("#transfers")
    expect(sent).to_contain_text(TITLE)
    expect(sent).to_contain_text("Chờ chấm")
    expect(sent.get_by_role("button", name="Rút lại")).to_be_visible()

    # The town's secretary finds it beside Đậu Liêu's two, seats one judge and assigns.
    page = switch_user(page, "thixa_thuky")
    open_contest(page, TOWN_ROUND)
    expect(page.locator("#received")).to_contain_text("3 sáng kiến")
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("#transfer-in")).to_contain_text("Do Phường Trung Lương chuyển lên")
    open_contest(page, TOWN_ROUND)  # a fresh load, not the back-forward cache
    seat_one_judge(page, "Trịnh Quang Vinh", ("Lê Văn Minh", "Lưu Văn Tâm"), "3")

    # The town judge scores every entry of the round.
    page = switch_user(page, "thixa_giamkhao")
    accept_dialogs(page)
    for _ in range(3):
        score(page, re.compile("."))
    expect(page.get_by_role("link").filter(has_text="Chưa chấm")).to_have_count(0)

    # The town publishes and takes its dossier; its certificates carry the recognition level.
    page = switch_user(page, "thixa_thuky")
    close_and_publish(page, TOWN_ROUND)
    open_contest(page, TOWN_ROUND)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^4\. Hồ sơ")).click()
    archive = zipfile.ZipFile(download.value.path())
    certificates = [n for n in archive.namelist() if n.startswith("giay-chung-nhan/")]
    assert certificates, archive.namelist()
    text = "".join(PdfReader(io.BytesIO(archive.read(certificates[0]))).pages[0].extract_text().split())
    assert "côngnhậnlàsángkiếncấpthịxã" in text and "UBNDTHỊXÃHỒNGLĨNH" in text
    code = re.search(r"/dossier/verify/([0-9a-f]+)", text).group(1)

    # Anyone checks the certificate's code.
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    page.goto(f"/dossier/verify/{code}")
    expect(page.get_by_role("status")).to_contain_text("Giấy chứng nhận hợp lệ")
    expect(page.locator("#recognition")).to_have_text("Sáng kiến cấp thị xã")

    # The town's verdict is back on the author's entry page and the ward's contest page.
    page = switch_user(page, "canbo1")
    page.goto(entry_url)
    expect(page.locator("#town-outcome")).to_contain_text("Được công nhận sáng kiến cấp thị xã")
    page = switch_user(page, "thuky")
    open_contest(page, WARD_NEXT_YEAR)
    town_round = page.locator("#town-round")
    expect(town_round).to_contain_text(TITLE)
    expect(town_round).to_contain_text("Được công nhận sáng kiến cấp thị xã")
