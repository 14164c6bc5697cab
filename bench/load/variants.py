"""Variants of the app for the load test only: how long do requests hold SQLite's write lock, and
what would shorten the queue for it?

Each factory builds the real app (`contest.create_app`) and replaces the engine's `begin` hook
(`contest.db._sqlite_begin`) by one that behaves the same except for the change named:

    run.py --db sqlite --app 'variants:timed()'          # the app as it is, lock times logged
    run.py --db sqlite --app 'variants:login_reads()'
    run.py --db sqlite --app 'variants:queued_writers()'
    run.py --db sqlite --app 'variants:both()'

* `timed`: no change; every write transaction appends its endpoint, the time it waited for the
  lock (BEGIN IMMEDIATE) and the time it held it to `$BENCH_LOCK_LOG.<pid>` (JSON lines).
* `login_reads`: the sign-in POST begins a plain (deferred) transaction: it only reads the user,
  so it need not hold the write lock while the password's scrypt hash is checked (~90 ms CPU).
* `queued_writers`: writers wait for each other on an exclusive `flock` of `<db>.writers` before
  `BEGIN IMMEDIATE`, released when the transaction ends. The kernel wakes the next waiter at
  once, where SQLite's busy handler polls with sleeps growing to 100 ms.

Every variant logs lock times when BENCH_LOCK_LOG is set. Never deploy these: they measure.
"""
from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from typing import Any

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

import contest.db as contest_db
from contest import create_app

_held = threading.local()


def _endpoint() -> str:
    return f"{request.method} {request.endpoint}" if has_request_context() else "(no request)"


def _lock_file(conn: Any) -> int:
    fd = getattr(_held, "fd", None)
    if fd is None:
        _held.fd = fd = os.open(conn.engine.url.database + ".writers", os.O_RDWR | os.O_CREAT, 0o600)
    return fd


def _release(*_: Any) -> None:
    """The write transaction ended: log how long it held the lock, let the next writer in."""
    began = getattr(_held, "began", None)
    if began is None:
        return
    _held.began = None
    if getattr(_held, "flocked", False):
        fcntl.flock(_held.fd, fcntl.LOCK_UN)
        _held.flocked = False
    path = os.environ.get("BENCH_LOCK_LOG")
    if path:
        with open(f"{path}.{os.getpid()}", "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"endpoint": _held.endpoint, "wait_ms": round(_held.wait_ms, 2),
                                 "hold_ms": round((time.perf_counter() - began) * 1000, 2)}) + "\n")


def _variant(login_reads: bool = False, queued: bool = False) -> Flask:
    """The app with the engine's `begin` hook replaced by one with these changes."""
    event.remove(Engine, "begin", contest_db._sqlite_begin)

    @event.listens_for(Engine, "begin")
    def _begin(conn: Any) -> None:
        if conn.dialect.name != "sqlite":
            return
        write = contest_db._wants_write_lock()
        if write and login_reads and has_request_context() and request.endpoint == "auth.login":
            write = False
        if not write:
            conn.exec_driver_sql("BEGIN")
            return
        start = time.perf_counter()
        if queued:
            fcntl.flock(_lock_file(conn), fcntl.LOCK_EX)
            _held.flocked = True
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        _held.began, _held.endpoint = time.perf_counter(), _endpoint()
        _held.wait_ms = (_held.began - start) * 1000

    for name in ("after_commit", "after_rollback"):
        event.listen(Session, name, _release)
    # A request that never commits (a sign-in, a refused form) ends its transaction when the
    # session is removed, which rolls the connection back without the ORM's after_rollback.
    event.listen(Engine, "rollback", _release)
    return create_app()


def timed() -> Flask:
    return _variant()


def login_reads() -> Flask:
    return _variant(login_reads=True)


def queued_writers() -> Flask:
    return _variant(queued=True)


def both() -> Flask:
    return _variant(login_reads=True, queued=True)
