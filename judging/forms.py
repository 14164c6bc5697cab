"""The score-sheet form: one points field and one comment field per criterion of the rubric."""
from __future__ import annotations

from typing import Any, Optional

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange
from wtforms.validators import Optional as OptionalValue
from wtforms.widgets import CheckboxInput, ListWidget

from contest.accounts.models import User
from contest.contests.models import Contest, Criterion
from contest.forms import BaseForm
from contest.timeutil import format_number
from judging.models import REASON_MAX, REMINDER_MAX, PanelMember, ScoreSheet
from judging.ranking import PRIZE_LABELS
from judging.rubric import band_of


class SheetForm(BaseForm):
    """Base of the per-contest sheet form; fields are added by `sheet_form`."""

    criteria: list[Criterion] = []

    def rows(self) -> list[tuple[Criterion, Any, Any, Any]]:
        """(criterion, band select, points field, comment field) in rubric order."""
        return [(c, self[f"band_{c.id}"], self[f"points_{c.id}"], self[f"comment_{c.id}"]) for c in self.criteria]

    def values(self) -> dict[int, tuple[Optional[str], str, Optional[str]]]:
        """The raw input keyed by criterion id, as `save_sheet` takes it (it parses the points and checks the band)."""
        return {c.id: (p.data, cm.data or "", b.data or None) for c, b, p, cm in self.rows()}


def _band_range(low: float, high: float) -> str:
    """“21–27”, or “0” for a band of one value."""
    return format_number(low) if low == high else f"{format_number(low)}–{format_number(high)}"


def sheet_form(criteria: list[Criterion], sheet: Optional[ScoreSheet], formdata: Any = None,
               step: float = 0.5) -> SheetForm:
    """A form for these criteria, filled from the request or else from the judge's own sheet.

    Per criterion: a band select (its options carry the band's range for judging.js), the
    points within it, and a comment.
    """
    attrs: dict[str, Any] = {"criteria": list(criteria)}
    for c in criteria:
        maximum = format_number(float(c.max_points))
        bands = c.band_list
        attrs[f"band_{c.id}"] = SelectField(
            gettext("Mức đánh giá"),
            choices=[SelectChoice("", gettext("— Chọn mức —"))] + [
                SelectChoice(str(i),
                             gettext("%(range)s điểm: %(label)s", range=_band_range(b.low, b.high), label=b.label),
                             render_kw={"data-low": f"{b.low:g}", "data-high": f"{b.high:g}"})
                for i, b in enumerate(bands)
            ],
            validate_choice=False,
            render_kw={"data-band-for": f"points_{c.id}"},
        )
        attrs[f"points_{c.id}"] = StringField(
            gettext("Điểm (0–%(max)s, bước %(step)s)", max=maximum, step=format_number(float(step))),
            render_kw={"type": "number", "min": 0, "max": f"{c.max_points:g}", "step": f"{step:g}",
                       "inputmode": "decimal", "data-points": f"{c.max_points:g}"},
        )
        attrs[f"comment_{c.id}"] = TextAreaField(gettext("Nhận xét (bắt buộc khi điểm ở hai mức thấp nhất)"))
    form_class = type("ContestSheetForm", (SheetForm,), attrs)
    data: dict[str, Any] = {}
    if sheet is not None:
        bands = {c.id: c.band_list for c in criteria}
        for score in sheet.scores:
            points = score.points
            data[f"points_{score.criterion_id}"] = "" if points is None else f"{points:g}"
            data[f"comment_{score.criterion_id}"] = score.comment
            band = band_of(points, bands.get(score.criterion_id, [])) if points is not None else None
            if band is not None:
                data[f"band_{score.criterion_id}"] = str(bands[score.criterion_id].index(band))
    return form_class(formdata=formdata, data=data)


class PanelForm(BaseForm):
    """Who sits on the panel, who chairs it, and each member's fields; fields are added by `panel_form`."""

    judges: list[User] = []

    def rows(self) -> list[tuple[User, Any, Any]]:
        """(judge, member checkbox, fields select) by name."""
        return [(j, self[f"member_{j.id}"], self[f"fields_{j.id}"]) for j in self.judges]

    def chosen(self) -> list[User]:
        return [j for j, member, _ in self.rows() if member.data]

    def chosen_chair(self) -> Optional[User]:
        """The judge picked as chair, or None (an id that is not one of the judges is nobody)."""
        return next((j for j in self.judges if str(j.id) == self["chair"].data), None)

    def fields_by_judge(self) -> dict[int, list[str]]:
        return {j.id: list(f.data or []) for j, _, f in self.rows()}


def panel_form(contest: Contest, judges: list[User], members: list[PanelMember], formdata: Any = None) -> PanelForm:
    """The panel form for these judges, filled from the request or else from the current panel."""
    current = {m.judge_id: m for m in members}
    choices = [SelectChoice(f, f) for f in contest.fields]
    attrs: dict[str, Any] = {"judges": list(judges)}
    for j in judges:
        attrs[f"member_{j.id}"] = BooleanField(f"{j.full_name}", default=j.id in current)
        attrs[f"fields_{j.id}"] = SelectMultipleField(
            gettext("Lĩnh vực chuyên môn"), choices=choices, validate_choice=False,
            widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
            default=list(current[j.id].fields or []) if j.id in current else [],
        )
    chair = next((m.judge_id for m in members if m.is_chair), None)
    attrs["chair"] = SelectField(gettext("Trưởng ban giám khảo"), choices=[SelectChoice("", gettext("— Chưa chọn —"))]
                                 + [SelectChoice(str(j.id), j.full_name) for j in judges],
                                 default=str(chair) if chair else "", validate_choice=False)
    return type("ContestPanelForm", (PanelForm,), attrs)(formdata=formdata)


class AddAssignmentForm(BaseForm):
    """Assign one judge to one entry by hand (choices set by the view)."""

    entry_id = SelectField(_l("Sáng kiến"), coerce=int, validate_choice=False)
    judge_id = SelectField(_l("Giám khảo"), coerce=int, validate_choice=False)
    reason = TextAreaField(_l("Lý do (bắt buộc nếu có xung đột lợi ích)"),
                           validators=[OptionalValue(), Length(max=REASON_MAX)])


class ReasonForm(BaseForm):
    """A reason for a declared conflict, a reopened sheet, a re-score request."""

    reason = TextAreaField(_l("Lý do"), validators=[DataRequired(_l("Lý do: không được để trống.")), Length(max=REASON_MAX)])


class CloseForm(BaseForm):
    """Close judging: the time of the panel's closing meeting, for the minutes (Vietnam time)."""

    meeting_at = DateTimeLocalField(_l("Thời gian họp Ban giám khảo (giờ Việt Nam)"), format="%Y-%m-%dT%H:%M",
                                    validators=[OptionalValue()])  # empty: now
    despite_open_flags = BooleanField(_l("Vẫn kết thúc chấm: các bài còn cảnh báo trùng lặp chưa kết luận được xếp hạng "
                                         "như bài không trùng"))


class WaiverForm(BaseForm):
    """The chair's reason for ranking an entry on fewer sheets than the minimum."""

    reason = TextAreaField(_l("Lý do chấp nhận"), id="waiver-reason",
                           validators=[DataRequired(_l("Lý do: không được để trống.")),
                                       Length(max=REASON_MAX, message=_l("Lý do: tối đa %(max)s ký tự.", max=REASON_MAX))])


class ReopenForm(ReasonForm):
    """Reopen one submitted sheet (choices set by the view)."""

    sheet_id = SelectField(_l("Phiếu chấm đã nộp"), coerce=int, validate_choice=False)
    # Its own id: the panel page also has the add-assignment form's "reason".
    reason = TextAreaField(_l("Lý do"), id="reopen-reason",
                           validators=[DataRequired(_l("Lý do: không được để trống.")), Length(max=REASON_MAX)])


class AmendResultForm(BaseForm):
    """A manual change to one computed result (choices set by the view)."""

    result_id = SelectField(_l("Sáng kiến"), coerce=int, validate_choice=False)
    rank = IntegerField(_l("Hạng"), validators=[InputRequired(_l("Hạng: cần một số.")),
                                                NumberRange(1, 10000, _l("Hạng: từ 1 trở lên."))])
    prize = SelectField(_l("Giải"), choices=[SelectChoice("", _l("Không có giải"))]
                        + [SelectChoice(code, _l(label)) for code, label in PRIZE_LABELS.items()])
    recognised = BooleanField(_l("Được công nhận"))
    reason = TextAreaField(_l("Lý do điều chỉnh"),
                           validators=[DataRequired(_l("Lý do: không được để trống.")), Length(max=REASON_MAX)])


class RemindForm(BaseForm):
    """Remind the chosen judges who still have sheets to submit (choices set by the view)."""

    judges = SelectMultipleField(_l("Giám khảo cần nhắc"), coerce=int, validate_choice=False,
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    message = TextAreaField(_l("Nội dung nhắc"), validators=[
        DataRequired(_l("Nội dung nhắc: không được để trống.")),
        Length(max=REMINDER_MAX, message=_l("Nội dung nhắc: tối đa %(max)s ký tự.")),
    ])


class ForwardForm(BaseForm):
    """Transfer recognised entries into the town's round (choices set by `forward_form`)."""

    round = SelectField(_l("Vòng thị xã"), coerce=int, validate_choice=False,
                        validators=[DataRequired(_l("Vòng thị xã: hãy chọn vòng chấm nhận sáng kiến."))])
    entries = SelectMultipleField(_l("Sáng kiến chuyển lên"), coerce=int, validate_choice=False,
                                  widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())


def forward_form(rounds: list[Contest], recognised: list[tuple[int, str]], suggested: list[int],
                 formdata: Any = None) -> ForwardForm:
    """The forward form: the town's open rounds, the contest's recognised entries not yet sent
    (id, label), the top ones ticked."""
    form = ForwardForm(formdata=formdata, entries=suggested)
    form.round.choices = [(c.id, f"{c.title} ({c.year})") for c in rounds]
    form.entries.choices = recognised
    return form
