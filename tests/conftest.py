"""Fixtures: an app with a fresh database per test, clients signed in as each role, factories."""
from __future__ import annotations

import os
from datetime import timedelta
from typing import Any, Callable, Iterator

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient

from contest import create_app, normalize_database_url
from contest.accounts.models import (
    ADMIN,
    JUDGE,
    PARTICIPANT,
    SECRETARY,
    TOWN,
    WARD,
    Membership,
    Organisation,
    Unit,
    User,
)
from contest.accounts.naming import document_names
from contest.contests.models import Contest, Criterion
from contest.db import create_tables, db, utcnow
from contest.entries.models import Entry
from contest.registry.models import RegistryItem
from contest.screening import duplicates

PASSWORD = "matkhau-123"


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    The `app` fixture keeps one context pushed for the test's own queries; without this,
    requests would share its `g` (Flask-Login's user, Flask-WTF's token) and its session.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        # End the test's own transaction so its next query sees what the request committed
        # (an SQLite read transaction keeps the snapshot it began with).
        if has_app_context():  # not in a thread of a concurrency test
            db.session.commit()
        return response


@pytest.fixture
def app(tmp_path: Any) -> Iterator[Flask]:
    """An app on a fresh SQLite file (or TEST_DATABASE_URL, emptied first)."""
    url = normalize_database_url(os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.db'}")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "INDEX_CACHE_FOLDER": str(tmp_path / "index-cache"),
            "AUDIT_KEY": "test-audit-key",
            "AUDIT_HEAD_FILE": str(tmp_path / "audit-head.json"),
            "JOBS_INLINE": True,
        }
    )
    app.test_client_class = IsolatedClient
    # A fresh database is what a new process sees: no matcher index kept from an earlier test
    # (on PostgreSQL every test reuses one URL, the key of the in-process index).
    duplicates._cache.clear()
    with app.app_context():
        if os.environ.get("TEST_DATABASE_URL"):
            _empty_database()
        create_tables()
        yield app
        db.session.remove()
        if os.environ.get("TEST_DATABASE_URL"):
            _empty_database()
        db.engine.dispose()  # each test's pool closes its connections now, not whenever it is collected


def _empty_database() -> None:
    """Drop the models' tables and Alembic's version table: a revision an earlier test's migrations
    left behind would make `init-db` upgrade tables create_all() has just made."""
    from sqlalchemy import text

    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """An anonymous test client (CSRF on, as in production)."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    """A runner for the app's CLI commands."""
    return app.test_cli_runner()


@pytest.fixture
def no_csrf(app: Flask) -> None:
    """Turn CSRF off for tests that are about something else."""
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def town(app: Flask) -> Organisation:
    """The town every test's ward belongs to."""
    town = Organisation(name="Thị xã Hồng Lĩnh", level=TOWN, **document_names("Thị xã Hồng Lĩnh"))
    db.session.add(town)
    db.session.commit()
    return town


@pytest.fixture
def ward(town: Organisation) -> Organisation:
    """The ward the tests' people, contests and registry belong to unless said otherwise."""
    ward = Organisation(name="Phường Trung Lương", level=WARD, parent=town, **document_names("Phường Trung Lương"))
    db.session.add(ward)
    db.session.commit()
    return ward


@pytest.fixture
def make_user(ward: Organisation) -> Callable[..., User]:
    """Factory: a user with a role in an organisation (the ward unless given), a unit and the
    shared test password."""
    counter = {"n": 0}
    ward_id = ward.id  # read now: a job's session may call this while the test's session is idle

    def make(role: str = PARTICIPANT, username: str | None = None, unit: Unit | None = None,
             organisation: Organisation | None = None, **kw: Any) -> User:
        counter["n"] += 1
        user = User(
            username=username or f"{role}{counter['n']}",
            full_name=kw.pop("full_name", f"Người dùng {role} {counter['n']}"),
            unit=unit,
            **kw,
        )
        user.memberships.append(Membership(organisation_id=organisation.id if organisation else ward_id, role=role))
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_contest(ward: Organisation) -> Callable[..., Contest]:
    """Factory: an open contest of the ward (unless given) with the default rubric and deadlines in the future."""

    ward_id = ward.id  # read now: a job's session may call this while the test's session is idle

    def make(**kw: Any) -> Contest:
        now = utcnow()
        organisation = kw.pop("organisation", None)
        contest = Contest(
            organisation_id=organisation.id if organisation else ward_id,
            title=kw.pop("title", "Sáng kiến, giải pháp CCHC phường Trung Lương năm 2024"),
            year=kw.pop("year", 2024),
            fields=kw.pop("fields", ["Cải cách TTHC", "Chính quyền số", "Tuyên truyền CCHC"]),
            submission_deadline=kw.pop("submission_deadline", now + timedelta(days=10)),
            judging_deadline=kw.pop("judging_deadline", now + timedelta(days=20)),
            **kw,
        )
        for pos, (code, name, max_points) in enumerate(
            [("novelty", "Tính mới", 40), ("usefulness", "Tính hữu ích, hiệu quả", 35), ("replicability", "Khả năng nhân rộng", 25)]
        ):
            contest.criteria.append(Criterion(code=code, name=name, max_points=max_points, position=pos))
        db.session.add(contest)
        db.session.commit()
        return contest

    return make


@pytest.fixture
def make_entry(app: Flask) -> Callable[..., Entry]:
    """Factory: an entry of a contest by an author, submitted unless said otherwise."""

    def make(contest: Contest, author: User, **kw: Any) -> Entry:
        entry = Entry(
            contest=contest,
            author=author,
            unit_id=author.unit_id,
            title=kw.pop("title", "Ứng dụng mã QR tra cứu hồ sơ"),
            field=kw.pop("field", contest.fields[0]),
            situation=kw.pop("situation", "Người dân phải đến nhiều lần để hỏi tiến độ hồ sơ."),
            solution=kw.pop("solution", "In mã QR lên giấy hẹn để tự tra cứu bằng điện thoại."),
            effect=kw.pop("effect", "Giảm 70% số cuộc gọi hỏi tiến độ."),
            status=kw.pop("status", "submitted"),
            submitted_at=kw.pop("submitted_at", utcnow()),
            **kw,
        )
        db.session.add(entry)
        db.session.commit()
        return entry

    return make


@pytest.fixture
def make_registry_item(ward: Organisation) -> Callable[..., RegistryItem]:
    """Factory: an applied initiative in the ward's registry (unless given another organisation)."""

    ward_id = ward.id

    def make(**kw: Any) -> RegistryItem:
        organisation = kw.pop("organisation", None)
        item = RegistryItem(
            organisation_id=organisation.id if organisation else ward_id,
            title=kw.pop("title", "Tổ công nghệ số cộng đồng hướng dẫn người dân nộp hồ sơ trực tuyến"),
            summary=kw.pop("summary", "Tổ công nghệ số đến từng khu dân cư hướng dẫn cài đặt VNeID."),
            unit=kw.pop("unit", "UBND phường"),
            year=kw.pop("year", 2022),
            field=kw.pop("field", "Chính quyền số"),
            **kw,
        )
        db.session.add(item)
        db.session.commit()
        return item

    return make


def login(client: FlaskClient, user: User, password: str = PASSWORD) -> Any:
    """Sign a client in through the real form, CSRF token included."""
    page = client.get("/auth/login")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(
        "/auth/login", data={"username": user.username, "password": password, "csrf_token": token}
    )


def form_value(html: str, name: str) -> str:
    """The value of the first input of that name on a page."""
    import re

    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag, f"no input named {name} on the page"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    return form_value(html, "csrf_token")


@pytest.fixture
def signed_in(app: Flask, make_user: Callable[..., User]) -> Callable[..., tuple[FlaskClient, User]]:
    """Factory: a fresh client signed in as a new user of the role (or as the given user)."""

    def make(role: str = PARTICIPANT, user: User | None = None, **kw: Any) -> tuple[FlaskClient, User]:
        user = user or make_user(role, **kw)
        c = app.test_client()
        response = login(c, user)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return c, user

    return make


def post_form(client: FlaskClient, url: str, data: dict[str, Any] | None = None, page: str | None = None, **kw: Any) -> Any:
    """POST like a browser: fetch the page (or url) for its CSRF token, then submit."""
    html = client.get(page or url).get_data(as_text=True)
    payload = dict(data or {})
    payload.setdefault("csrf_token", csrf_token_from(html))
    return client.post(url, data=payload, **kw)


def accept_fewer_sheets(contest: Any, reason: str = "Giám khảo vắng mặt, Ban giám khảo thống nhất xếp hạng") -> list[int]:
    """For tests that close a round on purpose with fewer sheets than the minimum: the panel's chair (its first
    member made chair when it has none) accepts every such entry with a reason. The waived entry ids."""
    from judging.operations import waive_shortfalls
    from judging.queries import panel_members, panel_shortfalls
    members = panel_members(contest)
    chair = next((m for m in members if m.is_chair), None)
    if chair is None:
        chair = members[0]
        chair.is_chair = True
        db.session.flush()
    if not panel_shortfalls(contest, closing=True).unwaived:
        return []
    return [w.entry_id for w in waive_shortfalls(chair.judge, contest, reason)]


__all__ = ["accept_fewer_sheets", "ADMIN", "SECRETARY", "JUDGE", "PARTICIPANT", "login", "post_form", "csrf_token_from", "form_value", "PASSWORD"]
