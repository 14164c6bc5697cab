"""Re-checking a contest's entries for duplicates, as a background job."""
from __future__ import annotations

from typing import Optional

from sqlalchemy import select

from contest import jobs
from contest.accounts.models import User
from contest.contests.models import Contest
from contest.db import db, write_transaction
from contest.entries.models import SUBMITTED, Entry
from contest.jobs import Progress, handler
from contest.jobs.models import CANCEL_KEEP, Job
from contest.screening import operations

RECHECK = "recheck"


@handler(RECHECK, stops=(CANCEL_KEEP,))
def recheck_entries(job: Job, actor: Optional[User], progress: Progress) -> dict:
    """Run the duplicate check again on every submitted entry, one entry per transaction; stopped,
    the entries checked so far keep their new flags."""
    contest = db.session.get(Contest, job.payload["contest_id"])
    entries = db.session.scalars(select(Entry).filter_by(contest_id=contest.id, status=SUBMITTED)).all()
    new_flags = 0
    db.session.commit()
    progress(0, len(entries))
    for index, entry in enumerate(entries):
        if jobs.stop_requested(job.id):
            raise jobs.Stopped({"checked": index, "new_flags": new_flags, "contest_id": contest.id})
        with write_transaction():
            new_flags += len(operations.flag_duplicates(actor, entry))
            db.session.commit()  # each entry's flags stand alone; this also frees SQLite's write lock
        progress(index + 1, len(entries))
    with write_transaction():
        operations.record_recheck(actor, contest, new_flags)
        db.session.flush()
    return {"checked": len(entries), "new_flags": new_flags, "contest_id": contest.id}
