"""The Alembic migrations build exactly the schema the models describe."""
from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select, text

from contest.audit.models import AuditLog
from contest.db import db, init_db


def test_upgrade_from_empty_matches_the_models(app) -> None:
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    init_db()
    try:
        assert "alembic_version" in inspect(db.engine).get_table_names()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], diff
        init_db()  # running it again changes nothing
    finally:
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


OLD_CONTEST = text(
    "INSERT INTO contest (title, year, fields, submission_deadline, judging_deadline, threshold, forward_count, "
    "prize_first, prize_second, prize_third, prize_consolation, blind, assignment_mode, judges_per_entry, aggregation, "
    "score_step, acceptance_rule, vote_share, community_vote, panel_weight, vote_weight, status, created_at) VALUES "
    "('Sáng kiến phường Trung Lương năm 2024', 2024, '[]', '2024-05-01', '2024-06-01', 50, 3, 1, 1, 1, 1, false, "
    "'all', 3, 'mean', 0.5, 'score', 50, false, 1, 0, 'open', '2024-01-01')")


def test_notices_written_before_their_kind_existed_get_it(app) -> None:
    """0004 marks the chair's old re-score requests as such; every other old notice was an arbitration."""
    from flask_migrate import upgrade

    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(revision="0003")
    try:
        with db.engine.begin() as conn:
            conn.execute(OLD_CONTEST)
            contest_id = conn.execute(text("SELECT id FROM contest")).scalar()
            for message in ("“A”: tổng điểm hai giám khảo chênh 30 điểm (giới hạn 15)…", "Đã yêu cầu chấm lại “B” (2 phiếu): x"):
                conn.execute(text("INSERT INTO notice (contest_id, message, created_at) VALUES (:c, :m, '2024-01-01')"),
                             {"c": contest_id, "m": message})
        upgrade()
        with db.engine.connect() as conn:
            kinds = [k for (k,) in conn.execute(text("SELECT kind FROM notice ORDER BY id"))]
        assert kinds == ["arbitration", "rescore"]
    finally:
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


PREVIOUS_DEMO = Path(__file__).parent / "data" / "demo-0006.sqlite"  # `sangkien demo` of the release before 0007


def test_a_single_ward_database_becomes_one_ward_under_a_town(tmp_path) -> None:
    """0007 on a database the previous release's demo made: every person keeps their role as a
    member of the ward, the ward owns everything there was, the audit chain still verifies, and
    the app then serves it."""
    from contest import audit, create_app
    from contest.accounts.models import TOWN, WARD, Membership, Organisation, User
    from contest.contests.models import Contest
    from contest.registry.models import RegistryItem

    path = tmp_path / "old.db"
    shutil.copy(PREVIOUS_DEMO, path)
    url = f"sqlite:///{path}"
    with sqlite3.connect(path) as old:
        roles = dict(old.execute("SELECT username, role FROM user"))
        counts = {t: old.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in ("contest", "entry", "registry_item", "unit", "audit_log", "score_sheet", "attachment")}
        last_hash = old.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()[0]
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": url,
                      "UPLOAD_FOLDER": str(tmp_path / "uploads"), "INDEX_CACHE_FOLDER": "",
                      "AUDIT_KEY": (Path(__file__).parent / "data" / "demo-0006.audit_key").read_text().strip(),
                      "AUDIT_HEAD_FILE": str(tmp_path / "head.json")})
    with app.app_context():
        init_db()
        town, ward = db.session.scalars(select(Organisation).order_by(Organisation.level)).all()
        assert (town.level, ward.level, ward.parent) == (TOWN, WARD, town)
        assert ward.name == "Phường Trung Lương" and ward.authority == "Ủy ban nhân dân phường Trung Lương"
        members = {m.user.username: (m.role, m.organisation) for m in db.session.scalars(select(Membership))}
        assert members == {name: (role, ward) for name, role in roles.items()}
        assert all(u.role == roles[u.username] for u in db.session.scalars(select(User)))
        with db.engine.connect() as conn:
            for table, n in counts.items():
                assert conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar() == n, table
            for table in ("contest", "registry_item", "unit", "audit_log"):
                owners = set(conn.execute(text(f"SELECT DISTINCT organisation_id FROM {table}")).scalars())
                assert owners == {ward.id}, table
        assert {c.organisation for c in db.session.scalars(select(Contest))} == {ward}
        assert db.session.scalar(select(func.count(RegistryItem.id))) == counts["registry_item"]
        assert audit.verify_chain() is None
        assert db.session.scalar(select(AuditLog.hash).order_by(AuditLog.id.desc()).limit(1)) == last_hash
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], diff
    client = app.test_client()
    page = client.get("/auth/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    client.post("/auth/login", data={"username": "thuky", "password": "sangkien2024", "csrf_token": token})
    contests = client.get("/contests/").get_data(as_text=True)
    assert "phường Trung Lương năm 2025" in contests and "Phường Trung Lương" in contests


def test_0007_on_this_database_engine(app) -> None:
    """The same conversion on the engine under test (PostgreSQL with `make test-pg`): rows of
    0006 become the ward's, roles become memberships, unit names stay unique per organisation."""
    from flask_migrate import upgrade

    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(revision="0006")
    try:
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO unit (name) VALUES ('Văn phòng')"))
            conn.execute(text(
                "INSERT INTO \"user\" (username, full_name, role, position, unit_id, password_hash, active, "
                "session_token, created_at, language) VALUES ('thuky', 'Trần Thu', 'secretary', '', "
                "(SELECT id FROM unit), 'x', true, 't', '2024-01-01', 'vi')"))
            conn.execute(OLD_CONTEST)
        upgrade()
        with db.engine.connect() as conn:
            levels = dict(conn.execute(text("SELECT level, name FROM organisation")).all())
            ward_id = conn.execute(text("SELECT id FROM organisation WHERE level = 'ward'")).scalar()
            assert levels == {"town": "Thị xã (chưa đặt tên)", "ward": "Phường Trung Lương"}
            assert conn.execute(text("SELECT role, organisation_id FROM membership")).all() == [("secretary", ward_id)]
            for table in ("unit", "contest"):
                assert conn.execute(text(f"SELECT organisation_id FROM {table}")).scalars().all() == [ward_id]
            town_id = conn.execute(text("SELECT id FROM organisation WHERE level = 'town'")).scalar()
        with db.engine.begin() as conn:  # the same unit name in another organisation is allowed now
            conn.execute(text("INSERT INTO unit (name, organisation_id) VALUES ('Văn phòng', :t)"), {"t": town_id})
    finally:
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
