"""The demo data and the audit chain it leaves."""
from __future__ import annotations

from sqlalchemy import func, select

from contest import audit
from contest.accounts.models import TOWN, Membership, Organisation, User
from contest.audit.models import AuditLog
from contest.contests.models import Contest
from contest.db import db, utcnow
from contest.demo import demo_years
from contest.entries.models import Entry
from contest.registry.models import RegistryItem
from contest.screening.models import DuplicateFlag
from judging.models import Result, ScoreSheet


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
    statuses = {(c.organisation.name, c.year, c.status) for c in db.session.scalars(select(Contest))}
    this_year, next_year = demo_years(utcnow())
    assert statuses == {("Phường Trung Lương", this_year, "judging"), ("Phường Trung Lương", next_year, "open"),
                        ("Phường Đậu Liêu", this_year, "published"), ("Phường Bắc Hồng", next_year, "open"),
                        ("Thị xã Hồng Lĩnh", this_year, "open")}
    town = db.session.scalar(select(Organisation).filter_by(level=TOWN))
    assert {o.name for o in db.session.scalars(select(Organisation).filter_by(parent_id=town.id))} == {
        "Phường Trung Lương", "Phường Đậu Liêu", "Phường Bắc Hồng"}
    judge = db.session.scalar(select(User).filter_by(username="giamkhao1"))
    assert [(m.organisation.name, m.role) for m in judge.memberships] == [("Phường Trung Lương", "judge"),
                                                                        (town.name, "judge")]
    assert {m.role for m in town_members(town)} == {"admin", "secretary", "judge", "participant"}
    for body in db.session.scalars(select(Organisation)):  # every role in every body
        assert {m.role for m in town_members(body)} == {"admin", "secretary", "judge", "participant"}, body.name
    forwarded = db.session.scalars(select(Result).filter_by(forwarded=True)).all()
    assert len(forwarded) == 2 and {r.entry.contest.organisation.name for r in forwarded} == {"Phường Đậu Liêu"}
    # …transferred into the town council's open round, each a submitted copy linked to its original.
    from judging.models import Transfer

    transfers = db.session.scalars(select(Transfer)).all()
    assert sorted(t.source_entry_id for t in transfers) == sorted(r.entry_id for r in forwarded)
    assert {(t.target_entry.contest.organisation.name, t.target_entry.status) for t in transfers} == {(town.name, "submitted")}
    assert all(t.dossier_stored_name for t in transfers)  # the ward's dossier went with them
    ward_judge = db.session.scalar(select(User).filter_by(username="dauliu_giamkhao1"))
    assert {m.organisation.name for m in ward_judge.memberships} == {"Phường Đậu Liêu", town.name}
    # The town's bank holds the same applied initiative twice, from two wards.
    twice = db.session.execute(select(RegistryItem.title, func.count(func.distinct(RegistryItem.organisation_id)))
                               .group_by(RegistryItem.title).having(func.count(func.distinct(RegistryItem.organisation_id)) > 1)).all()
    assert len(twice) >= 1
    # …and Trung Lương's screening shows Bắc Hồng's copy as "similar elsewhere", never as a flag.
    elsewhere = db.session.scalars(select(DuplicateFlag).filter_by(status="elsewhere")).all()
    assert elsewhere and {f.registry_item.organisation.name for f in elsewhere} == {"Phường Bắc Hồng"}
    assert {f.entry.contest.organisation.name for f in elsewhere} == {"Phường Trung Lương"}
    from judging.models import PanelMember

    chair = db.session.scalar(select(PanelMember).filter_by(is_chair=True).join(Contest).filter(Contest.status == "judging"))
    assert chair is not None and chair.judge.username == "giamkhao1"  # the panel has a chair to try the chair's page
    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0 and "không nạp" in again.output
    assert db.session.scalar(select(func.count(Entry.id))) >= 12 and runner.invoke(args=["demo"]).exit_code != 0


def test_the_demos_calendar_is_coherent_relative_to_today(runner) -> None:
    """Every contest's year is its deadline's, deadlines before judging deadlines, every entry submitted
    before its contest's deadline; past rounds have past deadlines, open ones future deadlines."""
    from judging.models import Publication, ScoreSheet
    from contest.timeutil import to_local

    assert runner.invoke(args=["demo"]).exit_code == 0
    now = utcnow()
    this_year, next_year = demo_years(now)
    assert this_year == to_local(now).year or to_local(now).month == 1  # the round that closed days ago
    for contest in db.session.scalars(select(Contest)):
        assert str(contest.year) in contest.title, contest.title
        assert contest.year in (this_year, next_year)
        assert contest.submission_deadline < contest.judging_deadline, contest.title
        if contest.status == "open":
            assert contest.submission_deadline > now, contest.title
        else:
            assert contest.submission_deadline < now, contest.title
            assert to_local(contest.submission_deadline).year == contest.year, contest.title
        if contest.status == "published":
            assert contest.judging_deadline < now
        for entry in contest.entries:
            if entry.submitted_at is not None and entry.transfer_in is None:
                assert entry.submitted_at <= contest.submission_deadline, (contest.title, entry.title)
    for sheet in db.session.scalars(select(ScoreSheet).where(ScoreSheet.submitted_at.is_not(None))):
        contest = sheet.entry.contest
        assert contest.submission_deadline <= sheet.submitted_at <= min(contest.judging_deadline, now), contest.title
    for publication in db.session.scalars(select(Publication)):
        contest = db.session.get(Contest, publication.contest_id)
        assert contest.judging_deadline <= publication.published_at <= now
        assert contest.meeting_at is not None and contest.meeting_at <= publication.published_at


def town_members(town: Organisation) -> list[Membership]:
    return list(db.session.scalars(select(Membership).filter_by(organisation_id=town.id)))


def test_audit_chain_detects_tampering(runner) -> None:
    runner.invoke(args=["demo"])
    assert audit.verify_chain() is None
    record = db.session.scalars(select(AuditLog).order_by(AuditLog.id).offset(5)).first()
    record.after = {"tampered": True}
    db.session.commit()
    assert audit.verify_chain() == record.id
