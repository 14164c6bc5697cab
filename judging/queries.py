"""Read-only queries the judging views and verbs share (no state changes here)."""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Optional

from flask import current_app
from flask_babel import gettext
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from contest.accounts.models import JUDGE, User
from contest.accounts.queries import members_with_role
from contest.contests.models import JUDGING, OPEN, PUBLISHED, Contest, Criterion
from contest.db import db, utcnow
from contest.entries.models import EXCLUDED, SUBMITTED, CoAuthor, Entry
from judging import charts, feedback
from judging.assignment import (
    CONFLICT_LABELS,
    DECLARED,
    EntryInfo,
    JudgeInfo,
    Shortfall,
    conflict_kind,
    required_judges,
    shortfalls,
)
from judging.models import (
    SHEET_DRAFT,
    SHEET_SUBMITTED,
    Assignment,
    Conflict,
    Notice,
    PanelMember,
    PanelVote,
    PanelWaiver,
    Publication,
    Reminder,
    Result,
    Score,
    ScoreSheet,
    Transfer,
)
from judging.ranking import PRIZE_LABELS, sheet_total


def active_judges(contest: Contest) -> list[User]:
    """Every active judge of the contest's organisation, by name."""
    return members_with_role(contest.organisation, JUDGE)


def eligible_entries(contest: Contest) -> list[Entry]:
    """The entries of a contest that are judged: submitted, never excluded ones."""
    # Co-authors come along: the conflict check reads them for every entry (one query, not one per entry).
    return list(db.session.scalars(select(Entry).filter_by(contest_id=contest.id, status=SUBMITTED).order_by(Entry.id)
                                   .options(selectinload(Entry.coauthors))))


def find_assignment(entry: Entry, judge: Any) -> Optional[Assignment]:
    """The judge's assignment to the entry, if any."""
    return db.session.scalar(select(Assignment).filter_by(entry_id=entry.id, judge_id=judge.id))


def find_sheet(entry: Entry, judge: Any) -> Optional[ScoreSheet]:
    """The judge's own sheet for the entry, if any (never another judge's)."""
    return db.session.scalar(select(ScoreSheet).filter_by(entry_id=entry.id, judge_id=judge.id))


def contest_results(contest: Contest, offset: int = 0, limit: Optional[int] = None) -> list[Result]:
    """The contest's results in rank order (or the `limit` of them from `offset`, for a page)."""
    return list(
        db.session.scalars(select(Result).filter_by(contest_id=contest.id)
                           .order_by(Result.rank, Result.category, Result.entry_id).offset(offset).limit(limit)
                           # every page that lists results shows each entry, its author and unit
                           .options(selectinload(Result.entry).selectinload(Entry.author),
                                    selectinload(Result.entry).selectinload(Entry.unit),
                                    selectinload(Result.entry).selectinload(Entry.coauthors),
                                    selectinload(Result.entry).selectinload(Entry.transfer_in)))
    )


def result_counts(contest: Contest) -> tuple[int, int]:
    """(results, of them forwarded to the town council)."""
    total, forwarded = db.session.execute(
        select(func.count(Result.id), func.count(Result.id).filter(Result.forwarded.is_(True)))
        .filter_by(contest_id=contest.id)).one()
    return total or 0, forwarded or 0


def panel_members(contest: Contest) -> list[PanelMember]:
    """The contest's panel: the chair first, then by name."""
    members = db.session.scalars(select(PanelMember).filter_by(contest_id=contest.id)).all()
    return sorted(members, key=lambda m: (not m.is_chair, m.judge.full_name, m.judge_id))


def find_member(contest: Contest, user: Any) -> Optional[PanelMember]:
    """The user's membership of the contest's panel, if any."""
    return db.session.scalar(select(PanelMember).filter_by(contest_id=contest.id, judge_id=getattr(user, "id", None)))


def is_chair(contest: Contest, user: Any) -> bool:
    """True when the user chairs the contest's panel."""
    member = find_member(contest, user)
    return member is not None and member.is_chair


def chaired_contests(user: Any) -> list[Contest]:
    """The contests whose panel the user chairs."""
    return list(db.session.scalars(
        select(Contest).join(PanelMember, PanelMember.contest_id == Contest.id)
        .where(PanelMember.judge_id == user.id, PanelMember.is_chair.is_(True),
               Contest.organisation_id == user.organisation.id).order_by(Contest.id)
    ))


def notice_counts(contests: list[Contest]) -> dict[int, int]:
    """How many notices for the chair (third judges, re-score requests) each contest has."""
    ids = [c.id for c in contests]
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Notice.contest_id, func.count(Notice.id)).where(Notice.contest_id.in_(ids)).group_by(Notice.contest_id)
    ).all())


def entry_infos(contest: Contest, entries: list[Entry]) -> list[EntryInfo]:
    """The entries as the pure assigner sees them; one forwarded into a town's round carries the
    ward it came from (read in one query)."""
    wards = dict(db.session.execute(select(Transfer.target_entry_id, Transfer.source_organisation_id)
                                    .filter_by(target_contest_id=contest.id)).all())
    return [EntryInfo(e.id, e.author_id, e.unit_id, e.field, tuple(c.full_name for c in e.coauthors),
                      ward_id=wards.get(e.id)) for e in entries]


def judge_info(member: PanelMember) -> JudgeInfo:
    """A panel member as the pure assigner sees them, with every organisation they belong to."""
    return user_info(member.judge, tuple(member.fields or ()))


def user_info(judge: User, fields: tuple[str, ...] = ()) -> JudgeInfo:
    """A judge as the pure assigner sees them (`fields` of expertise: those of their panel membership)."""
    return JudgeInfo(judge.id, judge.full_name, judge.unit_id, fields,
                     organisation_ids=tuple(m.organisation_id for m in judge.memberships if m.active))


@dataclass
class PanelShortfalls:
    """The entries judged by fewer than the contest's minimum, with the people their reasons name."""

    required: int
    items: list[Shortfall]
    entries: dict[int, Entry]  # those a page shows; `entry` reads any other
    people: dict[int, User]  # every judge an item names
    waivers: dict[int, PanelWaiver]  # the chair's, by entry id

    SHOWN = 20  # a page lists this many; the rest are counted (a thousand-entry round stays light)

    @property
    def unwaived(self) -> list[Shortfall]:
        return [s for s in self.items if s.entry_id not in self.waivers]

    def entry(self, entry_id: int) -> Entry:
        """An entry an item names (those a page shows are read with the items; any other, when asked for)."""
        if entry_id not in self.entries:
            self.entries[entry_id] = db.session.get(Entry, entry_id)
        return self.entries[entry_id]

    @property
    def shown(self) -> list[Shortfall]:
        return self.items[:self.SHOWN]

    @property
    def more(self) -> int:
        return max(len(self.items) - self.SHOWN, 0)


def shortfall_reason(item: Shortfall, people: dict[int, User]) -> str:
    """Why an entry has fewer judges than the minimum, in words: who is kept off it, who has not submitted."""
    def name(judge_id: int) -> str:
        return people[judge_id].full_name if judge_id in people else f"#{judge_id}"
    parts = [gettext("%(name)s: %(kind)s", name=name(j), kind=gettext(CONFLICT_LABELS[k]).lower())
             for j, k in item.conflicted]
    parts += [gettext("%(name)s chưa nộp phiếu", name=name(j)) for j in item.waiting]
    if not parts:
        parts = [gettext("Ban giám khảo không đủ thành viên")]
    return "; ".join(parts)


def panel_shortfalls(contest: Contest, closing: bool = False) -> PanelShortfalls:
    """The entries with fewer judges than the minimum (`assignment.required_judges`): counting the judges
    assigned, or, when `closing`, the sheets submitted that count."""
    return shortfall_views(contest, (closing,))[0]


def shortfall_views(contest: Contest, closing: tuple[bool, ...] = (False, True)) -> list[PanelShortfalls]:
    """`panel_shortfalls` for each value of `closing`, reading the contest's entries, panel and
    assignments once (the panel page shows both)."""
    members = [m for m in panel_members(contest) if m.judge.active]
    infos = _plain_entry_infos(contest)
    required = required_judges(contest.assignment_mode, contest.min_judges, len(members))
    assigned: dict[int, set[int]] = {}
    for entry_id, judge_id in db.session.execute(
            select(Assignment.entry_id, Assignment.judge_id).join(Entry, Entry.id == Assignment.entry_id)
            .where(Entry.contest_id == contest.id)):
        assigned.setdefault(entry_id, set()).add(judge_id)
    submitted: dict[int, set[int]] = {}
    if any(closing):
        for entry_id, judge_id in db.session.execute(_counted(select(ScoreSheet.entry_id, ScoreSheet.judge_id), contest)):
            submitted.setdefault(entry_id, set()).add(judge_id)
    on_panel = {m.judge_id for m in members}
    outsiders = [u for u in active_judges(contest) if u.id not in on_panel]
    declared = [tuple(d) for d in db.session.execute(
        select(Conflict.entry_id, Conflict.judge_id).join(Entry, Entry.id == Conflict.entry_id)
        .where(Entry.contest_id == contest.id))]
    panel, others = [judge_info(m) for m in members], [user_info(u) for u in outsiders]
    people = {m.judge_id: m.judge for m in members} | {u.id: u for u in outsiders}
    waivers = {w.entry_id: w for w in db.session.scalars(select(PanelWaiver).filter_by(contest_id=contest.id))}
    views = [shortfalls(infos, panel, others, required, assigned, submitted if view else None, declared)
             for view in closing]
    named = {s.entry_id for items in views  # the entries a page names: the first items, the first not accepted
             for s in items[:PanelShortfalls.SHOWN] + [x for x in items if x.entry_id not in waivers][:PanelShortfalls.SHOWN]}
    by_id = {e.id: e for e in db.session.scalars(select(Entry).where(Entry.id.in_(named)))} if named else {}
    return [PanelShortfalls(required, items, by_id, people, waivers) for items in views]


def _plain_entry_infos(contest: Contest) -> list[EntryInfo]:
    """`entry_infos` of the eligible entries read as columns, not objects: a thousand-entry round's
    shortfalls are worked out on every panel page."""
    coauthors: dict[int, list[str]] = {}
    for entry_id, name in db.session.execute(
            select(CoAuthor.entry_id, CoAuthor.full_name).join(Entry, Entry.id == CoAuthor.entry_id)
            .where(Entry.contest_id == contest.id, Entry.status == SUBMITTED).order_by(CoAuthor.id)):
        coauthors.setdefault(entry_id, []).append(name)
    wards = dict(db.session.execute(select(Transfer.target_entry_id, Transfer.source_organisation_id)
                                    .filter_by(target_contest_id=contest.id)).all())
    rows = db.session.execute(select(Entry.id, Entry.author_id, Entry.unit_id, Entry.field)
                              .filter_by(contest_id=contest.id, status=SUBMITTED).order_by(Entry.id))
    return [EntryInfo(i, author, unit, field or "", tuple(coauthors.get(i, ())), ward_id=wards.get(i))
            for i, author, unit, field in rows]


def conflicts(contest: Contest, entries: Optional[list[Entry]] = None,
              members: Optional[list[PanelMember]] = None) -> dict[tuple[int, int], str]:
    """Every conflict of interest between the contest's entries and its panel: declared or detected."""
    entries = eligible_entries(contest) if entries is None else entries
    members = panel_members(contest) if members is None else members
    found: dict[tuple[int, int], str] = {}
    judges = [judge_info(m) for m in members]
    for info in entry_infos(contest, entries):
        for judge in judges:
            kind = conflict_kind(info, judge)
            if kind:
                found[(info.id, judge.id)] = kind
    entry_ids = [e.id for e in entries]
    for c in db.session.scalars(select(Conflict).where(Conflict.entry_id.in_(entry_ids))):
        found[(c.entry_id, c.judge_id)] = DECLARED
    return found


def declared_conflicts(contest: Contest) -> list[Conflict]:
    """The conflicts judges declared on the contest's entries, newest first."""
    return list(db.session.scalars(
        select(Conflict).join(Entry, Entry.id == Conflict.entry_id).where(Entry.contest_id == contest.id)
        .order_by(Conflict.created_at.desc())
    ))


def overridden(contest: Contest) -> list[Assignment]:
    """Assignments the secretary made despite a conflict, with their reason."""
    return list(db.session.scalars(
        select(Assignment).join(Entry, Entry.id == Assignment.entry_id)
        .where(Entry.contest_id == contest.id, Assignment.override_reason != "").order_by(Assignment.id)
    ))


def contest_votes(contest: Contest) -> list[PanelVote]:
    """The panel's recorded votes on the contest's entries."""
    return list(db.session.scalars(select(PanelVote).filter_by(contest_id=contest.id)))


def contest_notices(contest: Contest) -> list[Notice]:
    """What the chair has been told, newest first."""
    return list(db.session.scalars(select(Notice).filter_by(contest_id=contest.id).order_by(Notice.id.desc())))


def contest_assignments(contest: Contest, entry_ids: Optional[list[int]] = None) -> list[Assignment]:
    """Every assignment on the contest's entries (or on these entries only)."""
    query = select(Assignment).join(Entry, Entry.id == Assignment.entry_id).where(Entry.contest_id == contest.id)
    if entry_ids is not None:
        query = query.where(Assignment.entry_id.in_(entry_ids))
    return list(db.session.scalars(query.order_by(Assignment.id)))


def _counted(query: Any, contest: Contest) -> Any:
    """`query` narrowed to the submitted sheets that count: of eligible entries, by judges still assigned to them."""
    return (query.join(Entry, Entry.id == ScoreSheet.entry_id)
            .join(Assignment, (Assignment.entry_id == ScoreSheet.entry_id) & (Assignment.judge_id == ScoreSheet.judge_id))
            .where(Entry.contest_id == contest.id, Entry.status == SUBMITTED, ScoreSheet.status == SHEET_SUBMITTED))


def counted_sheets(contest: Contest, entry_ids: Optional[list[int]] = None) -> list[ScoreSheet]:
    """The submitted sheets that count (of these entries only, when given)."""
    query = _counted(select(ScoreSheet), contest)
    if entry_ids is not None:
        query = query.where(ScoreSheet.entry_id.in_(entry_ids))
    return list(db.session.scalars(
        query.order_by(ScoreSheet.entry_id, ScoreSheet.judge_id)
        .options(selectinload(ScoreSheet.scores))  # every caller totals the sheets: one query, not one per sheet
    ))


def counted_points(contest: Contest) -> dict[tuple[int, int], dict[int, float]]:
    """Points per criterion id of every counted sheet, keyed by (entry id, judge id): plain numbers, no objects,
    for the pages that summarise every sheet of a contest."""
    points: dict[tuple[int, int], dict[int, float]] = {}
    rows = db.session.execute(_counted(
        select(ScoreSheet.entry_id, ScoreSheet.judge_id, Score.criterion_id, Score.points)
        .join(Score, Score.sheet_id == ScoreSheet.id), contest).order_by(ScoreSheet.entry_id, ScoreSheet.judge_id))
    for entry_id, judge_id, criterion_id, value in rows:
        sheet = points.setdefault((entry_id, judge_id), {})
        if value is not None:
            sheet[criterion_id] = value
    return points


def shared_comments(contest: Contest, entry_ids: Optional[list[int]] = None) -> dict[str, feedback.EntryComments]:
    """The counted sheets' comments per entry and criterion, judges numbered without their names
    (`feedback.anonymous_comments`, keyed by the installation's secret); what a publication freezes."""
    query = _counted(select(ScoreSheet.entry_id, ScoreSheet.judge_id, Criterion.code, Score.comment)
                     .join(Score, Score.sheet_id == ScoreSheet.id).join(Criterion, Criterion.id == Score.criterion_id),
                     contest)
    if entry_ids is not None:
        query = query.where(ScoreSheet.entry_id.in_(entry_ids))
    secret = current_app.config["SECRET_KEY"]
    key = hashlib.sha256(b"judge-numbers:" + (secret if isinstance(secret, bytes) else str(secret).encode())).digest()
    return feedback.anonymous_comments(db.session.execute(query.order_by(ScoreSheet.entry_id, Criterion.position)).all(),
                                       key)


def panel_judges(contest: Contest) -> list[User]:
    """The panel's judges (the chair first), or for a contest without a panel those assigned to it."""
    members = panel_members(contest)
    if members:
        return [m.judge for m in members]
    query = (
        select(User)
        .join(Assignment, Assignment.judge_id == User.id)
        .join(Entry, Entry.id == Assignment.entry_id)
        .where(Entry.contest_id == contest.id)
        .distinct()
        .order_by(User.full_name)
    )
    return list(db.session.scalars(query))


def judge_queue(judge: Any) -> list[tuple[Entry, Optional[ScoreSheet]]]:
    """The judge's assigned, eligible entries of contests being judged, with the judge's own sheet:
    in each contest the ones still to score (none or a draft) first, the submitted after them."""
    query = (
        select(Entry, ScoreSheet)
        .join(Assignment, Assignment.entry_id == Entry.id)
        .join(Contest, Contest.id == Entry.contest_id)
        .outerjoin(ScoreSheet, (ScoreSheet.entry_id == Entry.id) & (ScoreSheet.judge_id == judge.id))
        .where(Assignment.judge_id == judge.id, Contest.status == JUDGING, Entry.status == SUBMITTED,
               Contest.organisation_id == judge.organisation.id)
        .order_by(Contest.id, case((ScoreSheet.status == SHEET_SUBMITTED, 1), else_=0), Entry.id)
        .options(selectinload(Entry.author), selectinload(Entry.unit))
    )
    return [(entry, sheet) for entry, sheet in db.session.execute(query)]


NOT_ASSIGNED, PENDING = "none", "pending"
CELL_LABELS = {NOT_ASSIGNED: "—", PENDING: "Chưa chấm", "draft": "Bản nháp", SHEET_SUBMITTED: "Đã nộp"}


@dataclass
class JudgeProgress:
    """One judge's progress on a contest: assigned, drafted, submitted, late."""

    judge: User
    assigned: int = 0
    submitted: int = 0
    late: bool = False


@dataclass
class PanelProgress:
    """Who has submitted what: a cell status per (entry id, judge id), and totals per judge."""

    entries: list[Entry]
    judges: list[JudgeProgress]
    cells: dict[tuple[int, int], str] = field(default_factory=dict)

    @property
    def assigned(self) -> int:
        return sum(j.assigned for j in self.judges)

    @property
    def missing(self) -> int:
        return sum(j.assigned - j.submitted for j in self.judges)


def panel_progress(contest: Contest, now: datetime, with_entries: bool = True) -> PanelProgress:
    """The assignment matrix of a contest; a judge is late when the deadline passed with sheets missing.

    Without `with_entries` the cells and counts come alone (`entries` is empty), for a summary."""
    entries = eligible_entries(contest) if with_entries else []
    members = panel_members(contest)
    judges = {m.judge_id: m.judge for m in members} if members else {j.id: j for j in active_judges(contest)}
    eligible = (Entry.contest_id == contest.id) & (Entry.status == SUBMITTED)
    assigned = db.session.execute(
        select(Assignment.entry_id, Assignment.judge_id).join(Entry, Entry.id == Assignment.entry_id).where(eligible)
    ).all()
    for _, judge_id in assigned:
        if judge_id not in judges:  # an assigned judge who has since been deactivated still shows
            judges[judge_id] = db.session.get(User, judge_id)
    sheets = {(entry_id, judge_id): status for entry_id, judge_id, status in db.session.execute(
        select(ScoreSheet.entry_id, ScoreSheet.judge_id, ScoreSheet.status)
        .join(Entry, Entry.id == ScoreSheet.entry_id).where(eligible))}
    progress = {jid: JudgeProgress(judge=j) for jid, j in judges.items()}
    cells: dict[tuple[int, int], str] = {}
    for entry_id, judge_id in assigned:
        status = sheets.get((entry_id, judge_id), PENDING)
        cells[(entry_id, judge_id)] = status
        progress[judge_id].assigned += 1
        progress[judge_id].submitted += status == SHEET_SUBMITTED
    for p in progress.values():
        p.late = now > contest.judging_deadline and p.submitted < p.assigned
    ordered = sorted(progress.values(), key=lambda p: p.judge.full_name)
    return PanelProgress(entries=entries, judges=ordered, cells=cells)


@dataclass
class Outstanding:
    """A judge's sheets not yet submitted on one contest: (entry id, pending or draft) in entry order."""

    judge: User
    sheets: list[tuple[int, str]]
    late: bool
    last_reminder: Optional[Reminder] = None

    @property
    def drafts(self) -> int:
        return sum(1 for _, status in self.sheets if status == SHEET_DRAFT)

    @property
    def not_started(self) -> int:
        return len(self.sheets) - self.drafts


def outstanding(contest: Contest, progress: PanelProgress) -> list[Outstanding]:
    """The judges of `progress` with sheets still to submit, by name, with the last reminder each was sent."""
    missing: dict[int, list[tuple[int, str]]] = {}
    for (entry_id, judge_id), status in progress.cells.items():
        if status != SHEET_SUBMITTED:
            missing.setdefault(judge_id, []).append((entry_id, status))
    last: dict[int, Reminder] = {}
    for reminder in db.session.scalars(select(Reminder).filter_by(contest_id=contest.id).order_by(Reminder.id)):
        last[reminder.judge_id] = reminder
    return [Outstanding(p.judge, sorted(missing[p.judge.id]), p.late, last.get(p.judge.id))
            for p in progress.judges if p.judge.id in missing]


def judge_reminders(judge: Any) -> dict[int, Reminder]:
    """The newest reminder the judge was sent for each contest still being judged, by contest id."""
    query = (select(Reminder).join(Contest, Contest.id == Reminder.contest_id)
             .where(Reminder.judge_id == judge.id, Contest.status == JUDGING,
                    Contest.organisation_id == judge.organisation.id).order_by(Reminder.id))
    return {r.contest_id: r for r in db.session.scalars(query)}


@dataclass
class Dashboard:
    """What the secretariat's dashboard draws: plain values for the pure charts."""

    max_total: float
    judges: list[charts.Series]
    criteria: list[charts.CriterionPoints]
    fields: list[charts.Bar]
    progress: list[charts.Progress]


def dashboard_data(contest: Contest, now: datetime) -> Dashboard:
    """The counted sheets' totals per judge and points per criterion, entries per field, and progress.

    Staff only: before closing these are individual scores no judge may see.
    """
    sheets = list(counted_points(contest).items())
    progress = panel_progress(contest, now, with_entries=False)
    totals: dict[int, list[float]] = {}
    for (_, judge_id), points in sheets:
        totals.setdefault(judge_id, []).append(sheet_total(points))
    shown = [p for p in progress.judges if p.assigned or p.judge.id in totals]
    judges = [charts.Series(p.judge.full_name, tuple(totals.get(p.judge.id, ()))) for p in shown]
    criteria = [
        charts.CriterionPoints(c.name, c.max_points,
                               tuple(pts[c.id] for _, pts in sheets if c.id in pts))
        for c in contest.criteria
    ]
    counts = Counter(dict(db.session.execute(
        select(Entry.field, func.count(Entry.id)).where(Entry.contest_id == contest.id, Entry.status == SUBMITTED)
        .group_by(Entry.field)).all()))
    names = list(contest.fields or []) + sorted(set(counts) - set(contest.fields or []))
    fields = [charts.Bar(name, counts.get(name, 0)) for name in names]
    rows = []
    for p in shown:
        statuses = [s for (_, judge_id), s in progress.cells.items() if judge_id == p.judge.id]
        rows.append(charts.Progress(p.judge.full_name, statuses.count(SHEET_SUBMITTED), statuses.count(SHEET_DRAFT),
                                    statuses.count(PENDING), p.late))
    if len(rows) > 1:
        rows.insert(0, charts.Progress(gettext("Cả ban"), sum(r.submitted for r in rows), sum(r.draft for r in rows),
                                       sum(r.pending for r in rows)))
    return Dashboard(contest.max_total, judges, criteria, fields, rows)


def forwarded_count(contest: Contest) -> int:
    return db.session.scalar(select(func.count(Result.id)).filter_by(contest_id=contest.id, forwarded=True)) or 0


def rubric_frozen(contest: Contest) -> bool:
    """The rubric cannot change once a judge has ever submitted a sheet on the contest.

    Drafts do not freeze it; a sheet reopened later does not thaw it (its `submitted_at` stays),
    so points given on one scale are never read on another.
    """
    return db.session.scalar(
        select(ScoreSheet.id).join(Entry, ScoreSheet.entry_id == Entry.id)
        .where(Entry.contest_id == contest.id, ScoreSheet.submitted_at.is_not(None)).limit(1)
    ) is not None


def criteria_scored_in_drafts(contest: Contest, criteria: list[Criterion]) -> list[str]:
    """Names of `criteria` on which some judge's draft already holds points or a comment."""
    ids = {c.id: c.name for c in criteria if c.id is not None}
    used = set(db.session.scalars(select(Score.criterion_id).where(Score.criterion_id.in_(ids)).distinct())) if ids else set()
    return [ids[i] for i in ids if i in used]


def latest_publication(contest_id: int) -> Optional[Publication]:
    """The newest publication of a contest, if it was ever published."""
    return db.session.scalar(
        select(Publication).filter_by(contest_id=contest_id).order_by(Publication.version.desc()).limit(1)
    )


def latest_publications(contest_ids: Iterable[int]) -> dict[int, Publication]:
    """The newest publication of each of these contests that was ever published, by contest id."""
    ids = set(contest_ids)
    if not ids:
        return {}
    newest = (select(Publication.contest_id, func.max(Publication.version).label("version"))
              .where(Publication.contest_id.in_(ids)).group_by(Publication.contest_id).subquery())
    return {p.contest_id: p for p in db.session.scalars(
        select(Publication).join(newest, (Publication.contest_id == newest.c.contest_id)
                                 & (Publication.version == newest.c.version)))}


def author_results(entries: list[Entry], comments: bool = False) -> dict[int, Optional[feedback.AuthorResult]]:
    """Each entry's result as its contest last published it, even while an amendment is under way:
    entries of contests never published are absent, those not in the publication (excluded, never
    submitted) map to None. With `comments`, the panel's comments frozen at publication (read from
    the sheets for a publication older than that) when the contest shares them."""
    publications = latest_publications({e.contest_id for e in entries})
    results: dict[int, Optional[feedback.AuthorResult]] = {}
    for entry in entries:
        publication = publications.get(entry.contest_id)
        if publication is None:
            continue
        shared = None
        if comments and entry.contest.share_comments:
            frozen = publication.snapshot.get("comments")
            if frozen is None:
                frozen = shared_comments(entry.contest, [entry.id])
            shared = frozen.get(str(entry.id), {})
        results[entry.id] = feedback.author_result(publication.snapshot, entry.id, shared, publication.published_at,
                                                   publication.version)
    return results


def active_transfers(contest: Contest) -> list[Transfer]:
    """The contest's entries now in the town's round (sent and not withdrawn)."""
    return list(db.session.scalars(select(Transfer).filter_by(source_contest_id=contest.id, withdrawn_at=None)
                                   .order_by(Transfer.id)))


# How many recognised entries the forward form offers: the best, far more than any contest sends.
FORWARD_CHOICES = 30


def forward_candidates(contest: Contest) -> list[Result]:
    """The contest's recognised results not in the town's round now, best first (at most
    FORWARD_CHOICES of them)."""
    sent = select(Transfer.source_entry_id).filter_by(source_contest_id=contest.id, withdrawn_at=None)
    return list(db.session.scalars(
        select(Result).filter_by(contest_id=contest.id, recognised=True).where(Result.entry_id.not_in(sent))
        .order_by(Result.rank, Result.category, Result.entry_id).limit(FORWARD_CHOICES)
        .options(selectinload(Result.entry))))


def contest_transfers(contest: Contest) -> list[Transfer]:
    """Every transfer out of a contest, withdrawn ones too, oldest first."""
    return list(db.session.scalars(select(Transfer).filter_by(source_contest_id=contest.id).order_by(Transfer.id)
                                   .options(selectinload(Transfer.source_entry), selectinload(Transfer.target_contest))))


def received_count(contest: Contest) -> int:
    """How many entries wards forwarded into this round and did not withdraw."""
    return db.session.scalar(select(func.count(Transfer.id)).filter_by(target_contest_id=contest.id, withdrawn_at=None)) or 0


def rounds_above(contest: Contest) -> list[Contest]:
    """Every round of the organisation above a ward's contest, newest first."""
    parent_id = contest.organisation.parent_id
    if parent_id is None:
        return []
    return list(db.session.scalars(select(Contest).where(Contest.organisation_id == parent_id)
                                   .order_by(Contest.year.desc(), Contest.id.desc())))


def open_rounds_above(contest: Contest) -> list[Contest]:
    """The rounds of the organisation above a ward's contest that take forwarded entries now."""
    now = utcnow()
    return [c for c in rounds_above(contest) if c.accepts_submissions(now)]


@dataclass(frozen=True)
class TownOutcome:
    """What became of a forwarded entry in the town's round, as the ward and the author see it."""

    round_title: str
    state: str  # a sentence in the reader's language
    prize_label: str = ""
    recognised: Optional[bool] = None  # known once the town publishes
    rank: Optional[int] = None
    mean_total: Optional[float] = None


def town_outcome(transfer: Transfer) -> TownOutcome:
    """The town round's verdict on a forwarded entry: its published result, else where it stands.
    Only published results flow back: the town's scores stay the town's until then."""
    target = transfer.target_contest
    if not transfer.active:
        return TownOutcome(target.title, gettext("Đơn vị đã rút lại"))
    if transfer.target_entry.status == EXCLUDED:
        return TownOutcome(target.title, gettext("Bị loại ở vòng thị xã (trùng lặp)"))
    if target.status == PUBLISHED:
        publication = latest_publication(target.id)
        row = next((r for r in (publication.snapshot.get("results", []) if publication else [])
                    if r.get("entry_id") == transfer.target_entry_id), None)
        if row is not None:
            prize = gettext(PRIZE_LABELS[row["prize"]]) if row.get("prize") in PRIZE_LABELS else ""
            state = (gettext("Được công nhận sáng kiến cấp thị xã") if row.get("recognised")
                     else gettext("Không được công nhận ở vòng thị xã"))
            return TownOutcome(target.title, state, prize, bool(row.get("recognised")), row.get("rank"),
                               row.get("mean_total"))
    if target.status == OPEN:
        return TownOutcome(target.title, gettext("Chờ chấm"))
    return TownOutcome(target.title, gettext("Đang chấm ở vòng thị xã"))
