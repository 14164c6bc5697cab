"""Transfer of the duplicate matcher between labelled sets: what a registry it has never seen gets.

    .venv/bin/python bench/transfer.py ../shared/data/dedup/dev.json ../shared/data/dedup/dev2.json [--json]

For every ordered pair of sets: the flag line tuned on the first (best F1), measured on the second,
beside the second set's own best line; then the product's default line on each set. Nothing here
is measured on the set its threshold was chosen on, except the rows marked "in set".
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contest.matching import DEFAULT_THRESHOLD  # noqa: E402
from contest.matching.evaluate import evaluate, transfer  # noqa: E402


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


if __name__ == "__main__":
    main()
