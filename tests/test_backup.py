"""Backups of a live SQLite database, restores, and the audit chain from the command line."""
from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from contest.db import db
from contest.registry.models import RegistryItem
from contest.registry.operations import RegistryData, add_registry_item


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="SQLite's online backup; PostgreSQL uses pg_dump")
def test_backup_taken_during_writes_restores_consistently(app, runner, make_user, tmp_path: Path) -> None:
    user = make_user("secretary")
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        with app.app_context():
            while not stop.is_set() and len(written) < 400:
                add_registry_item(user_in(db), RegistryData(title=f"Sáng kiến {len(written)}"))
                db.session.commit()
                written.append(1)
            db.session.remove()

    def user_in(database):  # the writer's own copy of the user, in its own session
        return database.session.get(type(user), user.id)

    thread = threading.Thread(target=writer)
    thread.start()
    while len(written) < 20:
        pass
    target = tmp_path / "backup.db"
    result = runner.invoke(args=["backup", str(target)])
    stop.set()
    thread.join(timeout=60)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        in_backup = copy.execute("SELECT count(*) FROM registry_item").fetchone()[0]
        audits = copy.execute("SELECT count(*) FROM audit_log WHERE action = 'registry.add'").fetchone()[0]
    assert 20 <= in_backup <= len(written) and audits == in_backup  # each item with its audit record: consistent
    db.session.commit()
    assert db.session.scalar(select(func.count(RegistryItem.id))) == len(written)

    db.session.remove()
    restored = runner.invoke(args=["restore", str(target), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert db.session.scalar(select(func.count(RegistryItem.id))) == in_backup
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_audit_verify_names_the_broken_record(app, runner, make_user) -> None:
    user = make_user("secretary")
    for i in range(3):
        add_registry_item(user, RegistryData(title=f"Sáng kiến {i}"))
    db.session.commit()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "toàn vẹn" in ok.output
    db.session.execute(db.text("UPDATE audit_log SET action = 'registry.remove' WHERE id = 2"))
    db.session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code != 0 and "#2" in broken.output


def test_backup_refuses_postgresql_and_missing_files(runner, tmp_path: Path) -> None:
    from contest.backup import backup, restore
    from contest.errors import OperationError

    with pytest.raises(OperationError, match="pg_dump"):
        backup("postgresql+psycopg://u@h/db", tmp_path / "x.db")
    with pytest.raises(OperationError, match="không tìm thấy"):
        restore("sqlite:///" + str(tmp_path / "a.db"), tmp_path / "missing.db")
