"""Transfer of the duplicate matcher between labelled sets: what a registry it has never seen gets.

    .venv/bin/python bench/transfer.py ../shared/data/dedup/dev.json ../shared/data/dedup/dev2.json [--json]

For every ordered pair of sets: the flag line tuned on the first (best F1), measured on the second,
beside the second set's own best line; then the product's default line on each set. Nothing here
is measured on the set its threshold was chosen on, except the rows marked "in set". With
--variants, the default line also on harder versions of each set (queries typed without marks,
a registry kept as titles only, terse queries), as other wards will have them.
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contest.matching import DEFAULT_THRESHOLD  # noqa: E402
from contest.matching.evaluate import evaluate, transfer  # noqa: E402
from contest.matching.index import sentence_spans  # noqa: E402


def _strip_marks(text: str) -> str:
    """The text as typed without a Vietnamese keyboard: no marks, đ written d."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


def variants(data: dict) -> dict[str, dict]:
    """Harder versions of a labelled set, as other wards will have them.

    * ``no marks``: every query typed without diacritics;
    * ``titles-only registry``: every registry item reduced to its title (a registry kept as a
      list in Excel);
    * ``terse queries``: every query cut to its title and its second sentence (the solution, in
      most summaries), as a hurried author writes.
    """
    stripped = copy.deepcopy(data)
    for q in stripped["queries"]:
        q["title"], q["summary"] = _strip_marks(q.get("title", "")), _strip_marks(q.get("summary", ""))
    titles = copy.deepcopy(data)
    for r in titles["registry"]:
        r["summary"] = ""
    terse = copy.deepcopy(data)
    for q in terse["queries"]:
        text = q.get("summary", "")
        spans = sentence_spans(text)
        if len(spans) >= 2:
            q["summary"] = text[spans[1][0]:spans[1][1]]
    return {"no marks": stripped, "titles-only registry": titles, "terse queries": terse}


def _row(label: str, m: dict) -> str:
    kinds = " ".join(f"{k}={v:.2f}" for k, v in m["recall_by_kind"].items())
    return (f"  {label:<34} line {m['threshold']:>5.1f}  P {m['precision']:.3f}  R {m['recall']:.3f}  "
            f"F1 {m['f1']:.3f}  R@3 {m['recall_at_3']:.3f}  HN {m['hard_negative_false_flag_rate']:.1%}  "
            f"flagged/100 {m['flagged_per_100']:.0f}\n      recall by kind: {kinds}")


def main() -> None:
    """Print the transfer report for the labelled sets given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", help="labelled sets (JSON), at least two")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--variants", action="store_true", help="also the harder versions of each set")
    args = parser.parse_args()
    if len(args.sets) < 2:
        parser.error("give at least two labelled sets")
    data = {p: json.loads(Path(p).read_text(encoding="utf-8")) for p in args.sets}
    report: dict = {"transfer": [], "defaults": {}}
    for a in args.sets:
        for b in args.sets:
            if a != b:
                report["transfer"].append({"tuned_on": a, "tested_on": b, **transfer(data[a], data[b])})
    for p in args.sets:
        report["defaults"][p] = evaluate(data[p])
    if args.variants:
        report["variants"] = {p: {name: evaluate(v) for name, v in variants(data[p]).items()} for p in args.sets}
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return
    for t in report["transfer"]:
        print(f"tuned on {Path(t['tuned_on']).name}, measured on {Path(t['tested_on']).name}:")
        print(_row(f"{Path(t['tuned_on']).name} (in set)", t["tuned_set"]))
        print(_row(f"{Path(t['tested_on']).name} (transfer)", t["test_set"]))
        print(_row(f"{Path(t['tested_on']).name} at its own best line", t["test_set_own_best"]))
    print(f"product default line {DEFAULT_THRESHOLD:g}:")
    for p, m in report["defaults"].items():
        print(_row(Path(p).name, m))
    for p, by_name in report.get("variants", {}).items():
        print(f"product default line on harder versions of {Path(p).name}:")
        for name, m in by_name.items():
            print(_row(name, m))


if __name__ == "__main__":
    main()
