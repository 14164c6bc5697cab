"""Verb functions of contests: creating and changing a contest and its rubric."""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Optional

from flask_babel import gettext

from contest import audit
from contest.accounts.models import User
from contest.accounts.operations import acting_organisation
from contest.contests.models import OPEN, Contest, Criterion
from contest.db import db
from contest.errors import OperationError
from contest.policy import may_edit_contest
from contest.timeutil import format_size
from contest.uploads import PDF, detect_type, display_filename, pdf_problem
from judging.queries import criteria_scored_in_drafts, rubric_frozen
from judging.rubric import bands_from_json


@dataclass
class CriterionData:
    """One rubric row as entered."""

    code: str
    name: str
    max_points: float
    description: str = ""
    bands: list = field(default_factory=list)  # [[low, high, descriptor], …]; empty = the default bands


@dataclass
class ContestData:
    """Everything the organising committee sets when it opens a contest."""

    title: str
    year: int
    fields: list[str]
    submission_deadline: datetime  # UTC
    judging_deadline: datetime  # UTC
    criteria: list[CriterionData]
    threshold: float = 50.0
    forward_count: int = 3
    prize_first: int = 1
    prize_second: int = 2
    prize_third: int = 3
    prize_consolation: int = 4
    duplicate_threshold: Optional[float] = None
    blind: bool = False
    assignment_mode: str = "all"
    judges_per_entry: int = 2
    min_judges: int = 2  # in balanced mode; in "all" mode the whole panel
    arbitration_limit: Optional[float] = None
    disagreement_threshold: Optional[float] = 20.0
    aggregation: str = "mean"
    score_step: float = 0.5
    collective_prizes: Optional[list[int]] = None  # [nhat, nhi, ba, kk] for collectives; None = one ranking
    acceptance_rule: str = "threshold"  # or "vote"
    vote_share: float = 66.67  # percent of the panel in favour, under the vote rule
    community_vote: bool = False
    panel_weight: float = 80.0
    vote_weight: float = 20.0
    share_comments: bool = False  # authors read the panel's comments on their entry once published


JUDGING_SETTINGS = ("blind", "assignment_mode", "judges_per_entry", "min_judges", "arbitration_limit", "disagreement_threshold",
                    "aggregation", "score_step", "collective_prizes", "acceptance_rule", "vote_share",
                    "community_vote", "panel_weight", "vote_weight")
# What the published results show beyond the public page (entries/_result.html).
RESULT_SETTINGS = ("share_comments",)
DEFAULT_CRITERIA = [
    CriterionData("novelty", "Tính mới", 40, "Giải pháp chưa được áp dụng tại đơn vị; mức độ mới so với cách làm hiện có."),
    CriterionData("usefulness", "Tính hữu ích, hiệu quả", 35, "Lợi ích thực tế đã đạt được khi áp dụng: thời gian, chi phí, sự hài lòng."),
    CriterionData("replicability", "Khả năng nhân rộng", 25, "Mức độ có thể áp dụng ở đơn vị, lĩnh vực khác."),
]


def _contest_snapshot(contest: Contest) -> dict[str, Any]:
    return {
        "title": contest.title,
        "year": contest.year,
        "fields": list(contest.fields),
        "submission_deadline": contest.submission_deadline,
        "judging_deadline": contest.judging_deadline,
        "threshold": contest.threshold,
        "forward_count": contest.forward_count,
        "prizes": [contest.prize_first, contest.prize_second, contest.prize_third, contest.prize_consolation],
        "duplicate_threshold": contest.duplicate_threshold,
        "criteria": [[c.code, c.name, c.max_points, c.bands] for c in contest.criteria],
        **{name: getattr(contest, name) for name in JUDGING_SETTINGS + RESULT_SETTINGS},
    }


def _validate_contest(data: ContestData) -> None:
    if not data.title.strip():
        raise OperationError(gettext("Tên cuộc thi: không được để trống."), "title")
    if not data.fields:
        raise OperationError(gettext("Lĩnh vực: cần ít nhất một lĩnh vực."), "fields")
    if data.judging_deadline < data.submission_deadline:
        raise OperationError(gettext("Hạn chấm: phải sau hạn nộp bài."), "judging_deadline")
    if not data.criteria:
        raise OperationError(gettext("Tiêu chí chấm: cần ít nhất một tiêu chí."), "criteria")
    if any(c.max_points <= 0 for c in data.criteria):
        raise OperationError(gettext("Tiêu chí chấm: điểm tối đa của mỗi tiêu chí phải lớn hơn 0."), "criteria")
    codes = [c.code.strip() for c in data.criteria]
    if len(set(codes)) != len(codes):  # points are summed by code: a repeated one would overwrite another's
        raise OperationError(gettext("Tiêu chí chấm: mỗi tiêu chí cần một mã riêng, không trùng nhau."), "criteria")
    if data.assignment_mode not in ("all", "balanced"):
        raise OperationError(gettext("Cách phân công: không hợp lệ."), "assignment_mode")
    if data.assignment_mode == "balanced" and not 1 <= data.min_judges <= data.judges_per_entry:
        raise OperationError(gettext("Số phiếu chấm tối thiểu: từ 1 đến số giám khảo mỗi sáng kiến (%(count)s).",
                                     count=data.judges_per_entry), "min_judges")
    if data.aggregation not in ("mean", "trimmed"):
        raise OperationError(gettext("Cách tính điểm: không hợp lệ."), "aggregation")
    if data.collective_prizes is not None and (len(data.collective_prizes) != 4
                                               or any(not 0 <= n <= 100 for n in data.collective_prizes)):
        raise OperationError(gettext("Số giải cho tập thể: cần 4 số từ 0 đến 100 (Nhất, Nhì, Ba, Khuyến khích)."),
                             "collective_prizes")
    if data.acceptance_rule not in ("threshold", "vote"):
        raise OperationError(gettext("Cách công nhận: không hợp lệ."), "acceptance_rule")
    if not 0 < data.vote_share <= 100:
        raise OperationError(gettext("Tỷ lệ biểu quyết tán thành: từ 0 đến 100%."), "vote_share")
    if data.score_step not in (0.5, 1.0):
        raise OperationError(gettext("Bước điểm: chỉ 1 hoặc 0,5."), "score_step")
    total = sum(c.max_points for c in data.criteria)
    if not 0 <= data.threshold <= total:
        raise OperationError(gettext("Ngưỡng công nhận: phải trong khoảng 0–%(total)s điểm.", total=format(total, "g")),
                             "threshold")


def _apply_contest(contest: Contest, data: ContestData) -> None:
    for name in ("title", "year", "submission_deadline", "judging_deadline", "threshold", "forward_count",
                 "prize_first", "prize_second", "prize_third", "prize_consolation", "duplicate_threshold",
                 *JUDGING_SETTINGS, *RESULT_SETTINGS):
        setattr(contest, name, getattr(data, name))
    contest.title = data.title.strip()
    contest.fields = [f.strip() for f in data.fields if f.strip()]


def _effective_bands(bands: list, max_points: float, code: str) -> list:
    return [b.as_list() for b in bands_from_json(bands, max_points, code)]


def create_contest(actor: User, data: ContestData) -> Contest:
    """Open a new contest with its rubric."""
    _validate_contest(data)
    contest = Contest(status=OPEN, organisation=acting_organisation(actor))
    _apply_contest(contest, data)
    for pos, c in enumerate(data.criteria):
        contest.criteria.append(Criterion(code=c.code, name=c.name.strip(), max_points=c.max_points,
                                          description=c.description, position=pos, bands=list(c.bands)))
    db.session.add(contest)
    db.session.flush()
    audit.record(actor, "contest.create", "contest", contest.id, None, _contest_snapshot(contest))
    return contest


def update_contest(actor: User, contest: Contest, data: ContestData) -> Contest:
    """Change a contest's settings; its rubric only while no sheet exists."""
    _validate_contest(data)
    before = _contest_snapshot(contest)
    rubric = [[c.code, c.name.strip(), float(c.max_points), _effective_bands(c.bands, c.max_points, c.code)]
              for c in data.criteria]
    stored = [[c.code, c.name, float(c.max_points), _effective_bands(c.bands, c.max_points, c.code)]
              for c in contest.criteria]
    if (rubric != stored or data.score_step != contest.score_step) and rubric_frozen(contest):
        raise OperationError(
            gettext("Tiêu chí chấm: đã có phiếu chấm được nộp nên không thể thay đổi thang điểm."), "criteria")
    if rubric != stored:
        kept = {c.code for c in data.criteria}
        scored = criteria_scored_in_drafts(contest, [c for c in contest.criteria if c.code not in kept])
        if scored:
            raise OperationError(gettext("Tiêu chí chấm: không thể bỏ tiêu chí “%(name)s” vì giám khảo đã chấm nháp "
                                         "theo tiêu chí này.", name=scored[0]), "criteria")
        existing = {c.code: c for c in contest.criteria}
        rows = []
        for pos, c in enumerate(data.criteria):
            row = existing.pop(c.code, None) or Criterion(code=c.code)
            row.name, row.max_points, row.position, row.description = c.name.strip(), c.max_points, pos, c.description
            row.bands = list(c.bands)
            rows.append(row)
        contest.criteria = rows  # criteria left out are deleted (delete-orphan)
    _apply_contest(contest, data)
    db.session.flush()
    audit.record(actor, "contest.update", "contest", contest.id, before, _contest_snapshot(contest))
    return contest


def attach_plan(actor: User, contest: Contest, original_name: str, data: bytes, upload_dir: str,
                max_bytes: int) -> Optional[str]:
    """Attach the contest's signed plan (kế hoạch), a PDF judged by its content, in place of any
    earlier one; returns the stored name of the file it replaced, which the caller deletes once
    the change is committed (a refusal or a failed commit keeps the old plan whole)."""
    if not may_edit_contest(actor, contest):
        raise OperationError(gettext("Kế hoạch cuộc thi: chỉ Ban tổ chức của đơn vị được đính kèm."), "plan")
    if not data:
        raise OperationError(gettext("Kế hoạch cuộc thi: tệp rỗng; hãy chọn tệp PDF của kế hoạch đã ký."), "plan")
    if len(data) > max_bytes:
        raise OperationError(gettext("Kế hoạch cuộc thi: tệp %(size)s vượt quá giới hạn %(limit)s.",
                                     size=format_size(len(data)), limit=format_size(max_bytes)), "plan")
    if detect_type(data) != PDF:
        raise OperationError(gettext("Kế hoạch cuộc thi: chỉ nhận tệp PDF; nội dung tệp này không phải PDF "
                                     "(dù tên tệp có thể là .pdf)."), "plan")
    problem = pdf_problem(data)
    if problem:
        raise OperationError(gettext("Kế hoạch cuộc thi: %(reason)s", reason=gettext(problem)), "plan")
    name = display_filename(original_name) or f"ke-hoach-{contest.year}.pdf"
    stored = f"plan-{uuid.uuid4().hex}.pdf"
    os.makedirs(upload_dir, exist_ok=True)
    with open(os.path.join(upload_dir, stored), "xb") as fh:
        fh.write(data)
    replaced = contest.plan_stored_name
    before = {"plan": contest.plan_filename} if replaced else None
    contest.plan_filename, contest.plan_stored_name = name, stored
    db.session.flush()
    audit.record(actor, "contest.attach_plan", "contest", contest.id, before, {"plan": name, "size": len(data)})
    return replaced


def remove_plan(actor: User, contest: Contest) -> Optional[str]:
    """Take the signed plan off the contest; returns its stored name, for the caller to delete once committed."""
    if not may_edit_contest(actor, contest):
        raise OperationError(gettext("Kế hoạch cuộc thi: chỉ Ban tổ chức của đơn vị được gỡ."), "plan")
    if not contest.plan_stored_name:
        raise OperationError(gettext("Kế hoạch cuộc thi: cuộc thi chưa có kế hoạch đính kèm."), "plan")
    removed = contest.plan_stored_name
    audit.record(actor, "contest.remove_plan", "contest", contest.id, {"plan": contest.plan_filename}, None)
    contest.plan_filename = contest.plan_stored_name = None
    db.session.flush()
    return removed
