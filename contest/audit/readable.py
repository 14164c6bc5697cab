"""An audit record in words: what changed, field by field, with labels and translated codes, times
in Vietnam time, lists and nested values as lines. Pure: the ids a value holds stay references
(`Ref`) that the page resolves to names and links (`contest.audit.queries.names`)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Optional, Union

from contest import timeutil
from contest.audit.labels import field_label, value_labels, yes_no
from contest.marks import N_

Translate = Callable[..., str]


def as_is(text: str, **values: Any) -> str:
    """No translation: the Vietnamese label itself, its values filled in."""
    return text % values if values else text


@dataclass(frozen=True)
class Ref:
    """An object a record names by id: its kind (an audit object kind, or "criterion") and id."""

    kind: str
    id: int


@dataclass(frozen=True)
class Name:
    """How the page shows a reference: its text, and the page it links to (endpoint and arguments), if any."""

    text: str
    endpoint: Optional[str] = None
    args: tuple[tuple[str, Any], ...] = ()
    gone: bool = False  # the object no longer exists


Part = Union[str, Ref]
Line = tuple[Part, ...]
EMPTY = "—"


@dataclass(frozen=True)
class Change:
    """One field of a record: its label, and its value before and after as lines (none: not recorded)."""

    key: str
    label: str
    before: tuple[Line, ...]
    after: tuple[Line, ...]


# Fields that hold the id of an object (or a list of them), by the object's kind.
REF_FIELDS = {
    "entry_id": "entry", "from_entry": "entry", "entry": "entry", "entries": "entry", "forwarded": "entry",
    "judge_id": "user", "arbiter": "user", "judges": "user", "to": "contest", "job": "job",
    "transfer": "transfer", "sheets": "score_sheet",
}
# (action, key) whose value is a plain number although the key names objects elsewhere.
_PLAIN = {("judging.close", "sheets")}
_MISSING = object()
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PRIZE_NAMES = (N_("Nhất"), N_("Nhì"), N_("Ba"), N_("Khuyến khích"))


def changes(action: str, object_type: str, before: Optional[dict], after: Optional[dict],
            tr: Translate = as_is) -> list[Change]:
    """The record's fields in words: those that changed when it has both sides, else all it holds."""
    before, after = before or {}, after or {}
    keys = list(after) + [k for k in before if k not in after]
    found = []
    for key in keys:
        old, new = before.get(key, _MISSING), after.get(key, _MISSING)
        if before and after and old == new:
            continue
        found.append(Change(key, tr(field_label(action, object_type, key)),
                            () if old is _MISSING else value_lines(action, object_type, key, old, tr),
                            () if new is _MISSING else value_lines(action, object_type, key, new, tr)))
    return found


def refs_in(found: list[Change]) -> set[Ref]:
    """Every object the changes name, to resolve at once."""
    return {part for c in found for line in (*c.before, *c.after) for part in line if isinstance(part, Ref)}


def plain(lines: tuple[Line, ...], names: dict[Ref, Name]) -> str:
    """Lines as text (the XLSX export): references by name, one line per line."""
    return "\n".join("".join(names[p].text if isinstance(p, Ref) and p in names else
                             (f"#{p.id}" if isinstance(p, Ref) else p) for p in line) for line in lines)


def value_lines(action: str, object_type: str, key: str, value: Any, tr: Translate = as_is) -> tuple[Line, ...]:
    """One field's value as lines: references for ids, labels for codes, Vietnam time for times."""
    if value is None or value == "" or value == [] or value == {}:
        return ((EMPTY,),)
    special = _SPECIAL.get(key)
    if special is not None and (action, key) not in _PLAIN:
        try:
            return tuple(special(value, tr))
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):
            pass  # a shape of another release: shown the generic way
    kind = REF_FIELDS.get(key)
    if kind and (action, key) not in _PLAIN:
        if isinstance(value, int) and not isinstance(value, bool):
            return ((Ref(kind, value),),)
        if isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return tuple((Ref(kind, v),) for v in value)
    labels = value_labels(action, object_type, key)
    if isinstance(value, list):
        return tuple((scalar(v, labels, tr),) if not isinstance(v, (list, dict)) else (nested(v, tr),)
                     for v in value)
    if isinstance(value, dict):
        return tuple((f"{tr(field_label(action, object_type, k))}: ", nested(v, tr)) for k, v in value.items())
    return ((scalar(value, labels, tr),),)


def scalar(value: Any, labels: Optional[dict] = None, tr: Translate = as_is) -> str:
    """A plain value in words: its label, Có/Không, a time in Vietnam time, a number the Vietnamese way."""
    try:
        if labels and value in labels:
            return tr(labels[value])
    except TypeError:  # unhashable
        pass
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return tr(yes_no(value))
    if isinstance(value, float):
        return timeutil.format_number(value)
    if isinstance(value, str):
        when = stored_time(value)
        return when if when is not None else value
    return str(value)


def stored_time(text: str) -> Optional[str]:
    """A time or date as the log stores it (UTC, ISO) in Vietnam time, dd/mm/yyyy HH:MM; None if it is not one."""
    try:
        if _DATETIME.match(text):
            return timeutil.format_datetime(datetime.fromisoformat(text))
        if _DATE.match(text):
            return timeutil.format_date(date.fromisoformat(text))
    except ValueError:
        return None
    return None


def nested(value: Any, tr: Translate = as_is) -> str:
    """A value inside a list or a dict, on one line."""
    if isinstance(value, list):
        return ", ".join(nested(v, tr) for v in value) or EMPTY
    if isinstance(value, dict):
        return "; ".join(f"{k}: {nested(v, tr)}" for k, v in value.items()) or EMPTY
    return scalar(value, None, tr)


def _points(value: Any, tr: Translate) -> str:
    return tr(N_("%(points)s điểm"), points=timeutil.format_number(float(value)))


def _panel(value: list, tr: Translate) -> list[Line]:
    lines = []
    for judge_id, chair, fields in value:
        line: list[Part] = [Ref("user", int(judge_id))]
        if chair:
            line.append(" (" + tr(N_("Trưởng ban")) + ")")
        if fields:
            line.append(" — " + tr(N_("lĩnh vực: %(fields)s"), fields=", ".join(fields)))
        lines.append(tuple(line))
    return lines


def _judges(value: Any, tr: Translate) -> list[Line]:
    if isinstance(value, list):
        return [(Ref("user", int(v)),) for v in value]
    return [(Ref("user", int(k)), ": " + tr(N_("%(count)s bài chưa nộp"), count=n)) for k, n in value.items()]


def _votes(value: dict, tr: Translate) -> list[Line]:
    return [(Ref("user", int(k)), ": " + tr(N_("Tán thành") if v else N_("Không tán thành"))) for k, v in value.items()]


def _short(value: dict, tr: Translate) -> list[Line]:
    return [(Ref("entry", int(k)), ": " + tr(N_("thiếu %(count)s giám khảo"), count=n)) for k, n in value.items()]


def _skipped(value: list, tr: Translate) -> list[Line]:
    return [(Ref("entry", int(e)), " — ", Ref("user", int(j))) for e, j in value]


def _scores(value: dict, tr: Translate) -> list[Line]:
    lines = []
    for criterion_id, (points, comment) in value.items():
        line: list[Part] = [Ref("criterion", int(criterion_id)), ": ",
                            EMPTY if points is None else _points(points, tr)]
        if comment:
            line.append(f" — “{comment}”")
        lines.append(tuple(line))
    return lines


def _results(value: list, tr: Translate) -> list[Line]:
    lines = []
    for entry_id, rank, mean, prize in value:
        line: list[Part] = [tr(N_("Hạng %(rank)s"), rank=rank) + ": ", Ref("entry", int(entry_id)),
                            " — " + (EMPTY if mean is None else _points(mean, tr))]
        if prize:
            line.append(" — " + scalar(prize, value_labels("", "", "prize"), tr))
        lines.append(tuple(line))
    return lines


def _matches(value: list, tr: Translate) -> list[Line]:
    return [(Ref("registry_item", int(item)) if item else Ref("entry", int(other)),
             " — " + tr(N_("mức giống %(score)s"), score=timeutil.format_number(float(score))))
            for item, other, score in value]


def _criteria(value: list, tr: Translate) -> list[Line]:
    lines = []
    for criterion in value:
        name, max_points = criterion[1], criterion[2]
        bands = criterion[3] if len(criterion) > 3 else None
        text = f"{name}: {_points(max_points, tr)}"
        if bands:
            text += ", " + tr(N_("%(count)s mức điểm"), count=len(bands))
        lines.append((text,))
    return lines


def _prizes(value: list, tr: Translate) -> list[Line]:
    return [(" · ".join(f"{tr(name)} {count}" for name, count in zip(_PRIZE_NAMES, value, strict=False)),)]


def _coauthors(value: list, tr: Translate) -> list[Line]:
    lines = []
    for name, position, share in value:
        text = name + (f", {position}" if position else "")
        if share is not None:
            text += f" — {timeutil.format_number(float(share))}%"
        lines.append((text,))
    return lines


def _size(value: int, tr: Translate) -> list[Line]:
    return [(timeutil.format_size(int(value)),)]


def _totals(value: list, tr: Translate) -> list[Line]:
    return [("; ".join(_points(v, tr) for v in value),)]


_SPECIAL: dict[str, Callable[[Any, Translate], list[Line]]] = {
    "panel": _panel, "judges": _judges, "votes": _votes, "short": _short, "skipped_conflicts": _skipped,
    "scores": _scores, "results": _results, "flags": _matches, "similar": _matches, "criteria": _criteria,
    "prizes": _prizes, "collective_prizes": _prizes, "coauthors": _coauthors, "size": _size, "totals": _totals,
}
