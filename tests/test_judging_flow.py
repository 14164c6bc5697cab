"""The judging flow through the web, as each role: panel, sheets, closing, standings, publishing, forwarding."""
from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from typing import Any, Callable

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from contest.accounts.models import Unit, User
from contest.audit.models import AuditLog
from contest.contests.models import Contest, Criterion
from contest.db import db
from contest.entries.models import Entry
from contest.registry.models import RegistryItem
from judging.export import FORWARD_HEADERS, FORWARD_TITLE
from judging.models import Assignment, Publication, Result, ScoreSheet
from judging.operations import JudgingError, assign_panel, save_sheet
from judging.queries import find_assignment, judge_queue
from tests.conftest import ADMIN, JUDGE, PARTICIPANT, SECRETARY, accept_fewer_sheets, post_form


@pytest.fixture
def world(ward: Any, make_user: Callable[..., User], make_contest: Callable[..., Contest], make_entry: Callable[..., Entry]) -> dict[str, Any]:
    """An open contest with three submitted entries, one draft, one excluded; two judges; a secretary."""
    unit = Unit(name="Văn phòng HĐND-UBND phường", organisation=ward)
    db.session.add(unit)
    db.session.commit()
    author = make_user(PARTICIPANT, unit=unit, full_name="Nguyễn Thị Lan")
    contest = make_contest(forward_count=2)
    entries = [
        make_entry(contest, author, title="Ứng dụng mã QR tra cứu hồ sơ"),
        make_entry(contest, author, title="Sổ tay điện tử thủ tục hành chính"),
        make_entry(contest, author, title="Zalo OA trả lời người dân"),
    ]
    draft = make_entry(contest, author, title="Bản nháp chưa nộp", status="draft", submitted_at=None)
    excluded = make_entry(contest, author, title="Trùng với sáng kiến cũ", status="excluded")
    return {
        "contest": contest,
        "entries": entries,
        "draft": draft,
        "excluded": excluded,
        "author": author,
        "judges": [make_user(JUDGE, full_name="Trần Văn Bình"), make_user(JUDGE, full_name="Lê Thị Cúc")],
        "secretary": make_user(SECRETARY, full_name="Phạm Thư Ký"),
    }


def criteria(contest: Contest) -> dict[str, Criterion]:
    return {c.code: c for c in contest.criteria}


def sheet_data(contest: Contest, novelty: Any, usefulness: Any, replicability: Any, action: str, comment: str = "") -> dict[str, Any]:
    """The form fields of a sheet, as the browser posts them."""
    c = criteria(contest)
    data = {"action": action}
    for code, value in (("novelty", novelty), ("usefulness", usefulness), ("replicability", replicability)):
        data[f"points_{c[code].id}"] = value
        data[f"comment_{c[code].id}"] = comment
    return data


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def test_anonymous_is_sent_to_login_and_participant_gets_403(world: dict, client: Any, signed_in: Callable) -> None:
    contest, entry = world["contest"], world["entries"][0]
    urls = ["/judging/", f"/judging/entries/{entry.id}", f"/judging/contests/{contest.id}/panel",
            f"/judging/contests/{contest.id}/standings", f"/judging/contests/{contest.id}/forwarded.xlsx"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url
    participant, _ = signed_in(PARTICIPANT, user=world["author"])
    for url in urls:
        assert participant.get(url).status_code == 403, url
    judge, _ = signed_in(JUDGE, user=world["judges"][0])
    assert judge.get(f"/judging/contests/{contest.id}/panel").status_code == 403


def test_secretary_assigns_panel_once_for_eligible_entries_only(world: dict, signed_in: Callable) -> None:
    contest = world["contest"]
    secretary, _ = signed_in(SECRETARY, user=world["secretary"])
    url = f"/judging/contests/{contest.id}/panel"
    assert secretary.get(url).status_code == 200
    response = post_form(secretary, url)
    assert response.status_code == 302
    db.session.expire_all()
    assert contest.status == "judging"
    assignments = db.session.scalars(select(Assignment)).all()
    assert len(assignments) == 6  # 3 submitted entries × 2 judges; the draft and the excluded never
    assert {a.entry_id for a in assignments} == {e.id for e in world["entries"]}
    post_form(secretary, url)  # idempotent
    assert db.session.scalar(select(func.count(Assignment.id))) == 6
    page = secretary.get(url).get_data(as_text=True)
    assert "Trần Văn Bình" in page and "Còn <strong>6</strong> phiếu" in page
    assert audit_actions().count("judging.assign_panel") == 2


def test_late_judges_are_highlighted_after_the_deadline(world: dict, signed_in: Callable) -> None:
    contest = world["contest"]
    assign_panel(world["secretary"], contest)
    contest.judging_deadline = contest.submission_deadline - timedelta(days=30)
    db.session.commit()
    secretary, _ = signed_in(SECRETARY, user=world["secretary"])
    page = secretary.get(f"/judging/contests/{contest.id}/panel").get_data(as_text=True)
    assert "Đã quá hạn" in page and page.count("Trễ hạn: còn 3 phiếu") == 2 and "table-danger" in page


def test_judge_queue_draft_submit_and_lock(world: dict, signed_in: Callable) -> None:
    contest, entry = world["contest"], world["entries"][0]
    assign_panel(world["secretary"], contest)
    db.session.commit()
    judge, me = signed_in(JUDGE, user=world["judges"][0])
    queue = judge.get("/judging/").get_data(as_text=True)
    assert entry.title in queue and "Chưa chấm" in queue and world["draft"].title not in queue
    url = f"/judging/entries/{entry.id}"
    page = judge.get(url).get_data(as_text=True)
    assert "Lưu nháp" in page and "Nộp phiếu chấm" in page and 'data-confirm="' in page and 'max="40"' in page

    assert post_form(judge, url, sheet_data(contest, "30", "25,5", "", "draft", "Nháp")).status_code == 302
    sheet = db.session.scalar(select(ScoreSheet).filter_by(entry_id=entry.id, judge_id=me.id))
    assert sheet.status == "draft" and sheet.version == 1
    assert sorted(sheet.points_by_criterion().values()) == [25.5, 30.0]
    assert "Bản nháp" in judge.get("/judging/").get_data(as_text=True)

    assert post_form(judge, url, sheet_data(contest, "30", "25.5", "20", "submit")).status_code == 302
    db.session.expire_all()
    assert sheet.status == "submitted" and sheet.version == 2 and sheet.submitted_at is not None
    page = judge.get(url).get_data(as_text=True)
    assert "đã khoá" in page and "75,5" in page and 'name="action"' not in page

    response = post_form(judge, url, sheet_data(contest, "1", "1", "1", "draft"), page="/judging/")
    assert response.status_code == 400 and "Phiếu chấm đã nộp nên đã khoá" in response.get_data(as_text=True)
    db.session.expire_all()
    assert sheet.version == 2 and sorted(sheet.points_by_criterion().values()) == [20.0, 25.5, 30.0]
    assert audit_actions().count("judging.save_sheet") == 1 and audit_actions().count("judging.submit_sheet") == 1


def test_a_stale_tab_cannot_overwrite_a_newer_save(world: dict, signed_in: Callable) -> None:
    from conftest import csrf_token_from, form_value

    contest, entry = world["contest"], world["entries"][0]
    assign_panel(world["secretary"], contest)
    db.session.commit()
    judge, me = signed_in(JUDGE, user=world["judges"][0])
    url = f"/judging/entries/{entry.id}"
    tab_a, tab_b = judge.get(url).get_data(as_text=True), judge.get(url).get_data(as_text=True)
    for tab, points in ((tab_a, "30"), (tab_b, "12")):
        data = sheet_data(contest, points, "20", "", "draft", "Nhận xét")
        data.update(csrf_token=csrf_token_from(tab), version=form_value(tab, "version"))
        response = judge.post(url, data=data)
        if tab is tab_a:
            assert response.status_code == 302
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "vừa được lưu ở một cửa sổ hoặc thiết bị khác" in html
    assert 'value="12"' in html  # the stale tab's input is still there to compare
    sheet = db.session.scalar(select(ScoreSheet).filter_by(entry_id=entry.id, judge_id=me.id))
    assert sheet.version == 1 and 30.0 in sheet.points_by_criterion().values()  # the newer save stands


def test_out_of_range_and_incomplete_sheets_are_refused_and_nothing_changes(world: dict, signed_in: Callable) -> None:
    contest, entry = world["contest"], world["entries"][0]
    assign_panel(world["secretary"], contest)
    db.session.commit()
    judge, me = signed_in(JUDGE, user=world["judges"][0])
    url = f"/judging/entries/{entry.id}"
    post_form(judge, url, sheet_data(contest, "30", "20", "10", "draft", "Giữ nguyên"))

    response = post_form(judge, url, sheet_data(contest, "30", "36", "10", "draft", "Thay đổi"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Tiêu chí “Tính hữu ích, hiệu quả”: điểm phải từ 0 đến 35" in html
    assert "invalid-feedback" in html and 'value="36"' in html  # the judge's input is kept on the form
    response = post_form(judge, url, sheet_data(contest, "abc", "20", "10", "draft"))
    assert response.status_code == 400 and "Tiêu chí “Tính mới”: điểm phải là một số" in response.get_data(as_text=True)
    response = post_form(judge, url, sheet_data(contest, "30", "20", "", "submit"))
    assert response.status_code == 400 and "Tiêu chí “Khả năng nhân rộng”: chưa cho điểm" in response.get_data(as_text=True)
    response = post_form(judge, url, sheet_data(contest, "-1", "20", "10", "draft"))
    assert response.status_code == 400

    sheet = db.session.scalar(select(ScoreSheet).filter_by(entry_id=entry.id, judge_id=me.id))
    assert sheet.status == "draft" and sheet.version == 1
    assert sorted(sheet.points_by_criterion().values()) == [10.0, 20.0, 30.0]
    assert {s.comment for s in sheet.scores} == {"Giữ nguyên"}


def test_judges_see_only_their_own_sheets(world: dict, signed_in: Callable, make_user: Callable) -> None:
    contest, entry = world["contest"], world["entries"][0]
    first, second = world["judges"]
    assign_panel(world["secretary"], contest)
    db.session.commit()
    client_a, _ = signed_in(JUDGE, user=first)
    post_form(client_a, f"/judging/entries/{entry.id}", sheet_data(contest, "33.5", "27", "19", "submit", "CANARY-A-7f3e"))
    client_b, _ = signed_in(JUDGE, user=second)
    for url in ("/judging/", f"/judging/entries/{entry.id}"):
        html = client_b.get(url).get_data(as_text=True)
        assert "CANARY-A-7f3e" not in html and "33,5" not in html and "79,5" not in html
    assert "Chưa chấm" in client_b.get(f"/judging/entries/{entry.id}").get_data(as_text=True)

    late_judge = make_user(JUDGE, full_name="Giám khảo chưa phân công")
    outsider, _ = signed_in(JUDGE, user=late_judge)
    assert outsider.get(f"/judging/entries/{entry.id}").status_code == 403
    assert post_form(outsider, f"/judging/entries/{entry.id}", sheet_data(contest, "1", "1", "1", "draft"), page="/judging/").status_code == 403
    assert "CANARY-A-7f3e" not in outsider.get("/judging/").get_data(as_text=True)


def test_save_sheet_refuses_unassigned_and_outside_judging(world: dict) -> None:
    contest, entry = world["contest"], world["entries"][0]
    judge = world["judges"][0]
    with pytest.raises(JudgingError, match="không được phân công"):
        save_sheet(judge, entry, {})  # not assigned yet, while judging is open
    assign_panel(world["secretary"], contest)
    contest.status = "closed"
    with pytest.raises(JudgingError, match="không trong thời gian chấm"):
        save_sheet(judge, entry, {})


def test_an_author_never_judges_own_entry_and_excluded_entries_drop_out(world: dict, make_entry: Callable) -> None:
    contest = world["contest"]
    judge = world["judges"][0]
    own = make_entry(contest, judge, title="Sáng kiến của chính giám khảo")
    assign_panel(world["secretary"], contest)
    assert find_assignment(own, judge) is None and find_assignment(own, world["judges"][1]) is not None
    excluded_later = world["entries"][2]
    excluded_later.status = "excluded"
    assert excluded_later.id not in [e.id for e, _ in judge_queue(judge)]
    with pytest.raises(JudgingError, match="không còn trong danh sách chấm"):
        save_sheet(judge, excluded_later, {})


def score_everything(world: dict) -> None:
    """Both judges submit sheets: entry 0 wins, entry 1 passes, entry 2 stays below the threshold."""
    contest = world["contest"]
    assign_panel(world["secretary"], contest)
    c = criteria(contest)
    marks = {0: [(38, 30, 22), (36, 32, 20)], 1: [(30, 25, 15), (28, 22, 18)], 2: [(15, 10, 5), (12, 10, 8)]}
    for index, per_judge in marks.items():
        for judge, (n, u, r) in zip(world["judges"], per_judge):
            values = {c["novelty"].id: (n, "Nhận xét"), c["usefulness"].id: (u, "Nhận xét"), c["replicability"].id: (r, "Nhận xét")}
            save_sheet(judge, world["entries"][index], values, submit=True)
    db.session.commit()


def test_close_standings_publish_forward_and_xlsx(world: dict, signed_in: Callable, client: Any, town: Any,
                                                  make_contest: Callable) -> None:
    contest, entries = world["contest"], world["entries"]
    score_everything(world)
    secretary, _ = signed_in(SECRETARY, user=world["secretary"])
    assert client.get(f"/results/{contest.id}").status_code == 404  # not published yet

    response = post_form(secretary, f"/judging/contests/{contest.id}/close", page=f"/judging/contests/{contest.id}/panel")
    assert response.status_code == 302 and response.headers["Location"].endswith("/standings")
    db.session.expire_all()
    assert contest.status == "closed"
    results = {r.entry_id: r for r in db.session.scalars(select(Result))}
    assert results[entries[0].id].rank == 1 and results[entries[0].id].mean_total == 89.0
    assert results[entries[0].id].prize == "nhat" and results[entries[1].id].prize == "nhi"
    assert not results[entries[2].id].recognised and results[entries[2].id].prize is None
    assert world["excluded"].id not in results and world["draft"].id not in results
    page = secretary.get(f"/judging/contests/{contest.id}/standings").get_data(as_text=True)
    assert "Giải Nhất" in page and "89" in page and "Công bố kết quả" in page

    standings_url = f"/judging/contests/{contest.id}/standings"
    assert post_form(secretary, f"/judging/contests/{contest.id}/publish", page=standings_url).status_code == 302
    db.session.expire_all()
    assert contest.status == "published"
    publication = db.session.scalar(select(Publication))
    assert publication.version == 1 and publication.snapshot["results"][0]["prize_label"] == "Giải Nhất"
    public = client.get(f"/results/{contest.id}")
    html = public.get_data(as_text=True)
    assert public.status_code == 200 and entries[0].title in html and "Giải Nhất" in html
    assert "Trần Văn Bình" in html and "Nguyễn Thị Lan" in html
    assert contest.title in client.get("/results/").get_data(as_text=True)

    town_round = make_contest(organisation=town, title="Sáng kiến CCHC thị xã Hồng Lĩnh năm 2024")
    page = secretary.get(standings_url).get_data(as_text=True)
    assert town_round.title in page  # the town's open round is offered, the top two ticked
    assert page.count('checked') >= 2
    assert post_form(secretary, f"/judging/contests/{contest.id}/forward", page=standings_url,
                     data={"round": town_round.id, "entries": [entries[0].id, entries[1].id]}).status_code == 302
    db.session.expire_all()
    forwarded = [r.entry_id for r in db.session.scalars(select(Result).filter_by(forwarded=True))]
    assert sorted(forwarded) == sorted([entries[0].id, entries[1].id])  # forward_count 2, both recognised

    download = secretary.get(f"/judging/contests/{contest.id}/forwarded.xlsx")
    assert download.status_code == 200 and download.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(BytesIO(download.data)).active
    assert ws["A1"].value == FORWARD_TITLE and ws.title == "Đề nghị thị xã"
    assert ws["A2"].value == contest.title  # "… năm 2024", not "… năm 2024 (2024)"
    assert tuple(c.value for c in ws[4]) == FORWARD_HEADERS
    assert ws["B5"].value == entries[0].title and ws["C5"].value == "Nguyễn Thị Lan"
    assert ws["D5"].value == "Văn phòng HĐND-UBND phường" and ws["F5"].value == 89.0 and ws["H5"].value == "Giải Nhất"
    assert ws["B6"].value == entries[1].title and ws["B7"].value is None

    assert post_form(secretary, f"/judging/contests/{contest.id}/publish", page=standings_url).status_code == 302
    assert db.session.scalar(select(func.max(Publication.version))) == 2
    actions = audit_actions()
    for action in ("judging.assign_panel", "judging.submit_sheet", "judging.close", "judging.publish", "judging.forward"):
        assert action in actions, action


def test_recognised_entries_join_the_registry_once(world: dict, signed_in: Callable) -> None:
    contest, entries = world["contest"], world["entries"]
    score_everything(world)
    secretary, _ = signed_in(SECRETARY, user=world["secretary"])
    standings_url = f"/judging/contests/{contest.id}/standings"
    refused = post_form(secretary, f"/judging/contests/{contest.id}/to-registry", page=standings_url)
    assert refused.status_code == 400 and "kết thúc chấm" in refused.get_data(as_text=True)
    post_form(secretary, f"/judging/contests/{contest.id}/close", page=f"/judging/contests/{contest.id}/panel")
    for _ in range(2):
        assert post_form(secretary, f"/judging/contests/{contest.id}/to-registry", page=standings_url).status_code == 302
    items = db.session.scalars(select(RegistryItem).order_by(RegistryItem.id)).all()
    assert [i.source_entry_id for i in items] == [entries[0].id, entries[1].id]  # the two recognised, once each
    assert items[0].title == entries[0].title and items[0].year == contest.year and entries[0].solution in items[0].summary
    assert "registry.add_recognised" in audit_actions()


def test_refusals_render_without_500(world: dict, signed_in: Callable) -> None:
    contest = world["contest"]
    secretary, _ = signed_in(SECRETARY, user=world["secretary"])
    panel = f"/judging/contests/{contest.id}/panel"
    standings = f"/judging/contests/{contest.id}/standings"
    response = post_form(secretary, f"/judging/contests/{contest.id}/close", page=panel)
    assert response.status_code == 400 and "Chỉ kết thúc chấm" in response.get_data(as_text=True)
    response = post_form(secretary, f"/judging/contests/{contest.id}/publish", page=standings)
    assert response.status_code == 400 and "Chỉ công bố" in response.get_data(as_text=True)
    response = post_form(secretary, f"/judging/contests/{contest.id}/forward", page=standings)
    assert response.status_code == 400
    assert secretary.get("/judging/contests/999/panel").status_code == 404
    db.session.expire_all()
    assert contest.status == "open"


def test_assigning_a_panel_without_submitted_entries_is_refused(make_contest: Callable, make_user: Callable, signed_in: Callable) -> None:
    contest = make_contest()
    make_user(JUDGE)
    secretary, _ = signed_in(SECRETARY)
    response = post_form(secretary, f"/judging/contests/{contest.id}/panel")
    assert response.status_code == 400 and "Chưa có sáng kiến nào đã nộp" in response.get_data(as_text=True)
    db.session.expire_all()
    assert contest.status == "open"


def test_admin_may_run_the_panel(world: dict, signed_in: Callable) -> None:
    admin, _ = signed_in(ADMIN)
    assert admin.get(f"/judging/contests/{world['contest'].id}/panel").status_code == 200


def test_a_long_queue_is_shown_a_page_at_a_time(world: dict, signed_in: Callable, make_entry: Callable) -> None:
    contest, author = world["contest"], world["author"]
    for n in range(60):
        make_entry(contest, author, title=f"Sáng kiến thêm số {n:02d}")
    assign_panel(world["secretary"], contest)
    db.session.commit()
    client, _ = signed_in(JUDGE, user=world["judges"][0])
    first = client.get("/judging/").get_data(as_text=True)
    assert "Đã nộp 0/63 phiếu chấm." in first and "Trang 1/2" in first
    assert first.count('href="/judging/entries/') == 50
    second = client.get("/judging/?page=2").get_data(as_text=True)
    assert second.count('href="/judging/entries/') == 13 and "Trang 2/2" in second
    assert client.get("/judging/?page=99").get_data(as_text=True).count('href="/judging/entries/') == 13
    staff, _ = signed_in(SECRETARY, user=world["secretary"])
    panel = staff.get(f"/judging/contests/{contest.id}/panel?page=2").get_data(as_text=True)
    matrix = panel.split("Ma trận phân công")[1].split("</table>")[0]
    assert "Trang 2/2" in panel and "Sáng kiến thêm số 59" in matrix and "Sáng kiến thêm số 00" not in matrix


def test_standings_show_the_ranking_a_page_at_a_time(world: dict, signed_in: Callable, make_entry: Callable) -> None:
    from judging.operations import close_judging

    contest, author = world["contest"], world["author"]
    for n in range(60):
        make_entry(contest, author, title=f"Sáng kiến xếp hạng {n:02d}")
    assign_panel(world["secretary"], contest)
    for entry in db.session.scalars(select(Entry).filter_by(contest_id=contest.id, status="submitted")):
        save_sheet(world["judges"][0], entry, {c.id: (5 + entry.id % 20, "Nhận xét") for c in contest.criteria},
                   submit=True)
    accept_fewer_sheets(contest)  # one judge of two scored: the chair accepts
    close_judging(world["secretary"], contest)
    db.session.commit()
    client, _ = signed_in(SECRETARY, user=world["secretary"])
    first = client.get(f"/judging/contests/{contest.id}/standings").get_data(as_text=True)
    second = client.get(f"/judging/contests/{contest.id}/standings?page=2").get_data(as_text=True)
    assert "Trang 1/2" in first and "Trang 2/2" in second
    rows = lambda html: html.split("<tbody>")[1].split("</tbody>")[0].count("<tr")  # noqa: E731
    assert (rows(first), rows(second)) == (50, 13)
    ranks = [r.rank for r in db.session.scalars(select(Result).filter_by(contest_id=contest.id).order_by(Result.rank))]
    assert ranks[0] == 1 and len(ranks) == 63


def remind_page(contest: Contest) -> str:
    return f"/judging/contests/{contest.id}/panel"


def test_secretary_reminds_the_judges_behind_and_they_read_it_in_their_queue(world: dict, signed_in: Callable) -> None:
    contest, entry = world["contest"], world["entries"][0]
    slow, done = world["judges"]
    assign_panel(world["secretary"], contest)
    for e in world["entries"]:  # Lê Thị Cúc submits everything; Trần Văn Bình has one draft and two not started
        save_sheet(done, e, {c.id: ("20", "Đạt yêu cầu.", None) for c in contest.criteria}, submit=True)
    save_sheet(slow, entry, {c.id: ("20", "Đạt yêu cầu.", None) for c in contest.criteria})
    db.session.commit()
    secretary, _ = signed_in(SECRETARY, user=world["secretary"])
    page = secretary.get(remind_page(contest)).get_data(as_text=True)
    assert "Nhắc giám khảo chưa nộp đủ phiếu" in page
    assert f'name="judges" value="{slow.id}"' in page and f'name="judges" value="{done.id}"' not in page

    response = post_form(secretary, f"/judging/contests/{contest.id}/remind",
                         {"judges": [slow.id], "message": "Đề nghị nộp phiếu trước thứ Sáu."}, page=remind_page(contest))
    assert response.status_code == 302
    assert "Đã gửi lời nhắc tới 1 giám khảo." in secretary.get(remind_page(contest)).get_data(as_text=True)
    record = db.session.scalars(select(AuditLog).filter_by(action="judging.remind_judges")).one()
    assert record.after == {"judges": {str(slow.id): 3}, "message": "Đề nghị nộp phiếu trước thứ Sáu."}
    assert record.actor_id == world["secretary"].id

    slow_client, _ = signed_in(JUDGE, user=slow)
    assert "Đề nghị nộp phiếu trước thứ Sáu." in slow_client.get("/judging/").get_data(as_text=True)
    done_client, _ = signed_in(JUDGE, user=done)
    assert "Tổ thư ký nhắc" not in done_client.get("/judging/").get_data(as_text=True)

    # The list to remind them names the judge, counts the sheets and lists the entries.
    data = secretary.get(f"/judging/contests/{contest.id}/reminders.xlsx")
    assert data.status_code == 200 and data.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(BytesIO(data.data)).active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5)]
    assert ws["A1"].value == "DANH SÁCH GIÁM KHẢO CHƯA NỘP ĐỦ PHIẾU CHẤM"
    assert len(rows) == 1 and rows[0][:2] == [1, "Trần Văn Bình"] and rows[0][4:6] == [1, 2]
    assert "Ứng dụng mã QR tra cứu hồ sơ (bản nháp)" in rows[0][6] and "Zalo OA trả lời người dân (chưa chấm)" in rows[0][6]
    assert rows[0][7]  # when the last reminder went


def test_reminders_are_refused_without_a_message_or_to_a_judge_not_behind(world: dict, signed_in: Callable) -> None:
    contest = world["contest"]
    slow, done = world["judges"]
    assign_panel(world["secretary"], contest)
    for e in world["entries"]:
        save_sheet(done, e, {c.id: ("20", "Đạt yêu cầu.", None) for c in contest.criteria}, submit=True)
    db.session.commit()
    secretary, _ = signed_in(SECRETARY, user=world["secretary"])
    url = f"/judging/contests/{contest.id}/remind"
    empty = post_form(secretary, url, {"judges": [slow.id], "message": "  "}, page=remind_page(contest))
    assert empty.status_code == 400 and "Nội dung nhắc: không được để trống." in empty.get_data(as_text=True)
    nobody = post_form(secretary, url, {"message": "Nhắc"}, page=remind_page(contest))
    assert nobody.status_code == 400 and "Giám khảo cần nhắc: hãy chọn ít nhất một người." in nobody.get_data(as_text=True)
    finished = post_form(secretary, url, {"judges": [done.id], "message": "Nhắc"}, page=remind_page(contest))
    assert finished.status_code == 400
    assert "chỉ nhắc được giám khảo còn phiếu chấm chưa nộp" in finished.get_data(as_text=True)
    long = post_form(secretary, url, {"judges": [slow.id], "message": "x" * 1001}, page=remind_page(contest))
    assert long.status_code == 400 and "Nội dung nhắc: tối đa 1000 ký tự." in long.get_data(as_text=True)
    assert "judging.remind_judges" not in audit_actions()
    judge, _ = signed_in(JUDGE, user=world["judges"][1])
    assert post_form(judge, url, {"judges": [slow.id], "message": "Nhắc"}, page="/judging/").status_code == 403


def test_reminders_end_with_judging(world: dict, signed_in: Callable) -> None:
    contest = world["contest"]
    assign_panel(world["secretary"], contest)
    accept_fewer_sheets(contest)
    db.session.commit()
    secretary, _ = signed_in(SECRETARY, user=world["secretary"])
    post_form(secretary, f"/judging/contests/{contest.id}/close", page=remind_page(contest))
    assert db.session.get(Contest, contest.id).status == "closed"
    assert "Nhắc giám khảo chưa nộp đủ phiếu" not in secretary.get(remind_page(contest)).get_data(as_text=True)
    refused = post_form(secretary, f"/judging/contests/{contest.id}/remind",
                        {"judges": [world["judges"][0].id], "message": "Nhắc"}, page=remind_page(contest))
    assert refused.status_code == 400 and "Chỉ nhắc giám khảo được trong giai đoạn chấm." in refused.get_data(as_text=True)


def test_the_queue_lists_what_is_still_to_score_first(world: dict, signed_in: Callable) -> None:
    """Issue 13: finished sheets came before the pending one."""
    contest, entries, judge = world["contest"], world["entries"], world["judges"][0]
    assign_panel(world["secretary"], contest)
    values = {c.id: (c.max_points - 5, "Nhận xét của giám khảo.") for c in contest.criteria}
    save_sheet(judge, entries[0], values, submit=True)
    save_sheet(judge, entries[2], values)  # a draft is still to finish
    db.session.commit()
    client, _ = signed_in(JUDGE, user=judge)
    page = client.get("/judging/").get_data(as_text=True)
    order = sorted(entries, key=lambda e: page.index(e.title))
    assert order == [entries[1], entries[2], entries[0]]  # pending, draft (by entry), then submitted


def test_recognised_entries_enter_the_registry_under_its_own_code_pattern(world: dict, signed_in: Callable,
                                                                         make_registry_item: Callable, town: Any) -> None:
    """The ward's codes read SK-2024-040: the recognised entries carry the running number on (SK-<year>-041…),
    never "2024-001"; another organisation's codes do not count."""
    from contest.registry.codes import REGISTRY_CODE_PREFIX, next_registry_codes

    contest = world["contest"]
    for code, title in (("SK-2024-040", "Sổ theo dõi hồ sơ điện tử"), ("SK-2022-007", "Hộp thư góp ý"),
                        ("BH-2023-099", "Mã khác kiểu")):
        make_registry_item(code=code, title=title)
    make_registry_item(code="SK-2025-500", title="Của thị xã", organisation=town)
    score_everything(world)
    secretary, _ = signed_in(SECRETARY, user=world["secretary"])
    post_form(secretary, f"/judging/contests/{contest.id}/close", page=f"/judging/contests/{contest.id}/panel")
    post_form(secretary, f"/judging/contests/{contest.id}/to-registry", page=f"/judging/contests/{contest.id}/standings")
    added = db.session.scalars(select(RegistryItem).where(RegistryItem.source_entry_id.is_not(None))
                               .order_by(RegistryItem.id)).all()
    assert [i.code for i in added] == [f"SK-{contest.year}-041", f"SK-{contest.year}-042"]
    assert REGISTRY_CODE_PREFIX == "SK"
    assert next_registry_codes([], 2026, 2) == ["SK-2026-001", "SK-2026-002"]
    assert next_registry_codes(["SK-2020-1234", "x", ""], 2026, 1) == ["SK-2026-1235"]
