"""Panel, chair, conflicts, blind mode, bands, reopening, arbitration and re-scoring, through the web and the verbs."""
from __future__ import annotations

from typing import Any, Callable

import pytest
from sqlalchemy import func, select

from contest.accounts.models import Organisation, Unit, User
from contest.audit.models import AuditLog
from contest.contests.models import Contest
from contest.contests.operations import ContestData, CriterionData, update_contest
from contest.db import db
from contest.entries.models import Attachment, CoAuthor, Entry
from judging.models import (
    Assignment,
    Conflict,
    Notice,
    PanelMember,
    Publication,
    ScoreSheet,
)
from judging.operations import (
    JudgingError,
    add_assignment,
    assign_panel,
    close_judging,
    publish_results,
    reopen_sheet,
    request_rescore,
    save_sheet,
    set_panel,
)
from tests.conftest import JUDGE, PARTICIPANT, SECRETARY, accept_fewer_sheets, post_form

CANARY_AUTHOR = "Hoàng Canary Xuân"
CANARY_UNIT = "Phòng Canary-Unit 42"


@pytest.fixture
def scene(ward: Organisation, make_user: Callable[..., User], make_contest: Callable[..., Contest], make_entry: Callable[..., Entry]) -> dict[str, Any]:
    """Two units, an author in one; four judges (one from the author's unit); two entries; a secretary."""
    unit, other = Unit(name=CANARY_UNIT, organisation=ward), Unit(name="Công an phường", organisation=ward)
    db.session.add_all([unit, other])
    db.session.commit()
    author = make_user(PARTICIPANT, unit=unit, full_name=CANARY_AUTHOR)
    contest = make_contest()
    entries = [make_entry(contest, author, title="Sổ tay số thủ tục hành chính"),
               make_entry(contest, author, title="Zalo OA trả lời người dân")]
    judges = [make_user(JUDGE, full_name=name, unit=u) for name, u in
              (("Trần Văn An", other), ("Lê Thị Bích", other), ("Phạm Cùng Đơn Vị", unit), ("Võ Văn Dũng", None))]
    return {"contest": contest, "entries": entries, "author": author, "judges": judges, "unit": unit,
            "secretary": make_user(SECRETARY, full_name="Đỗ Thư Ký")}


def values(contest: Contest, n: float, u: float, r: float, comment: str = "Nhận xét") -> dict[int, tuple]:
    c = {x.code: x.id for x in contest.criteria}
    return {c["novelty"]: (n, comment), c["usefulness"]: (u, comment), c["replicability"]: (r, comment)}


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def test_secretary_forms_the_panel_with_a_chair_on_the_panel_page(scene: dict, signed_in: Callable) -> None:
    contest, (a, b, same_unit, d) = scene["contest"], scene["judges"]
    secretary, _ = signed_in(SECRETARY, user=scene["secretary"])
    url = f"/judging/contests/{contest.id}/panel"
    response = post_form(secretary, f"{url}/members", {
        f"member_{a.id}": "y", f"member_{b.id}": "y", f"member_{same_unit.id}": "y",
        f"fields_{a.id}": contest.fields[0], "chair": str(b.id)}, page=url)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    members = {m.judge_id: m for m in db.session.scalars(select(PanelMember))}
    assert set(members) == {a.id, b.id, same_unit.id} and members[b.id].is_chair
    assert members[a.id].fields == [contest.fields[0]]
    page = secretary.get(url).get_data(as_text=True)
    assert "Trưởng ban" in page and "Lê Thị Bích" in page

    # A chair outside the panel is refused.
    response = post_form(secretary, f"{url}/members", {f"member_{a.id}": "y", "chair": str(d.id)}, page=url)
    assert response.status_code == 400 and "Trưởng ban: phải là một thành viên" in response.get_data(as_text=True)

    # Every panel judge to every entry, except the one of the author's unit — shown, never silent.
    assert post_form(secretary, url).status_code == 302
    pairs = set(db.session.execute(select(Assignment.entry_id, Assignment.judge_id)))
    assert {j for _, j in pairs} == {a.id, b.id} and len(pairs) == 4
    page = secretary.get(url).get_data(as_text=True)
    assert "Cùng đơn vị với tác giả" in page and "Phạm Cùng Đơn Vị" in page
    assert "judging.set_panel" in actions()


def test_conflict_override_needs_a_reason_and_is_audited(scene: dict, signed_in: Callable) -> None:
    contest, entry = scene["contest"], scene["entries"][0]
    same_unit = scene["judges"][2]
    set_panel(scene["secretary"], contest, scene["judges"])
    assign_panel(scene["secretary"], contest)
    db.session.commit()
    assert db.session.scalar(select(Assignment).filter_by(judge_id=same_unit.id)) is None
    secretary, _ = signed_in(SECRETARY, user=scene["secretary"])
    url = f"/judging/contests/{contest.id}/assignments"
    page = f"/judging/contests/{contest.id}/panel"
    response = post_form(secretary, url, {"entry_id": entry.id, "judge_id": same_unit.id}, page=page)
    assert response.status_code == 400 and "cần ghi lý do" in response.get_data(as_text=True)
    response = post_form(secretary, url, {"entry_id": entry.id, "judge_id": same_unit.id,
                                          "reason": "Đơn vị chỉ có một chuyên gia về lĩnh vực này"}, page=page)
    assert response.status_code == 302
    made = db.session.scalar(select(Assignment).filter_by(judge_id=same_unit.id))
    assert made.override_reason == "Đơn vị chỉ có một chuyên gia về lĩnh vực này"
    record = db.session.scalar(select(AuditLog).filter_by(action="judging.add_assignment"))
    assert record.after["conflict"] == "unit" and "chuyên gia" in record.after["override_reason"]
    html = secretary.get(page).get_data(as_text=True)
    assert "Vẫn phân công (có lý do)" in html and "chuyên gia về lĩnh vực này" in html

    # Removing one assignment by hand.
    made_id = made.id
    assert post_form(secretary, f"/judging/assignments/{made_id}/remove", page=page).status_code == 302
    db.session.expunge_all()
    assert db.session.get(Assignment, made_id) is None and "judging.remove_assignment" in actions()


def test_author_and_coauthor_by_name_are_never_assigned(scene: dict, make_user: Callable, make_entry: Callable) -> None:
    contest = scene["contest"]
    judge_author = scene["judges"][3]
    own = make_entry(contest, judge_author, title="Bài của giám khảo")
    scene["entries"][1].coauthors.append(CoAuthor(full_name="trần  văn an", share=20))
    db.session.commit()
    assign_panel(scene["secretary"], contest)
    pairs = set(db.session.execute(select(Assignment.entry_id, Assignment.judge_id)))
    assert (own.id, judge_author.id) not in pairs
    assert (scene["entries"][1].id, scene["judges"][0].id) not in pairs
    assert (scene["entries"][0].id, scene["judges"][0].id) in pairs
    with pytest.raises(JudgingError, match="tác giả"):
        add_assignment(scene["secretary"], own, judge_author)


def test_balanced_mode_gives_k_judges_per_entry(scene: dict) -> None:
    contest = scene["contest"]
    contest.assignment_mode, contest.judges_per_entry = "balanced", 1
    set_panel(scene["secretary"], contest, [scene["judges"][0], scene["judges"][1]])
    assert assign_panel(scene["secretary"], contest) == 2
    judges = sorted(j for (j,) in db.session.execute(select(Assignment.judge_id)))
    assert judges == sorted([scene["judges"][0].id, scene["judges"][1].id])  # one each: the load is balanced


def test_judge_declares_a_conflict_and_the_secretary_sees_it(scene: dict, signed_in: Callable) -> None:
    contest, entry = scene["contest"], scene["entries"][0]
    judge = scene["judges"][0]
    assign_panel(scene["secretary"], contest)
    db.session.commit()
    client, _ = signed_in(JUDGE, user=judge)
    url = f"/judging/entries/{entry.id}/conflict"
    response = post_form(client, url, {"reason": ""}, page=f"/judging/entries/{entry.id}")
    assert response.status_code == 400
    response = post_form(client, url, {"reason": "Tác giả là em ruột của tôi"}, page=f"/judging/entries/{entry.id}")
    assert response.status_code == 302
    assert db.session.scalar(select(Assignment).filter_by(entry_id=entry.id, judge_id=judge.id)) is None
    assert client.get(f"/judging/entries/{entry.id}").status_code == 403
    conflict = db.session.scalar(select(Conflict))
    assert conflict.reason == "Tác giả là em ruột của tôi" and "judging.declare_conflict" in actions()
    secretary, _ = signed_in(SECRETARY, user=scene["secretary"])
    page = secretary.get(f"/judging/contests/{contest.id}/panel").get_data(as_text=True)
    assert "Tác giả là em ruột của tôi" in page and "Giám khảo tự khai báo" in page
    assign_panel(scene["secretary"], contest)  # re-running the assignment never brings it back
    assert db.session.scalar(select(Assignment).filter_by(entry_id=entry.id, judge_id=judge.id)) is None


def test_blind_mode_hides_author_unit_and_file_names(scene: dict, signed_in: Callable, app: Any) -> None:
    contest, entry = scene["contest"], scene["entries"][0]
    import os

    os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_author(CANARY_AUTHOR)  # the author's name in the file's own properties
    with open(os.path.join(app.config["UPLOAD_FOLDER"], "abc.pdf"), "wb") as fh:
        fh.write(bytes(pdf.output()))
    attachment = Attachment(entry=entry, stored_name="abc.pdf", original_name=f"Sang kien - {CANARY_AUTHOR}.pdf",
                            content_type="application/pdf", size=15)
    db.session.add(attachment)
    assign_panel(scene["secretary"], contest)
    db.session.commit()
    judge, _ = signed_in(JUDGE, user=scene["judges"][0])

    # Not blind: the judge sees who wrote it.
    assert CANARY_AUTHOR in judge.get(f"/judging/entries/{entry.id}").get_data(as_text=True)
    contest.blind = True
    db.session.commit()
    for url in ("/judging/", f"/judging/entries/{entry.id}"):
        html = judge.get(url).get_data(as_text=True)
        assert CANARY_AUTHOR not in html and CANARY_UNIT not in html, url
        assert "Canary" not in html, url
    download = judge.get(f"/judging/attachments/{attachment.id}")
    assert download.status_code == 200 and 'filename=tep-dinh-kem-1.pdf' in download.headers["Content-Disposition"]
    assert "Canary" not in download.headers["Content-Disposition"]
    from io import BytesIO

    from pypdf import PdfReader

    assert CANARY_AUTHOR not in str(PdfReader(BytesIO(download.data)).metadata or {})  # properties stripped
    # The submission side's pages (author and original file name) are closed to a blind judge.
    assert judge.get(f"/entries/{entry.id}").status_code == 403
    assert judge.get(f"/entries/attachments/{attachment.id}").status_code == 403
    # An unassigned judge cannot download at all.
    outsider, _ = signed_in(JUDGE)
    assert outsider.get(f"/judging/attachments/{attachment.id}").status_code == 403


def test_a_file_that_cannot_be_made_anonymous_never_reaches_a_blind_judge(scene: dict, signed_in: Callable,
                                                                         app: Any) -> None:
    """A macro-enabled Word file from before uploads were checked: the judge gets a notice, the
    secretariat a task on the panel page, nobody the file."""
    import os

    from test_blind_files import docm_bytes

    from judging.models import Notice

    contest, entry = scene["contest"], scene["entries"][0]
    os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)
    with open(os.path.join(app.config["UPLOAD_FOLDER"], "old.docx"), "wb") as fh:
        fh.write(docm_bytes())
    attachment = Attachment(entry=entry, stored_name="old.docx", original_name=f"Mô tả - {CANARY_AUTHOR}.docx",
                            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                            size=100)
    db.session.add(attachment)
    contest.blind = True
    assign_panel(scene["secretary"], contest)
    db.session.commit()
    judge, _ = signed_in(JUDGE, user=scene["judges"][0])
    for _ in range(2):  # asked twice: one notice
        refused = judge.get(f"/judging/attachments/{attachment.id}")
        assert refused.status_code == 302 and refused.headers["Location"].endswith(f"/judging/entries/{entry.id}")
        assert b"vbaProject" not in refused.data and "attachment" not in refused.headers.get("Content-Disposition", "")
    page = judge.get(f"/judging/entries/{entry.id}").get_data(as_text=True)
    assert "Tệp không thể ẩn danh" in page and "có macro" in page
    notices = db.session.scalars(select(Notice).filter_by(entry_id=entry.id, kind="blind")).all()
    assert len(notices) == 1 and "Canary" not in notices[0].message and "số 1" in notices[0].message
    secretary, _ = signed_in(SECRETARY, user=scene["secretary"])
    panel = secretary.get(f"/judging/contests/{contest.id}/panel").get_data(as_text=True)
    assert "không thể ẩn danh" in panel and "nộp tệp khác" in panel
    assert "attachment.unblindable" in actions()


def first_judge_on_the_sheet(scene: dict, signed_in: Callable) -> tuple[Contest, dict[str, int], Any, str]:
    """The panel assigned; the first judge signed in; the contest, its criterion ids by code, the client, the sheet's URL."""
    contest, entry = scene["contest"], scene["entries"][0]
    assign_panel(scene["secretary"], contest)
    db.session.commit()
    client, _ = signed_in(JUDGE, user=scene["judges"][0])
    return contest, {x.code: x.id for x in contest.criteria}, client, f"/judging/entries/{entry.id}"


def test_bands_step_and_lowest_band_comment(scene: dict, signed_in: Callable) -> None:
    contest, c, client, url = first_judge_on_the_sheet(scene, signed_in)
    page = client.get(url).get_data(as_text=True)
    assert "Hoàn toàn mới" in page and "36–40 điểm" in page and 'data-low="36"' in page

    def post(n: str, band: str = "", comment: str = "Tốt", action: str = "submit") -> Any:
        data = {"action": action}
        for code, value in (("novelty", n), ("usefulness", "30"), ("replicability", "20")):
            data[f"points_{c[code]}"] = value
            data[f"comment_{c[code]}"] = comment if code == "novelty" else "Ổn"
        data[f"band_{c['novelty']}"] = band
        return post_form(client, url, data)

    response = post("30", band="0")  # band 0 is 36–40
    assert response.status_code == 400 and "không thuộc mức “Hoàn toàn mới”" in response.get_data(as_text=True)
    response = post("12", comment="")
    assert response.status_code == 400 and "mức thấp nhất cần có nhận xét" in response.get_data(as_text=True)
    contest.score_step = 1.0
    db.session.commit()
    response = post("30.5")
    assert response.status_code == 400 and "số nguyên" in response.get_data(as_text=True)
    assert post("12", comment="", action="draft").status_code == 302  # a draft may wait for its comment
    assert post("30", band="1").status_code == 302  # 28–35
    sheet = db.session.scalar(select(ScoreSheet))
    assert sheet.status == "submitted" and sheet.points_by_criterion()[c["novelty"]] == 30.0


def test_a_sheet_with_several_mistakes_names_them_all_and_saves_nothing(scene: dict, signed_in: Callable) -> None:
    contest, c, client, url = first_judge_on_the_sheet(scene, signed_in)
    data = {"action": "submit", f"points_{c['novelty']}": "45", f"comment_{c['novelty']}": "Tốt",
            f"points_{c['usefulness']}": "", f"points_{c['replicability']}": "mười"}
    response = post_form(client, url, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for expected in ("“Tính mới”: điểm phải từ 0 đến 40", "“Tính hữu ích, hiệu quả”: chưa cho điểm",
                     "“Khả năng nhân rộng”: điểm phải là một số"):
        assert html.count(expected) >= 2, expected  # in the summary and beside its own field
    assert db.session.scalar(select(ScoreSheet)) is None


def test_rubric_is_frozen_by_a_submitted_sheet_not_a_draft(scene: dict, signed_in: Callable) -> None:
    

    contest, entry = scene["contest"], scene["entries"][0]
    judge = scene["judges"][0]
    assign_panel(scene["secretary"], contest)
    save_sheet(judge, entry, values(contest, 30, 30, 20))  # a draft

    def data(novelty_max: float) -> ContestData:
        return ContestData(
            title=contest.title, year=contest.year, fields=contest.fields,
            submission_deadline=contest.submission_deadline, judging_deadline=contest.judging_deadline,
            criteria=[CriterionData(c.code, c.name, novelty_max if c.code == "novelty" else c.max_points)
                      for c in contest.criteria])

    update_contest(scene["secretary"], contest, data(45))
    assert contest.max_total == 105
    update_contest(scene["secretary"], contest, data(40))
    without_novelty = data(40)
    without_novelty.criteria = [c for c in without_novelty.criteria if c.code != "novelty"]
    with pytest.raises(Exception, match="đã chấm nháp"):  # the draft holds points on it: nothing is lost
        update_contest(scene["secretary"], contest, without_novelty)
    save_sheet(judge, entry, values(contest, 30, 30, 20), submit=True)
    with pytest.raises(Exception, match="đã có phiếu chấm được nộp"):
        update_contest(scene["secretary"], contest, data(45))
    # Reopening every submitted sheet does not thaw it, nor may the score step change.
    reopen_sheet(scene["secretary"], db.session.scalar(select(ScoreSheet)), "Nhập nhầm")
    with pytest.raises(Exception, match="đã có phiếu chấm được nộp"):
        update_contest(scene["secretary"], contest, data(45))
    coarser = data(40)
    coarser.score_step = 1.0
    with pytest.raises(Exception, match="đã có phiếu chấm được nộp"):
        update_contest(scene["secretary"], contest, coarser)


def test_secretary_reopens_a_sheet_and_the_judge_sees_why(scene: dict, signed_in: Callable) -> None:
    contest, entry = scene["contest"], scene["entries"][0]
    judge = scene["judges"][0]
    assign_panel(scene["secretary"], contest)
    sheet = save_sheet(judge, entry, values(contest, 30, 30, 20), submit=True)
    db.session.commit()
    secretary, _ = signed_in(SECRETARY, user=scene["secretary"])
    page = f"/judging/contests/{contest.id}/panel"
    response = post_form(secretary, f"/judging/contests/{contest.id}/reopen", {"sheet_id": sheet.id, "reason": ""}, page=page)
    assert response.status_code == 400
    response = post_form(secretary, f"/judging/contests/{contest.id}/reopen",
                         {"sheet_id": sheet.id, "reason": "Nhận xét tiêu chí tính mới chưa rõ"}, page=page)
    assert response.status_code == 302
    db.session.expire_all()
    assert sheet.status == "draft" and sheet.reopen_reason == "Nhận xét tiêu chí tính mới chưa rõ"
    client, _ = signed_in(JUDGE, user=judge)
    html = client.get(f"/judging/entries/{entry.id}").get_data(as_text=True)
    assert "Phiếu đã được mở lại" in html and "Nhận xét tiêu chí tính mới chưa rõ" in html and 'name="action"' in html
    assert "judging.reopen_sheet" in actions()


def score(scene: dict, marks: dict[int, list[tuple[int, float, float, float]]]) -> None:
    """Submit sheets: marks[entry index] = [(judge index, novelty, usefulness, replicability), …]."""
    for index, rows in marks.items():
        for j, n, u, r in rows:
            save_sheet(scene["judges"][j], scene["entries"][index], values(scene["contest"], n, u, r), submit=True)
    db.session.commit()


def test_chair_sees_sheets_only_after_closing_and_can_ask_for_rescoring(scene: dict, signed_in: Callable) -> None:
    contest, entries = scene["contest"], scene["entries"]
    a, b = scene["judges"][0], scene["judges"][1]
    set_panel(scene["secretary"], contest, [a, b], chair=b)
    assign_panel(scene["secretary"], contest)
    score(scene, {0: [(0, 38, 30, 22), (1, 10, 10, 5)], 1: [(0, 30, 25, 15), (1, 28, 22, 18)]})
    chair, _ = signed_in(JUDGE, user=b)
    other, _ = signed_in(JUDGE, user=a)
    url = f"/judging/contests/{contest.id}/chair"
    assert other.get(url).status_code == 403
    assert "Trang Trưởng ban" in chair.get("/judging/").get_data(as_text=True)
    html = chair.get(url).get_data(as_text=True)
    assert "chỉ hiển thị sau khi kết thúc chấm" in html and "Trần Văn An" not in html

    close_judging(scene["secretary"], contest)
    db.session.commit()
    html = chair.get(url).get_data(as_text=True)
    assert "Trần Văn An" in html and "cần thảo luận" in html and "Chênh lệch 65 điểm" in html  # 90 against 25
    secretary, _ = signed_in(SECRETARY, user=scene["secretary"])
    standings = secretary.get(f"/judging/contests/{contest.id}/standings").get_data(as_text=True)
    assert "Cần thảo luận" in standings and "Chênh lệch" in standings

    response = post_form(chair, f"{url}/rescore/{entries[0].id}", {"reason": "Chênh lệch 65 điểm"}, page=url)
    assert response.status_code == 302
    db.session.expire_all()
    assert contest.status == "judging"
    sheets = db.session.scalars(select(ScoreSheet).filter_by(entry_id=entries[0].id)).all()
    assert {s.status for s in sheets} == {"draft"} and all("Chênh lệch 65 điểm" in s.reopen_reason for s in sheets)
    assert "judging.request_rescore" in actions()
    with pytest.raises(JudgingError, match="Trưởng ban"):
        request_rescore(a, entries[0], "không phải trưởng ban")


def two_judges_with_a_limit(scene: dict) -> tuple[Contest, Entry, list[User]]:
    """Judges a and b on the first entry, d left for a third; totals may differ by 15 at most."""
    contest, entry = scene["contest"], scene["entries"][0]
    a, b, _, d = scene["judges"]
    contest.assignment_mode, contest.judges_per_entry, contest.arbitration_limit = "balanced", 2, 15
    set_panel(scene["secretary"], contest, [a, b, d], chair=a)
    db.session.add_all([Assignment(entry_id=entry.id, judge_id=a.id), Assignment(entry_id=entry.id, judge_id=b.id)])
    assign_panel(scene["secretary"], contest)
    db.session.commit()
    return contest, entry, [a, b, d]


def test_arbitration_assigns_a_third_judge_and_tells_the_chair(scene: dict, signed_in: Callable) -> None:
    contest, entry, (a, b, d) = two_judges_with_a_limit(scene)
    assert db.session.scalar(select(func.count(Assignment.id)).filter_by(entry_id=entry.id)) == 2
    save_sheet(a, entry, values(contest, 38, 30, 22), submit=True)  # 90
    save_sheet(b, entry, values(contest, 30, 25, 20), submit=True)  # 75: differs by 15, not more
    assert db.session.scalar(select(Notice)) is None
    reopen_sheet(scene["secretary"], db.session.scalar(select(ScoreSheet).filter_by(judge_id=b.id)), "Sửa")
    save_sheet(b, entry, values(contest, 20, 20, 20), submit=True)  # 60: differs by 30
    db.session.commit()
    third = db.session.scalar(select(Assignment).filter_by(entry_id=entry.id, source="arbitration"))
    assert third is not None and third.judge_id == d.id
    notice = db.session.scalar(select(Notice))
    assert "giám khảo thứ ba" in notice.message and "Võ Văn Dũng" in notice.message
    assert "hơn 15 điểm" in notice.message and "30" not in notice.message  # the chair learns no judge's score
    chair, _ = signed_in(JUDGE, user=a)
    assert "Võ Văn Dũng" in chair.get(f"/judging/contests/{contest.id}/chair").get_data(as_text=True)
    assert "1 thông báo cần Trưởng ban xem" in chair.get("/judging/").get_data(as_text=True)  # told in the queue too
    # Only once per entry.
    save_sheet(d, entry, values(contest, 5, 5, 5), submit=True)
    assert db.session.scalar(select(func.count(Notice.id))) == 1
    assert "judging.arbitration" in actions()


def test_a_rescore_request_does_not_stop_arbitration(scene: dict) -> None:
    """The chair's re-score notice is not an arbitration: totals still too far apart after it bring a third judge."""
    contest, entry, (a, b, d) = two_judges_with_a_limit(scene)
    save_sheet(a, entry, values(contest, 35, 30, 20), submit=True)  # 85
    save_sheet(b, entry, values(contest, 30, 25, 20), submit=True)  # 75: within the limit
    for other in scene["entries"][1:]:
        for judge_id in {x.judge_id for x in db.session.scalars(select(Assignment).filter_by(entry_id=other.id))}:
            save_sheet(db.session.get(User, judge_id), other, values(contest, 20, 20, 10), submit=True)
    close_judging(scene["secretary"], contest)
    request_rescore(a, entry, "Cần thống nhất cách hiểu tiêu chí tính mới")
    save_sheet(a, entry, values(contest, 35, 30, 20), submit=True)  # 85
    save_sheet(b, entry, values(contest, 10, 10, 10), submit=True)  # 30: differs by 55
    db.session.commit()
    third = db.session.scalar(select(Assignment).filter_by(entry_id=entry.id, source="arbitration"))
    assert third is not None and third.judge_id == d.id
    assert any("giám khảo thứ ba" in n.message for n in db.session.scalars(select(Notice)))


def test_publishing_twice_after_a_reopened_sheet_keeps_the_first_version(scene: dict, client: Any) -> None:
    contest, entries = scene["contest"], scene["entries"]
    a, b = scene["judges"][0], scene["judges"][1]
    set_panel(scene["secretary"], contest, [a, b], chair=a)
    assign_panel(scene["secretary"], contest)
    score(scene, {0: [(0, 38, 30, 22), (1, 36, 32, 20)], 1: [(0, 30, 25, 15), (1, 28, 22, 18)]})
    close_judging(scene["secretary"], contest)
    first = publish_results(scene["secretary"], contest)
    db.session.commit()
    frozen = dict(first.snapshot["results"][0])
    assert frozen["entry_id"] == entries[0].id and frozen["mean_total"] == 89.0
    assert first.snapshot["panel"][0] == {"name": "Trần Văn An", "position": "", "chair": True}

    sheet = db.session.scalar(select(ScoreSheet).filter_by(entry_id=entries[0].id, judge_id=a.id))
    reopen_sheet(scene["secretary"], sheet, "Nhập nhầm điểm")
    assert contest.status == "judging"
    save_sheet(a, entries[0], values(contest, 10, 10, 10), submit=True)
    close_judging(scene["secretary"], contest)
    second = publish_results(scene["secretary"], contest)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Publication, first.id).snapshot["results"][0] == frozen
    assert second.version == 2 and second.snapshot["results"][0]["entry_id"] == entries[1].id
    html = client.get(f"/results/{contest.id}").get_data(as_text=True)
    assert "phiên bản 2" in html


def test_prizes_by_category_and_a_manual_change_needs_a_reason(scene: dict, signed_in: Callable, make_entry: Callable) -> None:
    contest, entries = scene["contest"], scene["entries"]
    contest.collective_prizes = [1, 0, 0, 0]
    contest.prize_first, contest.prize_second, contest.prize_third, contest.prize_consolation = 1, 0, 0, 0
    group = make_entry(contest, scene["author"], title="Đoàn Thanh niên số hoá hồ sơ", kind="collective",
                       collective_name="Đoàn Thanh niên phường")
    a, b = scene["judges"][0], scene["judges"][1]
    set_panel(scene["secretary"], contest, [a, b])
    assign_panel(scene["secretary"], contest)
    for index, entry in enumerate([*entries, group]):
        for judge in (a, b):
            save_sheet(judge, entry, values(contest, 30 - index, 25, 15), submit=True)
    close_judging(scene["secretary"], contest)
    db.session.commit()
    from judging.models import Result

    results = {r.entry_id: r for r in db.session.scalars(select(Result))}
    assert results[group.id].rank == 1 and results[group.id].prize == "nhat" and results[group.id].category == "collective"
    assert results[entries[0].id].prize == "nhat" and results[entries[1].id].prize is None

    secretary, _ = signed_in(SECRETARY, user=scene["secretary"])
    url = f"/judging/contests/{contest.id}/amend"
    page = f"/judging/contests/{contest.id}/standings"
    assert "(trong nhóm)" in secretary.get(page).get_data(as_text=True)
    target = results[entries[1].id]
    data = {"result_id": target.id, "rank": 2, "prize": "kk", "recognised": "y", "reason": ""}
    response = post_form(secretary, url, data, page=page)
    assert response.status_code == 400
    db.session.expire_all()
    assert target.prize is None
    data["reason"] = "Hội đồng thống nhất bổ sung giải khuyến khích tại phiên họp"
    assert post_form(secretary, url, data, page=page).status_code == 302
    db.session.expire_all()
    assert target.prize == "kk" and target.computed == {"rank": 2, "prize": None, "recognised": True}
    record = db.session.scalar(select(AuditLog).filter_by(action="judging.amend_result"))
    assert record.before["prize"] is None and record.after["prize"] == "kk" and "phiên họp" in record.after["reason"]
    assert "Điều chỉnh: Hội đồng thống nhất" in secretary.get(page).get_data(as_text=True)
    publication = publish_results(scene["secretary"], contest)
    row = next(r for r in publication.snapshot["results"] if r["entry_id"] == entries[1].id)
    assert row["prize_label"] == "Giải Khuyến khích" and row["amend_reason"].startswith("Hội đồng")


def closed_under_the_vote_rule(scene: dict, share: float) -> tuple[Contest, list[Entry], list[User]]:
    """Three panel judges score both entries (85 and 70), then judging closes under the vote rule."""
    contest, entries = scene["contest"], scene["entries"]
    contest.acceptance_rule, contest.vote_share = "vote", share
    a, b, _, d = scene["judges"]
    set_panel(scene["secretary"], contest, [a, b, d], chair=a)
    assign_panel(scene["secretary"], contest)
    for judge in (a, b, d):
        save_sheet(judge, entries[0], values(contest, 35, 30, 20), submit=True)
        save_sheet(judge, entries[1], values(contest, 30, 25, 15), submit=True)
    close_judging(scene["secretary"], contest)
    db.session.commit()
    return contest, entries, [a, b, d]


def test_acceptance_by_threshold_and_a_two_thirds_panel_vote(scene: dict, signed_in: Callable) -> None:
    contest, entries, (a, b, d) = closed_under_the_vote_rule(scene, 66.67)
    from judging.models import PanelVote, Result

    assert not any(r.recognised for r in db.session.scalars(select(Result)))  # no vote yet: nothing recognised
    secretary, _ = signed_in(SECRETARY, user=scene["secretary"])
    page = f"/judging/contests/{contest.id}/standings"
    assert "Biểu quyết công nhận" in secretary.get(page).get_data(as_text=True)
    url = f"/judging/contests/{contest.id}/votes/{entries[0].id}"
    assert post_form(secretary, url, {f"vote_{a.id}": "yes", f"vote_{b.id}": "no", f"vote_{d.id}": ""}, page=page).status_code == 302
    result = db.session.scalar(select(Result).filter_by(entry_id=entries[0].id))
    assert not result.recognised  # 1 of 3
    assert post_form(secretary, url, {f"vote_{a.id}": "yes", f"vote_{b.id}": "no", f"vote_{d.id}": "yes"}, page=page).status_code == 302
    db.session.expire_all()
    result = db.session.scalar(select(Result).filter_by(entry_id=entries[0].id))
    assert result.recognised and result.prize == "nhat"  # 2 of 3 is two thirds
    assert db.session.scalar(select(func.count(PanelVote.id))) == 3
    record = db.session.scalars(select(AuditLog).filter_by(action="judging.record_votes").order_by(AuditLog.id.desc())).first()
    assert record.after["recognised"] is True and record.before["votes"] == {str(a.id): True, str(b.id): False}
    contest.acceptance_rule = "threshold"
    with pytest.raises(JudgingError, match="ngưỡng điểm"):
        from judging.operations import record_votes

        record_votes(scene["secretary"], entries[1], {a.id: True})


def test_a_manual_change_outlives_the_votes_that_re_rank(scene: dict) -> None:
    """Recording votes ranks again; the amended result stays, its computed values refreshed beside it."""
    from judging.models import Result
    from judging.operations import amend_result, record_votes

    contest, entries, (a, b, d) = closed_under_the_vote_rule(scene, 50)
    second = db.session.scalar(select(Result).filter_by(entry_id=entries[1].id))
    amend_result(scene["secretary"], second, 2, "kk", True, "Hội đồng đề nghị khuyến khích tại phiên họp")
    record_votes(scene["secretary"], entries[0], {a.id: True, b.id: True, d.id: False})
    db.session.commit()
    results = {r.entry_id: r for r in db.session.scalars(select(Result))}
    assert results[entries[0].id].prize == "nhat"
    kept = results[entries[1].id]
    assert (kept.rank, kept.prize, kept.recognised) == (2, "kk", True) and kept.amend_reason.startswith("Hội đồng")
    assert kept.computed == {"rank": 2, "prize": None, "recognised": False}


def test_community_vote_once_per_person_on_published_winners(scene: dict, signed_in: Callable, client: Any) -> None:
    contest, entries = scene["contest"], scene["entries"]
    contest.community_vote = True
    a, b = scene["judges"][0], scene["judges"][1]
    assign_panel(scene["secretary"], contest)
    for judge in (a, b):
        save_sheet(judge, entries[0], values(contest, 35, 30, 20), submit=True)  # 85: a winner
        save_sheet(judge, entries[1], values(contest, 10, 10, 5), submit=True)  # 25: below the threshold
    accept_fewer_sheets(contest)
    close_judging(scene["secretary"], contest)
    publish_results(scene["secretary"], contest)
    db.session.commit()
    url = f"/results/{contest.id}"
    assert "Đăng nhập để bình chọn" in client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/vote/{entries[0].id}").status_code in (302, 400)  # anonymous: no vote stored
    resident, _ = signed_in(PARTICIPANT)
    assert post_form(resident, f"{url}/vote/{entries[0].id}", page=url).status_code == 302
    html = resident.get(url).get_data(as_text=True)
    assert "Bạn đã bình chọn" in html and "Điểm kết hợp: <strong>88</strong>" in html  # 80 × 0,85 + 20
    post_form(resident, f"{url}/vote/{entries[0].id}", page=url)  # twice: refused
    post_form(resident, f"{url}/vote/{entries[1].id}", page=url)  # not a winner: refused
    from judging.models import CommunityVote

    assert db.session.scalar(select(func.count(CommunityVote.id))) == 1
    assert "judging.community_vote" in actions()


def test_blind_copies_of_docx_lose_their_author_properties() -> None:
    from io import BytesIO

    import docx

    from judging.blind import CannotAnonymise, strip_author_metadata

    document = docx.Document()
    document.add_paragraph("Bản mô tả sáng kiến")
    document.core_properties.author = CANARY_AUTHOR
    document.core_properties.last_modified_by = CANARY_AUTHOR
    buffer = BytesIO()
    document.save(buffer)
    content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    cleaned = docx.Document(BytesIO(strip_author_metadata(buffer.getvalue(), content_type)))
    assert cleaned.core_properties.author == "" and cleaned.core_properties.last_modified_by == ""
    assert cleaned.paragraphs[0].text == "Bản mô tả sáng kiến"
    with pytest.raises(CannotAnonymise):  # never handed over as it was
        strip_author_metadata(b"not a pdf", "application/pdf")
