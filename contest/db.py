"""Database handle: the declarative base with stable constraint names, and init-db."""
from __future__ import annotations

import importlib
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterator, Optional

from flask import current_app, g, has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every model; the naming convention keeps migration names stable."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    """Current time in UTC without tzinfo: every timestamp is stored this way."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


@contextmanager
def write_transaction() -> Iterator[None]:
    """Outside a request (jobs, commands): the transactions begun inside take SQLite's write lock first."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def reads_only(view: Any) -> Any:
    """Mark a view whose POST changes nothing in the database (signing in): it need not queue for the
    write lock, and must not hold it through a slow password check while every save waits."""
    view.reads_only = True
    return view


def _wants_write_lock() -> bool:
    """A request that may change state (not GET/HEAD/OPTIONS, nor a `reads_only` view, nor one that
    only renders an error now: g.reads_only), or code inside write_transaction()."""
    if _write_intent.get():
        return True
    if not has_request_context() or request.method in ("GET", "HEAD", "OPTIONS") or g.get("reads_only"):
        return False
    return not getattr(current_app.view_functions.get(request.endpoint or ""), "reads_only", False)


# How long a SQLite writer waits for another's write lock before its request is refused (503).
SQLITE_BUSY_MS = 10_000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:  # type: ignore[no-untyped-def]
    """Foreign keys on, WAL and a busy timeout for SQLite: several judges save at once."""
    if "sqlite" not in type(dbapi_connection).__module__:
        return
    # We issue BEGIN ourselves (below): pysqlite's implicit BEGIN would be a deferred one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_MS)}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
    """A write takes the lock at its start: in WAL mode a deferred transaction that reads and then
    writes fails at once with "database is locked" whatever the busy timeout, while BEGIN IMMEDIATE
    waits its turn."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write_lock() else "BEGIN")


@event.listens_for(Session, "after_commit")
def _reads_after_commit(session: Session) -> None:
    """Once a request has committed its change, what it reads next (the redirect's id, the user for
    the response) must not queue for SQLite's write lock: a writer that took it meanwhile (an
    import's batch) would make a saved change answer with an error."""
    if has_request_context():
        g.reads_only = True


# Every module that declares tables, each area's below the ones it refers to.
MODEL_MODULES = (
    "contest.accounts.models", "contest.contests.models", "contest.entries.models", "contest.registry.models",
    "contest.screening.models", "contest.audit.models", "contest.jobs.models", "contest.forms", "judging.models",
    "contest.notices.models",
)


def register_models() -> None:
    """Import every model module so the metadata knows all tables."""
    for name in MODEL_MODULES:
        importlib.import_module(name)


def create_tables() -> None:
    """Create the tables straight from the models (the tests' fast path)."""
    register_models()
    db.create_all()


@dataclass(frozen=True)
class SchemaState:
    """Where the database stands against the migrations: `current` None with no tables is an empty
    database; `untracked` tables were made by create_all() without Alembic's version table."""

    current: Optional[str]
    head: str
    untracked: bool = False

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head and not self.untracked


def _alembic_config() -> Any:
    """Flask-Migrate's Alembic configuration, marked quiet: migrations/env.py then leaves logging
    alone (no INFO lines in English; the command says in Vietnamese what it does)."""
    config = current_app.extensions["migrate"].migrate.get_config()
    config.attributes["quiet"] = True
    return config


def schema_state() -> SchemaState:
    """The database's revision and the newest one."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect

    register_models()
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head() or ""
    tables = set(inspect(db.engine).get_table_names())
    if tables and "alembic_version" not in tables:
        return SchemaState(None, head, untracked=True)
    with db.engine.connect() as connection:
        return SchemaState(MigrationContext.configure(connection).get_current_revision(), head)


def init_db() -> None:
    """Bring the database to the newest schema with the Alembic migrations in migrations/."""
    from alembic import command

    state = schema_state()
    if state.untracked:
        # Tables made by create_all() from these same models (tests, early installs): adopt them.
        command.stamp(_alembic_config(), "head")
    elif not state.up_to_date:
        command.upgrade(_alembic_config(), "head")
