"""Who may do what: each permission rule written once.

Views reach objects through the get_*_or_403 helpers, which ask these predicates; verb functions
ask the same ones before they change anything; templates ask them through Jinja globals
(`may_edit_entry`). Roles come from the account; what a role may touch is decided here.
"""
from __future__ import annotations

from typing import Any

from contest.accounts.models import ADMIN, JUDGE, SECRETARY
from contest.entries.models import DRAFT, Entry
from contest.jobs.models import Job
from judging.queries import find_assignment


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_assigned(user: Any, entry: Entry) -> bool:
    """The judge is assigned to the entry: the only way a judge reaches one."""
    return _signed_in(user) and find_assignment(entry, user) is not None


def may_view_entry(user: Any, entry: Entry) -> bool:
    """Authors see their own entries; the secretariat and admin see all; a judge the entries
    assigned to them, on the entry's own page only when the contest is not blind (a blind
    contest's judges read entries on the judging pages, where the author is hidden)."""
    if not _signed_in(user):
        return False
    if user.id == entry.author_id or user.has_role(ADMIN, SECRETARY):
        return True
    return user.has_role(JUDGE) and not entry.contest.blind and is_assigned(user, entry)


def may_edit_entry(user: Any, entry: Entry) -> bool:
    """Only the author edits, and only a draft."""
    return _signed_in(user) and user.id == entry.author_id and entry.status == DRAFT


def may_follow_job(user: Any, job: Job) -> bool:
    """A background job's page (and its stop buttons): the person who started it, or an admin."""
    return _signed_in(user) and (job.created_by_id == user.id or user.has_role(ADMIN))
