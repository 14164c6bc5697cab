"""Sign-in, roles, CSRF and redirects."""
from __future__ import annotations

from conftest import PASSWORD, csrf_token_from, login

from contest.accounts.auth import is_safe_next
from contest.accounts.models import ADMIN, JUDGE, PARTICIPANT, SECRETARY, User


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
    from sqlalchemy import select

    from contest.accounts.models import TOWN, Organisation
    from contest.db import db

    nowhere = runner.invoke(args=["create-user", "chutich", "--role", "admin", "--password", "mat-khau-dai"])
    assert nowhere.exit_code != 0 and "--organisation" in nowhere.output
    assert db.session.scalar(select(User).filter_by(username="chutich")) is None
    result = runner.invoke(args=["create-user", "chutich", "--role", "admin", "--name", "Nguyễn Văn A",
                                 "--organisation", "Thị xã Hồng Lĩnh", "--password", "mat-khau-dai"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).filter_by(username="chutich"))
    assert user is not None and user.role == ADMIN and user.check_password("mat-khau-dai")
    town = db.session.scalar(select(Organisation))
    assert (town.name, town.level, user.organisation) == ("Thị xã Hồng Lĩnh", TOWN, town)
    assert town.authority == "Ủy ban nhân dân thị xã Hồng Lĩnh"
    again = runner.invoke(args=["create-user", "chutich", "--role", "admin", "--password", "mat-khau-dai"])
    assert again.exit_code != 0 and "đã có người dùng" in again.output
    elsewhere = runner.invoke(args=["create-user", "thuky", "--role", "secretary", "--organisation", "Phường X",
                                    "--password", "mat-khau-dai"])
    assert elsewhere.exit_code != 0 and "Thị xã Hồng Lĩnh" in elsewhere.output


def test_sign_out_ends_the_session_even_for_a_replayed_cookie(app, make_user) -> None:
    user = make_user(SECRETARY)
    client = app.test_client()
    assert login(client, user).status_code == 302
    stolen = client.get_cookie("session").value
    page = client.get("/contests/")
    assert page.status_code == 200 and user.full_name in page.get_data(as_text=True)  # really signed in
    before = app.test_client()
    before.set_cookie("session", stolen)
    assert before.get("/contests/").status_code == 200  # the copied cookie works until sign-out…
    client.post("/auth/logout", data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/contests/").status_code == 302  # …and not after


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


def _login_remembered(client, user):
    """Sign in with "Ghi nhớ đăng nhập" ticked, as the form sends it."""
    html = client.get("/auth/login").get_data(as_text=True)
    return client.post("/auth/login", data={"csrf_token": csrf_token_from(html), "username": user.username,
                                            "password": PASSWORD, "remember": "y"})


def test_remember_me_keeps_the_session_across_a_restart_within_the_limits(app, make_user) -> None:
    user = make_user(SECRETARY)
    client = app.test_client()
    response = _login_remembered(client, user)
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert not any(c.startswith("remember_token=") and "Expires" in c and "1970" not in c for c in cookies)
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "Expires=" in session_cookie  # survives the browser restarting...
    import time
    from email.utils import parsedate_to_datetime

    expires = parsedate_to_datetime(session_cookie.split("Expires=")[1].split(";")[0]).timestamp()
    assert expires - time.time() <= app.config["SESSION_MAX_SECONDS"] + 5  # ...but not the 12-hour limit
    assert client.get("/contests/").status_code == 200
    app.config["SESSION_IDLE_SECONDS"] = -1
    expired = client.get("/contests/")
    assert expired.status_code == 302 and "/auth/login" in expired.headers["Location"]
    app.config["SESSION_IDLE_SECONDS"] = 2 * 3600
    assert client.get("/contests/").status_code == 302  # and it stays signed out


def test_a_remember_cookie_from_an_earlier_release_no_longer_signs_in(app, make_user) -> None:
    from flask_login.utils import encode_cookie

    user = make_user(SECRETARY)
    client = app.test_client()
    with app.test_request_context():
        legacy = encode_cookie(user.get_id())
    client.set_cookie("remember_token", legacy)
    first = client.get("/contests/")
    assert first.status_code == 302 and "/auth/login" in first.headers["Location"]
    assert any(c.startswith("remember_token=;") for c in first.headers.getlist("Set-Cookie"))  # deleted
    client.set_cookie("remember_token", legacy)  # a browser that kept it anyway is refused again
    assert client.get("/contests/").status_code == 302


def test_sign_in_failed_sign_in_and_sign_out_are_audited(app, client, make_user) -> None:
    from sqlalchemy import select

    from contest.audit import verify_chain
    from contest.audit.models import AuditLog
    from contest.db import db

    user = make_user(SECRETARY)
    login(client, user, password="khong-dung")
    login(client, make_user(JUDGE), password="sai")  # another account, also refused
    html = client.get("/auth/login").get_data(as_text=True)
    client.post("/auth/login", data={"csrf_token": csrf_token_from(html), "username": "khong-ai-ca", "password": "x"})
    assert login(client, user).status_code == 302
    token = csrf_token_from(client.get("/contests/").get_data(as_text=True))
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    records = db.session.scalars(select(AuditLog).where(AuditLog.action.like("auth.%")).order_by(AuditLog.id)).all()
    assert [r.action for r in records] == ["auth.sign_in_failed"] * 3 + ["auth.sign_in", "auth.sign_out"]
    assert records[0].actor_id is None and records[0].after["username"] == user.username
    assert records[2].object_id is None and records[2].after["username"] == "khong-ai-ca"
    assert records[3].actor_id == user.id == records[4].actor_id and records[3].after["address"]
    assert verify_chain() is None


def test_one_address_trying_many_names_is_throttled(app, client, make_user) -> None:
    app.config["LOGIN_ADDRESS_RATE_LIMIT"] = "3 per 10 minutes"
    users = [make_user(PARTICIPANT) for _ in range(5)]
    codes = [login(client, u, password="sai-mat-khau").status_code for u in users]
    assert codes == [200, 200, 200, 429, 429]  # each name tried once, the address four times
    assert login(client, users[0]).status_code == 429  # the right password too, until the window passes


def test_an_unknown_name_costs_a_password_check_too(app, client, monkeypatch) -> None:
    import contest.accounts.auth

    checked: list[str] = []
    real = contest.accounts.auth.check_password_hash
    monkeypatch.setattr(contest.accounts.auth, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    html = client.get("/auth/login").get_data(as_text=True)
    client.post("/auth/login", data={"csrf_token": csrf_token_from(html), "username": "khong-co", "password": "x"})
    assert checked == [contest.accounts.auth._DECOY_HASH] and checked[0].startswith("scrypt:")
