"""Quality figures of the matcher on a labelled dataset (registry + queries with duplicate_of).

A query is given either as one ``summary`` (or ``body``) or as the separate fields of an entry,
``situation`` / ``solution`` / ``effect``; a registry item as ``title`` and ``summary`` (which may
be empty: a registry kept as a list of titles).
"""

from __future__ import annotations

import time
from typing import Any, Iterable, Mapping

from .index import DEFAULT_THRESHOLD, Document, Match, Matcher

__all__ = ["evaluate", "run_queries", "metrics", "tune", "best_threshold", "transfer", "query_text"]

_FIELDS = ("situation", "solution", "effect")
# The grid a threshold is tuned on: every half point of the score.
GRID = [x / 2 for x in range(2, 200)]


def _percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0–100) of a non-empty list."""
    if not values:
        return 0.0
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def query_text(q: Mapping[str, Any]) -> tuple[str, str, str]:
    """(title, body, solution) of a labelled query, from one summary or from the entry's fields."""
    title = str(q.get("title", "") or "")
    if any(q.get(f) for f in _FIELDS):
        body = "\n".join(str(q.get(f) or "") for f in _FIELDS if q.get(f))
        return title, body, str(q.get("solution", "") or "")
    return title, str(q.get("summary", q.get("body", "")) or ""), ""


def run_queries(dataset: Mapping[str, Any], limit: int = 5) -> tuple[list[tuple[Mapping[str, Any], list[Match]]], list[float]]:
    """Build the matcher from dataset["registry"] and rank every query; returns results and latencies (ms)."""
    matcher = Matcher(
        Document(str(r["id"]), r.get("title", "") or "", r.get("summary", r.get("body", "")) or "")
        for r in dataset.get("registry", [])
    )
    results = []
    latencies = []
    for q in dataset.get("queries", []):
        title, body, core = query_text(q)
        t0 = time.perf_counter()
        ranked = matcher.search(title, body, limit=limit, core=core)
        latencies.append((time.perf_counter() - t0) * 1000.0)
        results.append((q, ranked))
    return results, latencies


def metrics(
    results: Iterable[tuple[Mapping[str, Any], list[Match]]],
    threshold: float = DEFAULT_THRESHOLD,
    latencies: list[float] | None = None,
) -> dict[str, Any]:
    """Precision, recall, F1, recall@3, false flags on hard negatives, the figures per kind and
    the secretary's workload (queries flagged per 100 entries)."""
    tp = fp = ndup = hits3 = nflagged = 0
    kinds: dict[str, list[int]] = {}
    nq = 0
    for q, ranked in results:
        nq += 1
        gold = {str(x) for x in q.get("duplicate_of", []) or []}
        flagged = [m for m in ranked if m.score >= threshold]
        correct = any(m.id in gold for m in flagged)
        nflagged += bool(flagged)
        k = kinds.setdefault(str(q.get("kind", "unknown")), [0, 0, 0])
        k[1] += 1
        if gold:
            ndup += 1
            tp += correct
            hits3 += any(m.id in gold for m in ranked[:3])
            k[0] += correct
            k[2] = 1
        else:
            k[0] += bool(flagged)
        if flagged and not correct:
            fp += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / ndup if ndup else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    lat = latencies or []
    hn = kinds.get("hard_negative")
    return {
        "threshold": threshold,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "recall_at_3": round(hits3 / ndup, 4) if ndup else 0.0,
        "hard_negative_false_flag_rate": round(hn[0] / hn[1], 4) if hn else 0.0,
        "flagged_per_100": round(100.0 * nflagged / nq, 1) if nq else 0.0,
        # duplicates: the share found; the others: the share falsely flagged
        "recall_by_kind": {k: round(v[0] / v[1], 4) for k, v in sorted(kinds.items()) if v[2]},
        "false_flags_by_kind": {k: round(v[0] / v[1], 4) for k, v in sorted(kinds.items()) if not v[2]},
        "latency_ms": {"p50": round(_percentile(lat, 50), 3), "p95": round(_percentile(lat, 95), 3)},
        "queries": nq,
    }


def evaluate(dataset: Mapping[str, Any], threshold: float = DEFAULT_THRESHOLD) -> dict[str, Any]:
    """Build the matcher from dataset["registry"] (body = summary), run every query, return the metrics."""
    results, latencies = run_queries(dataset)
    return metrics(results, threshold, latencies)


def best_threshold(results: list[tuple[Mapping[str, Any], list[Match]]], grid: Iterable[float] = GRID) -> float:
    """The flag line with the best F1 on these results (the middle of the best run on a tie)."""
    scored = [(metrics(results, t)["f1"], t) for t in grid]
    top = max(f for f, _ in scored)
    best = [t for f, t in scored if f == top]
    return best[len(best) // 2]


def tune(dataset: Mapping[str, Any], thresholds: Iterable[float] | None = None) -> list[dict[str, Any]]:
    """Metrics per threshold (for choosing a flag line); the queries are run only once."""
    results, _ = run_queries(dataset)
    grid = list(thresholds) if thresholds is not None else [float(t) for t in range(5, 100, 5)]
    out = []
    for t in grid:
        m = metrics(results, t)
        out.append({"threshold": t, **{k: m[k] for k in ("precision", "recall", "f1", "hard_negative_false_flag_rate")}})
    return out


def transfer(tune_on: Mapping[str, Any], test_on: Mapping[str, Any]) -> dict[str, Any]:
    """The flag line tuned on one labelled set and measured on another, as a new registry would see it.

    Returns the tuned line, the figures there on both sets, and the other set's own best line
    (how far the tuned line is from what that set would have wanted).
    """
    a, _ = run_queries(tune_on)
    b, _ = run_queries(test_on)
    line = best_threshold(a)
    own = best_threshold(b)
    return {
        "threshold": line,
        "tuned_set": metrics(a, line),
        "test_set": metrics(b, line),
        "test_set_own_best": metrics(b, own),
    }
