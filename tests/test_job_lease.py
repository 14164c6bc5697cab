"""A job whose process died is claimed again by any worker, and its rows are added once."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from contest import jobs
from contest.accounts.models import SECRETARY
from contest.db import db, utcnow
from contest.jobs.models import JOB_DONE, JOB_RUNNING, Job
from contest.registry.models import RegistryItem
from contest.registry.tasks import REGISTRY_IMPORT


def queued_import(user, path) -> int:
    path.write_text("Tên sáng kiến\nSổ tay điện tử thủ tục đất đai\nLoa thông minh nhắc lịch tiêm\n", encoding="utf-8")
    job = jobs.enqueue(user, REGISTRY_IMPORT, {"path": str(path), "filename": path.name})
    db.session.commit()
    return job.id


def test_a_job_whose_heartbeat_stopped_runs_again_and_a_live_one_is_left_alone(app, make_user, tmp_path) -> None:
    user = make_user(SECRETARY)
    dead = queued_import(user, tmp_path / "a.csv")
    live = queued_import(user, tmp_path / "b.csv")
    long_ago = utcnow() - timedelta(seconds=jobs.LEASE_SECONDS + 60)
    db.session.execute(update(Job).where(Job.id == dead).values(  # claimed by a process that then died
        status=JOB_RUNNING, claimed_by="other-host:4242:1", started_at=long_ago, heartbeat_at=long_ago))
    db.session.execute(update(Job).where(Job.id == live).values(  # another worker's, still beating
        status=JOB_RUNNING, claimed_by="other-host:4343:1", started_at=long_ago, heartbeat_at=utcnow()))
    db.session.commit()

    assert jobs.run_pending(app) == 1
    db.session.expire_all()
    done, running = db.session.get(Job, dead), db.session.get(Job, live)
    assert done.status == JOB_DONE and done.claimed_by != "other-host:4242:1"
    assert running.status == JOB_RUNNING and running.claimed_by == "other-host:4343:1"
    # the dead process's work was never committed: the rows are there once
    assert db.session.scalar(select(func.count(RegistryItem.id))) == 2
    assert jobs.run_pending(app) == 0  # nothing left to reclaim


def test_a_running_job_renews_its_lease(app, make_user, tmp_path, monkeypatch) -> None:
    import threading

    user = make_user(SECRETARY)
    job_id = queued_import(user, tmp_path / "c.csv")
    monkeypatch.setattr(jobs, "HEARTBEAT_SECONDS", 0.05)
    beats = threading.Event()
    real_beat = jobs._beat
    monkeypatch.setattr(jobs, "_beat", lambda jid: (real_beat(jid), beats.set()))
    handler = jobs.HANDLERS[REGISTRY_IMPORT]

    def slow(job, actor, progress):  # a long import: the heartbeat keeps the claim while it works
        assert beats.wait(5), "no heartbeat while the job ran"
        return handler(job, actor, progress)

    monkeypatch.setitem(jobs.HANDLERS, REGISTRY_IMPORT, slow)
    jobs.run(job_id)
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.status == JOB_DONE and job.heartbeat_at is not None and job.heartbeat_at >= job.started_at
