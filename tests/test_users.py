"""The admin's accounts page: create, disable, reset a password."""
from __future__ import annotations

from conftest import login, post_form
from sqlalchemy import select

from contest.accounts.models import ADMIN, JUDGE, SECRETARY, User
from contest.audit.models import AuditLog
from contest.db import db


def test_admin_creates_disables_and_resets_accounts(app, signed_in, make_user) -> None:
    admin, me = signed_in(ADMIN)
    response = post_form(admin, "/users/new", {"username": "giamkhao9", "full_name": "Đỗ Thị Hạnh", "role": JUDGE,
                                               "unit": "Văn phòng UBND", "password": "mat-khau-9999", "active": "y"})
    assert response.status_code == 302
    judge = db.session.scalar(select(User).filter_by(username="giamkhao9"))
    assert judge.role == JUDGE and judge.unit.name == "Văn phòng UBND" and judge.check_password("mat-khau-9999")

    session = app.test_client()
    login(session, judge, password="mat-khau-9999")
    assert session.get("/judging/").status_code == 200
    post_form(admin, f"/users/{judge.id}", {"full_name": "Đỗ Thị Hạnh", "role": JUDGE, "unit": "", "position": ""},
              page=f"/users/{judge.id}")
    db.session.expire_all()
    assert not judge.memberships[0].active and judge.membership is None
    assert session.get("/judging/").status_code == 302  # a disabled account's sessions end at once
    assert login(app.test_client(), judge, password="mat-khau-9999").status_code == 200  # and it cannot sign in

    post_form(admin, f"/users/{judge.id}", {"full_name": "Đỗ Thị Hạnh", "role": JUDGE, "active": "y",
                                            "password": "mat-khau-moi-2"}, page=f"/users/{judge.id}")
    db.session.expire_all()
    assert judge.memberships[0].active and judge.check_password("mat-khau-moi-2")
    actions = [a for (a,) in db.session.execute(select(AuditLog.action))]
    assert actions.count("user.update") == 2 and "user.create" in actions


def test_account_errors_are_named(signed_in, make_user) -> None:
    admin, me = signed_in(ADMIN)
    taken = make_user(SECRETARY, username="thuky")
    response = post_form(admin, "/users/new", {"username": "thuky", "full_name": "Ai đó", "role": JUDGE,
                                               "password": "mat-khau-9999"})
    assert response.status_code == 400 and "Tên đăng nhập: “thuky” đã có người dùng." in response.get_data(as_text=True)
    short = post_form(admin, "/users/new", {"username": "moi", "full_name": "Ai đó", "role": JUDGE, "password": "123"})
    assert "Mật khẩu: cần ít nhất 8 ký tự." in short.get_data(as_text=True)
    self_lock = post_form(admin, f"/users/{me.id}", {"full_name": me.full_name, "role": ADMIN}, page=f"/users/{me.id}")
    assert "không thể tự khoá" in self_lock.get_data(as_text=True)
    db.session.refresh(me)
    assert me.active and taken.role == SECRETARY


def test_only_admin_manages_accounts(signed_in) -> None:
    secretary, _ = signed_in(SECRETARY)
    assert secretary.get("/users/").status_code == 403


def test_closing_a_role_in_one_organisation_leaves_the_others(app, signed_in, make_user, town) -> None:
    """A ward's admin closes a ward judge's role there; the same person still judges for the town,
    signs in, and acts for the town; the town's admin can close and reopen the town role."""
    from contest.accounts.operations import add_membership

    judge = make_user(JUDGE, username="giamkhao_hai_noi")
    add_membership(None, judge, JUDGE, town)
    db.session.commit()
    person = app.test_client()
    assert login(person, judge).status_code == 302
    admin, _ = signed_in(ADMIN)
    post_form(admin, f"/users/{judge.id}", {"full_name": judge.full_name, "role": JUDGE}, page=f"/users/{judge.id}")
    db.session.expire_all()
    ward_role, town_role = judge.memberships
    assert not ward_role.active and town_role.active
    assert "Đã khoá" in admin.get("/users/").get_data(as_text=True)
    page = person.get("/judging/")  # the session goes on, acting for the town now
    assert page.status_code == 200 and "Thị xã Hồng Lĩnh" in page.get_data(as_text=True)
    assert login(app.test_client(), judge).status_code == 302  # and signing in still works

    town_admin = make_user(ADMIN, organisation=town)
    client = app.test_client()
    login(client, town_admin)
    post_form(client, f"/users/{judge.id}", {"full_name": judge.full_name, "role": JUDGE}, page=f"/users/{judge.id}")
    db.session.expire_all()
    assert not any(m.active for m in judge.memberships)
    assert person.get("/judging/").status_code == 302  # no role left open: the session ends
    assert login(app.test_client(), judge).status_code == 200  # and the sign-in is refused
    post_form(client, "/users/members", {"username": judge.username, "role": JUDGE}, page="/users/")
    db.session.expire_all()
    assert [m.active for m in judge.memberships] == [False, True]  # reopened in the town only
    actions = [a for (a,) in db.session.execute(select(AuditLog.action))]
    assert actions.count("user.update") == 2 and actions.count("membership.add") == 2
