"""The demo: a ward, its units and people, a registry, a contest being judged and one open."""
from __future__ import annotations

import io
import json
import random
from datetime import date, timedelta
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
    create_organisation,
    create_user,
)
from contest.contests.operations import DEFAULT_CRITERIA, ContestData, create_contest
from contest.db import db, utcnow
from contest.entries.models import COLLECTIVE, INDIVIDUAL
from contest.entries.operations import (
    CoAuthorData,
    EntryData,
    add_attachment,
    save_entry,
    submit_entry,
)
from contest.registry.operations import RegistryData, import_registry
from contest.screening.models import FLAG_OPEN, DuplicateFlag
from contest.screening.operations import decide_flag

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


def load_demo(upload_dir: str, max_bytes: int) -> dict[str, Any]:
    """Fill an empty database with the demo; returns what was created."""
    from judging.operations import assign_panel, save_sheet, set_panel
    from judging.queries import find_assignment

    data = json.loads(resources.files("contest").joinpath("demo_data.json").read_text("utf-8"))
    town = create_organisation(None, OrganisationData(name=TOWN_NAME, level=TOWN))
    ward = create_organisation(None, OrganisationData(name=WARD_NAME, level=WARD), parent=town)
    users = {u[0]: create_user(None, u[0], u[1], u[2], DEMO_PASSWORD, unit_name=u[3], position=u[4], organisation=ward)
             for u in DEMO_USERS}
    admin, secretary = users["bantochuc"], users["thuky"]
    import_registry(secretary, [RegistryData(**item) for item in data["registry"]], "demo")

    now = utcnow()
    judged = create_contest(admin, ContestData(
        title=f"Sáng kiến, giải pháp cải cách hành chính {WARD_IN_TEXT} năm 2024", year=2024, fields=data["fields"],
        submission_deadline=now + timedelta(days=1), judging_deadline=now + timedelta(days=14),
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
        submit_entry(author, entry, now=now)
        entries.append(entry)
    judged.submission_deadline = now - timedelta(days=3)

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
        title=f"Sáng kiến, giải pháp cải cách hành chính {WARD_IN_TEXT} năm 2025", year=2025, fields=data["fields"],
        submission_deadline=now + timedelta(days=30), judging_deadline=now + timedelta(days=45),
        criteria=DEFAULT_CRITERIA,
    ))
    db.session.flush()
    return {"users": len(users), "registry": len(data["registry"]), "entries": len(entries),
            "contests": [judged.id, open_contest.id]}
