"""Pure rubric rules: point bands with descriptors, the points step, checking one score.

No Flask, no database: criteria come in as plain values, so the rules are testable alone.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

# Descriptors of the default bands, best first, per criterion code (as official phiếu chấm word them).
DEFAULT_DESCRIPTORS = {
    "novelty": ("Hoàn toàn mới", "Mới, cải tiến đáng kể cách làm hiện có", "Có điểm mới một phần",
                "Ít điểm mới", "Không có tính mới"),
    "usefulness": ("Hiệu quả rất rõ rệt, đã được kiểm chứng", "Hiệu quả rõ", "Có hiệu quả nhưng chưa rõ",
                   "Hiệu quả thấp", "Không có hiệu quả"),
    "replicability": ("Nhân rộng được toàn phường và nơi khác", "Nhân rộng được ở nhiều đơn vị",
                      "Nhân rộng được trong lĩnh vực", "Khó nhân rộng", "Không nhân rộng được"),
}
GENERIC_DESCRIPTORS = ("Xuất sắc", "Tốt", "Đạt", "Yếu", "Không đạt")
STEPS = (1.0, 0.5)


@dataclass(frozen=True)
class Band:
    """A range of points [low, high] with what it means."""

    low: float
    high: float
    label: str

    def contains(self, points: float) -> bool:
        return self.low <= points <= self.high

    def as_list(self) -> list:
        return [self.low, self.high, self.label]


def default_bands(max_points: float, code: str = "") -> list[Band]:
    """Five bands scaled from the official 30-point sheet (27–30, 21–26, 16–20, 1–15, 0).

    The cuts sit at 90 %, 70 % and 50 % of the maximum, rounded to whole points:
    [⌈.9M⌉, M], [⌈.7M⌉, ⌈.9M⌉−1], [⌊.5M⌋+1, ⌈.7M⌉−1], [1, ⌊.5M⌋], [0, 0]; so novelty 40 gets
    36–40, 28–35, 21–27, 1–20, 0. A maximum too small for five distinct bands gets two (1–M, 0).
    """
    labels = DEFAULT_DESCRIPTORS.get(code, GENERIC_DESCRIPTORS)
    top, upper, mid = math.ceil(0.9 * max_points), math.ceil(0.7 * max_points), math.floor(0.5 * max_points) + 1
    if not (1 < mid < upper < top <= max_points):
        return [Band(1, float(max_points), labels[0]), Band(0, 0, labels[-1])]
    cuts = [(top, max_points), (upper, top - 1), (mid, upper - 1), (1, mid - 1), (0, 0)]
    return [Band(float(lo), float(hi), label) for (lo, hi), label in zip(cuts, labels)]


def bands_from_json(raw: Optional[Sequence], max_points: float, code: str = "") -> list[Band]:
    """The stored bands of a criterion ([[low, high, label], …]), or the default ones when none are stored."""
    if not raw:
        return default_bands(max_points, code)
    return sorted((Band(float(lo), float(hi), str(label)) for lo, hi, label in raw), key=lambda b: -b.low)


def format_bands(bands: Iterable[Band]) -> str:
    """One band a line, as the rubric form shows them: "36-40: Hoàn toàn mới"."""
    return "\n".join(f"{_num(b.low)}-{_num(b.high)}: {b.label}" for b in bands)


def parse_bands(text: str, max_points: float) -> list[Band]:
    """Bands from the rubric form's lines; raises ValueError (Vietnamese) when they do not cover [0, max] once.

    Each line is "low-high: descriptor" (or "points: descriptor" for a single value); decimal
    commas are accepted. Together the bands must cover every point from 0 to the maximum with
    no overlap and no gap larger than the 1-point step.
    """
    bands = []
    for number, line in enumerate((ln.strip() for ln in text.splitlines()), start=1):
        if not line:
            continue
        span, sep, label = line.partition(":")
        if not sep or not label.strip():
            raise ValueError(f"Dòng {number}: cần dạng “thấp-cao: mô tả”, ví dụ “36-40: Hoàn toàn mới”.")
        low_text, _, high_text = span.replace("–", "-").partition("-")
        try:
            low = float(low_text.strip().replace(",", "."))
            high = float((high_text or low_text).strip().replace(",", "."))
        except ValueError:
            raise ValueError(f"Dòng {number}: khoảng điểm “{span.strip()}” không hợp lệ.") from None
        if not 0 <= low <= high <= max_points:
            raise ValueError(f"Dòng {number}: khoảng điểm phải nằm trong 0–{_num(max_points)}.")
        bands.append(Band(low, high, label.strip()))
    if not bands:
        return []
    bands.sort(key=lambda b: -b.low)
    if bands[0].high != max_points or bands[-1].low != 0:
        raise ValueError(f"Các mức điểm phải phủ từ 0 đến {_num(max_points)}.")
    for upper, lower in zip(bands, bands[1:]):
        if lower.high >= upper.low or upper.low - lower.high > 1:
            raise ValueError(f"Mức “{upper.label}” và “{lower.label}” chồng lấn hoặc để hở khoảng điểm.")
    return bands


def band_of(points: float, bands: Sequence[Band]) -> Optional[Band]:
    """The band holding the points (bands best first); a half point in a gap (20,5 between 1–20 and
    21–27) belongs to the band below it."""
    return next((b for b in bands if b.low <= points), None)


def comment_required(points: float, bands: Sequence[Band]) -> bool:
    """A comment is required for a score in the lowest band.

    The lowest band is the lowest one with a real range (high > 0), together with a zero-only
    band under it: a bare "0" band would otherwise make 1 point need no justification while 0
    does. With the default bands of novelty 40 that means any score of 20 or less.
    """
    ranged = [b for b in bands if b.high > 0]
    return bool(ranged) and points <= min(ranged, key=lambda b: b.low).high


def on_step(points: float, step: float) -> bool:
    """True when the points are a whole multiple of the step (1 or 0.5)."""
    return abs(points / step - round(points / step)) < 1e-9


def _num(value: float) -> str:
    return f"{value:g}".replace(".", ",")
