"""The public contest page (thể lệ) and the contest's signed plan: read by anyone, attached by the Ban tổ chức."""
from __future__ import annotations

import html
import io
import os
import re
from datetime import datetime, timedelta
from typing import Any, Callable

import pytest
from conftest import csrf_token_from
from flask import Flask
from pypdf import PdfWriter
from sqlalchemy import func, select

from contest.accounts.models import ADMIN, SECRETARY, WARD, Organisation
from contest.audit.models import AuditLog
from contest.contests import rules
from contest.contests.models import CLOSED, JUDGING, OPEN, Contest
from contest.db import db, utcnow
from contest.demo import DEMO_PDF
from judging.operations import publish_results

SUBMISSION = datetime(2030, 4, 30, 10, 0)  # UTC: 17:00 in Vietnam
JUDGING_DEADLINE = datetime(2030, 5, 31, 16, 30)  # UTC: 23:30 in Vietnam, same day


def text_of(page: str) -> str:
    """A page's visible text, tags gone and spaces collapsed, as a reader sees it."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def section(page: str, section_id: str) -> str:
    """The visible text of one <section id=…> of a page."""
    found = re.search(rf'<section[^>]*id="{section_id}".*?</section>', page, flags=re.S)
    assert found, f"no section {section_id}"
    return text_of(found.group(0))


def pdf_bytes(pages: int = 1, padding: int = 0) -> bytes:
    """A real PDF of blank pages; `padding` bytes of a comment make it as big as a test needs."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue() + (b"%" + b"x" * padding + b"\n" if padding else b"")


@pytest.fixture
def contest(make_contest: Callable[..., Contest]) -> Contest:
    return make_contest(submission_deadline=SUBMISSION, judging_deadline=JUDGING_DEADLINE,
                        prize_first=2, prize_second=3, prize_third=5, prize_consolation=7,
                        collective_prizes=[1, 0, 2, 1], threshold=55)


def upload(client: Any, contest_id: int, data: bytes, name: str) -> Any:
    """Post a file to the plan form of the edit page, with that page's CSRF token."""
    token = csrf_token_from(client.get(f"/contests/{contest_id}/edit").get_data(as_text=True))
    return client.post(f"/contests/{contest_id}/plan", data={"csrf_token": token, "plan": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def files_in(app: Flask) -> set[str]:
    return set(os.listdir(app.config["UPLOAD_FOLDER"]))


def audit_actions(action: str) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).filter_by(action=action).order_by(AuditLog.id)))


def test_an_anonymous_visitor_reads_every_part_of_the_rules(app: Flask, client: Any, contest: Contest,
                                                            make_registry_item: Callable) -> None:
    make_registry_item(year=2019)
    make_registry_item(title="Sổ tay điện tử hướng dẫn thủ tục đăng ký khai sinh", year=2023)
    app.config["MAX_ATTACHMENT_BYTES"] = 5 * 1024 * 1024  # the page says what the upload config says
    response = client.get(f"/rules/{contest.id}")
    assert response.status_code == 200
    assert "no-store" not in (response.headers.get("Cache-Control") or "")  # a public page may be cached
    page = response.get_data(as_text=True)
    whole = text_of(page)
    assert "Sáng kiến, giải pháp CCHC phường Trung Lương năm 2024" in whole
    assert section(page, "status").startswith("Đang nhận bài.")
    organiser = section(page, "organiser")
    assert "Ủy ban nhân dân phường Trung Lương" in organiser
    assert "Hội đồng chấm sáng kiến phường Trung Lương" in organiser
    assert "gửi Hội đồng chấm sáng kiến thị xã Hồng Lĩnh" in organiser  # the ward's best go to the town
    who = section(page, "who")
    assert "Cá nhân: cán bộ, công chức, viên chức, người lao động làm việc tại Ủy ban nhân dân phường Trung Lương" in who
    assert "Tập thể: các tổ chức trong hệ thống chính trị của phường Trung Lương" in who
    assert all(field in who for field in ("Cải cách TTHC", "Chính quyền số", "Tuyên truyền CCHC"))
    deadlines = section(page, "deadlines")
    assert "Hạn nộp bài 30/04/2030 17:00" in deadlines and "Hạn chấm 31/05/2030 23:30" in deadlines
    assert "10:00" not in deadlines  # never the stored UTC time
    rubric = section(page, "rubric")
    assert "Tiêu chí chấm (tổng 100 điểm)" in rubric
    assert "Tính mới 40 36–40 điểm : Hoàn toàn mới" in rubric  # the default bands, scaled to the maximum
    assert "Khả năng nhân rộng 25" in rubric and "0 điểm : Không nhân rộng được" in rubric
    assert "từ 55/100 điểm" in rubric
    assert "Tính mới, Tính hữu ích, hiệu quả, Khả năng nhân rộng" in rubric  # the tie-break order
    prizes = re.search(r'<table[^>]*id="prize-table".*?</table>', page, flags=re.S).group(0)
    rows = [text_of(row) for row in re.findall(r"<tr>.*?</tr>", prizes, flags=re.S)]
    assert rows == ["Giải Cá nhân Tập thể", "Giải Nhất 2 1", "Giải Nhì 3 0", "Giải Ba 5 2", "Giải Khuyến khích 7 1"]
    how = section(page, "how")
    assert "tệp PDF, DOCX; mỗi tệp tối đa 5 MB, mỗi bài tối đa 10 tệp và 40 MB" in how
    assert "Bấm “Nộp bài” trước 30/04/2030 17:00 (giờ Việt Nam)" in how and "Đăng nhập" in how
    duplicates = section(page, "duplicates")
    assert "đã được áp dụng tại phường Trung Lương tính đến hạn nộp bài, ngày 30/04/2030" in duplicates
    assert "ngân hàng sáng kiến của phường Trung Lương" in duplicates
    assert "Ngân hàng hiện có 2 sáng kiến, áp dụng từ năm 2019 đến năm 2023" in duplicates
    assert "các bài khác đã nộp vào cuộc thi này" in duplicates
    assert "chỉ được nêu để Tổ thư ký tham khảo, không tính là trùng lặp" in duplicates  # the town's bank
    assert "Tải kế hoạch" not in whole  # no plan attached yet


def test_the_status_follows_the_contest_to_its_published_results(client: Any, contest: Contest,
                                                                 make_user: Callable) -> None:
    contest.status = JUDGING
    db.session.commit()
    assert section(client.get(f"/rules/{contest.id}").get_data(as_text=True), "status") == "Đang chấm."
    contest.status = CLOSED
    db.session.commit()
    publish_results(make_user(SECRETARY), contest)
    db.session.commit()
    page = client.get(f"/rules/{contest.id}").get_data(as_text=True)
    assert section(page, "status") == "Đã công bố kết quả. Xem kết quả đã công bố"
    assert f'href="/results/{contest.id}" id="results-link"' in page
    results = client.get(f"/results/{contest.id}").get_data(as_text=True)  # and back again
    assert f'href="/rules/{contest.id}" id="rules-link"' in results
    assert f'href="/rules/{contest.id}"' in client.get("/results/").get_data(as_text=True)


def test_the_phase_a_visitor_is_told() -> None:
    now = datetime(2030, 1, 1)
    assert rules.public_phase(OPEN, now + timedelta(hours=1), now, False) == rules.TAKING_ENTRIES
    assert rules.public_phase(OPEN, now - timedelta(hours=1), now, False) == rules.DEADLINE_PASSED
    assert rules.public_phase(JUDGING, now, now, False) == rules.JUDGING
    assert rules.public_phase(JUDGING, now, now, True) == rules.PUBLISHED  # reopened after a publication
    assert [r.collective for r in rules.prize_rows([1, 2, 3, 4], [])] == [None] * 4  # [] ranks everyone together
    assert rules.prize_total(rules.prize_rows([1, 2, 3, 4], [1, 1, 1, 1])) == 14


def test_an_unknown_contest_is_not_found(client: Any) -> None:
    for url in ("/rules/999", "/rules/999/plan.pdf", "/rules/0", "/rules/abc"):
        assert client.get(url).status_code == 404, url


def test_the_admin_attaches_a_real_pdf_that_anyone_downloads(app: Flask, client: Any, contest: Contest,
                                                             signed_in: Callable) -> None:
    admin, _ = signed_in(ADMIN)
    plan = pdf_bytes(pages=2)
    response = upload(admin, contest.id, plan, "Kế hoạch 12-KH-UBND.pdf")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/contests/{contest.id}/edit#plan")
    db.session.refresh(contest)
    assert contest.plan_filename == "Kế hoạch 12-KH-UBND.pdf"
    assert re.fullmatch(r"plan-[0-9a-f]{32}\.pdf", contest.plan_stored_name)
    [record] = audit_actions("contest.attach_plan")
    assert record.after["plan"] == "Kế hoạch 12-KH-UBND.pdf" and record.after["size"] == len(plan)

    page = client.get(f"/rules/{contest.id}").get_data(as_text=True)
    assert f'href="/rules/{contest.id}/plan.pdf"' in page and "Tải kế hoạch cuộc thi đã ký (PDF)" in page
    download = client.get(f"/rules/{contest.id}/plan.pdf")
    assert download.status_code == 200 and download.data == plan
    assert download.mimetype == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")  # never rendered inline
    assert "filename*=UTF-8''K%E1%BA%BF%20ho%E1%BA%A1ch%2012-KH-UBND.pdf" in disposition

    replacement = pdf_bytes(pages=1)
    old = contest.plan_stored_name
    assert upload(admin, contest.id, replacement, "ke-hoach-sua-doi.PDF").status_code == 302
    db.session.refresh(contest)
    assert client.get(f"/rules/{contest.id}/plan.pdf").data == replacement
    assert old not in files_in(app) and files_in(app) == {contest.plan_stored_name}  # the replaced file is gone
    assert audit_actions("contest.attach_plan")[-1].before == {"plan": "Kế hoạch 12-KH-UBND.pdf"}


@pytest.mark.parametrize("data, name, message", [
    (b"PK\x03\x04 not a pdf, a Word file renamed", "ke-hoach.pdf", "chỉ nhận tệp PDF; nội dung tệp này không phải PDF"),
    (b"<html><script>alert(1)</script></html>", "ke-hoach.pdf", "chỉ nhận tệp PDF; nội dung tệp này không phải PDF"),
    (b"%PDF-1.7\nthis is no document at all", "ke-hoach.pdf", "tệp PDF bị hỏng, không đọc được"),
    (b"", "ke-hoach.pdf", "tệp rỗng"),
])
def test_a_file_that_is_not_a_pdf_is_refused_beside_the_field_and_the_old_plan_kept(
        app: Flask, client: Any, contest: Contest, signed_in: Callable, data: bytes, name: str, message: str) -> None:
    admin, _ = signed_in(ADMIN)
    assert upload(admin, contest.id, DEMO_PDF, "ke-hoach.pdf").status_code == 302
    db.session.refresh(contest)
    kept, files, records = contest.plan_stored_name, files_in(app), db.session.scalar(select(func.count(AuditLog.id)))

    response = upload(admin, contest.id, data, name)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    error = re.search(r'<div id="plan-error"[^>]*>(.*?)</div>', page, flags=re.S).group(1)
    assert f"Kế hoạch cuộc thi: {message}" in html.unescape(error)
    assert 'class="form-control is-invalid"' in page and 'id="current-plan"' in page  # the edit page, plan shown
    assert 'id="plan-refused"' in page and 'href="#plan"' in page  # said at the top too, linking down
    db.session.refresh(contest)
    assert contest.plan_stored_name == kept and files_in(app) == files  # nothing written, nothing lost
    assert db.session.scalar(select(func.count(AuditLog.id))) == records
    assert client.get(f"/rules/{contest.id}/plan.pdf").data == DEMO_PDF


def test_an_oversized_plan_is_refused_with_its_limit(app: Flask, contest: Contest, signed_in: Callable) -> None:
    admin, _ = signed_in(ADMIN)
    limit = app.config["MAX_ATTACHMENT_BYTES"]
    big = pdf_bytes(padding=limit)  # a real PDF, one comment too long; under the request limit, not a 413
    assert limit < len(big) < app.config["MAX_CONTENT_LENGTH"]
    response = upload(admin, contest.id, big, "ke-hoach.pdf")
    assert response.status_code == 400
    assert "Kế hoạch cuộc thi: tệp 8 MB vượt quá giới hạn 8 MB." in html.unescape(response.get_data(as_text=True))
    db.session.refresh(contest)
    assert contest.plan_stored_name is None and files_in(app) == set()


def test_removing_the_plan_is_audited_and_takes_the_file_away(app: Flask, client: Any, contest: Contest,
                                                              signed_in: Callable) -> None:
    admin, user = signed_in(ADMIN)
    upload(admin, contest.id, DEMO_PDF, "ke-hoach.pdf")
    token = csrf_token_from(admin.get(f"/contests/{contest.id}/edit").get_data(as_text=True))
    response = admin.post(f"/contests/{contest.id}/plan/remove", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.refresh(contest)
    assert contest.plan_filename is None and contest.plan_stored_name is None and files_in(app) == set()
    [record] = audit_actions("contest.remove_plan")
    assert record.before == {"plan": "ke-hoach.pdf"} and record.after is None and record.actor_id == user.id
    assert client.get(f"/rules/{contest.id}/plan.pdf").status_code == 404
    assert "Tải kế hoạch" not in client.get(f"/rules/{contest.id}").get_data(as_text=True)
    again = admin.post(f"/contests/{contest.id}/plan/remove", data={"csrf_token": token}, follow_redirects=True)
    assert "cuộc thi chưa có kế hoạch đính kèm" in again.get_data(as_text=True)


def test_another_wards_admin_cannot_touch_the_plan(app: Flask, town: Organisation, contest: Contest,
                                                   make_user: Callable, signed_in: Callable) -> None:
    other_ward = Organisation(name="Phường Bắc Hồng", level=WARD, parent=town)
    db.session.add(other_ward)
    db.session.commit()
    stranger, _ = signed_in(user=make_user(ADMIN, organisation=other_ward))
    app.config["WTF_CSRF_ENABLED"] = False
    response = stranger.post(f"/contests/{contest.id}/plan", data={"plan": (io.BytesIO(DEMO_PDF), "x.pdf")},
                             content_type="multipart/form-data")
    assert response.status_code == 404
    db.session.refresh(contest)
    assert contest.plan_stored_name is None and files_in(app) == set()


def test_the_pages_that_lead_to_the_rules(client: Any, contest: Contest, make_contest: Callable,
                                          signed_in: Callable) -> None:
    late = make_contest(title="Cuộc thi đã hết hạn nộp", submission_deadline=utcnow() - timedelta(days=1))
    login_page = client.get("/auth/login").get_data(as_text=True)
    listed = section(login_page, "open-contests")
    assert f'href="/rules/{contest.id}"' in login_page and "Hạn nộp: 30/04/2030 17:00" in listed
    assert "Phường Trung Lương" in listed and late.title not in listed
    secretary, _ = signed_in(SECRETARY)
    assert f'href="/rules/{contest.id}"' in secretary.get("/contests/").get_data(as_text=True)
    assert f'href="/rules/{contest.id}"' in secretary.get(f"/contests/{contest.id}").get_data(as_text=True)
