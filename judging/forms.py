"""The score-sheet form: one points field and one comment field per criterion of the rubric."""
from __future__ import annotations

from typing import Any, Optional

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from contest.models import Criterion
from contest.timeutil import format_number

from .models import ScoreSheet


class SheetForm(FlaskForm):
    """Base of the per-contest sheet form; fields are added by `sheet_form`."""

    criteria: list[Criterion] = []

    def rows(self) -> list[tuple[Criterion, Any, Any]]:
        """(criterion, points field, comment field) in rubric order."""
        return [(c, self[f"points_{c.id}"], self[f"comment_{c.id}"]) for c in self.criteria]

    def values(self) -> dict[int, tuple[Optional[str], str]]:
        """The raw input keyed by criterion id, as `save_sheet` takes it (it parses the points)."""
        return {c.id: (p.data, cm.data or "") for c, p, cm in self.rows()}


def sheet_form(criteria: list[Criterion], sheet: Optional[ScoreSheet], formdata: Any = None) -> SheetForm:
    """A form for these criteria, filled from the request or else from the judge's own sheet."""
    attrs: dict[str, Any] = {"criteria": list(criteria)}
    for c in criteria:
        maximum = format_number(float(c.max_points))
        attrs[f"points_{c.id}"] = StringField(
            f"Điểm (0–{maximum})",
            render_kw={"type": "number", "min": 0, "max": f"{c.max_points:g}", "step": 0.5, "inputmode": "decimal",
                       "data-points": f"{c.max_points:g}"},
        )
        attrs[f"comment_{c.id}"] = TextAreaField("Nhận xét")
    form_class = type("ContestSheetForm", (SheetForm,), attrs)
    data: dict[str, Any] = {}
    if sheet is not None:
        for score in sheet.scores:
            points = score.points
            data[f"points_{score.criterion_id}"] = "" if points is None else f"{points:g}"
            data[f"comment_{score.criterion_id}"] = score.comment
    return form_class(formdata=formdata, data=data)
