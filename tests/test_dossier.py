"""The dossier for the town council: open the generated XLSX, DOCX and PDF and read them back."""
from __future__ import annotations

import zipfile
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any, Callable

import pytest
from flask import current_app
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from contest.accounts.models import Organisation, Unit, User
from contest.contests.models import Contest
from contest.db import db
from contest.entries.models import COLLECTIVE, Entry
from judging import operations
from judging.dossier import (
    MOTTO,
    MOTTO_SUB,
    build_dossier,
    certificate_code,
    date_line,
    gather_dossier,
    heading_name,
    qr_code,
)
from judging.dossier_routes import verify_url
from judging.models import Result
from tests.conftest import ADMIN, JUDGE, PARTICIPANT, SECRETARY, accept_fewer_sheets

TITLE_VI = "Số hóa hồ sơ hộ tịch, rút ngắn thời gian trả kết quả cho người dân tại Bộ phận Một cửa"
CONTEST_TITLE = "Sáng kiến, giải pháp cải cách hành chính phường Trung Lương năm 2024"


BASE_URL = "https://sangkien.phuong-trung-luong.vn"


@pytest.fixture(autouse=True)
def public_address(app) -> None:
    """Certificates carry the configured public address (without it, the request's host)."""
    app.config["BASE_URL"] = BASE_URL


@pytest.fixture
def scene(ward: Organisation, make_user: Callable[..., User], make_contest: Callable[..., Contest], make_entry: Callable[..., Entry]) -> dict[str, Any]:
    """An open contest of phường Trung Lương: three entries (one by a collective), two judges, staff."""
    office = Unit(name="Văn phòng - Thống kê UBND phường Trung Lương", organisation=ward)
    one_stop = Unit(name="Bộ phận Một cửa UBND phường Trung Lương", organisation=ward)
    db.session.add_all([office, one_stop])
    db.session.commit()
    author = make_user(PARTICIPANT, unit=one_stop, full_name="Võ Thị Mai")
    contest = make_contest(title=CONTEST_TITLE, forward_count=2)
    entries = [
        make_entry(contest, author, title=TITLE_VI),
        make_entry(contest, author, title="Zalo OA trả lời phản ánh của người dân", kind=COLLECTIVE,
                   collective_name="Đoàn Thanh niên phường Trung Lương"),
        make_entry(contest, author, title="Sổ tay điện tử thủ tục hành chính"),
    ]
    return {
        "contest": contest,
        "entries": entries,
        "judges": [make_user(JUDGE, full_name="Lê Văn Minh", position="Phó Chủ tịch UBND phường"),
                   make_user(JUDGE, full_name="Phạm Thị Lan", position="Công chức Tư pháp - Hộ tịch")],
        "secretary": make_user(SECRETARY, full_name="Trần Thị Thu Hà", position="Tổ trưởng Tổ thư ký"),
        "admin": make_user(ADMIN, full_name="Nguyễn Công Lộc", position="Chủ tịch UBND phường, Trưởng Ban tổ chức"),
        "author": author,
        "town_round": make_contest(organisation=ward.parent, title="Sáng kiến CCHC thị xã Hồng Lĩnh năm 2024"),
    }


MARKS = {0: [(38, 30, 22), (36, 32, 20)], 1: [(30, 25, 15), (28, 22, 18.5)], 2: [(15, 10, 5), (12, 10, 8)]}


def judge_and_close(scene: dict[str, Any], publish: bool = True) -> Contest:
    """Score every entry, close judging, publish (optionally) and forward, through the verbs."""
    contest, secretary = scene["contest"], scene["secretary"]
    operations.set_panel(secretary, contest, scene["judges"], chair=scene["judges"][0])
    operations.assign_panel(secretary, contest)
    criteria = {c.code: c.id for c in contest.criteria}
    for index, per_judge in MARKS.items():
        for judge, (n, u, r) in zip(scene["judges"], per_judge):
            values = {criteria[code]: (p, "Nhận xét của giám khảo.")
                      for code, p in (("novelty", n), ("usefulness", u), ("replicability", r))}
            operations.save_sheet(judge, scene["entries"][index], values, submit=True)
    accept_fewer_sheets(contest, "Sáng kiến nộp muộn, Ban giám khảo không kịp chấm")
    operations.close_judging(secretary, contest)
    if publish:
        operations.publish_results(secretary, contest)
        operations.forward_entries(secretary, contest, scene["town_round"], None, current_app.config["UPLOAD_FOLDER"])
    db.session.commit()
    return contest


def dossier_files(contest: Contest, app: Any) -> dict[str, bytes]:
    with app.test_request_context():
        data = gather_dossier(contest, app.config["SECRET_KEY"], verify_url, date(2024, 11, 5))
    return build_dossier(data)


def named(files: dict[str, bytes], part: str) -> bytes:
    matches = [data for name, data in files.items() if part in name]
    assert len(matches) == 1, (part, list(files))
    return matches[0]


def docx_text(data: bytes) -> str:
    """All paragraphs and table cells of a DOCX, one per line."""
    doc = Document(BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                lines.extend(p.text for p in cell.paragraphs)
    return "\n".join(lines)


def test_heading_and_date_line_follow_the_rules() -> None:
    assert heading_name("Ủy ban nhân dân phường Trung Lương") == "UBND PHƯỜNG TRUNG LƯƠNG"
    assert heading_name("Uỷ ban nhân dân xã Tân Phú") == "UBND XÃ TÂN PHÚ"
    assert heading_name("Sở Nội vụ") == "SỞ NỘI VỤ"
    assert date_line("Trung Lương", date(2025, 2, 5)) == "Trung Lương, ngày 05 tháng 02 năm 2025"
    assert date_line("Trung Lương", date(2024, 11, 15)) == "Trung Lương, ngày 15 tháng 11 năm 2024"


def test_certificate_codes_are_keyed_and_short() -> None:
    code = certificate_code("secret", 1, 2)
    assert len(code) == 16 and int(code, 16) >= 0
    assert code != certificate_code("secret", 1, 3) and code != certificate_code("other", 1, 2)
    assert code == certificate_code(b"secret", 1, 2)


def test_scores_workbook_has_every_sheet_and_the_summary(scene: dict, app: Any) -> None:
    contest = judge_and_close(scene)
    wb = load_workbook(BytesIO(named(dossier_files(contest, app), ".xlsx")))
    detail, summary = wb.worksheets
    assert detail.title == "Bảng điểm chi tiết" and summary.title == "Tổng hợp xếp hạng"
    header = [c.value for c in detail[4]]
    assert header[:5] == ["STT", "Tên sáng kiến", "Tác giả/Tập thể", "Đơn vị", "Giám khảo"]
    assert "Tính mới (tối đa 40)" in header and header[-4:] == ["Tổng điểm phiếu", "Điểm trung bình", "Xếp hạng", "Giải"]
    rows = [[c.value for c in row] for row in detail.iter_rows(min_row=5, max_row=10)]
    assert rows[-1][4] and detail.cell(row=11, column=5).value is None  # 3 entries × 2 submitted sheets
    assert rows[0][1] == TITLE_VI and rows[0][3] == "Bộ phận Một cửa UBND phường Trung Lương"
    assert {rows[0][4], rows[1][4]} == {"Lê Văn Minh", "Phạm Thị Lan"}
    assert sorted([rows[0][5:9], rows[1][5:9]]) == [[36, 32, 20, 88], [38, 30, 22, 90]]
    assert rows[0][9:12] == [89, 1, "Giải Nhất"] and rows[1][9] is None  # merged over the entry's lines
    assert rows[2][2] == "Đoàn Thanh niên phường Trung Lương" and rows[2][9:12] == [69.25, 2, "Giải Nhì"]
    assert rows[4][11] is None and rows[4][9] == 30  # below the threshold: no prize
    assert "A5:A6" in {str(r) for r in detail.merged_cells.ranges}
    summary_rows = [[c.value for c in row] for row in summary.iter_rows(min_row=5, max_row=7)]
    assert [r[1] for r in summary_rows] == [TITLE_VI, "Zalo OA trả lời phản ánh của người dân", "Sổ tay điện tử thủ tục hành chính"]
    assert summary_rows[0][6:9] == [37, 31, 21] and summary_rows[0][9:13] == [2, 89, 1, "Giải Nhất"]
    assert summary_rows[0][13:] == ["Có", "Có"] and summary_rows[2][13:] == ["Không", "Không"]
    for sheet in (detail, summary):  # printed as an administrative document: issuer, motto, date, signatures
        assert sheet.oddHeader.left.text == "UBND PHƯỜNG TRUNG LƯƠNG\nBAN GIÁM KHẢO CUỘC THI"
        assert sheet.oddHeader.right.text == f"{MOTTO}\n{MOTTO_SUB}"
        below = [c.value for row in sheet.iter_rows(min_row=sheet.max_row - 6) for c in row if c.value]
        assert below == ["Trung Lương, ngày 05 tháng 11 năm 2024", "NGƯỜI LẬP BIỂU", "TRƯỞNG BAN GIÁM KHẢO",
                         "Trần Thị Thu Hà", "Lê Văn Minh"]


def test_an_entry_nobody_scored_has_no_rank_or_mean_in_the_dossier(scene: dict, app: Any, make_entry: Callable) -> None:
    make_entry(scene["contest"], scene["author"], title="Hộp thư góp ý chưa được chấm")
    contest = judge_and_close(scene)
    files = dossier_files(contest, app)
    summary = load_workbook(BytesIO(named(files, ".xlsx"))).worksheets[1]
    row = next(r for r in summary.iter_rows(min_row=5, values_only=True) if r[1] == "Hộp thư góp ý chưa được chấm")
    assert row[10:13] == (None, None, "Chưa chấm")  # as the standings page shows it, not 0 points and a rank
    minutes = Document(BytesIO(named(files, "bien-ban"))).tables[1]
    cells = next([c.text for c in r.cells] for r in minutes.rows if r.cells[1].text == "Hộp thư góp ý chưa được chấm")
    assert cells[0] == "—" and cells[3] == "—" and cells[4] == "Chưa có phiếu chấm"


def test_minutes_name_the_panel_the_results_and_the_conclusion(scene: dict, app: Any) -> None:
    contest = judge_and_close(scene)
    data = named(dossier_files(contest, app), "bien-ban")
    text = docx_text(data)
    for expected in (MOTTO, MOTTO_SUB, "UBND PHƯỜNG TRUNG LƯƠNG", "BAN GIÁM KHẢO CUỘC THI", "Số: …/BB-BGK",
                     "Trung Lương, ngày 05 tháng 11 năm 2024", "BIÊN BẢN", f"Họp Ban giám khảo Cuộc thi {CONTEST_TITLE}",
                     "1. Lê Văn Minh, Phó Chủ tịch UBND phường.", "2. Phạm Thị Lan",
                     "Chủ trì: Lê Văn Minh, Trưởng Ban giám khảo.",
                     "Thư ký: Trần Thị Thu Hà", "đã chấm 3 sáng kiến với 6 phiếu chấm", TITLE_VI, "Giải Nhất", "Giải Nhì",
                     "69,25", "Chưa đạt", "Công nhận 2 sáng kiến", "Đề nghị Hội đồng chấm sáng kiến thị xã Hồng Lĩnh",
                     "TRƯỞNG BAN GIÁM KHẢO", "THƯ KÝ", "Địa điểm: Trụ sở Ủy ban nhân dân phường Trung Lương."):
        assert expected in text, expected
    table = Document(BytesIO(data)).tables[1]
    assert [c.text for c in table.rows[1].cells] == ["1", TITLE_VI, "Võ Thị Mai", "89", "Giải Nhất"]


def test_minutes_under_the_vote_rule_record_each_members_vote_and_the_trimmed_mean(scene: dict, app: Any) -> None:
    contest = scene["contest"]
    contest.acceptance_rule, contest.vote_share, contest.aggregation = "vote", 50, "trimmed"
    contest = judge_and_close(scene, publish=False)
    first, second = scene["judges"]
    operations.record_votes(scene["secretary"], scene["entries"][0], {first.id: True, second.id: False})
    db.session.commit()
    text = docx_text(named(dossier_files(contest, app), "bien-ban"))
    assert "bỏ phiếu cao nhất và phiếu thấp nhất khi sáng kiến có từ 5 phiếu" in text
    assert "cần ít nhất 50% thành viên Ban giám khảo tán thành" in text
    assert f"“{TITLE_VI}”: tán thành 1/2 (Lê Văn Minh); không tán thành: Phạm Thị Lan." in text
    assert "được Ban giám khảo biểu quyết tán thành" in text and "Ban giám khảo gồm 2 thành viên" in text


def test_submission_lists_the_forwarded_entries_and_asks_for_recognition(scene: dict, app: Any) -> None:
    contest = judge_and_close(scene)
    data = named(dossier_files(contest, app), "to-trinh")
    text = docx_text(data)
    for expected in (MOTTO, MOTTO_SUB, "BAN TỔ CHỨC CUỘC THI", "Số: …/TTr-BTC", "TỜ TRÌNH",
                     "Kính gửi: Hội đồng chấm sáng kiến thị xã Hồng Lĩnh.", "xem xét, công nhận 2 sáng kiến",
                     "Nơi nhận:", "- Như trên;", "TM. BAN TỔ CHỨC", "TRƯỞNG BAN", "Nguyễn Công Lộc"):
        assert expected in text, expected
    table = Document(BytesIO(data)).tables[1]
    assert [c.text for c in table.rows[1].cells] == ["1", TITLE_VI, "Võ Thị Mai", "Bộ phận Một cửa UBND phường Trung Lương", "89", "Giải Nhất"]
    assert table.rows[2].cells[2].text == "Đoàn Thanh niên phường Trung Lương" and len(table.rows) == 3
    assert "Sổ tay điện tử" not in text  # not forwarded


def test_certificates_embed_the_font_carry_the_text_and_a_qr_code(scene: dict, app: Any) -> None:
    contest = judge_and_close(scene)
    files = dossier_files(contest, app)
    certificates = {name: data for name, data in files.items() if name.endswith(".pdf")}
    assert len(certificates) == 2  # Nhất and Nhì; the third entry won nothing
    reader = PdfReader(BytesIO(named(files, f"sang-kien-{scene['entries'][0].id}.pdf")))
    page = reader.pages[0]
    text = page.extract_text()
    for expected in ("GIẤY CHỨNG NHẬN", MOTTO, MOTTO_SUB, "UBND PHƯỜNG TRUNG LƯƠNG", "Võ Thị Mai", "Đã đạt Giải Nhất",
                     "Trung Lương, ngày 05 tháng 11 năm 2024", "TM. BAN TỔ CHỨC", "Nguyễn Công Lộc", "Điểm trung bình: 89/100"):
        assert expected in text, expected
    assert "Số hóa hồ sơ hộ tịch" in text and "người dân tại Bộ phận Một cửa" in " ".join(text.split())
    fonts = [f.get_object() for f in page["/Resources"]["/Font"].values()]
    assert fonts and all("DejaVuSerif" in str(f["/BaseFont"]) for f in fonts)
    assert all("/FontFile2" in f["/DescendantFonts"][0].get_object()["/FontDescriptor"] for f in fonts)  # embedded TTF

    code = certificate_code(app.config["SECRET_KEY"], contest.id, scene["entries"][0].id)
    url = f"{BASE_URL}/dossier/verify/{code}"
    assert f"Mã xác thực: {code}" in text and url in "".join(text.split())
    links = [a.get_object()["/A"]["/URI"] for a in page["/Annots"]]
    assert url in links
    # The QR image is the code of exactly that URL: sample each module of the embedded picture.
    image = page.images[0].image.convert("L")
    matrix = qr_code(url).matrix
    scale = image.width / (len(matrix) + 4)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            pixel = image.getpixel((int((x + 2.5) * scale), int((y + 2.5) * scale)))
            assert (pixel < 128) == bool(dark), (x, y)


def test_verification_page_shows_the_published_winner_and_refuses_a_forged_code(scene: dict, app: Any, client: Any) -> None:
    contest = judge_and_close(scene)
    entry = scene["entries"][0]
    page = client.get(f"/dossier/verify/{certificate_code(app.config['SECRET_KEY'], contest.id, entry.id)}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Giấy chứng nhận hợp lệ" in html
    for expected in (TITLE_VI, CONTEST_TITLE, "Võ Thị Mai", "Giải Nhất", "89"):
        assert expected in html, expected
    for forged in ("0123456789abcdef", certificate_code("another-key", contest.id, entry.id), "not-a-code",
                   certificate_code(app.config["SECRET_KEY"], contest.id, scene["entries"][2].id)):  # no prize
        refused = client.get(f"/dossier/verify/{forged}")
        assert refused.status_code == 404 and "Không tìm thấy / không hợp lệ" in refused.get_data(as_text=True), forged


def test_verification_needs_a_publication(scene: dict, app: Any, client: Any) -> None:
    contest = judge_and_close(scene, publish=False)
    code = certificate_code(app.config["SECRET_KEY"], contest.id, scene["entries"][0].id)
    assert client.get(f"/dossier/verify/{code}").status_code == 404
    operations.publish_results(scene["secretary"], contest)  # the same, genuine code, once published
    db.session.commit()
    page = client.get(f"/dossier/verify/{code}")
    assert page.status_code == 200 and "Giấy chứng nhận hợp lệ" in page.get_data(as_text=True)


def test_secretary_downloads_one_zip_with_every_file(scene: dict, app: Any, signed_in: Callable) -> None:
    contest = judge_and_close(scene)
    secretary, _ = signed_in(SECRETARY, user=scene["secretary"])
    assert "4. Hồ sơ gửi Hội đồng thị xã (ZIP)" in secretary.get(f"/contests/{contest.id}").get_data(as_text=True)
    response = secretary.get(f"/dossier/contests/{contest.id}.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "ho-so-hoi-dong-thi-xa-2024" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(BytesIO(response.data))
    names = sorted(archive.namelist())
    assert sorted(dossier_files(contest, app)) == names and len(names) == 5
    assert any(n.endswith(".xlsx") for n in names) and sum(n.endswith(".docx") for n in names) == 2
    assert sum(n.startswith("giay-chung-nhan/") and n.endswith(".pdf") for n in names) == 2
    admin, _ = signed_in(ADMIN, user=scene["admin"])
    assert admin.get(f"/dossier/contests/{contest.id}.zip").status_code == 200


def test_the_contest_page_warns_when_nothing_is_forwarded_yet(scene: dict, signed_in: Callable) -> None:
    contest, secretary = scene["contest"], scene["secretary"]
    operations.set_panel(secretary, contest, scene["judges"], chair=scene["judges"][0])
    operations.assign_panel(secretary, contest)
    accept_fewer_sheets(contest)
    operations.close_judging(secretary, contest)
    db.session.commit()
    client, _ = signed_in(SECRETARY, user=secretary)
    assert 'id="nothing-forwarded"' in client.get(f"/contests/{contest.id}").get_data(as_text=True)
    db.session.execute(db.update(Result).where(Result.contest_id == contest.id).values(forwarded=True))
    db.session.commit()
    assert 'id="nothing-forwarded"' not in client.get(f"/contests/{contest.id}").get_data(as_text=True)


def test_zip_is_refused_before_judging_closes_and_to_other_roles(scene: dict, client: Any, signed_in: Callable) -> None:
    contest = scene["contest"]
    url = f"/dossier/contests/{contest.id}.zip"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    participant, _ = signed_in(PARTICIPANT, user=scene["author"])
    assert participant.get(url).status_code == 403
    judge, _ = signed_in(JUDGE, user=scene["judges"][0])
    assert judge.get(url).status_code == 403
    secretary, _ = signed_in(SECRETARY, user=scene["secretary"])
    early = secretary.get(url)
    assert early.status_code == 302 and early.headers["Location"].endswith(f"/judging/contests/{contest.id}/standings")
    assert "4. Hồ sơ gửi Hội đồng thị xã" not in secretary.get(f"/contests/{contest.id}").get_data(as_text=True)
    assert secretary.get("/dossier/contests/999.zip").status_code == 404


def test_cli_writes_the_dossier_to_a_folder(scene: dict, app: Any, runner: Any, tmp_path: Path) -> None:
    contest = judge_and_close(scene, publish=False)
    out = tmp_path / "ho-so"
    result = runner.invoke(args=["export", "dossier", "--contest", str(contest.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert len(written) == 5 and "Đã ghi 5 tệp" in result.output
    pdf = next(out.glob("giay-chung-nhan/*.pdf"))
    assert f"{BASE_URL}/dossier/verify/" in "".join(PdfReader(pdf).pages[0].extract_text().split())
    assert runner.invoke(args=["export", "dossier", "--contest", "999", "--out", str(out)]).exit_code != 0


def test_cli_refuses_a_contest_still_being_judged(scene: dict, runner: Any, tmp_path: Path) -> None:
    result = runner.invoke(args=["export", "dossier", "--contest", str(scene["contest"].id), "--out", str(tmp_path)])
    assert result.exit_code != 0 and "chưa kết thúc chấm" in result.output


def test_without_base_url_certificates_link_to_the_serving_host(app) -> None:
    from judging.dossier_routes import verify_url

    app.config["BASE_URL"] = ""
    with app.test_request_context(base_url="http://sangkien.local:5055/"):
        assert verify_url("abc123") == "http://sangkien.local:5055/dossier/verify/abc123"
    app.config["BASE_URL"] = BASE_URL
    with app.test_request_context(base_url="http://sangkien.local:5055/"):
        assert verify_url("abc123") == f"{BASE_URL}/dossier/verify/abc123"


def test_a_production_server_without_base_url_issues_no_certificate(scene: dict, app: Any, signed_in: Callable) -> None:
    """The Host header never chooses the address printed in a certificate's QR code."""
    contest = judge_and_close(scene)
    secretary, _ = signed_in(SECRETARY, user=scene["secretary"])
    app.config["PRODUCTION"], app.config["BASE_URL"] = True, ""
    refused = secretary.get(f"/dossier/contests/{contest.id}.zip")
    assert refused.status_code == 302 and refused.mimetype != "application/zip"
    assert "Chưa đặt BASE_URL" in secretary.get(refused.headers["Location"]).get_data(as_text=True)
    app.config["BASE_URL"] = "https://sangkien.phuong.gov.vn/"
    from judging.dossier_routes import verify_url

    with app.test_request_context("/", headers={"Host": "evil.example"}):  # whatever host a request names
        assert verify_url("ABC").startswith("https://sangkien.phuong.gov.vn/dossier/verify/")
    response = secretary.get(f"/dossier/contests/{contest.id}.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"


def test_every_word_document_names_the_organisation_as_author_and_its_title(scene: dict, app: Any) -> None:
    """Word's File → Info shows who wrote the document: the ward, never "python-docx"."""
    contest = judge_and_close(scene)
    files = dossier_files(contest, app)
    documents = {name: data for name, data in files.items() if name.endswith(".docx")}
    assert len(documents) == 2
    organisation = contest.organisation
    author = organisation.authority or organisation.name
    for name, data in documents.items():
        properties = Document(BytesIO(data)).core_properties
        assert properties.author == author and properties.last_modified_by == author, name
        assert properties.title and properties.comments == "", name
        core = zipfile.ZipFile(BytesIO(data)).read("docProps/core.xml").decode("utf-8")
        assert "python-docx" not in core, name
    minutes = Document(BytesIO(named(files, "bien-ban"))).core_properties
    assert minutes.title.startswith("Biên bản họp Ban giám khảo") and CONTEST_TITLE in minutes.title
    assert Document(BytesIO(named(files, "to-trinh"))).core_properties.title.startswith("Tờ trình")
