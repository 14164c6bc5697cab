"""The demo data and the audit chain it leaves."""
from __future__ import annotations

from sqlalchemy import func, select

from contest import audit
from contest.accounts.models import Membership, User
from contest.audit.models import AuditLog
from contest.contests.models import Contest
from contest.db import db
from contest.entries.models import Entry
from contest.registry.models import RegistryItem
from contest.screening.models import DuplicateFlag
from judging.models import ScoreSheet


def test_demo_loads_a_realistic_contest_once(runner) -> None:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "bantochuc" in result.output and "sangkien2024" in result.output
    assert db.session.scalar(select(func.count(User.id))) >= 8
    assert {r for (r,) in db.session.execute(select(Membership.role).distinct())} == {"admin", "secretary", "judge", "participant"}
    assert db.session.scalar(select(func.count(RegistryItem.id))) >= 30
    assert db.session.scalar(select(func.count(Entry.id))) >= 12
    assert db.session.scalar(select(func.count(DuplicateFlag.id))) >= 3
    assert db.session.scalar(select(func.count(ScoreSheet.id)).where(ScoreSheet.status == "submitted")) >= 5
    statuses = {c.status for c in db.session.scalars(select(Contest))}
    assert statuses == {"judging", "open"}
    from judging.models import PanelMember

    chair = db.session.scalar(select(PanelMember).filter_by(is_chair=True))
    assert chair is not None and chair.judge.username == "giamkhao1"  # the panel has a chair to try the chair's page
    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0 and "không nạp" in again.output
    assert db.session.scalar(select(func.count(Entry.id))) >= 12 and runner.invoke(args=["demo"]).exit_code != 0


def test_audit_chain_detects_tampering(runner) -> None:
    runner.invoke(args=["demo"])
    assert audit.verify_chain() is None
    record = db.session.scalars(select(AuditLog).order_by(AuditLog.id).offset(5)).first()
    record.after = {"tampered": True}
    db.session.commit()
    assert audit.verify_chain() == record.id
