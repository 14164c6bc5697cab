"""The registry import, as a background job."""
from __future__ import annotations

import os
from typing import Iterable, Iterator, Optional

from sqlalchemy import func, select

from contest import jobs
from contest.accounts.models import User
from contest.db import db, write_transaction
from contest.jobs import Progress, handler
from contest.jobs.models import CANCEL_KEEP, CANCEL_UNDO, Job
from contest.matching import DEFAULT_THRESHOLD, Document, Matcher
from contest.registry import operations
from contest.registry.files import RegistryFile, open_registry_file
from contest.registry.models import RegistryItem
from contest.registry.operations import RegistryData
from contest.screening import duplicates
from contest.screening.duplicates import search_registry

REGISTRY_IMPORT = "registry_import"


# Rows per transaction: SQLite's write lock is held for a few milliseconds per batch, so a judge's
# save between two batches never waits long (bench/import.py measures it).
IMPORT_BATCH = 1000


# Up to this many rows, each is compared with the matcher, in the file and in the registry; a bigger
# file is checked for rows whose title repeats exactly (the matcher would take minutes per 10,000).
FUZZY_CHECK_ROWS = 2000


# What the report keeps of each list; the counts are always whole.
REPORT_ROWS = 1000
INDEX_PHASE = "index"


@handler(REGISTRY_IMPORT, stops=(CANCEL_KEEP, CANCEL_UNDO))
def import_registry_file(job: Job, actor: Optional[User], progress: Progress) -> dict:
    """Read the file a row at a time and add its valid rows in short batches, reporting likely
    repeats; then bring the duplicate index up to date, so the next search finds it ready.

    The person who started it can stop it, keeping or undoing the rows added so far. A run that
    fails undoes its rows. A run that takes over from a dead process skips the rows it committed.
    """
    path, filename = job.payload["path"], job.payload["filename"]
    try:
        with open(path, "rb") as fh:
            source = open_registry_file(filename, fh.read())
        report = _Report(filename)
        try:
            _add_rows(job, actor, source, report, progress)
        except jobs.Stopped:
            raise
        except Exception:
            _undo(job, actor, filename)
            raise
        jobs.set_phase(job.id, INDEX_PHASE)
        db.session.commit()
        duplicates.refresh_index(job.organisation_id, own_session=True)
        db.session.commit()  # end any read, so that the job's last write takes the lock afresh
        _stop_if_asked(job, actor, report)  # asked during the index step: every row is in, undo still can
        return report.result()
    finally:
        if os.path.exists(path):
            os.remove(path)


class _Report:
    """What an import tells the secretary: rows added, rows refused, likely repeats."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.added = 0
        self.check = "similar"
        self.lists: dict[str, list] = {"rejected": [], "duplicates_in_file": [], "duplicates_in_registry": []}
        self.counts = dict.fromkeys(self.lists, 0)

    def note(self, kind: str, item: list) -> None:
        self.counts[kind] += 1
        if len(self.lists[kind]) < REPORT_ROWS:
            self.lists[kind].append(item)

    def result(self, **extra: object) -> dict:
        return {"added": self.added, "filename": self.filename, "check": self.check, **self.lists,
                **{f"{kind}_count": count for kind, count in self.counts.items()}, **extra}


def _add_rows(job: Job, actor: Optional[User], source: RegistryFile, report: _Report, progress: Progress) -> None:
    already = db.session.scalar(select(func.count(RegistryItem.id)).where(RegistryItem.import_job_id == job.id)) or 0
    report.added = already
    rows: Iterable[tuple[int, RegistryData | str]] = source.rows
    if source.total <= FUZZY_CHECK_ROWS:
        rows = list(rows)
        _similar_rows(job.organisation_id, [(line, row) for line, row in rows if not isinstance(row, str)], report)
    else:
        report.check = "exact"
        rows = _exact_repeats(rows, report)
    db.session.commit()  # end the read transaction; each batch below takes the write lock on its own
    _stop_if_asked(job, actor, report)
    progress(0, source.total)
    batch: list[RegistryData] = []
    valid = 0
    for number, (line, row) in enumerate(rows, start=1):
        if isinstance(row, str):
            report.note("rejected", [line, row])
            continue
        valid += 1
        if valid > already:  # rows a dead run committed are not added twice
            batch.append(row)
        if len(batch) >= IMPORT_BATCH:
            _commit_batch(job, actor, batch, report)
            batch = []
            progress(number, source.total)
    _commit_batch(job, actor, batch, report)
    progress(source.total, source.total)


def _commit_batch(job: Job, actor: Optional[User], batch: list[RegistryData], report: _Report) -> None:
    """One short transaction, then a look at whether the person who started the import asked it to stop."""
    db.session.commit()  # a read the rows' iterator began must not become the write
    with write_transaction():
        report.added += operations.import_registry(actor, batch, report.filename, job.id)
        db.session.commit()
    _stop_if_asked(job, actor, report)


def _stop_if_asked(job: Job, actor: Optional[User], report: _Report) -> None:
    mode = jobs.stop_requested(job.id)
    if mode == CANCEL_UNDO:
        removed = _undo(job, actor, report.filename)
        raise jobs.Stopped(report.result(stopped=mode, removed=removed, added=0,
                                         kept=report.added - removed))
    if mode == CANCEL_KEEP:
        raise jobs.Stopped(report.result(stopped=mode))


def _undo(job: Job, actor: Optional[User], filename: str) -> int:
    """Take back the rows this import added, a batch per transaction; how many were removed."""
    db.session.rollback()
    removed = 0
    while True:
        with write_transaction():
            count = operations.undo_registry_import(actor, job.id, filename, IMPORT_BATCH)
            db.session.commit()
        if not count:
            return removed
        removed += count


def _similar_rows(organisation_id: int, rows: list[tuple[int, RegistryData]], report: _Report) -> None:
    """A small file: each row compared with the rows before it and with the organisation's registry, by the matcher."""
    in_file = Matcher()
    for line, row in rows:
        same_file = in_file.search(row.title, row.summary, limit=1, threshold=DEFAULT_THRESHOLD)
        if same_file:
            report.note("duplicates_in_file", [line, int(same_file[0].id[1:]), round(same_file[0].score, 1)])
        known = search_registry([organisation_id], row.title, row.summary, limit=1, threshold=DEFAULT_THRESHOLD)
        if known:
            report.note("duplicates_in_registry", [line, _title(known[0].id), round(known[0].score, 1)])
        in_file.add(Document(id=f"F{line}", title=row.title, body=row.summary))


def _same_title(title: str) -> str:
    return " ".join(title.casefold().split())


def _exact_repeats(rows: Iterable[tuple[int, RegistryData | str]], report: _Report) -> Iterator[tuple[int, RegistryData | str]]:
    """A big file: rows whose title repeats one before it, or one of the registry, word for word."""
    known = {_same_title(title): title for title in db.session.scalars(select(RegistryItem.title))}
    seen: dict[str, int] = {}
    for line, row in rows:
        if not isinstance(row, str):
            key = _same_title(row.title)
            if key in seen:
                report.note("duplicates_in_file", [line, seen[key], 100.0])
            else:
                seen[key] = line
            if key in known:
                report.note("duplicates_in_registry", [line, known[key], 100.0])
        yield line, row


def _title(doc_id: str) -> str:
    item = db.session.get(RegistryItem, int(doc_id[1:]))
    return item.title if item else doc_id
