"""Background jobs: queued in the database, claimed atomically, run with visible progress.

A job is claimed by one UPDATE ... WHERE status = 'queued', so two threads or two worker
processes never run the same job. Progress is written on its own short transaction so the
job's own work stays all-or-nothing. A claim is a lease: while the job runs, a heartbeat renews
it every HEARTBEAT_SECONDS; a running job whose heartbeat is older than LEASE_SECONDS belonged
to a process that died, and any worker puts it back in the queue; a handler that commits as it
goes (an import, in batches) resumes after what it committed, so running it again adds no row twice.

The person who started a job can ask it to stop (`request_stop`). A handler that can stop looks
at `stop_requested` between its steps and raises `Stopped` with what it did; the modes it offers
(keep what was done, or undo it) are declared with the handler, in STOP_MODES.
"""
from __future__ import annotations

import os
import socket
import threading
from datetime import timedelta
from typing import Any, Callable, NamedTuple, Optional

from flask import Flask, current_app
from flask_babel import gettext
from sqlalchemy import select, update

from contest import audit
from contest.accounts.models import User
from contest.db import db, utcnow, write_transaction
from contest.errors import OperationError
from contest.jobs.models import (
    JOB_CANCELLED,
    JOB_DONE,
    JOB_FAILED,
    JOB_QUEUED,
    JOB_RUNNING,
    Job,
)
from contest.notices import delivery
from contest.notices import operations as notices

Progress = Callable[[int, int], None]
Handler = Callable[[Job, Optional[User], Progress], dict]
HANDLERS: dict[str, Handler] = {}
# How a job of each kind can be stopped: keep what it did, undo it, or both (none: it cannot stop).
STOP_MODES: dict[str, tuple[str, ...]] = {}


def handler(kind: str, stops: tuple[str, ...] = ()) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of a kind, and the ways it can be stopped."""

    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        STOP_MODES[kind] = stops
        return fn

    return register


class Stopped(Exception):
    """Raised by a handler that stopped because it was asked to; `result` is what it did."""

    def __init__(self, result: dict) -> None:
        super().__init__("stopped")
        self.result = result


def request_stop(actor: User, job: Job, mode: str) -> None:
    """Ask a queued or running job to stop, keeping (CANCEL_KEEP) or undoing (CANCEL_UNDO) its work."""
    if mode not in STOP_MODES.get(job.kind, ()):
        raise OperationError(gettext("Tác vụ này không dừng được theo cách đã chọn."), "mode")
    if job.finished:
        raise OperationError(gettext("Tác vụ đã kết thúc; không còn gì để dừng."), "mode")
    if job.cancel:
        raise OperationError(gettext("Đã yêu cầu dừng tác vụ này; hãy chờ nó dừng."), "mode")
    job.cancel = mode
    db.session.flush()
    audit.record(actor, "job.stop", "job", job.id, None, {"kind": job.kind, "mode": mode})


def stop_requested(job_id: int) -> str:
    """The stop mode asked for the job ("" if none), read afresh from the database."""
    with db.engine.connect() as conn:
        return conn.scalar(select(Job.cancel).where(Job.id == job_id)) or ""


def enqueue(actor: Optional[User], kind: str, payload: dict[str, Any]) -> Job:
    """Queue a job (audited); the caller commits, then calls start()."""
    organisation = getattr(actor, "organisation", None)
    job = Job(kind=kind, payload=payload, created_by_id=getattr(actor, "id", None), status=JOB_QUEUED,
              organisation_id=getattr(organisation, "id", None))
    db.session.add(job)
    db.session.flush()
    audit.record(actor, "job.enqueue", "job", job.id, None, {"kind": kind})
    return job


def worker_name() -> str:
    """Who claims a job: host, process and thread."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


LEASE_SECONDS = 300
HEARTBEAT_SECONDS = 30


def claim(job_id: int) -> bool:
    """Take a queued job for this worker; False when someone else has it."""
    now = utcnow()
    with write_transaction(), db.engine.begin() as conn:
        taken = conn.execute(
            update(Job).where(Job.id == job_id, Job.status == JOB_QUEUED)
            .values(status=JOB_RUNNING, claimed_by=worker_name(), started_at=now, heartbeat_at=now)
        ).rowcount
    return taken == 1


def _beat(job_id: int) -> None:
    with write_transaction(), db.engine.begin() as conn:
        conn.execute(update(Job).where(Job.id == job_id, Job.status == JOB_RUNNING).values(heartbeat_at=utcnow()))


def reclaim_expired() -> list[int]:
    """Put back in the queue the running jobs whose heartbeat stopped (their process died); their ids."""
    stale = utcnow() - timedelta(seconds=LEASE_SECONDS)
    with write_transaction(), db.engine.begin() as conn:
        ids = list(conn.scalars(select(Job.id).where(Job.status == JOB_RUNNING, Job.heartbeat_at < stale)))
        if ids:
            conn.execute(update(Job).where(Job.id.in_(ids), Job.status == JOB_RUNNING, Job.heartbeat_at < stale)
                         .values(status=JOB_QUEUED, claimed_by="", heartbeat_at=None, done=0))
    return ids


def _set_progress(job_id: int, done: int, total: int) -> None:
    with write_transaction(), db.engine.begin() as conn:
        conn.execute(update(Job).where(Job.id == job_id).values(done=done, total=total))


def set_phase(job_id: int, phase: str) -> None:
    """Name the step a running job is at (its page says it), until its result replaces it."""
    with write_transaction(), db.engine.begin() as conn:
        conn.execute(update(Job).where(Job.id == job_id).values(result={"phase": phase}))


def run(job_id: int) -> None:
    """Claim and run one job in the current app context; the outcome is stored on the job."""
    if not claim(job_id):
        return
    job = db.session.get(Job, job_id)
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    # The job acts for the organisation it was started in, whichever the person switches to meanwhile.
    membership = next((m for m in actor.memberships if m.organisation_id == job.organisation_id), None) if actor else None
    if membership is not None:
        actor.act_as(membership)
    last = {"done": -1}

    def progress(done: int, total: int) -> None:
        # At most ~200 writes per job, however many rows it has.
        if done == total or done - last["done"] >= max(total // 200, 1):
            last["done"] = done
            _set_progress(job_id, done, total)

    app = current_app._get_current_object()
    stop = threading.Event()

    def heartbeat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            with app.app_context():
                _beat(job_id)

    beating = threading.Thread(target=heartbeat, name=f"job-{job_id}-heartbeat", daemon=True)
    beating.start()
    try:
        result = HANDLERS[job.kind](job, actor, progress)
        with write_transaction():
            db.session.execute(update(Job).where(Job.id == job_id)
                               .values(status=JOB_DONE, result=result, finished_at=utcnow()))
            db.session.commit()
    except Stopped as stopped:
        db.session.rollback()
        with write_transaction(), db.engine.begin() as conn:
            conn.execute(update(Job).where(Job.id == job_id)
                         .values(status=JOB_CANCELLED, result=stopped.result, finished_at=utcnow()))
    except Exception as exc:  # a job must end as failed, never hang as running
        db.session.rollback()
        message = exc.message if isinstance(exc, OperationError) else gettext("Lỗi hệ thống khi chạy tác vụ.")
        if not isinstance(exc, OperationError):
            current_app.logger.exception("Job %s failed", job_id)
        with write_transaction(), db.engine.begin() as conn:
            conn.execute(update(Job).where(Job.id == job_id)
                         .values(status=JOB_FAILED, error=message, finished_at=utcnow()))
    finally:
        stop.set()
    notices.job_finished(job_id)


def start(app: Flask, job_id: int) -> None:
    """Run the job in a background thread; with JOBS_INLINE (tests) wait for it.

    Call it after committing, and pass the id, not the job: touching an expired row would
    open a new transaction, which in a POST request holds SQLite's write lock.
    """

    def target() -> None:
        with app.app_context():
            run(job_id)
            db.session.remove()

    # Always a thread of its own, outside the request that queued it; tests simply wait for it.
    thread = threading.Thread(target=target, name=f"job-{job_id}", daemon=True)
    thread.start()
    if app.config.get("JOBS_INLINE"):
        thread.join()


class Watcher(NamedTuple):
    """The job watcher's thread, and the event that ends it (close: end it and wait for it)."""

    stop: threading.Event
    thread: threading.Thread

    def close(self) -> None:
        self.stop.set()
        self.thread.join()


def watch(app: Flask, interval: float = HEARTBEAT_SECONDS) -> Watcher:
    """A thread of the server that does what `sangkien worker` does: every `interval` seconds it
    runs the jobs left queued and takes over those whose process died (after a restart, say)."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                run_pending(app)
            except Exception:  # logged; the next look tries again
                app.logger.exception("The job watcher failed")
            stop.wait(interval)

    thread = threading.Thread(target=loop, name="job-watcher", daemon=True)
    thread.start()
    return Watcher(stop, thread)


def run_pending(app: Flask) -> int:
    """Run every queued job, and those whose process died, then send the notices' e-mails that are
    due (the `sangkien worker` loop)."""
    count = 0
    with app.app_context():
        reclaim_expired()
        ids = db.session.scalars(select(Job.id).where(Job.status == JOB_QUEUED).order_by(Job.id)).all()
    for job_id in ids:
        with app.app_context():
            run(job_id)
            db.session.remove()
        count += 1
    delivery.deliver_due(app, worker_name())
    return count
