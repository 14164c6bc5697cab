"""A panel that can defend every score: the fewest judges an entry may be ranked on (issue 13).

Assignment says which entries fall short, why, and who could fill in; closing is refused while an
entry has fewer submitted sheets than the minimum unless the chair accepts it with a reason; the
standings and the minutes name every such entry and the reason.
"""
from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO
from typing import Any, Callable

import pytest
from docx import Document
from sqlalchemy import select

from contest.accounts.models import JUDGE, PARTICIPANT, SECRETARY, Organisation, Unit, User
from contest.audit.models import AuditLog
from contest.contests.models import Contest
from contest.db import db
from contest.entries.models import Entry
from contest.db import utcnow
from contest.timeutil import to_local, to_utc
from judging.assignment import EntryInfo, JudgeInfo, required_judges, shortfalls
from judging.dossier import build_dossier, gather_dossier
from judging.models import Assignment, PanelWaiver
from judging.operations import JudgingError, close_judging, save_sheet, set_panel, waive_minimum, waive_shortfalls
from judging.queries import panel_shortfalls
from tests.conftest import accept_fewer_sheets, post_form


# --- the pure rule ---------------------------------------------------------------------------------------------

def test_required_is_the_whole_panel_in_all_mode_and_the_minimum_otherwise() -> None:
    assert required_judges("all", 2, 5) == 5
    assert required_judges("balanced", 2, 5) == 2
    assert required_judges("balanced", 0, 5) == 1


def test_shortfalls_say_who_is_kept_off_who_has_not_submitted_and_who_could_fill_in() -> None:
    entry = EntryInfo(1, author_id=100, unit_id=7)
    panel = [JudgeInfo(10, "An", unit_id=8), JudgeInfo(11, "Bình", unit_id=7), JudgeInfo(12, "Cúc", unit_id=9)]
    outsiders = [JudgeInfo(20, "Dũng", unit_id=7), JudgeInfo(21, "Giang", unit_id=3)]
    # Planning: An is on it, Bình shares the author's unit, Cúc is free; Dũng (same unit) cannot help, Giang can.
    [short] = shortfalls([entry], panel, outsiders, 3, {1: {10}})
    assert (short.have, short.required) == (1, 3)
    assert short.conflicted == ((11, "unit"),)
    assert short.candidates == (12, 21)
    # Enough judges: nothing to say.
    assert shortfalls([entry], panel, outsiders, 1, {1: {10}}) == []
    # Closing: two assigned, one submitted; a declared conflict keeps Cúc off.
    [short] = shortfalls([entry], panel, outsiders, 2, {1: {10, 12}}, submitted={1: {12}}, declared=[(1, 12)])
    assert (short.have, short.waiting) == (1, (10,))
    assert short.candidates == (21,)


# --- the flow ------------------------------------------------------------------------------------------------------

@pytest.fixture
def scene(ward: Organisation, make_user: Callable[..., User], make_contest: Callable[..., Contest],
          make_entry: Callable[..., Entry]) -> dict[str, Any]:
    """The run's case: a panel of three where two share the author's unit, so each entry keeps one judge."""
    unit, other = Unit(name="Bộ phận Một cửa", organisation=ward), Unit(name="Công an phường", organisation=ward)
    db.session.add_all([unit, other])
    db.session.commit()
    author = make_user(PARTICIPANT, unit=unit, full_name="Tạ Văn Khoa")
    contest = make_contest()
    entries = [make_entry(contest, author, title="Sổ tay số thủ tục hành chính"),
               make_entry(contest, author, title="Zalo OA trả lời người dân")]
    chair = make_user(JUDGE, full_name="Trần Văn An", unit=other)
    near = [make_user(JUDGE, full_name=name, unit=unit) for name in ("Phạm Cùng Đơn", "Lê Cùng Phòng")]
    spare = make_user(JUDGE, full_name="Võ Văn Dự Bị", unit=other)  # an active judge not on the panel
    secretary = make_user(SECRETARY, full_name="Đỗ Thư Ký")
    set_panel(secretary, contest, [chair, *near], chair=chair)
    db.session.commit()
    return {"contest": contest, "entries": entries, "chair": chair, "near": near, "spare": spare,
            "secretary": secretary}


def panel_url(contest: Contest) -> str:
    return f"/judging/contests/{contest.id}/panel"


def test_assignment_names_the_entries_short_of_judges_why_and_who_could_fill_in(scene: dict, signed_in: Callable) -> None:
    contest = scene["contest"]
    secretary, _ = signed_in(SECRETARY, user=scene["secretary"])
    response = post_form(secretary, panel_url(contest), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 sáng kiến có ít hơn 3 giám khảo" in page  # the flash says it, not only "Đã phân công"
    assert "Sáng kiến chưa đủ giám khảo" in page
    assert "1/3 giám khảo" in page
    assert "Phạm Cùng Đơn: cùng đơn vị với tác giả" in page and "Lê Cùng Phòng: cùng đơn vị với tác giả" in page
    assert "Võ Văn Dự Bị" in page.split("Giám khảo chưa trong Ban có thể chấm")[1].split("</li>")[0]
    assert [(s.entry_id, s.have) for s in panel_shortfalls(contest).items] == [(e.id, 1) for e in scene["entries"]]
    log = db.session.scalar(select(AuditLog).filter_by(action="judging.assign_panel"))
    assert log.after["new"] == 2


def test_closing_is_refused_until_the_chair_accepts_then_standings_and_minutes_say_why(
        scene: dict, signed_in: Callable, app: Any) -> None:
    contest, entries, chair = scene["contest"], scene["entries"], scene["chair"]
    secretary, _ = signed_in(SECRETARY, user=scene["secretary"])
    post_form(secretary, panel_url(contest))
    for entry in entries:
        save_sheet(chair, entry, {c.id: (20, "Nhận xét") for c in contest.criteria}, submit=True)
    db.session.commit()

    # Closing is refused and nothing changes; the page names the entries and the reason.
    meeting = (to_local(utcnow()) - timedelta(hours=2)).replace(second=0, microsecond=0)
    refused = post_form(secretary, f"/judging/contests/{contest.id}/close", {"meeting_at": f"{meeting:%Y-%m-%dT%H:%M}"},
                        page=panel_url(contest))
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Chưa thể kết thúc chấm: 2 sáng kiến có ít hơn 3 phiếu chấm đã nộp" in text
    assert "Sổ tay số thủ tục hành chính" in text and "cùng đơn vị với tác giả" in text
    assert db.session.get(Contest, contest.id).status == "judging"
    assert db.session.scalar(select(AuditLog).filter_by(action="judging.close")) is None

    # Only the chair may accept, and only with a reason.
    judge, _ = signed_in(JUDGE, user=scene["near"][0])
    waive_url = f"/judging/contests/{contest.id}/chair/waive/{entries[0].id}"
    assert post_form(judge, waive_url, {"reason": "x"}, page="/judging/").status_code == 403
    with pytest.raises(JudgingError):
        waive_minimum(scene["near"][0], entries[0], "Tôi muốn")
    db.session.rollback()
    chair_client, _ = signed_in(JUDGE, user=chair)
    chair_page = f"/judging/contests/{contest.id}/chair"
    assert "Sáng kiến có ít hơn 3 phiếu chấm đã nộp" in chair_client.get(chair_page).get_data(as_text=True)
    empty = post_form(chair_client, waive_url, {"reason": "  "}, page=chair_page)
    assert empty.status_code == 400 and "Lý do: không được để trống." in empty.get_data(as_text=True)
    long = post_form(chair_client, waive_url, {"reason": "x" * 2001}, page=chair_page)
    assert long.status_code == 400 and "tối đa 2000 ký tự" in long.get_data(as_text=True)
    assert db.session.scalar(select(PanelWaiver)) is None
    reason = "Hai giám khảo cùng đơn vị với tác giả; Ban thống nhất xếp hạng theo phiếu còn lại."
    for entry in entries:
        assert post_form(chair_client, f"/judging/contests/{contest.id}/chair/waive/{entry.id}", {"reason": reason},
                         page=chair_page).status_code == 302
    assert {w.entry_id: w.reason for w in db.session.scalars(select(PanelWaiver))} == {e.id: reason for e in entries}
    assert [log.object_id for log in db.session.scalars(select(AuditLog).filter_by(action="judging.waive_minimum"))] \
        == [e.id for e in entries]

    # A meeting in 1900 is refused beside the field; then the secretary closes, entering the meeting's time.
    old = post_form(secretary, f"/judging/contests/{contest.id}/close", {"meeting_at": "1900-01-01T08:00"},
                    page=panel_url(contest))
    assert old.status_code == 400 and "Thời gian họp Ban giám khảo: từ 01/01/2024 đến nay." in old.get_data(as_text=True)
    assert db.session.get(Contest, contest.id).status == "judging"
    done = post_form(secretary, f"/judging/contests/{contest.id}/close", {"meeting_at": f"{meeting:%Y-%m-%dT%H:%M}"},
                     page=panel_url(contest))
    assert done.status_code == 302
    closed = db.session.get(Contest, contest.id)
    assert closed.status == "closed" and closed.meeting_at == to_utc(meeting)
    log = db.session.scalar(select(AuditLog).filter_by(action="judging.close"))
    assert [row[0] for row in log.after["short"]] == [e.id for e in entries]

    standings = secretary.get(f"/judging/contests/{contest.id}/standings").get_data(as_text=True)
    assert "2 sáng kiến được xếp hạng với ít hơn 3 phiếu chấm" in standings
    assert "Trưởng ban chấp nhận: " + reason in standings

    with app.test_request_context():
        data = gather_dossier(closed, app.config["SECRET_KEY"], lambda code: f"http://x/{code}", date(2026, 12, 6))
    minutes = next(body for name, body in build_dossier(data).items() if "bien-ban" in name)
    text = "\n".join(p.text for p in Document(BytesIO(minutes)).paragraphs)
    assert f"Thời gian: {meeting:%H} giờ {meeting:%M}, ngày {meeting:%d} tháng {meeting:%m} năm {meeting:%Y}." in text
    assert "Sáng kiến được chấm bởi ít hơn 3 giám khảo:" in text
    assert ("“Zalo OA trả lời người dân”: 1/3 phiếu chấm (Lê Cùng Phòng: cùng đơn vị với tác giả; "
            "Phạm Cùng Đơn: cùng đơn vị với tác giả)") in text
    assert "Trưởng Ban giám khảo chấp nhận xếp hạng, lý do: " + reason + "\n" in text  # one full stop, not two


def test_a_judge_on_the_panel_is_proposed_and_assigned_in_one_press(scene: dict, signed_in: Callable) -> None:
    contest, entries, chair = scene["contest"], scene["entries"], scene["chair"]
    contest.assignment_mode, contest.judges_per_entry, contest.min_judges = "balanced", 2, 2
    set_panel(scene["secretary"], contest, [chair, scene["spare"], *scene["near"]], chair=chair)
    db.session.commit()
    secretary, _ = signed_in(SECRETARY, user=scene["secretary"])
    post_form(secretary, panel_url(contest))
    assert panel_shortfalls(contest).items == []
    # Taking the spare judge off one entry leaves it short, with the spare proposed back.
    target = db.session.scalar(select(Assignment).filter_by(entry_id=entries[0].id, judge_id=scene["spare"].id))
    post_form(secretary, f"/judging/assignments/{target.id}/remove", page=panel_url(contest))
    [short] = panel_shortfalls(contest).items
    assert (short.entry_id, short.candidates) == (entries[0].id, (scene["spare"].id,))
    page = secretary.get(panel_url(contest)).get_data(as_text=True)
    assert f"Phân công {scene['spare'].full_name}" in page
    response = post_form(secretary, f"/judging/contests/{contest.id}/assignments",
                         {"entry_id": entries[0].id, "judge_id": scene["spare"].id}, page=panel_url(contest))
    assert response.status_code == 302
    assert panel_shortfalls(contest).items == []


def test_the_minimum_cannot_exceed_the_judges_per_entry(scene: dict) -> None:
    from contest.contests.operations import ContestData, DEFAULT_CRITERIA, create_contest
    from contest.errors import OperationError
    from contest.db import utcnow
    from datetime import timedelta

    now = utcnow()
    data = ContestData(title="Cuộc thi thử", year=2026, fields=["A"], submission_deadline=now + timedelta(days=1),
                       judging_deadline=now + timedelta(days=2), criteria=DEFAULT_CRITERIA,
                       assignment_mode="balanced", judges_per_entry=2, min_judges=3)
    with pytest.raises(OperationError) as refused:
        create_contest(scene["secretary"], data)
    assert refused.value.field == "min_judges" and "Số phiếu chấm tối thiểu" in refused.value.message


def test_closing_waits_for_the_duplicate_flags_unless_the_secretary_closes_anyway(
        scene: dict, signed_in: Callable, make_registry_item: Callable) -> None:
    from contest.screening.models import FLAG_OPEN, DuplicateFlag

    contest, entries, chair = scene["contest"], scene["entries"], scene["chair"]
    item = make_registry_item(title=entries[0].title)
    db.session.add(DuplicateFlag(entry_id=entries[0].id, registry_item_id=item.id, score=95.0, status=FLAG_OPEN))
    db.session.commit()
    secretary, _ = signed_in(SECRETARY, user=scene["secretary"])
    post_form(secretary, panel_url(contest))
    for entry in entries:
        save_sheet(chair, entry, {c.id: (20, "Nhận xét") for c in contest.criteria}, submit=True)
    accept_fewer_sheets(contest)
    db.session.commit()
    page = secretary.get(panel_url(contest)).get_data(as_text=True)
    assert "Còn 1 cảnh báo trùng lặp chưa kết luận" in page
    refused = post_form(secretary, f"/judging/contests/{contest.id}/close", page=panel_url(contest))
    assert refused.status_code == 400 and "Còn 1 cảnh báo trùng lặp chưa kết luận" in refused.get_data(as_text=True)
    assert db.session.get(Contest, contest.id).status == "judging"
    done = post_form(secretary, f"/judging/contests/{contest.id}/close", {"despite_open_flags": "y"},
                     page=panel_url(contest))
    assert done.status_code == 302 and db.session.get(Contest, contest.id).status == "closed"
    assert db.session.scalar(select(AuditLog).filter_by(action="judging.close")).after["open_flags"] == 1


def test_a_large_round_lists_twenty_counts_the_rest_and_the_chair_accepts_them_all(
        scene: dict, signed_in: Callable, make_entry: Callable, app: Any) -> None:
    contest, chair = scene["contest"], scene["chair"]
    author = scene["entries"][0].author
    for n in range(23):
        make_entry(contest, author, title=f"Sáng kiến số {n:02d}")
    secretary, _ = signed_in(SECRETARY, user=scene["secretary"])
    post_form(secretary, panel_url(contest))
    page = secretary.get(panel_url(contest)).get_data(as_text=True)
    section = page[page.index('id="short"'):]
    assert "… và 5 sáng kiến khác" in section and section.count("1/3 giám khảo") == 20
    waived = waive_shortfalls(chair, contest, "Hai giám khảo cùng đơn vị với tác giả.")
    assert len(waived) == 25 and panel_shortfalls(contest, closing=True).unwaived == []
    for entry in db.session.scalars(select(Entry).filter_by(contest_id=contest.id)):
        save_sheet(chair, entry, {c.id: (20, "Nhận xét") for c in contest.criteria}, submit=True)
    close_judging(scene["secretary"], contest)
    db.session.commit()
    with app.test_request_context():
        data = gather_dossier(contest, app.config["SECRET_KEY"], lambda code: f"http://x/{code}", date(2026, 12, 6))
    assert len(data.short) == 25 and {title for title, *_ in data.short} >= {"Sáng kiến số 22", "Sáng kiến số 00"}
