"""Journey 9: one entry from the ward's published results to the town council's certificate.

The ward's secretary publishes Trung Lương's 2024 results and forwards one entry into the town's
open round (where Đậu Liêu's two already wait); the town's secretary seats a one-judge panel and
assigns it; the town judge scores every entry; the town publishes and downloads its dossier; a
visitor checks a certificate's code; the ward sees what became of its entry."""
from __future__ import annotations

import io
import re
import zipfile

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.e2e.conftest import accept_dialogs, close_and_publish, open_contest, sign_in

TOWN_ROUND = re.compile(r"cấp thị xã Hồng Lĩnh năm 2024")
WARD_2024 = re.compile(r"phường Trung Lương năm 2024")
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


def test_an_entry_goes_from_the_ward_to_the_towns_certificate(page: Page) -> None:
    # The ward publishes, then forwards its best entry only.
    sign_in(page, "thuky")
    close_and_publish(page, WARD_2024)  # also accepts this page's confirm() dialogs from now on
    forward = page.get_by_role("region", name="Chuyển lên vòng thị xã")
    expect(forward.get_by_label("Vòng thị xã")).to_contain_text("cấp thị xã Hồng Lĩnh")
    boxes = forward.get_by_role("checkbox")
    expect(boxes.first).to_be_checked()  # the top ones come ticked
    title = forward.locator("label.form-check-label").first.inner_text().split(". ", 1)[1].rsplit(" (", 1)[0]
    for index in range(1, boxes.count()):
        boxes.nth(index).uncheck()
    forward.get_by_role("button", name="Chuyển lên vòng thị xã").click()
    expect(page.get_by_role("alert").filter(has_text="Đã chuyển 1 sáng kiến")).to_be_visible()
    sent = page.locator("#transfers")
    expect(sent).to_contain_text(title)
    expect(sent).to_contain_text("Đã chuyển, chờ vòng thị xã chấm")
    expect(sent.get_by_role("button", name="Rút lại")).to_be_visible()

    # The town's secretary finds it among the forwarded entries, seats one judge and assigns.
    page = switch_user(page, "thixa_thuky")
    open_contest(page, TOWN_ROUND)
    expect(page.locator("#received")).to_contain_text("3 sáng kiến")
    expect(page.get_by_role("link", name=title)).to_be_visible()
    page.get_by_role("link", name=title).click()
    expect(page.locator("#transfer-in")).to_contain_text("Do Phường Trung Lương chuyển lên")
    page.go_back()
    dialogs = accept_dialogs(page)
    page.get_by_role("link", name="2. Ban giám khảo, tiến độ chấm").click()
    page.get_by_text("Chọn giám khảo, Trưởng ban và lĩnh vực chuyên môn").click()
    for name in ("Lê Văn Minh", "Lưu Văn Tâm"):
        page.get_by_role("checkbox", name=name).uncheck()
    page.get_by_role("checkbox", name="Trịnh Quang Vinh").check()
    page.get_by_role("button", name="Lưu Ban giám khảo").click()
    page.get_by_role("button", name="Phân công Ban giám khảo chấm các sáng kiến đã nộp").click()
    expect(page.get_by_role("alert").filter(has_text="Đã phân công 3 lượt chấm mới")).to_be_visible()
    assert any("Phân công Ban giám khảo" in m for m in dialogs), dialogs

    # The town judge scores every entry of the round.
    page = switch_user(page, "thixa_giamkhao")
    accept_dialogs(page)
    for _ in range(3):
        page.get_by_role("link", name="Bài cần chấm").click()
        page.get_by_role("link").filter(has_text="Chưa chấm").first.click()
        for criterion, points in MARKS.items():
            group = page.get_by_role("group", name=re.compile(rf"^{re.escape(criterion)} \(tối đa"))
            group.get_by_role("spinbutton", name=re.compile(r"^Điểm")).fill(points)
            group.get_by_role("textbox", name=re.compile(r"^Nhận xét")).fill("Giải pháp thiết thực, dễ nhân rộng.")
        page.get_by_role("button", name="Nộp phiếu chấm").click()
        expect(page.get_by_role("alert").filter(has_text="Đã nộp phiếu chấm")).to_be_visible()
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

    # The town's verdict is back on the ward's contest page.
    page = switch_user(page, "thuky")
    open_contest(page, WARD_2024)
    town_round = page.locator("#town-round")
    expect(town_round).to_contain_text(title)
    expect(town_round).to_contain_text("Được công nhận sáng kiến cấp thị xã")
