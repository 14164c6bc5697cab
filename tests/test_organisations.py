"""Organisations and memberships: one account, a role in each body, chosen per request."""
from __future__ import annotations

from typing import Any, Callable

import pytest
from sqlalchemy import func, select

from contest.accounts.models import TOWN, WARD, Membership, Organisation, User
from contest.accounts.operations import OrganisationData, create_organisation
from contest.audit.models import AuditLog
from contest.contests.models import Contest
from contest.db import db
from contest.errors import OperationError
from tests.conftest import ADMIN, JUDGE, PARTICIPANT, SECRETARY, post_form


@pytest.fixture
def other_ward(town: Organisation) -> Organisation:
    ward = create_organisation(None, OrganisationData(name="Phường Bắc Hồng"), parent=town)
    db.session.commit()
    return ward


def test_a_new_ward_gets_its_document_names_from_its_name(town: Organisation) -> None:
    ward = create_organisation(None, OrganisationData(name="Xã Thuận Lộc", signer="Chủ tịch UBND xã Thuận Lộc"),
                               parent=town)
    assert (ward.level, ward.parent, ward.place) == (WARD, town, "Thuận Lộc")
    assert ward.authority == "Ủy ban nhân dân xã Thuận Lộc"
    assert ward.council == "Hội đồng chấm sáng kiến xã Thuận Lộc"
    assert ward.signer == "Chủ tịch UBND xã Thuận Lộc"  # what the admin typed wins
    record = db.session.scalar(select(AuditLog).filter_by(action="organisation.create", object_id=ward.id))
    assert record.organisation_id == ward.id and record.after["parent"] == town.name


@pytest.mark.parametrize("data, parent, field", [
    (OrganisationData(name="  "), "town", "name"),
    (OrganisationData(name="Phường Trung Lương"), "town", "name"),  # taken
    (OrganisationData(name="Phường Mới"), None, "level"),  # a ward needs its town
    (OrganisationData(name="Thị xã Khác", level=TOWN), "town", "level"),  # a town sits under nobody
    (OrganisationData(name="Phường Mới", level="province"), "town", "level"),
])
def test_a_bad_organisation_is_refused_by_field(ward: Organisation, data: OrganisationData, parent: Any,
                                                 field: str) -> None:
    before = db.session.scalar(select(func.count(Organisation.id)))
    with pytest.raises(OperationError) as refused:
        create_organisation(None, data, parent=ward.parent if parent else None)
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count(Organisation.id))) == before


def test_one_person_participates_in_the_ward_and_judges_for_the_town(
        town: Organisation, ward: Organisation, make_user: Callable[..., User], signed_in: Callable) -> None:
    person = make_user(PARTICIPANT, username="mai")
    db.session.add(Membership(user_id=person.id, organisation_id=town.id, role=JUDGE))
    db.session.commit()
    client, _ = signed_in(user=person)
    home = client.get("/")
    assert home.headers["Location"].endswith("/entries/")  # the first membership: the ward's participant
    menu = client.get("/entries/").get_data(as_text=True)
    assert "Giám khảo · Thị xã Hồng Lĩnh" in menu and 'name="membership"' in menu
    town_judge = db.session.scalar(select(Membership).filter_by(user_id=person.id, organisation_id=town.id))
    switched = post_form(client, "/auth/act-as", {"membership": str(town_judge.id)}, page="/entries/")
    assert switched.status_code == 302
    assert client.get("/").headers["Location"].endswith("/judging/")
    assert client.get("/entries/").status_code == 403  # a judge now, not a participant
    # A second client of the same person still acts as the participant: the choice is per session.
    other_client, _ = signed_in(user=person)
    assert other_client.get("/").headers["Location"].endswith("/entries/")


def test_nobody_acts_in_a_membership_that_is_not_theirs(ward: Organisation, town: Organisation,
                                                         make_user: Callable[..., User], signed_in: Callable) -> None:
    stranger = make_user(ADMIN, organisation=town)
    client, me = signed_in(PARTICIPANT)
    theirs = stranger.memberships[0]
    answer = post_form(client, "/auth/act-as", {"membership": str(theirs.id)}, page="/entries/",
                       follow_redirects=True)
    assert "không tìm thấy vai trò này" in answer.get_data(as_text=True)
    assert client.get("/").headers["Location"].endswith("/entries/")
    assert client.get("/users/").status_code == 403


def test_an_admin_manages_only_their_own_organisations_accounts(
        ward: Organisation, other_ward: Organisation, make_user: Callable[..., User], signed_in: Callable) -> None:
    mine = make_user(SECRETARY, username="thuky_tl")
    theirs = make_user(SECRETARY, username="thuky_bh", organisation=other_ward)
    client, _ = signed_in(ADMIN)
    listing = client.get("/users/").get_data(as_text=True)
    assert "thuky_tl" in listing and "thuky_bh" not in listing and "Phường Trung Lương" in listing
    assert client.get(f"/users/{theirs.id}").status_code == 404
    refused = post_form(client, f"/users/{theirs.id}", {"full_name": "Đổi tên", "role": ADMIN}, page="/users/")
    assert refused.status_code == 404
    db.session.refresh(theirs)
    assert theirs.full_name != "Đổi tên" and theirs.memberships[0].role == SECRETARY
    saved = post_form(client, f"/users/{mine.id}", {"full_name": "Trần Thu", "role": JUDGE, "active": "y"})
    assert saved.status_code == 302
    db.session.refresh(mine)
    assert mine.full_name == "Trần Thu" and mine.role == JUDGE


def test_what_an_admin_creates_belongs_to_their_organisation(
        ward: Organisation, signed_in: Callable) -> None:
    client, admin = signed_in(ADMIN)
    created = post_form(client, "/users/new", {"username": "moi", "full_name": "Người Mới", "role": PARTICIPANT,
                                                "password": "mat-khau-dai", "unit": "Bộ phận Một cửa"})
    assert created.status_code == 302
    person = db.session.scalar(select(User).filter_by(username="moi"))
    assert [(m.organisation, m.role) for m in person.memberships] == [(ward, PARTICIPANT)]
    assert person.unit.organisation == ward
    from datetime import timedelta

    from contest.contests.operations import (
        DEFAULT_CRITERIA,
        ContestData,
        create_contest,
    )
    from contest.db import utcnow

    contest = create_contest(admin, ContestData(title="Cuộc thi 2026", year=2026, fields=["Chính quyền số"],
                                                submission_deadline=utcnow() + timedelta(days=3),
                                                judging_deadline=utcnow() + timedelta(days=9),
                                                criteria=DEFAULT_CRITERIA))
    db.session.commit()
    assert db.session.get(Contest, contest.id).organisation == ward


def test_the_admin_renames_their_organisation_and_its_documents_follow(
        ward: Organisation, other_ward: Organisation, signed_in: Callable) -> None:
    client, _ = signed_in(ADMIN)
    page = client.get("/organisation/").get_data(as_text=True)
    assert "Phường Trung Lương" in page and "Thị xã Hồng Lĩnh" in page
    empty = post_form(client, "/organisation/", {"name": " ", "signer": "X"})
    assert empty.status_code == 400 and "Tên cơ quan, đơn vị: không được để trống." in empty.get_data(as_text=True)
    taken = post_form(client, "/organisation/", {"name": "Phường Bắc Hồng"})
    assert taken.status_code == 400 and "đã có" in taken.get_data(as_text=True)
    db.session.refresh(ward)
    assert ward.name == "Phường Trung Lương" and ward.signer == "Chủ tịch Ủy ban nhân dân phường"
    saved = post_form(client, "/organisation/", {"name": "Phường Trung Lương Mới", "place": "", "authority": "",
                                                 "council": "", "signer": "Chủ tịch UBND phường"})
    assert saved.status_code == 302
    db.session.refresh(ward)
    assert (ward.name, ward.place, ward.authority, ward.signer) == (
        "Phường Trung Lương Mới", "Trung Lương Mới", "Ủy ban nhân dân phường Trung Lương Mới", "Chủ tịch UBND phường")
    db.session.refresh(other_ward)
    assert other_ward.name == "Phường Bắc Hồng"
    record = db.session.scalar(select(AuditLog).filter_by(action="organisation.update"))
    assert record.before["name"] == "Phường Trung Lương" and record.organisation_id == ward.id


def test_a_second_membership_is_added_once_and_audited(ward: Organisation, town: Organisation,
                                                       make_user: Callable[..., User]) -> None:
    from contest.accounts.operations import add_membership

    judge = make_user(JUDGE)
    add_membership(None, judge, JUDGE, town)
    db.session.commit()
    assert [(m.organisation, m.role) for m in judge.memberships] == [(ward, JUDGE), (town, JUDGE)]
    with pytest.raises(OperationError) as twice:
        add_membership(None, judge, SECRETARY, town)
    assert twice.value.field == "role" and "đã thuộc Thị xã Hồng Lĩnh" in twice.value.message
    db.session.rollback()
    assert len(judge.memberships) == 2
    record = db.session.scalar(select(AuditLog).filter_by(action="membership.add"))
    assert record.organisation_id == town.id and record.after["username"] == judge.username


def test_the_town_admin_opens_a_ward_with_its_first_admin(ward: Organisation, town: Organisation,
                                                           signed_in: Callable) -> None:
    ward_admin, _ = signed_in(ADMIN)
    assert ward_admin.get("/organisation/wards").status_code == 403  # a ward's admin opens no wards
    client, _ = signed_in(ADMIN, organisation=town)
    page = client.get("/users/").get_data(as_text=True)
    assert "/organisation/wards" in page
    before = db.session.scalar(select(func.count(Organisation.id)))
    refused = post_form(client, "/organisation/wards", {"name": "Phường Nam Hồng", "admin_username": "nh_admin",
                                                        "admin_full_name": "Người A", "password": "ngan"})
    assert refused.status_code == 400 and "Mật khẩu: cần ít nhất 8 ký tự." in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Organisation.id))) == before  # no ward without its admin
    created = post_form(client, "/organisation/wards", {"name": "Phường Nam Hồng", "admin_username": "nh_admin",
                                                        "admin_full_name": "Người A", "password": "mat-khau-dai"})
    assert created.status_code == 302
    new_ward = db.session.scalar(select(Organisation).filter_by(name="Phường Nam Hồng"))
    assert new_ward.parent == town and new_ward.level == WARD
    admin = db.session.scalar(select(User).filter_by(username="nh_admin"))
    assert [(m.organisation, m.role) for m in admin.memberships] == [(new_ward, ADMIN)]
    listing = client.get("/organisation/wards").get_data(as_text=True)
    assert "Phường Nam Hồng" in listing and "Phường Trung Lương" in listing


def test_the_town_admin_gives_a_ward_judge_a_seat_on_the_council(ward: Organisation, town: Organisation,
                                                                  make_user: Callable[..., User],
                                                                  signed_in: Callable) -> None:
    judge = make_user(JUDGE, username="gk_phuong")
    client, _ = signed_in(ADMIN, organisation=town)
    unknown = post_form(client, "/users/members", {"username": "khong_co", "role": JUDGE}, page="/users/",
                        follow_redirects=True)
    assert "Tên đăng nhập: không có tài khoản “khong_co”." in unknown.get_data(as_text=True)
    added = post_form(client, "/users/members", {"username": "gk_phuong", "role": JUDGE}, page="/users/",
                      follow_redirects=True)
    assert "Đã thêm gk_phuong vào Thị xã Hồng Lĩnh." in added.get_data(as_text=True)
    db.session.refresh(judge)
    assert [(m.organisation, m.role) for m in judge.memberships] == [(ward, JUDGE), (town, JUDGE)]
    again = post_form(client, "/users/members", {"username": "gk_phuong", "role": SECRETARY}, page="/users/",
                      follow_redirects=True)
    assert "đã thuộc Thị xã Hồng Lĩnh" in again.get_data(as_text=True)
    db.session.refresh(judge)
    assert len(judge.memberships) == 2 and judge.memberships[1].role == JUDGE
    listing = client.get("/users/").get_data(as_text=True)
    assert "gk_phuong" in listing
    title = listing[listing.index("<title>") + 7:listing.index("</title>")]
    assert title.startswith("Tài khoản ·") and "<" not in title  # the page's title is just its name
