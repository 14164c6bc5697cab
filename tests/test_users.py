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
    db.session.refresh(judge)
    assert not judge.active
    assert session.get("/judging/").status_code == 302  # a disabled account's sessions end at once
    assert login(app.test_client(), judge, password="mat-khau-9999").status_code == 200  # and it cannot sign in

    post_form(admin, f"/users/{judge.id}", {"full_name": "Đỗ Thị Hạnh", "role": JUDGE, "active": "y",
                                            "password": "mat-khau-moi-2"}, page=f"/users/{judge.id}")
    db.session.refresh(judge)
    assert judge.active and judge.check_password("mat-khau-moi-2")
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
