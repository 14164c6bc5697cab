"""The demo: a town and three wards. Trung Lương has its units and people, a registry, a contest
being judged and one open; Đậu Liêu's contest is published and its best two entries forwarded into
the town council's open round; Bắc Hồng's is open; the town has its council members, two of them
also judges of a ward (one account, two memberships)."""
from __future__ import annotations

import io
import json
import random
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Any

from sqlalchemy import func, select

from contest.accounts.models import (
    ADMIN,
    JUDGE,
    PARTICIPANT,
    SECRETARY,
    TOWN,
    WARD,
    User,
)
from contest.accounts.operations import (
    OrganisationData,
    add_membership,
    create_organisation,
    create_user,
)
from contest.contests.operations import DEFAULT_CRITERIA, ContestData, create_contest
from contest.db import db, utcnow
from contest.entries.models import COLLECTIVE, INDIVIDUAL, Entry
from contest.entries.operations import (
    CoAuthorData,
    EntryData,
    add_attachment,
    save_entry,
    submit_entry,
)
from contest.registry.operations import RegistryData, import_registry
from contest.screening.models import FLAG_OPEN, DuplicateFlag
from contest.screening.operations import decide_flag, flag_duplicates
from contest.timeutil import to_local
from judging.dossier_routes import certificate_base_url, contest_dossier, zip_bytes
from judging.operations import (
    assign_panel,
    close_judging,
    forward_entries,
    publish_results,
    save_sheet,
    set_panel,
    waive_shortfalls,
)
from judging.models import ScoreSheet
from judging.queries import find_assignment

DEMO_PASSWORD = "sangkien2024"
TOWN_NAME, WARD_NAME = "Thị xã Hồng Lĩnh", "Phường Trung Lương"
WARD_IN_TEXT = "phường Trung Lương"
UNITS = ["Văn phòng - Thống kê UBND phường Trung Lương", "Bộ phận Một cửa UBND phường Trung Lương"]
COLLECTIVES = ["Đoàn Thanh niên phường Trung Lương", "Hội Liên hiệp Phụ nữ phường Trung Lương"]
DEMO_USERS = [
    ("bantochuc", "Nguyễn Công Lộc", ADMIN, UNITS[0], "Chủ tịch UBND phường, Trưởng Ban tổ chức"),
    ("thuky", "Trần Thị Thu Hà", SECRETARY, UNITS[0], "Công chức Văn phòng - Thống kê, Tổ trưởng Tổ thư ký"),
    ("giamkhao1", "Lê Văn Minh", JUDGE, UNITS[0], "Phó Chủ tịch UBND phường, Trưởng Ban giám khảo"),
    ("giamkhao2", "Phạm Thị Lan", JUDGE, UNITS[1], "Công chức Tư pháp - Hộ tịch"),
    ("giamkhao3", "Hoàng Đức Anh", JUDGE, UNITS[0], "Công chức Văn hóa - Xã hội"),
    ("canbo1", "Võ Thị Mai", PARTICIPANT, UNITS[1], "Công chức Bộ phận Một cửa"),
    ("canbo2", "Đặng Quốc Huy", PARTICIPANT, UNITS[0], "Công chức Địa chính - Xây dựng"),
    ("canbo3", "Bùi Thị Hồng", PARTICIPANT, UNITS[1], "Bí thư Đoàn Thanh niên phường"),
    ("canbo4", "Ngô Minh Tuấn", PARTICIPANT, UNITS[0], "Công chức Tài chính - Kế toán"),
]

def _one_page_pdf() -> bytes:
    """A blank one-page PDF, as the app checks uploads: it opens and has a page."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# So every demo entry carries an attachment as a real one would.
DEMO_PDF = _one_page_pdf()


def database_is_empty() -> bool:
    """True when no user exists yet."""
    return not db.session.scalar(select(func.count(User.id)))


# The other bodies of the town. Each ward runs its own contest; the town's people sit on its
# council; giamkhao1 of Trung Lương also judges for the town (one account, two memberships).
TOWN_USERS = [
    ("thixa_bantochuc", "Phan Văn Hải", ADMIN, "Phòng Nội vụ thị xã", "Trưởng phòng Nội vụ, Thường trực Hội đồng"),
    ("thixa_thuky", "Lý Thị Ngọc", SECRETARY, "Phòng Nội vụ thị xã", "Chuyên viên Phòng Nội vụ, Thư ký Hội đồng"),
    ("thixa_giamkhao", "Trịnh Quang Vinh", JUDGE, "Văn phòng HĐND và UBND thị xã", "Chánh Văn phòng, thành viên Hội đồng"),
    ("thixa_canbo", "Ngô Thị Hương", PARTICIPANT, "Phòng Văn hóa và Thông tin thị xã", "Chuyên viên"),
]
PUBLISHED_WARD, OPEN_WARD = "Phường Đậu Liêu", "Phường Bắc Hồng"
PUBLISHED_USERS = [
    ("dauliu_bantochuc", "Đỗ Minh Châu", ADMIN, "Văn phòng - Thống kê UBND phường Đậu Liêu", "Chủ tịch UBND phường"),
    ("dauliu_thuky", "Hà Thị Yến", SECRETARY, "Văn phòng - Thống kê UBND phường Đậu Liêu", "Công chức Văn phòng"),
    ("dauliu_giamkhao1", "Lưu Văn Tâm", JUDGE, "Văn phòng - Thống kê UBND phường Đậu Liêu", "Phó Chủ tịch UBND phường"),
    ("dauliu_giamkhao2", "Mai Thị Thảo", JUDGE, "Bộ phận Một cửa UBND phường Đậu Liêu", "Công chức Tư pháp - Hộ tịch"),
    ("dauliu_canbo1", "Tạ Văn Khoa", PARTICIPANT, "Bộ phận Một cửa UBND phường Đậu Liêu", "Công chức Bộ phận Một cửa"),
    ("dauliu_canbo2", "Cao Thị Hạnh", PARTICIPANT, "Văn phòng - Thống kê UBND phường Đậu Liêu", "Công chức Địa chính"),
]
OPEN_USERS = [
    ("bachong_bantochuc", "Quách Văn Lực", ADMIN, "Văn phòng - Thống kê UBND phường Bắc Hồng", "Chủ tịch UBND phường"),
    ("bachong_thuky", "Vương Thị Nga", SECRETARY, "Văn phòng - Thống kê UBND phường Bắc Hồng", "Công chức Văn phòng"),
    ("bachong_giamkhao", "Đinh Văn Toàn", JUDGE, "Văn phòng - Thống kê UBND phường Bắc Hồng", "Phó Chủ tịch UBND phường"),
    ("bachong_canbo1", "Kiều Văn Sơn", PARTICIPANT, "Bộ phận Một cửa UBND phường Bắc Hồng", "Công chức Bộ phận Một cửa"),
]


# Every demo login with the body it acts for: (username, full name, role, organisation).
DEMO_LOGINS = ([(u[0], u[1], u[2], WARD_NAME) for u in DEMO_USERS] + [("giamkhao1", "Lê Văn Minh", JUDGE, TOWN_NAME)]
               + [(u[0], u[1], u[2], TOWN_NAME) for u in TOWN_USERS]
               + [(u[0], u[1], u[2], PUBLISHED_WARD) for u in PUBLISHED_USERS]
               + [("dauliu_giamkhao1", "Lưu Văn Tâm", JUDGE, TOWN_NAME)]
               + [(u[0], u[1], u[2], OPEN_WARD) for u in OPEN_USERS])


# The demo's calendar, relative to the day it is loaded, so that its dates never contradict each other:
# this year's contests closed their submissions before today (every entry submitted before its
# deadline); Trung Lương's is being judged, Đậu Liêu's was judged and published weeks ago; the town's
# round takes entries now; next year's contests are open.
JUDGED_CLOSED_DAYS_AGO = 3  # Trung Lương: submissions closed 3 days ago, judging until 14 days from now
PUBLISHED_CLOSED_DAYS_AGO = 40  # Đậu Liêu: closed 40 days ago, judged until 10 days ago, published 7 days ago


def demo_years(now: datetime) -> tuple[int, int]:
    """(this year's contests, next year's), as the demo names them when loaded at `now` (UTC): the year
    in Vietnam when this year's round closed its submissions, and the one after."""
    year = to_local(now - timedelta(days=JUDGED_CLOSED_DAYS_AGO)).year
    return year, year + 1


def _people(rows: list, organisation: Any) -> dict[str, User]:
    return {u[0]: create_user(None, u[0], u[1], u[2], DEMO_PASSWORD, unit_name=u[3], position=u[4],
                              organisation=organisation) for u in rows}


def _entry_data(item: dict, place: str, index: int) -> EntryData:
    return EntryData(
        kind=INDIVIDUAL, title=item["title"], field=item["field"], situation=item["situation"],
        solution=item["solution"], effect=item["effect"], scope="Có thể áp dụng tại các phường, xã trong thị xã.",
        applied_where=f"UBND {place}", applied_since=date(2024, 1 + index % 6, 1),
        benefit="Tiết kiệm thời gian, chi phí đi lại của người dân và công chức.")


def load_town(town: Any, data: dict, upload_dir: str, max_bytes: int, judge_of_trung_luong: User) -> dict[str, Any]:
    """The town's council members, a ward whose 2024 contest is published (its best entries
    forwarded), and a ward whose contest is open, with a registry item that repeats one of
    Trung Lương's (the town's bank holds both)."""

    now = utcnow()
    this_year, next_year = demo_years(now)
    people = _people(TOWN_USERS, town)
    add_membership(None, judge_of_trung_luong, JUDGE, town)

    published_ward = create_organisation(None, OrganisationData(name=PUBLISHED_WARD, level=WARD), parent=town)
    dauliu = _people(PUBLISHED_USERS, published_ward)
    closed = now - timedelta(days=PUBLISHED_CLOSED_DAYS_AGO)
    contest = create_contest(dauliu["dauliu_bantochuc"], ContestData(
        title=f"Sáng kiến, giải pháp cải cách hành chính phường Đậu Liêu năm {this_year}", year=this_year,
        fields=data["fields"], submission_deadline=closed, judging_deadline=now - timedelta(days=10),
        criteria=DEFAULT_CRITERIA, forward_count=2))
    authors = [dauliu["dauliu_canbo1"], dauliu["dauliu_canbo2"]]
    for index, item in enumerate(data["entries"][8:13]):
        author = authors[index % 2]
        entry = save_entry(author, contest, _entry_data(item, "phường Đậu Liêu", index))
        add_attachment(author, entry, f"Ban mo ta {index + 1}.pdf", DEMO_PDF, upload_dir, max_bytes)
        submit_entry(author, entry, now=closed - timedelta(days=10 - index))  # before the deadline
    secretary, chair = dauliu["dauliu_thuky"], dauliu["dauliu_giamkhao1"]
    set_panel(secretary, contest, [chair, dauliu["dauliu_giamkhao2"]], chair=chair)
    assign_panel(secretary, contest)
    rng = random.Random(2023)
    for judge in (chair, dauliu["dauliu_giamkhao2"]):
        for entry in [e for e in contest.entries if find_assignment(e, judge) is not None]:  # no conflicted pair
            save_sheet(judge, entry, {c.id: (round(rng.uniform(0.5, 0.95) * c.max_points * 2) / 2,
                                             "Nhận xét của giám khảo.") for c in contest.criteria}, submit=True)
    # Two judges in two units: each entry lost the judge of its author's unit, and the chair says so.
    waive_shortfalls(chair, contest, "Ban giám khảo có hai thành viên thuộc hai đơn vị; giám khảo cùng đơn vị với "
                                     "tác giả không chấm. Ban thống nhất xếp hạng theo phiếu của giám khảo còn lại.")
    # Judged within the judging period, the panel met, then the results were published (the audit log
    # keeps the loading time: its records are chained and never backdated).
    for sheet in db.session.scalars(select(ScoreSheet).join(ScoreSheet.entry).where(Entry.contest_id == contest.id)):
        sheet.submitted_at = now - timedelta(days=15)
    close_judging(secretary, contest)
    contest.meeting_at = now - timedelta(days=9)
    publication = publish_results(secretary, contest)
    publication.published_at = now - timedelta(days=7)
    # The town council's round takes what the wards forward; Đậu Liêu has sent its best two. One of
    # Đậu Liêu's judges also sits on the town council: never assigned the entries of their own ward.
    town_round = create_contest(people["thixa_bantochuc"], ContestData(
        title=f"Sáng kiến, giải pháp cải cách hành chính cấp thị xã {TOWN_NAME.split(' ', 2)[-1]} năm {this_year}",
        year=this_year, fields=data["fields"], submission_deadline=now + timedelta(days=20),
        judging_deadline=now + timedelta(days=40), criteria=DEFAULT_CRITERIA, forward_count=0))
    add_membership(None, dauliu["dauliu_giamkhao1"], JUDGE, town)
    dossier = zip_bytes(contest_dossier(contest)) if certificate_base_url() else None
    forward_entries(secretary, contest, town_round, None, upload_dir, dossier)

    open_ward = create_organisation(None, OrganisationData(name=OPEN_WARD, level=WARD), parent=town)
    bachong = _people(OPEN_USERS, open_ward)
    repeated = data["registry"][0]
    import_registry(bachong["bachong_thuky"], [
        RegistryData(**{**repeated, "code": "BH-2023-001", "unit": "UBND phường Bắc Hồng", "year": 2023}),
        RegistryData(**{**data["registry"][1], "code": "BH-2023-002", "unit": "UBND phường Bắc Hồng", "year": 2023}),
    ], "demo")
    open_contest = create_contest(bachong["bachong_bantochuc"], ContestData(
        title=f"Sáng kiến, giải pháp cải cách hành chính phường Bắc Hồng năm {next_year}", year=next_year,
        fields=data["fields"],
        submission_deadline=now + timedelta(days=30), judging_deadline=now + timedelta(days=45),
        criteria=DEFAULT_CRITERIA))
    save_entry(bachong["bachong_canbo1"], open_contest, _entry_data(data["entries"][13], "phường Bắc Hồng", 1))
    return {"users": len(people) + len(dauliu) + len(bachong), "published": contest.id, "open": open_contest.id,
            "town_round": town_round.id}


def load_demo(upload_dir: str, max_bytes: int) -> dict[str, Any]:
    """Fill an empty database with the demo; returns what was created."""

    data = json.loads(resources.files("contest").joinpath("demo_data.json").read_text("utf-8"))
    town = create_organisation(None, OrganisationData(name=TOWN_NAME, level=TOWN))
    ward = create_organisation(None, OrganisationData(name=WARD_NAME, level=WARD), parent=town)
    users = {u[0]: create_user(None, u[0], u[1], u[2], DEMO_PASSWORD, unit_name=u[3], position=u[4], organisation=ward)
             for u in DEMO_USERS}
    admin, secretary = users["bantochuc"], users["thuky"]
    import_registry(secretary, [RegistryData(**item) for item in data["registry"]], "demo")

    now = utcnow()
    this_year, next_year = demo_years(now)
    closed = now - timedelta(days=JUDGED_CLOSED_DAYS_AGO)
    judged = create_contest(admin, ContestData(
        title=f"Sáng kiến, giải pháp cải cách hành chính {WARD_IN_TEXT} năm {this_year}", year=this_year,
        fields=data["fields"], submission_deadline=closed, judging_deadline=now + timedelta(days=14),
        criteria=DEFAULT_CRITERIA, forward_count=3,
    ))
    authors = [users[k] for k in ("canbo1", "canbo2", "canbo3", "canbo4")]
    entries = []
    for index, item in enumerate(data["entries"]):
        author = authors[index % len(authors)]
        collective = index % 5 == 2
        entry = save_entry(author, judged, EntryData(
            kind=COLLECTIVE if collective else INDIVIDUAL, title=item["title"], field=item["field"],
            collective_name=COLLECTIVES[index % 2] if collective else "",
            situation=item["situation"], solution=item["solution"], effect=item["effect"],
            scope="Có thể áp dụng tại các phường, xã trong thị xã.",
            applied_where=f"UBND {WARD_IN_TEXT}", applied_since=date(2024, 1 + index % 6, 1),
            benefit="Tiết kiệm thời gian, chi phí đi lại của người dân và công chức.",
            coauthors=[CoAuthorData("Nguyễn Văn Bình", "Công chức Văn phòng", 30)] if index % 3 == 0 else [],
        ))
        add_attachment(author, entry, f"Ban mo ta sang kien {index + 1}.pdf", DEMO_PDF, upload_dir, max_bytes)
        submit_entry(author, entry, now=closed - timedelta(days=12, hours=-12 * index))  # over the last 12 days
        entries.append(entry)

    # The secretariat has settled the strongest flag and left the rest for the user to review.
    flags = db.session.scalars(select(DuplicateFlag).where(DuplicateFlag.status == FLAG_OPEN)
                               .order_by(DuplicateFlag.score.desc())).all()
    if flags:
        decide_flag(secretary, flags[0], True,
                               "Cùng vấn đề và cùng giải pháp cốt lõi với sáng kiến đã áp dụng trong ngân hàng.")

    judges = [users["giamkhao1"], users["giamkhao2"], users["giamkhao3"]]
    set_panel(secretary, judged, judges, chair=users["giamkhao1"])  # the chair's page and notices can be tried
    assign_panel(secretary, judged)
    rng = random.Random(2024)
    eligible = [e for e in entries if e.status == "submitted"]
    for j, judge in enumerate(judges):
        # A judge of the author's unit is never assigned (conflict of interest): skip those.
        assigned = [e for e in eligible if find_assignment(e, judge) is not None]
        todo = assigned if j == 0 else assigned[: len(assigned) // (j + 1)]
        for k, entry in enumerate(todo):
            values = {c.id: (round(rng.uniform(0.35, 0.95) * c.max_points * 2) / 2, "Nhận xét của giám khảo.")
                      for c in judged.criteria}
            save_sheet(judge, entry, values, submit=not (j == 2 and k % 2 == 1))

    open_contest = create_contest(admin, ContestData(
        title=f"Sáng kiến, giải pháp cải cách hành chính {WARD_IN_TEXT} năm {next_year}", year=next_year,
        fields=data["fields"],
        submission_deadline=now + timedelta(days=30), judging_deadline=now + timedelta(days=45),
        criteria=DEFAULT_CRITERIA,
    ))
    db.session.flush()
    others = load_town(town, data, upload_dir, max_bytes, users["giamkhao1"])
    # The town's bank now holds Bắc Hồng's registry too: Trung Lương's entries are checked again, as
    # "Kiểm tra lại" would, so its screening page shows what the rest of the town's bank holds.
    for entry in eligible:
        flag_duplicates(None, entry)
    db.session.flush()
    return {"users": len(users) + others["users"], "registry": len(data["registry"]), "entries": len(entries),
            "contests": [judged.id, open_contest.id, others["published"], others["open"], others["town_round"]]}
