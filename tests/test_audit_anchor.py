"""The audit log cannot be truncated or rewritten undetected: HMAC chain, head kept outside the database."""
from __future__ import annotations

import os

from contest.audit import _digest
from contest.audit.models import AuditLog
from contest.db import db
from contest.registry.operations import RegistryData, add_registry_item


def add_items(make_user, n: int = 4) -> None:
    user = make_user("secretary")
    for i in range(n):
        add_registry_item(user, RegistryData(title=f"Sáng kiến {i}"))
        db.session.commit()  # one request each: the head moves after every commit


def test_deleting_the_last_records_is_named(app, runner, make_user) -> None:
    add_items(make_user)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    last = db.session.scalar(db.select(db.func.max(AuditLog.id)))
    db.session.execute(db.delete(AuditLog).where(AuditLog.id > last - 2))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "bị cắt" in result.output and f"#{last}" in result.output


def test_rewriting_and_rehashing_with_the_apps_old_function_is_named(app, runner, make_user) -> None:
    add_items(make_user)
    records = db.session.scalars(db.select(AuditLog).order_by(AuditLog.id)).all()
    prev = ""
    for rec in records:  # what the probe did: change a record, recompute every hash (no key at hand)
        if rec.id == records[1].id:
            rec.after = {"title": "Sửa lén"}
        rec.prev_hash = prev
        rec.hash = _digest(rec, None)
        prev = rec.hash
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "bị viết lại" in result.output


def test_a_guessed_key_does_not_rehash_the_chain(app, runner, make_user) -> None:
    add_items(make_user)
    rec = db.session.scalar(db.select(AuditLog).order_by(AuditLog.id).offset(1).limit(1))
    rec.after = {"title": "Sửa lén"}
    rec.hash = _digest(rec, b"guessed-key")
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and f"#{rec.id}" in result.output


def test_the_head_printed_for_the_operator_catches_truncation_without_the_file(app, runner, make_user) -> None:
    add_items(make_user)
    printed = runner.invoke(args=["audit", "head"])
    head = printed.output.strip().splitlines()[0]
    assert printed.exit_code == 0 and head.count(":") == 1 and len(head.split(":")[1]) == 64
    os.remove(app.config["AUDIT_HEAD_FILE"])  # whoever truncates may remove the file too
    last = db.session.scalar(db.select(db.func.max(AuditLog.id)))
    db.session.execute(db.delete(AuditLog).where(AuditLog.id == last))
    db.session.commit()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # nothing left on this server to say so…
    result = runner.invoke(args=["audit", "verify", "--head", head])  # …but the operator's copy does
    assert result.exit_code != 0 and "bị cắt" in result.output


def test_records_of_an_earlier_release_are_accepted_only_as_the_chains_start(app, make_user) -> None:
    from contest.audit import _key, verify_chain

    add_items(make_user, 4)
    recs = db.session.scalars(db.select(AuditLog).order_by(AuditLog.id)).all()
    assert len(recs) >= 4

    def rechain(plain: set[int]) -> None:
        prev = ""
        for rec in recs:
            rec.prev_hash = prev
            rec.hash = _digest(rec, None if rec.id in plain else _key())
            prev = rec.hash
        db.session.commit()

    rechain({recs[0].id, recs[1].id})  # the first two as the release before the key wrote them
    assert verify_chain() is None
    rechain({recs[0].id, recs[2].id})  # a plain record after a keyed one: forged
    assert verify_chain() == recs[2].id


def test_each_organisation_keeps_its_own_chain(app, runner, make_user, ward, town) -> None:
    """Ward and town append to separate chains; one ward's log cut short is found even though the
    town wrote after it, and a record moved to another chain breaks both."""
    from contest.accounts.models import ADMIN, Organisation
    from contest.accounts.naming import document_names
    from contest.audit import verify_chain

    other = Organisation(name="Phường Bắc Hồng", level="ward", parent=town, **document_names("Phường Bắc Hồng"))
    db.session.add(other)
    db.session.commit()
    here, there = make_user("secretary"), make_user("secretary", organisation=other)
    for i in range(3):
        for person in (here, there):
            add_registry_item(person, RegistryData(title=f"Sáng kiến {person.id}-{i}"))
            db.session.commit()
    mine = db.session.scalars(db.select(AuditLog).filter_by(organisation_id=ward.id).order_by(AuditLog.id)).all()
    theirs = db.session.scalars(db.select(AuditLog).filter_by(organisation_id=other.id).order_by(AuditLog.id)).all()
    assert [r.prev_hash for r in mine] == [""] + [r.hash for r in mine[:-1]]  # linked within the ward only
    assert [r.prev_hash for r in theirs] == [""] + [r.hash for r in theirs[:-1]]
    assert verify_chain() is None and runner.invoke(args=["audit", "verify"]).exit_code == 0
    db.session.execute(db.delete(AuditLog).where(AuditLog.id == mine[-1].id))  # the ward's tail, before the other's
    db.session.commit()
    assert mine[-1].id < theirs[-1].id and verify_chain() is None  # a shorter chain still links
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "bị cắt" in result.output and f"#{mine[-1].id}" in result.output
    moved = theirs[1]
    moved.organisation_id = ward.id
    db.session.commit()
    assert verify_chain() == moved.id
    assert make_user(ADMIN).organisation == ward  # (the fixture's ward is the acting organisation)
