"""Who may do what: each permission rule written once.

Views reach objects through the get_*_or_403 helpers, which ask these predicates; verb functions
ask the same ones before they change anything; templates ask them through Jinja globals
(`may_edit_entry`). Roles come from the membership the person acts in; what a role may touch is
decided here, and nothing of another organisation is in reach (`in_scope`).
"""
from __future__ import annotations

from typing import Any, Optional

from contest.accounts.models import ADMIN, JUDGE, SECRETARY, TOWN, WARD
from contest.entries.models import DRAFT, Entry
from contest.help.guides import AUTHORS_GUIDE, Guide
from contest.jobs.models import Job
from judging.queries import find_assignment


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def organisation_of(obj: Any) -> Optional[int]:
    """The id of the organisation an object belongs to: its own column, else that of the entry or
    contest it hangs from (an attachment, a flag, a sheet, an assignment); None for what belongs to
    nobody."""
    if hasattr(obj, "organisation_id"):
        return obj.organisation_id
    for parent in ("entry", "contest"):
        if getattr(obj, parent, None) is not None:
            return organisation_of(getattr(obj, parent))
    return None


def in_scope(user: Any, obj: Any) -> bool:
    """An object is in reach only of those acting for its organisation: a ward's secretary never
    opens another ward's contest, entry, flag, sheet, registry item or job, whatever the URL."""
    organisation = getattr(user, "organisation", None) if _signed_in(user) else None
    return organisation is not None and organisation_of(obj) == organisation.id


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


def may_read_result(user: Any, entry: Entry) -> bool:
    """An entry's own result block (its published place, and the panel's comments when shared): its
    author, and the secretariat of its organisation, who read the sheets anyway; never a judge or
    another author, who have the public results page."""
    if not _signed_in(user):
        return False
    return user.id == entry.author_id or (user.has_role(ADMIN, SECRETARY) and in_scope(user, entry))


def may_edit_entry(user: Any, entry: Entry) -> bool:
    """Only the author edits, and only a draft."""
    return _signed_in(user) and user.id == entry.author_id and entry.status == DRAFT


def contest_is_public(contest: Any) -> bool:
    """A contest's rules page (thể lệ) and its signed plan are open to anyone, signed in or not,
    as its published results are (judging.results lists every organisation's): each ward and town
    of the installation announces its contest to its staff and residents. Only the rules are
    public; entries, scores and the registry stay behind sign-in."""
    organisation = getattr(contest, "organisation", None)
    return organisation is not None and organisation.level in (WARD, TOWN)


def may_edit_contest(user: Any, contest: Any) -> bool:
    """A contest's settings and its signed plan: the admin (Ban tổ chức) of its organisation."""
    return _signed_in(user) and user.has_role(ADMIN) and in_scope(user, contest)


def may_follow_job(user: Any, job: Job) -> bool:
    """A background job's page (and its stop buttons): the person who started it, or an admin."""
    return _signed_in(user) and (job.created_by_id == user.id or user.has_role(ADMIN))


def may_manage_wards(user: Any) -> bool:
    """Wards are created by the town's admin, each with its first admin."""
    return (_signed_in(user) and user.has_role(ADMIN) and user.organisation is not None
            and user.organisation.level == TOWN)


def audit_scope(user: Any) -> Optional[Any]:
    """Whose audit log a person reads: the admin (Ban tổ chức) of the organisation they act for reads
    that organisation's chain, through its filters and its export; nobody else reads any, and records
    of no organisation (a failed sign-in with an unknown name) show on no page."""
    organisation = getattr(user, "organisation", None) if _signed_in(user) else None
    return organisation if organisation is not None and user.has_role(ADMIN) else None


def may_read_audit(user: Any) -> bool:
    """The menu's and the object pages' link to the audit log: shown to whoever may read it."""
    return audit_scope(user) is not None


def may_read_transfer(user: Any, transfer: Any) -> bool:
    """A forwarded entry's ward dossier: the secretariat of the ward that sent it, and of the
    town whose round received it."""
    organisation = getattr(user, "organisation", None) if _signed_in(user) else None
    return (organisation is not None and user.has_role(ADMIN, SECRETARY)
            and organisation.id in (transfer.source_organisation_id, transfer.target_contest.organisation_id))


def may_read_guide(user: Any, guide: Guide) -> bool:
    """The author's guide is for anyone who might take part, signed in or not; the panel's and the
    secretariat's guides for everyone signed in (a judge may well want to know how closing works)."""
    return _signed_in(user) or guide == AUTHORS_GUIDE
