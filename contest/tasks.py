"""The background jobs of the submission side: registry import and re-checking entries."""
from __future__ import annotations

import os
from typing import Optional

from sqlalchemy import select

from . import operations
from .db import db, write_transaction
from .duplicates import search_registry
from .jobs import Progress, handler
from .matching import DEFAULT_THRESHOLD, Document, Matcher
from .models import SUBMITTED, Contest, Entry, Job, RegistryItem, User
from .registry_io import parse_registry_file

REGISTRY_IMPORT, RECHECK = "registry_import", "recheck"


@handler(REGISTRY_IMPORT)
def import_registry_file(job: Job, actor: Optional[User], progress: Progress) -> dict:
    """Parse the file, find likely duplicates in it and in the registry, then add every valid row at once."""
    path = job.payload["path"]
    try:
        with open(path, "rb") as fh:
            parsed = parse_registry_file(job.payload["filename"], fh.read())
        total = len(parsed.rows)
        progress(0, total)
        in_file_index = Matcher()  # the file's own rows, to find repeats inside it
        in_file, in_registry = [], []
        for index, (row, line) in enumerate(zip(parsed.rows, parsed.lines)):
            same_file = in_file_index.search(row.title, row.summary, limit=1, threshold=DEFAULT_THRESHOLD)
            if same_file:
                in_file.append([line, int(same_file[0].id[1:]), round(same_file[0].score, 1)])
            known = search_registry(row.title, row.summary, limit=1, threshold=DEFAULT_THRESHOLD)
            if known:
                in_registry.append([line, _title(known[0].id), round(known[0].score, 1)])
            in_file_index.add(Document(id=f"F{line}", title=row.title, body=row.summary))
            progress(index + 1, total)
        db.session.commit()  # end the read transaction; the insert below takes the write lock first
        with write_transaction():
            added = operations.import_registry(actor, parsed.rows, job.payload["filename"])
            db.session.flush()
        return {"added": len(added), "rejected": parsed.rejected, "duplicates_in_file": in_file,
                "duplicates_in_registry": in_registry, "filename": job.payload["filename"]}
    finally:
        if os.path.exists(path):
            os.remove(path)


def _title(doc_id: str) -> str:
    item = db.session.get(RegistryItem, int(doc_id[1:]))
    return item.title if item else doc_id


@handler(RECHECK)
def recheck_entries(job: Job, actor: Optional[User], progress: Progress) -> dict:
    """Run the duplicate check again on every submitted entry, one entry per transaction."""
    contest = db.session.get(Contest, job.payload["contest_id"])
    entries = db.session.scalars(select(Entry).filter_by(contest_id=contest.id, status=SUBMITTED)).all()
    new_flags = 0
    db.session.commit()
    progress(0, len(entries))
    for index, entry in enumerate(entries):
        with write_transaction():
            new_flags += len(operations.flag_duplicates(actor, entry))
            db.session.commit()  # each entry's flags stand alone; this also frees SQLite's write lock
        progress(index + 1, len(entries))
    with write_transaction():
        operations.record_recheck(actor, contest, new_flags)
        db.session.flush()
    return {"checked": len(entries), "new_flags": new_flags, "contest_id": contest.id}
