"""Every route the app registers, against every role: the answer each one must get.

The table is keyed by endpoint, taken from app.url_map, so a new route without an
expectation fails this test. Object-level cases use one participant's entry, its
attachment, a judge's sheet, a job and a contest whose results are not published.
"""
from __future__ import annotations

from typing import Any, Callable

import pytest
from conftest import login
from flask import Flask

from contest import jobs
from contest.accounts.models import ADMIN, JUDGE, PARTICIPANT, SECRETARY
from contest.db import db
from contest.demo import DEMO_PDF
from contest.entries.operations import (
    EntryData,
    add_attachment,
    save_entry,
    submit_entry,
)
from contest.registry.operations import RegistryData, add_registry_item
from judging.operations import assign_panel, save_sheet

ROLES = ("anon", "author", "other", "judge", "conflicted", "secretary", "admin")
PDF = DEMO_PDF  # a real one-page PDF: uploads are checked to open

LOGIN = 302  # anonymous users are sent to the sign-in page
OK, DENIED, MISSING, MOVED = 200, 403, 404, 302


def everyone(code: int) -> dict[str, int]:
    return {role: code for role in ROLES}


def signed_in_only(code: int) -> dict[str, int]:
    return {**everyone(code), "anon": LOGIN}


def only(code: int, *roles: str) -> dict[str, int]:
    """`code` for the roles named, 403 for the other signed-in roles, sign-in for anonymous."""
    return {role: (code if role in roles else LOGIN if role == "anon" else DENIED) for role in ROLES}


STAFF = ("secretary", "admin")
PARTICIPANTS = ("author", "other")
JUDGES = ("judge", "conflicted")

# GET answers. POST-only routes are checked below for refusals only.
GET_EXPECTED: dict[str, dict[str, int]] = {
    "main.home": {**everyone(MOVED)},
    "audit.log": only(OK, "admin"),
    "audit.export": only(OK, "admin"),
    "organisations.edit": only(OK, "admin"),
    "organisations.wards": only(OK),  # the town's admin only: the world's admin is a ward's
    "main.favicon": everyone(301),
    "static": everyone(OK),
    "auth.login": {**everyone(MOVED), "anon": OK},
    "auth.password": signed_in_only(OK),
    "auth.account": signed_in_only(OK),  # one's own e-mail address and notices by e-mail
    "notices.index": signed_in_only(OK),  # one's own notices
    "contests.index": only(OK, *STAFF),
    "contests.show": only(OK, *STAFF),
    "contests.create": only(OK, "admin"),
    "contests.edit": only(OK, "admin"),
    "dossier.download": only(MOVED, *STAFF),  # judging not closed yet: sent back to the standings
    "dossier.verify": everyone(MISSING),  # a forged code
    "dossier.transfer_dossier": {**only(OK, *STAFF)},
    "entries.index": only(OK, *PARTICIPANTS),
    "entries.show": {**only(OK, "author", "judge", *STAFF)},
    "entries.edit": {**only(DENIED), "author": MOVED, "anon": LOGIN},  # submitted: back to the entry
    "entries.create": only(MOVED, *PARTICIPANTS),  # the contest no longer takes entries
    "entries.attachment": only(OK, "author", "judge", *STAFF),
    "entries.similar": signed_in_only(OK),
    "help.index": everyone(OK),
    "help.show": signed_in_only(OK),  # the judge's guide; the author's is open to visitors too (test_help)
    "help.pdf": signed_in_only(OK),
    "jobs.show": only(OK, *STAFF),
    "jobs.status": only(OK, *STAFF),
    "judging.queue": only(OK, *JUDGES),
    "judging.sheet": only(OK, "judge"),
    "judging.attachment": only(OK, "judge"),
    "judging.chair": only(OK, "judge"),  # the judge is the panel's chair
    "judging.panel": only(OK, *STAFF),
    "judging.standings": only(OK, *STAFF),
    "judging.dashboard": only(OK, *STAFF),  # individual scores before closing: never a judge, not even the chair
    "judging.forward_xlsx": only(OK, *STAFF),
    "judging.reminders_xlsx": only(OK, *STAFF),
    "registry.index": only(OK, *STAFF),
    "registry.export": only(OK, *STAFF),
    "results.index": everyone(OK),
    "rules.show": everyone(OK),  # the contest's rules (thể lệ) are public
    "rules.plan": everyone(MISSING),  # no signed plan attached
    "results.show": everyone(MISSING),  # not published
    "screening.index": only(OK, *STAFF),
    "screening.flag": only(OK, *STAFF),
    "users.index": only(OK, "admin"),
    "users.create": only(OK, "admin"),
    "users.edit": only(OK, "admin"),
}

# Who may POST (everyone else is refused before anything changes).
POST_ALLOWED: dict[str, tuple[str, ...]] = {
    "auth.login": ROLES,
    "auth.logout": ROLES[1:],
    "auth.password": ROLES[1:],
    "auth.account": ROLES[1:],  # one's own
    "notices.read": ROLES[1:],  # one's own notices
    "auth.language": ROLES[1:],  # one's own language
    "auth.act_as": ROLES[1:],
    "organisations.edit": ("admin",),
    "organisations.wards": (),  # one's own memberships
    "contests.create": ("admin",),
    "contests.edit": ("admin",),
    "contests.upload_plan": ("admin",),
    "contests.remove_plan": ("admin",),
    "entries.create": PARTICIPANTS,
    "entries.edit": ("author",),
    "entries.upload": ("author",),
    "entries.submit": ("author",),
    "entries.delete_attachment": ("author",),
    "judging.sheet": ("judge",),
    "judging.declare_conflict": ("judge",),
    "judging.rescore": ("judge",),
    "judging.waive": ("judge",),
    "judging.waive_all": ("judge",),
    "judging.panel": STAFF,
    "judging.panel_members": STAFF,
    "judging.add_assignment": STAFF,
    "judging.remove_assignment": STAFF,
    "judging.close": STAFF,
    "judging.reopen": STAFF,
    "judging.remind": STAFF,
    "judging.publish": STAFF,
    "judging.forward": STAFF,
    "judging.withdraw": STAFF,
    "judging.to_registry": STAFF,
    "judging.votes": STAFF,
    "judging.amend": STAFF,
    "registry.create": STAFF,
    "registry.import_file": STAFF,
    "results.vote": ROLES[1:],
    "screening.recheck": STAFF,
    "jobs.stop": STAFF,  # the job's creator (the secretary) or an admin
    "screening.flag": STAFF,
    "users.create": ("admin",),
    "users.add_member": ("admin",),
    "users.edit": ("admin",),
}


@pytest.fixture
def world(app: Flask, ward: Any, make_user: Callable, make_contest: Callable) -> dict[str, Any]:
    """One contest in judging with an entry, its attachment, a flag, a sheet and a job."""
    from contest.accounts.models import Unit

    office, one_stop = Unit(name="Văn phòng", organisation=ward), Unit(name="Bộ phận Một cửa", organisation=ward)
    db.session.add_all([office, one_stop])
    db.session.commit()
    users = {
        "author": make_user(PARTICIPANT, unit=one_stop), "other": make_user(PARTICIPANT, unit=office),
        "judge": make_user(JUDGE, unit=office), "conflicted": make_user(JUDGE, unit=one_stop),
        "secretary": make_user(SECRETARY, unit=office), "admin": make_user(ADMIN, unit=office),
    }
    contest = make_contest()
    registry = add_registry_item(users["secretary"], RegistryData(
        title="Ứng dụng mã QR trên giấy hẹn để tra cứu hồ sơ", summary="In mã QR lên giấy hẹn trả kết quả."))
    entry = save_entry(users["author"], contest, EntryData(
        kind="individual", title="Mã QR trên giấy hẹn để người dân tra cứu hồ sơ", field=contest.fields[0],
        situation="Người dân gọi điện hỏi tiến độ.", solution="In mã QR lên giấy hẹn trả kết quả.",
        effect="Giảm cuộc gọi.", applied_where="UBND phường", applied_since=__import__("datetime").date(2024, 1, 1)))
    attachment = add_attachment(users["author"], entry, "mo-ta.pdf", PDF, app.config["UPLOAD_FOLDER"], 10**6)
    submit_entry(users["author"], entry)
    assign_panel(users["secretary"], contest)
    from judging.models import PanelMember

    db.session.scalar(db.select(PanelMember).filter_by(judge_id=users["judge"].id)).is_chair = True
    sheet = save_sheet(users["judge"], entry, {c.id: (10, "Nhận xét") for c in contest.criteria})
    job = jobs.enqueue(users["secretary"], "recheck", {"contest_id": contest.id})
    db.session.commit()
    from contest.screening.models import DuplicateFlag
    from judging.models import Assignment

    flag = db.session.scalar(db.select(DuplicateFlag))
    assignment = db.session.scalar(db.select(Assignment))
    assert flag is not None and registry.id
    return {"users": users, "contest": contest, "entry": entry, "attachment": attachment, "sheet": sheet,
            "job": job, "flag": flag, "assignment": assignment, "transfer": sent_to_town(app, ward, contest, entry)}


def sent_to_town(app: Flask, ward: Any, contest: Any, entry: Any) -> Any:
    """A transfer of the ward's entry into the town's open round, its dossier on disk (built as the
    forward verb leaves it: that verb itself wants a published contest, tested in test_town_round)."""
    import os

    from contest.db import utcnow
    from contest.entries.operations import copy_entry
    from judging.models import Transfer

    from contest.contests.models import Contest

    town_round = Contest(organisation_id=ward.parent_id, title="Vòng thị xã", year=2024, fields=contest.fields,
                         submission_deadline=contest.submission_deadline, judging_deadline=contest.judging_deadline)
    db.session.add(town_round)
    db.session.flush()
    copy = copy_entry(entry, town_round, app.config["UPLOAD_FOLDER"], utcnow())
    with open(os.path.join(app.config["UPLOAD_FOLDER"], "dossier-test.zip"), "wb") as fh:
        fh.write(b"PK\x05\x06" + b"\0" * 18)
    transfer = Transfer(source_entry_id=entry.id, target_entry_id=copy.id, source_contest_id=contest.id,
                        target_contest_id=town_round.id, source_organisation_id=ward.id, ward_rank=1,
                        ward_mean_total=80.0, ward_max_total=100.0, dossier_stored_name="dossier-test.zip")
    db.session.add(transfer)
    db.session.commit()
    return transfer


def url_for_rule(app: Flask, rule: Any, world: dict[str, Any]) -> str:
    """A concrete URL for a rule, filled with the world's objects."""
    values = {
        "contest_id": world["contest"].id, "entry_id": world["entry"].id, "attachment_id": world["attachment"].id,
        "job_id": world["job"].id, "flag_id": world["flag"].id, "user_id": world["users"]["other"].id,
        "assignment_id": world["assignment"].id, "code": "0000000000000000", "filename": "css/app.css",
        "mode": "keep", "transfer_id": world["transfer"].id, "slug": "cham-diem",
    }
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{arg: values[arg] for arg in rule.arguments})


def clients(app: Flask, world: dict[str, Any]) -> dict[str, Any]:
    result = {"anon": app.test_client()}
    for role, user in world["users"].items():
        client = app.test_client()
        assert login(client, user).status_code == 302
        result[role] = client
    return result


def test_every_route_has_an_expectation(app: Flask) -> None:
    for rule in app.url_map.iter_rules():
        methods = rule.methods - {"HEAD", "OPTIONS"}
        if "GET" in methods:
            assert rule.endpoint in GET_EXPECTED, f"no GET expectation for {rule.endpoint}"
        if "POST" in methods:
            assert rule.endpoint in POST_ALLOWED, f"no POST expectation for {rule.endpoint}"


def test_an_id_beyond_any_row_is_not_found_on_every_route(app: Flask, make_user: Callable) -> None:
    import re

    admin = make_user(ADMIN)
    client = app.test_client()
    login(client, admin)
    app.config["WTF_CSRF_ENABLED"] = False  # the subject is the URL, not the token
    wrong = []
    for rule in app.url_map.iter_rules():
        if "int:" not in rule.rule:
            continue
        url = re.sub(r"<int:\w+>", "9" * 30, rule.rule)
        for method in {"GET", "POST"} & rule.methods:
            if (got := client.open(url, method=method).status_code) != MISSING:
                wrong.append(f"{method} {url}: {got}")
    assert not wrong, "\n".join(wrong)


def test_get_answers_for_every_role(app: Flask, world: dict[str, Any]) -> None:
    by_role = clients(app, world)
    wrong = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        url = url_for_rule(app, rule, world)
        for role, client in by_role.items():
            got = client.get(url).status_code
            if got != GET_EXPECTED[rule.endpoint][role]:
                wrong.append(f"{role} GET {url}: {got}, expected {GET_EXPECTED[rule.endpoint][role]}")
    assert not wrong, "\n".join(wrong)


def test_post_refusals_for_every_role(app: Flask, world: dict[str, Any]) -> None:
    """With CSRF out of the way, a role not allowed to POST is refused and nothing changes."""
    from sqlalchemy import func, select

    from contest.audit.models import AuditLog

    by_role = clients(app, world)
    app.config["WTF_CSRF_ENABLED"] = False
    before = db.session.scalar(select(func.count(AuditLog.id)))
    wrong = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        url = url_for_rule(app, rule, world)
        for role, client in by_role.items():
            if role in POST_ALLOWED[rule.endpoint]:
                continue
            got = client.post(url, data={"reason": "x", "decision": "confirm"}).status_code
            expected = LOGIN if role == "anon" else DENIED
            if got != expected:
                wrong.append(f"{role} POST {url}: {got}, expected {expected}")
    assert not wrong, "\n".join(wrong)
    assert db.session.scalar(select(func.count(AuditLog.id))) == before


def test_posts_without_csrf_token_change_nothing(app: Flask, world: dict[str, Any]) -> None:
    from sqlalchemy import func, select

    from contest.audit.models import AuditLog

    by_role = clients(app, world)
    before = db.session.scalar(select(func.count(AuditLog.id)))
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            url = url_for_rule(app, rule, world)
            for role in POST_ALLOWED[rule.endpoint]:
                assert by_role[role].post(url, data={"reason": "x"}).status_code == 400, (role, url)
    assert db.session.scalar(select(func.count(AuditLog.id))) == before


def test_no_judge_can_fetch_another_judges_scores_before_closing(app: Flask, world: dict[str, Any],
                                                                  make_user: Callable) -> None:
    """Canary comments on one judge's sheet never appear in anything another judge can fetch."""
    from contest.accounts.models import Unit
    from judging.models import Assignment

    contest, entry = world["contest"], world["entry"]
    canary = "CANARY-7f3a-nhan-xet-bi-mat"
    save_sheet(world["users"]["judge"], entry, {c.id: (c.max_points - 1.5, f"{canary}-{c.code}") for c in contest.criteria},
               submit=True)
    peer = make_user(JUDGE, unit=db.session.scalar(db.select(Unit).filter_by(name="Văn phòng")))
    db.session.add(Assignment(entry_id=entry.id, judge_id=peer.id))  # newly assigned to the same entry
    db.session.commit()
    client = app.test_client()
    login(client, peer)
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            body = client.get(url_for_rule(app, rule, world)).get_data().decode("utf-8", "replace")  # files are binary
            assert canary not in body, rule.endpoint
    own = client.get(f"/judging/entries/{entry.id}").get_data(as_text=True)
    assert "Phiếu chấm" in own and canary not in own
    writer = app.test_client()
    login(writer, world["users"]["judge"])
    assert canary in writer.get(f"/judging/entries/{entry.id}").get_data(as_text=True)  # the canary does render


CANARY = "CANARY-phuong-A-9c1e"


def test_nobody_acting_for_another_ward_reaches_this_wards_objects(app: Flask, world: dict[str, Any], town: Any,
                                                                  make_user: Callable,
                                                                  make_registry_item: Callable) -> None:
    """Route × role × organisation: every role of ward B against every object of ward A answers
    403 or 404, never the page; pages without an object show nothing of ward A; and no POST
    changes anything."""
    from sqlalchemy import func, select

    from contest.accounts.models import Organisation
    from contest.accounts.naming import document_names
    from contest.audit.models import AuditLog

    world["contest"].title = f"Cuộc thi {CANARY}"
    world["entry"].title = f"Bài dự thi {CANARY}"
    make_registry_item(title=f"Sáng kiến đã áp dụng {CANARY}")
    ward_b = Organisation(name="Phường Bắc Hồng", level="ward", parent=town, **document_names("Phường Bắc Hồng"))
    db.session.add(ward_b)
    db.session.commit()
    strangers = {}
    for role in (PARTICIPANT, JUDGE, SECRETARY, ADMIN):
        client = app.test_client()
        assert login(client, make_user(role, organisation=ward_b)).status_code == 302
        strangers[role] = client
    wrong = []
    # What anyone may read without signing in (a contest's rules page) a stranger may read too.
    public = {endpoint for endpoint, answers in GET_EXPECTED.items() if answers["anon"] == OK}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or (rule.arguments and rule.endpoint in public):
            continue
        url = url_for_rule(app, rule, world)
        for role, client in strangers.items():
            response = client.get(url)
            if rule.arguments - {"code", "slug"}:  # a guide's slug names no object of a ward
                if response.status_code not in (DENIED, MISSING):
                    wrong.append(f"{role} of ward B GET {url}: {response.status_code}")
            elif CANARY.encode() in response.get_data():
                wrong.append(f"{role} of ward B GET {url}: shows ward A's data")
    app.config["WTF_CSRF_ENABLED"] = False
    before = db.session.scalar(select(func.count(AuditLog.id)))
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or not rule.arguments:
            continue
        url = url_for_rule(app, rule, world)
        for role, client in strangers.items():
            got = client.post(url, data={"reason": "x", "decision": "confirm"}).status_code
            if got not in (DENIED, MISSING):
                wrong.append(f"{role} of ward B POST {url}: {got}")
    assert not wrong, "\n".join(wrong)
    assert db.session.scalar(select(func.count(AuditLog.id))) == before
