"""Duplicate flags on submission, and the secretary's review of them."""
from __future__ import annotations

from conftest import post_form
from sqlalchemy import select

from contest.accounts.models import PARTICIPANT, SECRETARY
from contest.audit.models import AuditLog
from contest.db import db
from contest.demo import DEMO_PDF
from contest.entries.models import Entry
from contest.entries.operations import (
    EntryData,
    add_attachment,
    save_entry,
    submit_entry,
)
from contest.registry.models import RegistryItem
from contest.screening.models import DuplicateFlag
from contest.screening.operations import decide_flag
from judging.models import Assignment

REGISTRY_TITLE = "Ứng dụng mã QR trên giấy hẹn trả kết quả để người dân tự tra cứu tình trạng hồ sơ"
REGISTRY_SUMMARY = ("Người dân thường phải đến trụ sở hoặc gọi điện nhiều lần để hỏi hồ sơ đã giải quyết đến đâu. "
                    "Bộ phận Một cửa in mã QR riêng cho từng hồ sơ lên giấy tiếp nhận và hẹn trả kết quả; người dân "
                    "quét mã là biết hồ sơ đang ở bước nào. Số cuộc gọi hỏi tiến độ giảm khoảng 70%.")


def submit_new_entry(make_contest, make_user, title: str, situation: str, solution: str, effect: str) -> Entry:
    """A participant's entry in a new contest, attached and submitted through the verb functions."""
    contest = make_contest()
    author = make_user(PARTICIPANT)
    entry = save_entry(author, contest, EntryData(
        kind="individual", title=title, field=contest.fields[0], situation=situation, solution=solution, effect=effect,
        applied_where="UBND phường", applied_since=__import__("datetime").date(2024, 1, 1)))
    add_attachment(author, entry, "a.pdf", DEMO_PDF, __import__("flask").current_app.config["UPLOAD_FOLDER"], 10**6)
    submit_entry(author, entry)
    db.session.commit()
    return entry


def add_unrelated_item(make_registry_item) -> None:
    make_registry_item(title="Thành lập câu lạc bộ dưỡng sinh cho người cao tuổi",
                       summary="Hội Người cao tuổi tổ chức tập dưỡng sinh mỗi sáng tại nhà văn hóa.")


def submitted_duplicate(make_registry_item, make_contest, make_user, title=None) -> Entry:
    """An entry that repeats a registry item, submitted through the verb function."""
    make_registry_item(title=REGISTRY_TITLE, summary=REGISTRY_SUMMARY, field="Cải cách TTHC")
    add_unrelated_item(make_registry_item)
    return submit_new_entry(
        make_contest, make_user, title or "Quét mã QR in trên phiếu hẹn để tra cứu hồ sơ đang giải quyết đến đâu",
        "Công dân phải gọi điện, đến hỏi nhiều lần xem hồ sơ giải quyết tới đâu.",
        "In mã QR cho mỗi hồ sơ lên phiếu hẹn trả kết quả, người dân quét mã bằng điện thoại để xem hồ sơ đang ở khâu nào.",
        "Giảm 70% cuộc gọi hỏi tiến độ.")


def test_submission_flags_the_registry_duplicate_only(app, make_registry_item, make_contest, make_user) -> None:
    entry = submitted_duplicate(make_registry_item, make_contest, make_user)
    flags = db.session.scalars(select(DuplicateFlag)).all()
    assert len(flags) == 1
    flag = flags[0]
    assert flag.entry_id == entry.id and flag.registry_item.title == REGISTRY_TITLE
    assert 0 < flag.score <= 100 and flag.shared_phrases


def test_secretary_reviews_side_by_side_and_confirms(app, signed_in, make_registry_item, make_contest, make_user) -> None:
    entry = submitted_duplicate(make_registry_item, make_contest, make_user)
    flag = db.session.scalar(select(DuplicateFlag))
    client, secretary = signed_in(SECRETARY)
    listing = client.get(f"/screening/{entry.contest_id}").get_data(as_text=True)
    assert REGISTRY_TITLE in listing and entry.title in listing
    page = client.get(f"/screening/flags/{flag.id}").get_data(as_text=True)
    assert "<mark>" in page and REGISTRY_SUMMARY.split(".")[0][:20] in page.replace("<mark>", "").replace("</mark>", "")
    refused = post_form(client, f"/screening/flags/{flag.id}", {"decision": "confirm", "reason": ""})
    assert refused.status_code == 400 and "Lý do: không được để trống." in refused.get_data(as_text=True)
    db.session.refresh(flag)
    assert flag.status == "open"
    done = post_form(client, f"/screening/flags/{flag.id}", {"decision": "confirm", "reason": "Cùng giải pháp mã QR."})
    assert done.status_code == 302
    db.session.refresh(flag)
    db.session.refresh(entry)
    assert flag.status == "confirmed" and flag.decided_by_id == secretary.id
    assert entry.status == "excluded" and "Cùng giải pháp mã QR." in entry.exclusion_reason
    log = db.session.scalar(select(AuditLog).filter_by(action="flag.decide"))
    assert log.before["status"] == "open" and log.after["status"] == "confirmed" and log.actor_id == secretary.id


def test_clearing_a_flag_keeps_the_entry_in_judging(app, signed_in, make_registry_item, make_contest, make_user) -> None:
    entry = submitted_duplicate(make_registry_item, make_contest, make_user)
    flag = db.session.scalar(select(DuplicateFlag))
    client, _ = signed_in(SECRETARY)
    post_form(client, f"/screening/flags/{flag.id}", {"decision": "clear", "reason": "Khác đối tượng áp dụng."})
    db.session.refresh(entry)
    db.session.refresh(flag)
    assert entry.status == "submitted"
    assert flag.status == "cleared" and flag.reason == "Khác đối tượng áp dụng." and flag.decided_at is not None
    log = db.session.scalar(select(AuditLog).filter_by(action="flag.decide", object_id=flag.id))
    assert log.before["status"] == "open" and log.after == {"status": "cleared", "reason": "Khác đối tượng áp dụng.",
                                                            "entry_status": "submitted"}


def test_confirmed_duplicate_leaves_the_judges_queue(app, make_registry_item, make_contest, make_user) -> None:
    from judging.operations import assign_panel

    entry = submitted_duplicate(make_registry_item, make_contest, make_user)
    judge = make_user("judge")
    secretary = make_user(SECRETARY)
    assign_panel(secretary, entry.contest)
    db.session.commit()
    assert db.session.scalar(select(Assignment).filter_by(entry_id=entry.id)) is not None
    decide_flag(secretary, db.session.scalar(select(DuplicateFlag)), True, "Trùng ý tưởng.")
    db.session.commit()
    assert db.session.scalar(select(Assignment).filter_by(entry_id=entry.id, judge_id=judge.id)) is None


def test_flag_page_escapes_user_text(app, signed_in, make_registry_item, make_contest, make_user) -> None:
    entry = submitted_duplicate(make_registry_item, make_contest, make_user,
                                title="<script>alert(1)</script> Quét mã QR in trên phiếu hẹn để tra cứu hồ sơ")
    flag = db.session.scalar(select(DuplicateFlag).filter_by(entry_id=entry.id))
    client, _ = signed_in(SECRETARY)
    page = client.get(f"/screening/flags/{flag.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_recheck_after_registry_import_finds_new_duplicates(app, signed_in, make_contest, make_user, make_registry_item) -> None:
    contest = make_contest()
    author = make_user(PARTICIPANT)
    entry = save_entry(author, contest, EntryData(
        kind="individual", title="Hộp thư góp ý điện tử qua Zalo cho người dân phản ánh thái độ công chức",
        field=contest.fields[0], situation="Người dân ngại góp ý trực tiếp.",
        solution="Lập kênh Zalo góp ý, lãnh đạo phường trả lời trong 3 ngày.", effect="Nhiều ý kiến được tiếp thu.",
        applied_where="UBND phường", applied_since=__import__("datetime").date(2024, 1, 1)))
    add_attachment(author, entry, "a.pdf", DEMO_PDF, app.config["UPLOAD_FOLDER"], 10**6)
    submit_entry(author, entry)
    db.session.commit()
    assert db.session.scalar(select(DuplicateFlag)) is None
    make_registry_item(title="Kênh Zalo góp ý để người dân phản ánh thái độ phục vụ của công chức",
                       summary="Phường lập kênh Zalo nhận góp ý về thái độ công chức; lãnh đạo trả lời trong 3 ngày.")
    client, _ = signed_in(SECRETARY)
    post_form(client, f"/screening/{contest.id}/recheck", page=f"/screening/{contest.id}")
    assert db.session.scalar(select(DuplicateFlag).filter_by(entry_id=entry.id)) is not None


def test_the_index_never_serves_a_recreated_registry_stale(app, ward, make_registry_item) -> None:
    """A registry emptied and refilled (a restore, a reset) with ids starting again is reindexed."""
    from contest.screening.duplicates import search_registry

    make_registry_item(title="Hộp thư góp ý điện tử cho người dân phản ánh thái độ công chức", summary="Góp ý qua Zalo.")
    assert search_registry([ward.id], "Hộp thư góp ý điện tử phản ánh thái độ công chức", "", 1, 50.0)
    db.session.execute(db.delete(RegistryItem))
    db.session.commit()
    refilled = make_registry_item(title="Tổ lưu động cấp căn cước tại nhà cho người cao tuổi",
                                  summary="Đến tận nhà làm căn cước.")  # id 1 again on SQLite
    make_registry_item(title="Loa phát thanh thủ tục hành chính hằng tuần", summary="Phát thanh mỗi sáng thứ hai.")
    found = search_registry([ward.id], "Tổ lưu động cấp căn cước tại nhà cho người cao tuổi", "", 3, 50.0)
    assert found and found[0].id == f"R{refilled.id}"
    assert not search_registry([ward.id], "Hộp thư góp ý điện tử phản ánh thái độ công chức", "", 1, 50.0)


def test_an_entry_repeating_another_entry_of_the_contest_is_flagged(app, make_contest, make_user) -> None:
    contest = make_contest()
    first, second = make_user(PARTICIPANT), make_user(PARTICIPANT)
    text = dict(field=contest.fields[0], situation="Công dân phải gọi điện, đến hỏi nhiều lần xem hồ sơ tới đâu.",
                solution="In mã QR cho mỗi hồ sơ lên phiếu hẹn, người dân quét mã để xem hồ sơ đang ở khâu nào.",
                effect="Giảm 70% cuộc gọi hỏi tiến độ.", applied_where="UBND phường",
                applied_since=__import__("datetime").date(2024, 1, 1))
    entries = []
    for author, title in ((first, "Mã QR trên phiếu hẹn để tra cứu tiến độ hồ sơ"),
                          (second, "Tra cứu tiến độ hồ sơ bằng mã QR in trên phiếu hẹn")):
        entry = save_entry(author, contest, EntryData(kind="individual", title=title, **text))
        add_attachment(author, entry, "a.pdf", DEMO_PDF, app.config["UPLOAD_FOLDER"], 10**6)
        submit_entry(author, entry)
        db.session.commit()
        entries.append(entry)
    flag = db.session.scalar(select(DuplicateFlag).filter_by(entry_id=entries[1].id))
    assert flag is not None and flag.other_entry_id == entries[0].id and flag.registry_item_id is None
    assert flag.score >= 50 and flag.shared_phrases


def test_a_flag_cannot_be_decided_once_judging_closed(app, signed_in, make_registry_item, make_contest, make_user) -> None:
    entry = submitted_duplicate(make_registry_item, make_contest, make_user)
    flag = db.session.scalar(select(DuplicateFlag))
    entry.contest.status = "closed"
    db.session.commit()
    client, _ = signed_in(SECRETARY)
    response = post_form(client, f"/screening/flags/{flag.id}", {"decision": "confirm", "reason": "Phát hiện muộn."})
    assert response.status_code == 400
    assert "Đã kết thúc chấm: không thể thay đổi kết luận trùng lặp" in response.get_data(as_text=True)
    page = client.get(f"/screening/flags/{flag.id}").get_data(as_text=True)
    assert "không còn được kết luận" in page and 'name="decision"' not in page  # no form that can only fail
    db.session.refresh(flag)
    db.session.refresh(entry)
    assert flag.status == "open" and entry.status == "submitted"


# --- two tiers: a flag over the line, "similar, worth a look" under it --------------------------

BOOKING_TITLE = "Hẹn giờ nộp hồ sơ qua Zalo OA tại Bộ phận Một cửa"
QUEUE = ("Người dân đến Bộ phận Một cửa phải xếp hàng chờ rất lâu vào các buổi sáng đầu tuần, nhiều người đi làm "
         "không thể đến trong giờ hành chính.")


def submitted_same_problem(make_registry_item, make_contest, make_user) -> Entry:
    """An entry with the registry item's problem but another solution (evening opening, not booking)."""
    make_registry_item(title=BOOKING_TITLE, summary=QUEUE + " Phường mở chức năng đặt lịch trên Zalo OA: người dân "
                       "chọn khung giờ 15 phút, nhận mã số và đến đúng giờ được tiếp nhận ngay. Thời gian chờ giảm.")
    add_unrelated_item(make_registry_item)
    return submit_new_entry(
        make_contest, make_user, "Tiếp nhận hồ sơ vào buổi tối thứ Năm tại Bộ phận Một cửa", QUEUE,
        "Phường bố trí công chức trực luân phiên tiếp nhận hồ sơ từ 17 giờ đến 20 giờ tối thứ Năm hằng tuần.",
        "Mỗi buổi tối tiếp nhận khoảng 30 hồ sơ của người đi làm.")


def test_same_problem_other_solution_is_listed_as_similar_not_flagged(app, signed_in, make_registry_item,
                                                                       make_contest, make_user) -> None:
    entry = submitted_same_problem(make_registry_item, make_contest, make_user)
    rows = db.session.scalars(select(DuplicateFlag).filter_by(entry_id=entry.id)).all()
    assert [(r.registry_item.title, r.status) for r in rows] == [(BOOKING_TITLE, "similar")]
    assert rows[0].score < 50
    log = db.session.scalar(select(AuditLog).filter_by(action="entry.flag", object_id=entry.id))
    assert log.after["flags"] == [] and len(log.after["similar"]) == 1
    client, _ = signed_in(SECRETARY)
    page = client.get(f"/screening/{entry.contest_id}").get_data(as_text=True)
    flags_part, similar_part = page.split('id="similar"')
    assert "Không có cảnh báo trùng lặp nào." in flags_part and BOOKING_TITLE not in flags_part
    assert BOOKING_TITLE in similar_part and f"/screening/flags/{rows[0].id}" in similar_part


def test_the_flag_page_shows_what_differs_both_ways(app, signed_in, make_registry_item, make_contest, make_user) -> None:
    entry = submitted_same_problem(make_registry_item, make_contest, make_user)
    row = db.session.scalar(select(DuplicateFlag).filter_by(entry_id=entry.id))
    client, _ = signed_in(SECRETARY)
    page = client.get(f"/screening/flags/{row.id}").get_data(as_text=True)
    differs = [chunk.split("</mark>")[0] for chunk in page.split('<mark class="differs">')[1:]]
    assert any("trực luân phiên" in d for d in differs)  # the entry's solution, absent from the registry item
    assert any("đặt lịch" in d for d in differs)  # the registry item's solution, absent from the entry
    shared = [chunk.split("</mark>")[0] for chunk in page.split("<mark>")[1:]]
    assert any("xếp hàng chờ rất lâu" in s for s in shared)  # the shared problem, shared, not a difference
    assert 'id="differences"' in page


def test_a_similar_match_can_be_confirmed_as_a_duplicate(app, signed_in, make_registry_item, make_contest,
                                                          make_user) -> None:
    entry = submitted_same_problem(make_registry_item, make_contest, make_user)
    row = db.session.scalar(select(DuplicateFlag).filter_by(entry_id=entry.id))
    client, _ = signed_in(SECRETARY)
    form = client.get(f"/screening/flags/{row.id}").get_data(as_text=True)
    options = form.split('name="decision"')[1].split("</select>")[0]
    assert options.split("<option")[1].startswith(' value=""') and "selected" not in options  # starts on neither
    post_form(client, f"/screening/flags/{row.id}", {"decision": "confirm", "reason": "Cùng cách làm."})
    db.session.refresh(row)
    db.session.refresh(entry)
    assert row.status == "confirmed" and entry.status == "excluded"


def test_the_screening_list_sorts_by_best_match_or_by_entry(app, signed_in, make_registry_item, make_contest,
                                                            make_user) -> None:
    dup = submitted_duplicate(make_registry_item, make_contest, make_user)
    client, _ = signed_in(SECRETARY)
    rows = db.session.scalars(select(DuplicateFlag).join(Entry, DuplicateFlag.entry_id == Entry.id)
                              .where(Entry.contest_id == dup.contest_id)).all()
    by_score = client.get(f"/screening/{dup.contest_id}?sort=score").get_data(as_text=True)
    order = [r.id for r in sorted(rows, key=lambda r: -r.score)]
    positions = [by_score.index(f'id="flag-{i}"') for i in order if r_status(rows, i) != "similar"]
    assert positions == sorted(positions)
    assert "<strong aria-current=\"true\">" in by_score
    assert client.get(f"/screening/{dup.contest_id}?sort=nonsense").status_code == 200


def r_status(rows, flag_id):
    return next(r.status for r in rows if r.id == flag_id)


def test_a_decided_similar_match_stays_in_its_tier_and_entries_have_anchors(app, signed_in, make_registry_item,
                                                                           make_contest, make_user) -> None:
    entry = submitted_same_problem(make_registry_item, make_contest, make_user)
    row = db.session.scalar(select(DuplicateFlag).filter_by(entry_id=entry.id))
    client, _ = signed_in(SECRETARY)
    post_form(client, f"/screening/flags/{row.id}", {"decision": "clear", "reason": "Khác giải pháp."})
    db.session.refresh(row)
    assert row.status == "cleared"
    page = client.get(f"/screening/{entry.contest_id}").get_data(as_text=True)
    flags_part, similar_part = page.split('id="similar"')
    assert f'id="flag-{row.id}"' in similar_part and f'id="flag-{row.id}"' not in flags_part
    assert page.count(f'id="entry-{entry.id}"') == 1  # the contest page's "#entry-N" links land here


def test_the_decision_starts_on_neither_choice_and_the_last_one_points_to_the_panel(
        app, signed_in, make_registry_item, make_contest, make_user) -> None:
    import re

    entry = submitted_duplicate(make_registry_item, make_contest, make_user)
    flag = db.session.scalar(select(DuplicateFlag).filter_by(status="open"))
    client, _ = signed_in(SECRETARY)
    page = client.get(f"/screening/flags/{flag.id}").get_data(as_text=True)
    options = page.split('name="decision"')[1].split("</select>")[0]
    assert re.search(r'<option[^>]*value=""[^>]*>— Chọn kết luận —', options)
    assert "selected" not in options  # nothing chosen: the destructive choice is never the default
    missing = post_form(client, f"/screening/flags/{flag.id}", {"reason": "Cùng giải pháp."})
    assert missing.status_code == 400 and "Kết luận: hãy chọn." in missing.get_data(as_text=True)
    db.session.refresh(flag)
    assert flag.status == "open"
    listing = client.get(f"/screening/{entry.contest_id}").get_data(as_text=True)
    assert 'id="next-step"' not in listing  # a flag still open: no next step yet
    done = post_form(client, f"/screening/flags/{flag.id}", {"decision": "clear", "reason": "Khác đối tượng."})
    assert done.status_code == 302 and done.headers["Location"].endswith("#next-step")
    listing = client.get(done.headers["Location"]).get_data(as_text=True)
    step = listing.split('id="next-step"')[1].split("</section>")[0]
    assert f'href="/judging/contests/{entry.contest_id}/panel"' in step


def test_the_judges_sheet_shows_a_cleared_flag_with_its_reason_but_never_the_author_when_blind(
        app, signed_in, make_registry_item, make_contest, make_user) -> None:
    from judging.operations import assign_panel

    entry = submitted_duplicate(make_registry_item, make_contest, make_user)
    judge = make_user("judge")
    secretary = make_user(SECRETARY)
    author = entry.author
    # The secretary's reason names the author: fine for an open panel, never for a blind one.
    reason = f"Khác giải pháp: {author.full_name} in mã QR riêng, sáng kiến cũ chỉ tra cứu trên web."
    decide_flag(secretary, db.session.scalar(select(DuplicateFlag).filter_by(status="open")), False, reason)
    assign_panel(secretary, entry.contest)
    db.session.commit()
    client, _ = signed_in(user=judge)
    page = client.get(f"/judging/entries/{entry.id}").get_data(as_text=True)
    section = page.split('id="cleared-flags"')[1].split("</section>")[0]
    assert REGISTRY_TITLE in section and "không trùng" in section
    assert reason in section and secretary.full_name in section

    entry.contest.blind = True
    db.session.commit()
    page = client.get(f"/judging/entries/{entry.id}").get_data(as_text=True)
    section = page.split('id="cleared-flags"')[1].split("</section>")[0]
    assert REGISTRY_TITLE in section  # the applied initiative's title is no clue to the author
    assert reason not in section and "Chấm kín" in section
    assert author.full_name not in page
    if author.unit:
        assert author.unit.name not in page
