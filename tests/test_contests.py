"""The organising committee opens and edits a contest through the UI."""
from __future__ import annotations

from conftest import post_form
from sqlalchemy import select

from contest.accounts.models import ADMIN, PARTICIPANT, SECRETARY
from contest.audit.models import AuditLog
from contest.contests.models import Contest
from contest.db import db


def contest_form(**overrides):
    data = {
        "title": "Sáng kiến CCHC phường Trung Lương năm 2025",
        "year": "2025",
        "fields": "Cải cách TTHC\nChính quyền số\nDịch vụ công trực tuyến",
        "submission_deadline": "2030-05-30T17:00",
        "judging_deadline": "2030-06-30T17:00",
        "threshold": "50",
        "forward_count": "3",
        "prize_first": "1", "prize_second": "2", "prize_third": "3", "prize_consolation": "4",
    }
    for i, (code, name, points) in enumerate([("novelty", "Tính mới", 40), ("usefulness", "Tính hữu ích, hiệu quả", 35),
                                              ("replicability", "Khả năng nhân rộng", 25)]):
        data[f"criteria-{i}-code"], data[f"criteria-{i}-name"], data[f"criteria-{i}-max_points"] = code, name, str(points)
    data.update(overrides)
    return data


def test_new_contest_form_has_default_rubric(signed_in) -> None:
    admin, _ = signed_in(ADMIN)
    html = admin.get("/contests/new").get_data(as_text=True)
    assert 'value="Tính mới"' in html and ('value="40"' in html or 'value="40.0"' in html)
    assert "Khả năng nhân rộng" in html


def test_admin_creates_contest(signed_in) -> None:
    admin, user = signed_in(ADMIN)
    response = post_form(admin, "/contests/new", contest_form())
    assert response.status_code == 302
    contest = db.session.scalar(select(Contest))
    assert contest.title.endswith("năm 2025") and contest.fields == ["Cải cách TTHC", "Chính quyền số", "Dịch vụ công trực tuyến"]
    assert [(c.code, c.max_points) for c in contest.criteria] == [("novelty", 40), ("usefulness", 35), ("replicability", 25)]
    assert contest.threshold == 50 and contest.forward_count == 3
    # 17:00 in Vietnam is 10:00 UTC.
    assert contest.submission_deadline.hour == 10
    log = db.session.scalar(select(AuditLog).filter_by(action="contest.create"))
    assert log.actor_id == user.id and log.after["title"] == contest.title
    page = admin.get(f"/contests/{contest.id}").get_data(as_text=True)
    assert "30/05/2030 17:00" in page


def test_contest_form_errors_are_vietnamese_and_nothing_saved(signed_in) -> None:
    admin, _ = signed_in(ADMIN)
    response = post_form(admin, "/contests/new", contest_form(title="", year="năm nay",
                                                              judging_deadline="2030-01-01T00:00"), page="/contests/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Tên cuộc thi: không được để trống." in html
    assert "Phải là một số nguyên." in html
    assert db.session.scalar(select(Contest)) is None
    response = post_form(admin, "/contests/new", contest_form(judging_deadline="2030-01-01T00:00"), page="/contests/new")
    assert "Hạn chấm: phải sau hạn nộp bài." in response.get_data(as_text=True)
    assert db.session.scalar(select(Contest)) is None


def test_admin_edits_contest_and_rubric(signed_in, make_contest) -> None:
    contest = make_contest()
    admin, _ = signed_in(ADMIN)
    form = contest_form(threshold="60", **{"criteria-0-max_points": "50", "criteria-2-max_points": "15"})
    response = post_form(admin, f"/contests/{contest.id}/edit", form)
    assert response.status_code == 302
    db.session.refresh(contest)
    assert contest.threshold == 60
    assert [c.max_points for c in contest.criteria] == [50, 35, 15]


def test_secretary_cannot_create_contest(signed_in) -> None:
    secretary, _ = signed_in(SECRETARY)
    assert secretary.get("/contests/new").status_code == 403


def test_double_submitted_form_creates_one_contest(signed_in) -> None:
    from conftest import csrf_token_from, form_value

    admin, _ = signed_in(ADMIN)
    html = admin.get("/contests/new").get_data(as_text=True)
    data = contest_form(csrf_token=csrf_token_from(html), once=form_value(html, "once"))
    first = admin.post("/contests/new", data=data)
    second = admin.post("/contests/new", data=data)
    assert first.status_code == 302 and second.status_code == 302
    assert len(db.session.scalars(select(Contest)).all()) == 1
    assert "đã được gửi trước đó" in admin.get(second.headers["Location"]).get_data(as_text=True)


def test_the_contest_page_lists_entries_a_page_at_a_time(signed_in, make_contest, make_user, make_entry) -> None:
    contest = make_contest()
    author = make_user(PARTICIPANT)
    for n in range(55):
        make_entry(contest, author, title=f"Bài dự thi số {n:02d}")
    client, _ = signed_in(SECRETARY)
    first = client.get(f"/contests/{contest.id}").get_data(as_text=True)
    assert "Bài dự thi (55)" in first and "Trang 1/2" in first
    assert "Bài dự thi số 00" in first and "Bài dự thi số 50" not in first
    second = client.get(f"/contests/{contest.id}?page=2").get_data(as_text=True)
    assert "Bài dự thi số 50" in second and "Bài dự thi số 54" in second and "Bài dự thi số 00" not in second


def test_repeated_criterion_codes_are_refused(signed_in) -> None:
    """Points are summed by criterion code: two criteria with one code would lose one's points."""
    admin, _ = signed_in(ADMIN)
    response = post_form(admin, "/contests/new", contest_form(**{"criteria-1-code": "novelty"}), page="/contests/new")
    assert response.status_code == 400
    assert "mỗi tiêu chí cần một mã riêng" in response.get_data(as_text=True)
    assert db.session.scalar(select(Contest)) is None


def test_the_admin_reads_who_changed_what_in_the_audit_log(signed_in) -> None:
    admin, user = signed_in(ADMIN)
    post_form(admin, "/contests/new", contest_form())
    contest = db.session.scalar(select(Contest))
    renamed = contest_form(title="Sáng kiến CCHC phường Trung Lương năm 2025 (sửa đổi)")
    assert post_form(admin, f"/contests/{contest.id}/edit", renamed, page=f"/contests/{contest.id}/edit").status_code == 302
    page = admin.get("/audit").get_data(as_text=True)
    records = page[page.index('id="audit-records"'):]  # the table, not the filter's list of actions
    assert "Sửa cuộc thi" in records and "Tạo cuộc thi" in records and user.full_name in records
    update = records[records.index("Sửa cuộc thi"):records.index("Tạo cuộc thi")]  # newest first: the edit
    assert "Trước" in update and "năm 2025" in update and "(sửa đổi)" in update


def test_the_contest_form_speaks_vietnamese_numbers_names_and_this_year(signed_in) -> None:
    """Rubric codes stay internal, the year starts at this year in Vietnam, the vote share is written
    and read with a decimal comma, and the rubric table stacks on a phone."""
    import re

    from contest.db import utcnow
    from contest.timeutil import to_local

    admin, _ = signed_in(ADMIN)
    html = admin.get("/contests/new").get_data(as_text=True)
    for code in ("novelty", "usefulness", "replicability"):
        shown = [tag for tag in re.findall(r"<input[^>]*>", html) if f'value="{code}"' in tag]
        assert shown and all('type="hidden"' in tag for tag in shown), shown
        assert f">{code}<" not in html
    assert ">Mã<" not in html
    year = re.search(r'<input[^>]*name="year"[^>]*>', html).group(0)
    assert f'value="{to_local(utcnow()).year}"' in year
    vote_share = re.search(r'<input[^>]*name="vote_share"[^>]*>', html).group(0)
    assert 'value="66,67"' in vote_share and "Hai phần ba: 66,67." in html
    assert 'type="text"' in vote_share and 'inputmode="decimal"' in vote_share  # type="number" would show it empty
    assert re.search(r'<table[^>]*class="[^"]*table-stack[^"]*"[^>]*id="rubric"', html)
    assert 'data-label="Điểm tối đa"' in html

    response = post_form(admin, "/contests/new", contest_form(vote_share="66,67", threshold="50,5",
                                                              **{"criteria-0-max_points": "40,0"}), page="/contests/new")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    contest = db.session.scalar(select(Contest))
    assert contest.vote_share == 66.67 and contest.threshold == 50.5 and contest.criteria[0].max_points == 40
    assert [c.code for c in contest.criteria] == ["novelty", "usefulness", "replicability"]
    edit = admin.get(f"/contests/{contest.id}/edit").get_data(as_text=True)
    assert 'value="66,67"' in re.search(r'<input[^>]*name="vote_share"[^>]*>', edit).group(0)
    assert 'value="50,5"' in re.search(r'<input[^>]*name="threshold"[^>]*>', edit).group(0)
    bad = post_form(admin, f"/contests/{contest.id}/edit", contest_form(vote_share="66,6,7"), page=f"/contests/{contest.id}/edit")
    assert bad.status_code == 400 and "ví dụ 66,67" in bad.get_data(as_text=True)
    db.session.refresh(contest)
    assert contest.vote_share == 66.67
