"""Hold-out check of the duplicate matcher's flag line on a labelled set.

Usage: .venv/bin/python bench/holdout.py DATASET.json [--splits 40] [--seed 1] [--strip-queries]

Each split shuffles the queries, picks the threshold with the best F1 on one half and scores
the other half with it, so the figure says how much the default line owes to the queries it
was chosen on. It holds out the threshold only: the word lists and the constants of the score
were written with the whole development set in view, which only an unseen set can test.
`--strip-queries` first removes every diacritic from the queries (as staff typing on a
keyboard without Vietnamese input do), a cheap stand-in for writers the set does not have.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import unicodedata
from pathlib import Path
from typing import Any

from contest.matching import DEFAULT_THRESHOLD
from contest.matching.evaluate import metrics, run_queries

GRID = [float(t) for t in range(20, 91)]


def strip_marks(text: str) -> str:
    """The text without diacritics, đ as d."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return bare.replace("đ", "d").replace("Đ", "D")


def stripped_queries(dataset: dict[str, Any]) -> dict[str, Any]:
    """The dataset with its queries' titles and bodies typed without diacritics."""
    queries = [{**q, **{k: strip_marks(q[k]) for k in ("title", "summary", "body") if isinstance(q.get(k), str)}}
               for q in dataset.get("queries", [])]
    return {**dataset, "queries": queries}


def main() -> None:
    """Print the held-out F1 over random half splits, beside the F1 of the default line on the same halves."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--splits", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--strip-queries", action="store_true", help="remove the queries' diacritics first")
    args = parser.parse_args()
    dataset = json.loads(args.dataset.read_text(encoding="utf-8"))
    results, _ = run_queries(stripped_queries(dataset) if args.strip_queries else dataset)
    rng = random.Random(args.seed)
    held_out, default, lines = [], [], []
    for _ in range(args.splits):
        order = results[:]
        rng.shuffle(order)
        tune, test = order[: len(order) // 2], order[len(order) // 2:]
        line = max(GRID, key=lambda t: (metrics(tune, t)["f1"], -abs(t - DEFAULT_THRESHOLD)))
        lines.append(line)
        held_out.append(metrics(test, line)["f1"])
        default.append(metrics(test, DEFAULT_THRESHOLD)["f1"])
    print(f"{args.dataset}{' (queries without diacritics)' if args.strip_queries else ''}: {len(results)} queries, "
          f"{args.splits} random half splits (seed {args.seed})")
    print(f"whole set at the default line {DEFAULT_THRESHOLD:g}: F1 {metrics(results)['f1']:.3f}")
    print(f"threshold tuned on one half, F1 on the other: mean {statistics.mean(held_out):.3f}, "
          f"worst {min(held_out):.3f}; tuned lines {min(lines):g}–{max(lines):g}")
    print(f"default line {DEFAULT_THRESHOLD:g} on the same halves:      mean {statistics.mean(default):.3f}, "
          f"worst {min(default):.3f}")


if __name__ == "__main__":
    main()
