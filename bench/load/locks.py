"""Summarise the write-lock log of a `variants:*` run: per endpoint, the wait for SQLite's write
lock and the time it was held (p50/p95/max, ms), and the share of the run the lock was held.

    .venv/bin/python bench/load/locks.py OUT/sqlite/locks.jsonl
"""
from __future__ import annotations

import glob
import json
import sys
from collections import defaultdict

from report import percentile


def summarise(prefix: str) -> list[dict]:
    """One row per endpoint from every `prefix.<pid>` file."""
    by: dict[str, list[dict]] = defaultdict(list)
    for path in glob.glob(prefix + ".*"):
        for line in open(path, encoding="utf-8"):
            record = json.loads(line)
            by[record["endpoint"]].append(record)
    rows = []
    for endpoint, records in sorted(by.items(), key=lambda kv: -len(kv[1])):
        wait = sorted(r["wait_ms"] for r in records)
        hold = sorted(r["hold_ms"] for r in records)
        rows.append({"endpoint": endpoint, "count": len(records),
                     "wait_p50": percentile(wait, 0.5), "wait_p95": percentile(wait, 0.95), "wait_max": wait[-1],
                     "hold_p50": percentile(hold, 0.5), "hold_p95": percentile(hold, 0.95), "hold_max": hold[-1],
                     "hold_total_s": sum(hold) / 1000})
    return rows


if __name__ == "__main__":
    print("| endpoint | transactions | wait p50 / p95 / max ms | held p50 / p95 / max ms | held in all, s |")
    print("|---|---|---|---|---|")
    for r in summarise(sys.argv[1]):
        print(f"| {r['endpoint']} | {r['count']} | {r['wait_p50']:.1f} / {r['wait_p95']:.1f} / {r['wait_max']:.0f} | "
              f"{r['hold_p50']:.1f} / {r['hold_p95']:.1f} / {r['hold_max']:.0f} | {r['hold_total_s']:.1f} |")
