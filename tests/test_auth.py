"""Sign-in, roles, CSRF and redirects."""
from __future__ import annotations

from conftest import PASSWORD, csrf_token_from, login
from contest.auth import is_safe_next
from contest.models import ADMIN, JUDGE, PARTICIPANT, SECRETARY, User


def test_password_is_hashed(make_user) -> None:
    user = make_user(PARTICIPANT)
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:", "argon2"))
    assert user.check_password(PASSWORD) and not user.check_password("sai-mat-khau")


def test_login_and_logout(client, make_user) -> None:
    user = make_user(SECRETARY)
    response = login(client, user)
    assert response.status_code == 302
    page = client.get("/contests/")
    assert page.status_code == 200 and user.full_name in page.get_data(as_text=True)
    token = csrf_token_from(page.get_data(as_text=True))
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/contests/").status_code == 302


def test_wrong_password_is_refused_in_vietnamese(client, make_user) -> None:
    user = make_user(JUDGE)
    response = login(client, user, password="khong-dung")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.get_data(as_text=True)
    assert client.get("/judging/").status_code == 302


def test_disabled_account_cannot_sign_in(client, make_user) -> None:
    user = make_user(JUDGE, active=False)
    assert login(client, user).status_code == 200
    assert client.get("/judging/").status_code == 302


def test_login_without_csrf_token_is_refused(client, make_user) -> None:
    user = make_user(ADMIN)
    response = client.post("/auth/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_anonymous_is_sent_to_login(client) -> None:
    for url in ("/contests/", "/entries/", "/judging/", "/registry/", "/audit"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/auth/login" in response.headers["Location"], url


def test_wrong_role_gets_403(signed_in) -> None:
    participant, _ = signed_in(PARTICIPANT)
    for url in ("/contests/", "/contests/new", "/registry/", "/audit", "/judging/"):
        assert participant.get(url).status_code == 403, url
    judge, _ = signed_in(JUDGE)
    for url in ("/contests/", "/entries/", "/registry/"):
        assert judge.get(url).status_code == 403, url
    secretary, _ = signed_in(SECRETARY)
    assert secretary.get("/contests/new").status_code == 403
    assert secretary.get("/audit").status_code == 403


def test_next_redirect_only_to_own_paths(client, make_user) -> None:
    user = make_user(SECRETARY)
    page = client.get("/auth/login?next=https://evil.example/")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post("/auth/login?next=https://evil.example/",
                           data={"username": user.username, "password": PASSWORD, "csrf_token": token})
    assert "evil.example" not in response.headers["Location"]
    assert not is_safe_next("//evil.example/x") and is_safe_next("/registry/")


def test_security_headers(client) -> None:
    response = client.get("/auth/login")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_cli_create_user(runner, app) -> None:
    result = runner.invoke(args=["create-user", "chutich", "--role", "admin", "--name", "Nguyễn Văn A",
                                 "--password", "mat-khau-dai"])
    assert result.exit_code == 0, result.output
    from contest.db import db
    from sqlalchemy import select

    user = db.session.scalar(select(User).filter_by(username="chutich"))
    assert user is not None and user.role == ADMIN and user.check_password("mat-khau-dai")
    again = runner.invoke(args=["create-user", "chutich", "--role", "admin", "--password", "mat-khau-dai"])
    assert again.exit_code != 0 and "đã có người dùng" in again.output


def test_sign_out_ends_the_session_even_for_a_replayed_cookie(app, make_user) -> None:
    user = make_user(SECRETARY)
    client = app.test_client()
    login(client, user)
    stolen = client.get_cookie("session").value
    page = client.get("/contests/")
    client.post("/auth/logout", data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/contests/").status_code == 302


def test_password_change_ends_other_sessions(app, make_user) -> None:
    from conftest import post_form

    user = make_user(JUDGE)
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user)
    wrong = post_form(laptop, "/auth/password", {"current": "sai", "new": "mat-khau-moi-1", "confirm": "mat-khau-moi-1"})
    assert wrong.status_code == 400 and "Mật khẩu hiện tại: không đúng." in wrong.get_data(as_text=True)
    mismatch = post_form(laptop, "/auth/password", {"current": PASSWORD, "new": "mat-khau-moi-1", "confirm": "khac"})
    assert "không khớp" in mismatch.get_data(as_text=True)
    done = post_form(laptop, "/auth/password", {"current": PASSWORD, "new": "mat-khau-moi-1", "confirm": "mat-khau-moi-1"})
    assert done.status_code == 302
    assert laptop.get("/judging/").status_code == 200  # this session goes on
    assert phone.get("/judging/").status_code == 302  # the other one is over


def test_repeated_failed_sign_ins_are_throttled(app, client, make_user) -> None:
    user = make_user(ADMIN)
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    codes = [login(client, user, password="sai-mat-khau").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "thử quá nhiều lần" in login(client, user).get_data(as_text=True)


def test_idle_session_times_out(app, make_user) -> None:
    user = make_user(SECRETARY)
    client = app.test_client()
    login(client, user)
    app.config["SESSION_IDLE_SECONDS"] = -1
    response = client.get("/contests/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_new_session_at_sign_in(app, make_user) -> None:
    user = make_user(SECRETARY)
    client = app.test_client()
    client.get("/auth/login")
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    login(client, user)
    with client.session_transaction() as sess:
        assert "planted" not in sess


def test_production_cookies_are_secure_and_demo_is_refused(monkeypatch, tmp_path) -> None:
    from contest import create_app

    monkeypatch.setenv("SANGKIEN_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.db")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0 and "SANGKIEN_ENV=development" in result.output
