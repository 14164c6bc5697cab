"""The audit log page (Nhật ký) in words: labels, translated statuses, names with links, Vietnam
time, a table of what changed; its filters, paging by id, XLSX export, and who reads it."""
from __future__ import annotations

from datetime import datetime, timedelta
from io import BytesIO
from typing import Any, Callable

import lxml.html
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

import contest.audit as audit_module
from contest import audit
from contest.accounts.models import ADMIN, JUDGE, PARTICIPANT, SECRETARY, User
from contest.audit.export import AUDIT_HEADERS
from contest.audit.models import AuditLog
from contest.audit.readable import Ref, changes, refs_in
from contest.contests.operations import DEFAULT_CRITERIA, ContestData, create_contest, update_contest
from contest.db import db
from contest.entries.models import Entry
from judging.models import Assignment
from judging.operations import assign_panel, remove_assignment, save_sheet, set_panel
from tests.test_xlsx_formulas import HOSTILE, assert_text_only

# Two moments either side of midnight in Vietnam (UTC+7): 23:30 on 1 December, 00:30 on 2 December.
LATE_ON_THE_1ST = datetime(2026, 12, 1, 16, 30)
EARLY_ON_THE_2ND = datetime(2026, 12, 1, 17, 30)


class Clock:
    """The time the audit log stamps on the next records (audit.record reads contest.audit.utcnow)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = datetime(2026, 11, 20, 2, 0)
        monkeypatch.setattr(audit_module, "utcnow", lambda: self.now)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def data(**changes: Any) -> ContestData:
    base = dict(title="Sáng kiến CCHC phường Trung Lương năm 2026", year=2026, fields=["Cải cách TTHC", "Chính quyền số"],
                submission_deadline=datetime(2026, 12, 10, 10, 0), judging_deadline=datetime(2026, 12, 20, 10, 0),
                criteria=list(DEFAULT_CRITERIA), assignment_mode="balanced", judges_per_entry=2)
    return ContestData(**{**base, **changes})


@pytest.fixture
def world(clock: Clock, make_user: Callable[..., User], make_entry: Callable[..., Entry]) -> dict[str, Any]:
    """A contest carried from creation to a submitted sheet, each step at a known time."""
    admin = make_user(ADMIN, full_name="Hoàng Văn Tổ Chức")
    judges = [make_user(JUDGE, full_name="Trần Văn Bình"), make_user(JUDGE, full_name="Lê Thị Cúc")]
    author = make_user(PARTICIPANT, full_name="Nguyễn Thị Lan")
    contest = create_contest(admin, data())
    db.session.commit()
    clock.now = LATE_ON_THE_1ST
    # The deadline moves to 15 December 02:30 UTC, 09:30 in Vietnam; the judges per entry from 2 to 3.
    update_contest(admin, contest, data(submission_deadline=datetime(2026, 12, 15, 2, 30), judges_per_entry=3))
    db.session.commit()
    entry = make_entry(contest, author, title="Ứng dụng mã QR tra cứu hồ sơ")
    clock.now = EARLY_ON_THE_2ND
    set_panel(admin, contest, judges, chair=judges[0])
    assign_panel(admin, contest)
    db.session.commit()
    clock.now = datetime(2026, 12, 3, 3, 0)
    points = {c.id: (c.max_points - 5, "Rõ ràng, áp dụng được ngay") for c in contest.criteria}
    save_sheet(judges[0], entry, points, submit=True)
    db.session.commit()
    return {"admin": admin, "judges": judges, "author": author, "contest": contest, "entry": entry}


def page(client: Any, query: str = "", status: int = 200) -> Any:
    response = client.get(f"/audit{query}")
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return lxml.html.fromstring(response.get_data(as_text=True))


def shown_ids(doc: Any) -> list[int]:
    return [int(tr.get("id").removeprefix("audit-")) for tr in doc.xpath('//table[@id="audit-records"]/tbody/tr')]


def row(doc: Any, action: str) -> Any:
    record = db.session.scalar(select(AuditLog).filter_by(action=action).order_by(AuditLog.id.desc()))
    found = doc.xpath(f'//tr[@id="audit-{record.id}"]')
    assert found, f"{action} (#{record.id}) is not on the page"
    return found[0]


def text(node: Any) -> str:
    return " ".join(node.text_content().split())


def diff(node: Any) -> dict[str, tuple[str, str]]:
    """A record's table of changes: label -> (before, after), as read, a value's lines joined by " / "."""
    cells = {}
    for tr in node.xpath('.//table[contains(@class, "audit-diff")]/tbody/tr'):
        label, *sides = tr.xpath("./td")
        if len(sides) == 1:  # a record with nothing before lists its values
            sides = [None, sides[0]]
        cells[text(label)] = tuple("" if side is None else " / ".join(text(line) for line in side.xpath("./div"))
                                   for side in sides)
    return cells


def ids_where(**filters: Any) -> list[int]:
    return list(db.session.scalars(select(AuditLog.id).filter_by(**filters).order_by(AuditLog.id.desc())))


# ---------------------------------------------------------------- in words


def test_actions_fields_and_statuses_read_in_vietnamese(world: dict, signed_in: Callable) -> None:
    client, _ = signed_in(ADMIN, user=world["admin"])
    doc = page(client)
    body = text(doc)
    for code in ("judging.set_panel", "contest.update", "judges_per_entry", "submission_deadline", '"status"'):
        assert code not in body
    update = row(doc, "contest.update")
    assert "Sửa cuộc thi" in text(update)
    changed = diff(update)
    # only what changed, by its label; the deadline in Vietnam time
    assert changed == {"Hạn nộp bài": ("10/12/2026 17:00", "15/12/2026 09:30"),
                       "Số giám khảo mỗi sáng kiến": ("2", "3")}
    assigned = diff(row(doc, "judging.assign_panel"))
    assert assigned["Trạng thái"] == ("Đang nhận bài", "Đang chấm")
    assert assigned["Cách phân công"][1] == "Mỗi sáng kiến một số giám khảo, cân bằng theo số bài và lĩnh vực"
    panel = diff(row(doc, "judging.set_panel"))
    assert panel["Ban giám khảo"] == ("—", "Trần Văn Bình (Trưởng ban) / Lê Thị Cúc")
    sheet = diff(row(doc, "judging.submit_sheet"))
    assert sheet["Trạng thái"][1] == "Đã nộp phiếu"
    assert "Tính mới: 35 điểm — “Rõ ràng, áp dụng được ngay”" in sheet["Điểm chấm"][1]


def test_people_and_objects_are_named_and_linked(world: dict, signed_in: Callable) -> None:
    client, _ = signed_in(ADMIN, user=world["admin"])
    doc = page(client)
    contest, entry, judge = world["contest"], world["entry"], world["judges"][0]
    update = row(doc, "contest.update")
    assert update.xpath(f'.//a[@href="/contests/{contest.id}"]')[0].text == contest.heading
    assert update.xpath(f'.//a[@href="/users/{world["admin"].id}"]')[0].text == "Hoàng Văn Tổ Chức"
    assert "#" not in text(update.xpath("./td")[3]).replace(f"#{contest.id}", "?")  # never "Cuộc thi #3"
    sheet = row(doc, "judging.submit_sheet")
    assert sheet.xpath(f'.//a[@href="/entries/{entry.id}"]')  # the sheet's object links to its entry
    assert f"Trần Văn Bình chấm “{entry.title}”" in text(sheet)
    panel = row(doc, "judging.set_panel")
    assert panel.xpath(f'.//td[@data-label="Sau"]//a[@href="/users/{judge.id}"]')[0].text == "Trần Văn Bình"


def test_times_are_vietnam_time(world: dict, signed_in: Callable) -> None:
    client, _ = signed_in(ADMIN, user=world["admin"])
    doc = page(client)
    assert text(row(doc, "contest.update").xpath("./td")[0]).startswith("01/12/2026 23:30")
    assert text(row(doc, "judging.set_panel").xpath("./td")[0]).startswith("02/12/2026 00:30")


def test_a_deleted_object_still_reads_sensibly(world: dict, signed_in: Callable) -> None:
    target = db.session.scalar(select(Assignment).filter_by(entry_id=world["entry"].id, judge_id=world["judges"][1].id))
    remove_assignment(world["admin"], target)
    db.session.commit()
    client, _ = signed_in(ADMIN, user=world["admin"])
    removed = row(page(client), "judging.remove_assignment")
    assert "Phân công chấm (đã xoá)" in text(removed)
    assert diff(removed)["Giám khảo"] == ("Lê Thị Cúc", "")
    assert diff(removed)["Sáng kiến"] == ("Ứng dụng mã QR tra cứu hồ sơ", "")
    assert diff(removed)["Nguồn"] == ("Cân bằng", "")


def test_values_in_words_without_a_database() -> None:
    found = changes("contest.update", "contest",
                    {"prizes": [1, 2, 3, 4], "fields": ["A"], "blind": False, "collective_prizes": None,
                     "criteria": [["novelty", "Tính mới", 40.0, []]], "threshold": 50.0},
                    {"prizes": [1, 1, 2, 5], "fields": ["A", "B"], "blind": True, "collective_prizes": [1, 1, 1, 1],
                     "criteria": [["novelty", "Tính mới", 45.5, [[0, 10, "x"], [11, 45, "y"]]]], "threshold": 50.0})
    by_label = {c.label: (c.before, c.after) for c in found}
    assert "Ngưỡng công nhận (điểm)" not in by_label  # unchanged
    assert by_label["Số giải"] == ((("Nhất 1 · Nhì 2 · Ba 3 · Khuyến khích 4",),), (("Nhất 1 · Nhì 1 · Ba 2 · Khuyến khích 5",),))
    assert by_label["Các lĩnh vực"][1] == (("A",), ("B",))
    assert by_label["Chấm kín"] == ((("Không",),), (("Có",),))
    assert by_label["Số giải riêng cho tập thể"][0] == (("—",),)
    assert by_label["Tiêu chí chấm"][1] == (("Tính mới: 45,5 điểm, 2 mức điểm",),)
    closed = changes("judging.close", "contest", {"status": "judging"},
                     {"status": "closed", "sheets": 6, "results": [[7, 1, 81.5, "nhat"]]})
    assert {c.label: c.after for c in closed}["Số phiếu chấm đã nộp"] == (("6",),)
    assert {c.label: c.after for c in closed}["Kết quả xếp hạng"] == (("Hạng 1: ", Ref("entry", 7), " — 81,5 điểm",
                                                                        " — Giải Nhất"),)
    assert refs_in(closed) == {Ref("entry", 7)}
    flagged = changes("entry.flag", "entry", None, {"flags": [[3, None, 91.25]], "similar": []})
    assert flagged[0].after == ((Ref("registry_item", 3), " — mức giống 91,25"),)


# ---------------------------------------------------------------- filters and paging


def test_each_filter_narrows_the_rows(world: dict, signed_in: Callable) -> None:
    client, _ = signed_in(ADMIN, user=world["admin"])
    ward_records = ids_where(organisation_id=world["admin"].organisation.id)
    assert shown_ids(page(client)) == ward_records[:50]
    judge = world["judges"][0]
    assert shown_ids(page(client, f"?actor={judge.id}")) == ids_where(actor_id=judge.id) != []
    assert shown_ids(page(client, "?object_type=score_sheet")) == ids_where(object_type="score_sheet") != []
    contest = world["contest"]
    of_contest = page(client, f"?object_type=contest&object_id={contest.id}")
    assert shown_ids(of_contest) == ids_where(object_type="contest", object_id=contest.id)
    assert contest.heading in text(of_contest.xpath('//*[@id="audit-focus"]')[0])
    assert shown_ids(page(client, "?action=contest.update")) == ids_where(action="contest.update") != []
    # Vietnam days: 23:30 on the 1st belongs to the 1st, 00:30 UTC+7 on the 2nd to the 2nd
    on_the_2nd = page(client, "?date_from=2026-12-02&date_to=2026-12-02")
    assert shown_ids(on_the_2nd) == ids_where(at=EARLY_ON_THE_2ND) != []
    assert shown_ids(page(client, "?date_to=01/12/2026")) == [i for i in ward_records if db.session.get(AuditLog, i).at <= LATE_ON_THE_1ST]
    combined = page(client, f"?actor={world['admin'].id}&date_from=2026-12-02")
    assert shown_ids(combined) == [i for i in ids_where(actor_id=world["admin"].id)
                                   if db.session.get(AuditLog, i).at >= EARLY_ON_THE_2ND]
    assert len(shown_ids(combined)) == 3  # the panel, its assignment, and the sign-in above
    assert shown_ids(page(client, "?actor=0")) == ids_where(actor_id=None, organisation_id=contest.organisation_id)
    empty = page(client, "?date_from=2030-01-01")
    assert shown_ids(empty) == [] and empty.xpath('//*[@id="audit-empty"]')


@pytest.mark.parametrize("query, message", [
    ("?date_from=31/02/2026", "Ngày không hợp lệ"),
    ("?date_from=2026-12-05&date_to=2026-12-01", "Đến ngày: phải từ “Từ ngày” trở về sau."),
    ("?date_to=0001-01-01", "Đến ngày: chọn một ngày từ năm 2000 đến năm 2100."),
    ("?object_type=contest&object_id=abc", "Phải là một số nguyên."),
    ("?object_type=contest&object_id=99999999999999999999", "Mã đối tượng"),
    ("?object_id=3", "Mã đối tượng: cần chọn cả loại đối tượng."),
    ("?actor=abc", "Lựa chọn không hợp lệ."),
    ("?action=judging.nothing", "Lựa chọn không hợp lệ."),
    ("?object_type=<script>", "Lựa chọn không hợp lệ."),
])
def test_bad_filters_say_why_in_vietnamese(world: dict, signed_in: Callable, query: str, message: str) -> None:
    client, _ = signed_in(ADMIN, user=world["admin"])
    doc = page(client, query, status=400)
    assert message in text(doc.xpath('//*[contains(@class, "alert-danger")]')[0])
    assert shown_ids(doc) == []
    exported = client.get(f"/audit/export.xlsx{query}")
    assert exported.status_code == 302 and "/audit?" in exported.headers["Location"]


def test_paging_by_id_walks_every_record_once(world: dict, signed_in: Callable, clock: Clock) -> None:
    admin = world["admin"]
    for i in range(120):
        clock.now = datetime(2026, 12, 4, 1, 0) + timedelta(minutes=i)
        audit.record(admin, "user.language", "user", admin.id, {"language": "vi"}, {"language": "en"})
    db.session.commit()
    client, _ = signed_in(ADMIN, user=admin)
    everything = ids_where(organisation_id=admin.organisation.id)
    seen, doc, pages = [], page(client), 0
    while True:
        pages += 1
        seen += shown_ids(doc)
        older = doc.xpath('//a[contains(text(), "Cũ hơn")]/@href')
        if not older:
            break
        doc = page(client, older[0].removeprefix("/audit"))
    assert seen == everything and pages == -(-len(everything) // 50)
    newer = doc.xpath('//a[contains(text(), "Mới hơn")]/@href')[0]
    assert shown_ids(page(client, newer.removeprefix("/audit"))) == everything[-len(seen[100:]) - 50:-len(seen[100:])]
    # a filter rides along the page links
    only_language = page(client, "?action=user.language")
    assert all("action=user.language" in href for href in only_language.xpath('//a[contains(text(), "Cũ hơn")]/@href'))
    assert page(client, "?before=abc").xpath("//h1")  # a broken cursor is the first page, not an error


# ---------------------------------------------------------------- export, and who reads


def test_the_export_holds_the_filtered_rows_in_words(world: dict, signed_in: Callable, make_entry: Callable) -> None:
    make_entry(world["contest"], world["author"], title=HOSTILE[0])
    entry = db.session.scalar(select(Entry).filter_by(title=HOSTILE[0]))
    audit.record(world["author"], "entry.submit", "entry", entry.id, {"status": "draft"}, {"status": "submitted"})
    db.session.commit()
    client, admin = signed_in(ADMIN, user=world["admin"])
    judge = world["judges"][0]
    response = client.get(f"/audit/export.xlsx?actor={judge.id}")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).active
    assert [c.value for c in sheet[2]] == list(AUDIT_HEADERS)
    lines = [[c.value for c in r] for r in sheet.iter_rows(min_row=3)]
    assert [r[0] for r in lines] == ids_where(actor_id=judge.id)
    submitted = next(r for r in lines if r[3] == "Nộp phiếu chấm")
    assert submitted[1] == "03/12/2026 10:00" and submitted[2] == "Trần Văn Bình"
    assert "Trạng thái: Bản nháp → Đã nộp phiếu" in submitted[6] or "Trạng thái: Đã nộp phiếu" in submitted[6]
    everything = client.get("/audit/export.xlsx")
    assert_text_only(everything.data, [HOSTILE[0]])  # a title that looks like a formula stays text
    record = db.session.scalar(select(AuditLog).filter_by(action="export.audit").order_by(AuditLog.id.desc()))
    assert record.actor_id == admin.id and record.after["rows"] == len(ids_where(organisation_id=admin.organisation.id)) - 1


def test_only_the_organisations_admin_reads_its_log(world: dict, signed_in: Callable, make_user: Callable,
                                                    town: Any) -> None:
    for role in (SECRETARY, JUDGE, PARTICIPANT):
        client, _ = signed_in(role)
        assert client.get("/audit").status_code == 403
        assert client.get("/audit/export.xlsx").status_code == 403
    town_admin = make_user(ADMIN, organisation=town)
    client, _ = signed_in(ADMIN, user=town_admin)
    contest = world["contest"]
    doc = page(client, f"?object_type=contest&object_id={contest.id}")
    assert shown_ids(doc) == []  # another organisation's chain: nothing, not even the contest's name
    assert contest.title not in text(doc)
    assert not set(shown_ids(page(client))) & set(ids_where(organisation_id=contest.organisation_id))


def test_object_pages_link_to_their_own_log(world: dict, signed_in: Callable) -> None:
    client, _ = signed_in(ADMIN, user=world["admin"])
    contest, entry = world["contest"], world["entry"]
    assert f"/audit?object_type=contest&amp;object_id={contest.id}" in client.get(f"/contests/{contest.id}").get_data(as_text=True)
    assert f"/audit?object_type=entry&amp;object_id={entry.id}" in client.get(f"/entries/{entry.id}").get_data(as_text=True)
    secretary, _ = signed_in(SECRETARY)
    assert "/audit?" not in secretary.get(f"/contests/{contest.id}").get_data(as_text=True)


def test_counts_and_exports_stop_at_their_limits(world: dict, signed_in: Callable, monkeypatch: pytest.MonkeyPatch) -> None:
    from contest.audit import routes

    monkeypatch.setattr(routes, "COUNT_LIMIT", 3)
    monkeypatch.setattr(routes, "MAX_EXPORT_ROWS", 3)
    client, _ = signed_in(ADMIN, user=world["admin"])
    assert text(page(client).xpath('//*[@id="audit-total"]')[0]) == "Hơn 3 bản ghi, mới nhất trước."
    assert text(page(client, "?action=contest.update").xpath('//*[@id="audit-total"]')[0]) == \
        "1 bản ghi khớp bộ lọc, mới nhất trước."
    refused = client.get("/audit/export.xlsx")
    assert refused.status_code == 302
    assert "hãy chọn khoảng ngày ngắn hơn" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(AuditLog).filter_by(action="export.audit")) is None
    assert client.get("/audit/export.xlsx?action=contest.update").status_code == 200


def test_every_field_recorded_in_these_flows_has_a_label(world: dict) -> None:
    target = db.session.scalar(select(Assignment).filter_by(entry_id=world["entry"].id, judge_id=world["judges"][1].id))
    remove_assignment(world["admin"], target)
    db.session.commit()
    unlabelled = {(r.action, c.key) for r in db.session.scalars(select(AuditLog))
                  for c in changes(r.action, r.object_type, r.before, r.after) if c.label == c.key}
    assert unlabelled == set()
