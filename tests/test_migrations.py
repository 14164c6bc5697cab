"""The Alembic migrations build exactly the schema the models describe."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

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


def test_notices_written_before_their_kind_existed_get_it(app, make_contest) -> None:
    """0004 marks the chair's old re-score requests as such; every other old notice was an arbitration."""
    from flask_migrate import upgrade

    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(revision="0003")
    try:
        contest = make_contest()  # the contest table is the same at 0003
        with db.engine.begin() as conn:
            for message in ("“A”: tổng điểm hai giám khảo chênh 30 điểm (giới hạn 15)…", "Đã yêu cầu chấm lại “B” (2 phiếu): x"):
                conn.execute(text("INSERT INTO notice (contest_id, message, created_at) VALUES (:c, :m, '2024-01-01')"),
                             {"c": contest.id, "m": message})
        upgrade()
        with db.engine.connect() as conn:
            kinds = [k for (k,) in conn.execute(text("SELECT kind FROM notice ORDER BY id"))]
        assert kinds == ["arbitration", "rescore"]
    finally:
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
