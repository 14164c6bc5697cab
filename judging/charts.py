"""Charts drawn on the server as SVG: plain data in, escaped markup out.

No Flask app, no database: the dashboard and the public results page hand in plain values,
so the pictures render without a network and are testable alone. Every chart is built for
a 360 px phone: one row a line with its label above it, the drawing scaled by its viewBox.
Each has role="img", a <title> and a <desc> that say in words what it shows; the pages put
a data table next to it. Colours keep a contrast of at least 3:1 against white, and colour
never carries a number alone (counts are also written out).
"""
from __future__ import annotations

import textwrap
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

from flask_babel import gettext as _
from markupsafe import Markup, escape

from contest.timeutil import format_number

WIDTH = 420
PAD = 12
FONT = 15  # label size in viewBox units: about 12 px on a 360 px phone
SMALL = 13
LINE = 19
CHARS = 45  # characters of a label line that fit the width at FONT
INK, MUTED, GRID, TRACK = "#212529", "#495057", "#ced4da", "#f1f3f5"
DOT, BAR, ACCENT = "#0b5ed7", "#0b5ed7", "#b02a37"
SUBMITTED_FILL, DRAFT_FILL, PENDING_FILL, PENDING_EDGE = "#146c43", "#c35a00", "#e9ecef", "#6c757d"


@dataclass(frozen=True)
class Series:
    """A labelled set of values: one judge's sheet totals."""

    label: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class CriterionPoints:
    """The points all sheets gave one criterion, with the criterion's maximum."""

    label: str
    max_points: float
    points: tuple[float, ...]


@dataclass(frozen=True)
class Bar:
    """One bar: a label, its value, and a note shown before the label (a prize)."""

    label: str
    value: float
    note: str = ""


@dataclass(frozen=True)
class Progress:
    """A judge's (or the panel's) sheets: submitted, drafted, not started."""

    label: str
    submitted: int
    draft: int
    pending: int
    late: bool = False

    @property
    def assigned(self) -> int:
        return self.submitted + self.draft + self.pending


def num(value: float, digits: int = 1) -> str:
    """A number the Vietnamese way, rounded: 62,5."""
    rounded = round(float(value), digits)
    return format_number(int(rounded) if rounded == int(rounded) else rounded, digits)


def mean(values: Sequence[float]) -> float:
    """The arithmetic mean (0 for no values)."""
    return sum(values) / len(values) if values else 0.0


# -- building blocks ------------------------------------------------------------------------

def _e(text: object) -> str:
    return str(escape(str(text)))


def _f(value: float) -> str:
    """A coordinate for an SVG attribute (always a dot decimal)."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _lines(text: str, width: int = CHARS, most: int = 2) -> list[str]:
    """The label wrapped to at most `most` lines, the last cut with an ellipsis."""
    lines = textwrap.wrap(" ".join(str(text).split()), width) or [""]
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


def _text(x: float, y: float, text: str, size: int = FONT, fill: str = INK, anchor: str = "start",
          bold: bool = False, full: Optional[str] = None) -> str:
    weight = ' font-weight="bold"' if bold else ""
    tip = f"<title>{_e(full)}</title>" if full and full != text else ""
    return (f'<text x="{_f(x)}" y="{_f(y)}" font-size="{size}" fill="{fill}" text-anchor="{anchor}"{weight}>'
            f"{tip}{_e(text)}</text>")


def _label(x: float, y: float, text: str, bold: bool = False) -> tuple[list[str], float]:
    """A wrapped label from y down; returns its parts and its height."""
    lines = _lines(text)
    parts = [_text(x, y + FONT + i * LINE, line, bold=bold, full=text) for i, line in enumerate(lines)]
    return parts, len(lines) * LINE + 2


def _legend(items: Iterable[tuple[str, str]], y: float) -> tuple[list[str], float]:
    """Swatches with their meaning, flowed over as many lines as needed; (parts, height)."""
    parts: list[str] = []
    x, row = PAD, 0
    for swatch, label in items:
        width = 22 + len(label) * SMALL * 0.55 + 14
        if x > PAD and x + width > WIDTH - PAD:
            x, row = PAD, row + 1
        top = y + row * LINE
        parts.append(swatch.format(x=_f(x), y=_f(top + 3), cx=_f(x + 7), cy=_f(top + 9), y2=_f(top + 16)))
        parts.append(_text(x + 20, top + 13, label, size=SMALL, fill=MUTED))
        x += width
    return parts, (row + 1) * LINE + 4


def _svg(chart_id: str, title: str, desc: str, height: float, body: list[str]) -> Markup:
    cid = _e(chart_id)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" id="{cid}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" viewBox="0 0 {WIDTH} {_f(height)}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" font-family="inherit">'
        f'<title id="{cid}-title">{_e(title)}</title><desc id="{cid}-desc">{_e(desc)}</desc>'
        + "".join(body) + "</svg>"
    )


def empty_chart(chart_id: str, title: str) -> Markup:
    """The chart of nothing: a dashed frame saying there is no data yet."""
    body = [
        f'<rect x="{PAD}" y="8" width="{WIDTH - 2 * PAD}" height="56" rx="6" fill="{TRACK}" stroke="{PENDING_EDGE}" '
        f'stroke-dasharray="6 4"/>',
        _text(WIDTH / 2, 41, _("Chưa có dữ liệu"), fill=MUTED, anchor="middle"),
    ]
    return _svg(chart_id, title, _("Chưa có dữ liệu."), 72, body)


# -- strip plots ----------------------------------------------------------------------------

X0, X1 = PAD + 8, WIDTH - PAD - 8  # the scale of strip plots, room left for a dot's radius
TRACK_HEIGHT, GAP = 24, 10


def _x(value: float, scale: float) -> float:
    share = min(max(value / scale, 0.0), 1.0) if scale > 0 else 0.0
    return X0 + share * (X1 - X0)


def _strip(rows: Sequence[tuple[str, Sequence[float]]], scale: float, tick: str, reference: float,
           reference_label: str) -> tuple[list[str], float]:
    """Rows of dots on a 0–scale axis, a mean marker per row, a dashed reference line; (parts, height)."""
    parts: list[str] = []
    back: list[str] = []  # tracks and grid lines, under the dots
    tracks: list[float] = []
    y = 6.0
    for label, values in rows:
        head, height = _label(PAD, y, label)
        y += height
        parts.append(f'<g class="chart-row" data-row="{_e(label)}">')
        parts += head
        back.append(f'<rect x="{PAD}" y="{_f(y)}" width="{WIDTH - 2 * PAD}" height="{TRACK_HEIGHT}" rx="4" '
                    f'fill="{TRACK}"/>')
        tracks.append(y)
        # Equal values are drawn once per spread slot (up, middle, down) with their count in the
        # tooltip: a contest of a thousand entries would otherwise draw thousands of identical dots.
        for value, count in sorted(Counter(round(v, 2) for v in values).items()):
            tip = _e(num(value)) if count == 1 else _e(_("%(value)s (%(count)s phiếu)", value=num(value), count=count))
            for slot in (0, -1, 1)[:count]:
                cy = y + TRACK_HEIGHT / 2 + slot * 4  # a little spread so equal totals stay visible
                parts.append(f'<circle class="chart-dot" cx="{_f(_x(value, scale))}" cy="{_f(cy)}" r="5" '
                             f'fill="{DOT}" fill-opacity="0.7" stroke="#ffffff" stroke-width="1">'
                             f'<title>{tip}</title></circle>')
        if values:
            mx, tip = _x(mean(values), scale), _("Trung bình: %(value)s", value=num(mean(values)))
            parts.append(f'<rect class="chart-mean" x="{_f(mx - 2)}" y="{_f(y + 1)}" width="4" '
                         f'height="{TRACK_HEIGHT - 2}" fill="{INK}"><title>{_e(tip)}</title></rect>')
        parts.append("</g>")
        y += TRACK_HEIGHT + GAP
    bottom = y - GAP
    rx = _x(reference, scale)
    for top in tracks:  # lines over the tracks only, so they never cross a label
        for k in range(5):
            x = X0 + k / 4 * (X1 - X0)
            back.append(f'<line x1="{_f(x)}" y1="{_f(top)}" x2="{_f(x)}" y2="{_f(top + TRACK_HEIGHT)}" stroke="{GRID}" '
                        f'stroke-width="1"/>')
        parts.append(f'<line class="chart-reference" x1="{_f(rx)}" y1="{_f(top - 3)}" x2="{_f(rx)}" '
                     f'y2="{_f(top + TRACK_HEIGHT + 3)}" stroke="{ACCENT}" stroke-width="2" stroke-dasharray="5 3">'
                     f'<title>{_e(reference_label)}</title></line>')
    for k in range(5):
        x = X0 + k / 4 * (X1 - X0)
        parts.append(_text(x, bottom + SMALL + 4, tick.format(num(scale * k / 4)), size=SMALL, fill=MUTED,
                           anchor="start" if k == 0 else "end" if k == 4 else "middle"))
    y = bottom + SMALL + 14
    legend, height = _legend([
        (f'<circle cx="{{cx}}" cy="{{cy}}" r="5" fill="{DOT}" fill-opacity="0.7"/>', _("Một phiếu")),
        (f'<rect x="{{x}}" y="{{y}}" width="4" height="13" fill="{INK}"/>', _("Trung bình của hàng")),
        (f'<line x1="{{cx}}" y1="{{y}}" x2="{{cx}}" y2="{{y2}}" stroke="{ACCENT}" stroke-width="2" '
         f'stroke-dasharray="4 3"/>', reference_label),
    ], y)
    return back + parts + legend, y + height


def judge_totals_chart(judges: Sequence[Series], max_total: float, chart_id: str = "chart-judges",
                       title: str = "") -> Markup:
    """Each judge's sheet totals as dots on 0–max, their mean marked, the mean of all sheets dashed.

    A harsh judge's dots sit left of the dashed line, a lenient one's right of it.
    """
    title = title or _("Tổng điểm các phiếu theo giám khảo")
    scored = [j for j in judges if j.values]
    if not scored:
        return empty_chart(chart_id, title)
    every = [v for j in scored for v in j.values]
    overall = mean(every)
    rows = []
    for j in judges:
        if j.values:
            summary = _("%(name)s — TB %(mean)s (%(count)s phiếu)", name=j.label, mean=num(mean(j.values)),
                        count=len(j.values))
        else:
            summary = _("%(name)s — chưa nộp phiếu nào", name=j.label)
        rows.append((summary, j.values))
    harsh, lenient = min(scored, key=lambda j: mean(j.values)), max(scored, key=lambda j: mean(j.values))
    words = [_("Trung bình chung %(mean)s trên %(max)s điểm, %(count)s phiếu.", mean=num(overall), max=num(max_total),
               count=len(every))]
    if len(scored) > 1:
        words.append(_("Chấm chặt nhất: %(harsh)s (TB %(hm)s); dễ nhất: %(lenient)s (TB %(lm)s).", harsh=harsh.label,
                       hm=num(mean(harsh.values)), lenient=lenient.label, lm=num(mean(lenient.values))))
    for j in scored:
        words.append(_("%(name)s: %(count)s phiếu, TB %(mean)s, từ %(low)s đến %(high)s.", name=j.label,
                       count=len(j.values), mean=num(mean(j.values)), low=num(min(j.values)), high=num(max(j.values))))
    body, height = _strip(rows, max_total, "{}", overall, _("TB chung %(mean)s", mean=num(overall)))
    return _svg(chart_id, title, " ".join(words), height, body)


def criterion_chart(criteria: Sequence[CriterionPoints], chart_id: str = "chart-criteria", title: str = "") -> Markup:
    """Each criterion's points as % of its maximum, one row a criterion, the mean of all marks dashed."""
    title = title or _("Điểm từng tiêu chí (phần trăm điểm tối đa)")
    shares = [(c, [100 * p / c.max_points for p in c.points] if c.max_points else []) for c in criteria]
    if not any(values for _c, values in shares):
        return empty_chart(chart_id, title)
    every = [v for _c, values in shares for v in values]
    overall = mean(every)
    rows, words = [], []
    for c, values in shares:
        if values:
            rows.append((_("%(name)s (tối đa %(max)s) — TB %(mean)s%%", name=c.label, max=num(c.max_points),
                           mean=num(mean(values))), values))
            words.append(_("%(name)s: %(count)s điểm chấm, TB %(mean)s%% điểm tối đa, từ %(low)s%% đến %(high)s%%.",
                           name=c.label, count=len(values), mean=num(mean(values)), low=num(min(values)),
                           high=num(max(values))))
        else:
            rows.append((_("%(name)s — chưa có điểm", name=c.label), values))
    body, height = _strip(rows, 100.0, "{}%", overall, _("TB chung %(mean)s%%", mean=num(overall)))
    return _svg(chart_id, title, " ".join(words), height, body)


# -- bar charts -----------------------------------------------------------------------------

B0, B1 = PAD, WIDTH - PAD - 64  # bars start at the left edge; the value is written after the bar
BAR_HEIGHT = 18


def _bar_width(value: float, scale: float) -> float:
    return (B1 - B0) * min(max(value / scale, 0.0), 1.0) if scale > 0 else 0.0


BarRow = tuple[str, Sequence[tuple[float, str, str]], str, bool]  # label, segments, value text, bold


def _bars(rows: Sequence[BarRow], scale: float) -> tuple[list[str], float]:
    """Horizontal bars, each of stacked segments (value, fill, what it is), a value after it; (parts, height)."""
    parts: list[str] = []
    y = 6.0
    for label, segments, value_text, bold in rows:
        head, height = _label(PAD, y, label, bold=bold)
        y += height
        parts.append(f'<g class="chart-row" data-row="{_e(label)}">')
        parts += head
        x = B0
        for value, fill, what in segments:
            width = _bar_width(value, scale)
            if width <= 0:
                continue
            edge = f' stroke="{PENDING_EDGE}" stroke-width="1"' if fill == PENDING_FILL else ""
            parts.append(f'<rect class="chart-bar" x="{_f(x)}" y="{_f(y)}" width="{_f(width)}" height="{BAR_HEIGHT}" '
                         f'fill="{fill}"{edge}><title>{_e(what)}</title></rect>')
            x += width
        parts.append(_text(x + 6, y + BAR_HEIGHT - 4, value_text, size=SMALL, fill=INK, bold=True))
        parts.append("</g>")
        y += BAR_HEIGHT + GAP
    return parts, y


def field_chart(fields: Sequence[Bar], chart_id: str = "chart-fields", title: str = "") -> Markup:
    """Entries per field: one bar a field, its length the count."""
    title = title or _("Số sáng kiến theo lĩnh vực")
    if not fields or not any(f.value for f in fields):
        return empty_chart(chart_id, title)
    scale = max(f.value for f in fields)
    rows = [(f.label, [(f.value, BAR, _("%(label)s: %(count)s", label=f.label, count=num(f.value)))], num(f.value),
             False) for f in fields]
    words = [_("Tổng %(count)s sáng kiến.", count=num(sum(f.value for f in fields)))]
    words += [_("%(label)s: %(count)s.", label=f.label, count=num(f.value)) for f in fields]
    body, height = _bars(rows, scale)
    return _svg(chart_id, title, " ".join(words), height, body)


def progress_chart(rows: Sequence[Progress], chart_id: str = "chart-progress", title: str = "") -> Markup:
    """Sheets per judge as a stacked bar: submitted, draft, not started; the first row may be the panel's total."""
    title = title or _("Tiến độ chấm")
    if not rows or not any(r.assigned for r in rows):
        return empty_chart(chart_id, title)
    scale = max(r.assigned for r in rows)
    drawn, words = [], []
    for i, r in enumerate(rows):
        late = _(" (quá hạn)") if r.late else ""
        summary = _("%(name)s%(late)s: %(submitted)s đã nộp · %(draft)s nháp · %(pending)s chưa chấm", name=r.label,
                    late=late, submitted=r.submitted, draft=r.draft, pending=r.pending)
        segments = [(r.submitted, SUBMITTED_FILL, _("Đã nộp: %(n)s", n=r.submitted)),
                    (r.draft, DRAFT_FILL, _("Bản nháp: %(n)s", n=r.draft)),
                    (r.pending, PENDING_FILL, _("Chưa chấm: %(n)s", n=r.pending))]
        drawn.append((summary, segments, f"{r.submitted}/{r.assigned}", i == 0 and len(rows) > 1))
        words.append(summary + ".")
    body, y = _bars(drawn, scale)
    legend, height = _legend([
        (f'<rect x="{{x}}" y="{{y}}" width="14" height="13" fill="{SUBMITTED_FILL}"/>', _("Đã nộp")),
        (f'<rect x="{{x}}" y="{{y}}" width="14" height="13" fill="{DRAFT_FILL}"/>', _("Bản nháp")),
        (f'<rect x="{{x}}" y="{{y}}" width="14" height="13" fill="{PENDING_FILL}" stroke="{PENDING_EDGE}"/>',
         _("Chưa chấm")),
    ], y)
    return _svg(chart_id, title, " ".join(words), y + height, body + legend)


def winners_chart(winners: Sequence[Bar], max_total: float, chart_id: str = "chart-winners", title: str = "") -> Markup:
    """The prize winners' final scores on 0–max, each labelled with its prize and title."""
    title = title or _("Điểm của các sáng kiến đạt giải")
    if not winners:
        return empty_chart(chart_id, title)
    rows, words = [], []
    for w in winners:
        label = f"{w.note} — {w.label}" if w.note else w.label
        rows.append((label, [(w.value, BAR, _("%(score)s điểm", score=num(w.value, 2)))], num(w.value, 2), False))
        words.append(_("%(label)s: %(score)s/%(max)s điểm.", label=label, score=num(w.value, 2), max=num(max_total)))
    body, height = _bars(rows, max_total)
    return _svg(chart_id, title, " ".join(words), height, body)
