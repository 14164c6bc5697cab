"""Quality figures of the matcher on a labelled dataset (registry + queries with duplicate_of)."""

from __future__ import annotations

import time
from typing import Any, Iterable, Mapping

from .index import DEFAULT_THRESHOLD, Document, Match, Matcher

__all__ = ["evaluate", "run_queries", "metrics", "tune"]


def _percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0–100) of a non-empty list."""
    if not values:
        return 0.0
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def run_queries(dataset: Mapping[str, Any], limit: int = 5) -> tuple[list[tuple[Mapping[str, Any], list[Match]]], list[float]]:
    """Build the matcher from dataset["registry"] and rank every query; returns results and latencies (ms)."""
    registry = dataset.get("registry", [])
    matcher = Matcher(
        Document(str(r["id"]), r.get("title", "") or "", r.get("summary", r.get("body", "")) or "")
        for r in registry
    )
    results = []
    latencies = []
    for q in dataset.get("queries", []):
        t0 = time.perf_counter()
        ranked = matcher.search(q.get("title", "") or "", q.get("summary", q.get("body", "")) or "", limit=limit)
        latencies.append((time.perf_counter() - t0) * 1000.0)
        results.append((q, ranked))
    return results, latencies


def metrics(
    results: Iterable[tuple[Mapping[str, Any], list[Match]]],
    threshold: float = DEFAULT_THRESHOLD,
    latencies: list[float] | None = None,
) -> dict[str, Any]:
    """Precision, recall, F1, recall@3, hard-negative false-flag rate and recall by kind."""
    tp = fp = ndup = hits3 = 0
    hn = hn_flagged = 0
    kinds: dict[str, list[int]] = {}
    nq = 0
    for q, ranked in results:
        nq += 1
        gold = {str(x) for x in q.get("duplicate_of", []) or []}
        flagged = [m for m in ranked if m.score >= threshold]
        correct = any(m.id in gold for m in flagged)
        kind = str(q.get("kind", "unknown"))
        if gold:
            ndup += 1
            tp += correct
            hits3 += any(m.id in gold for m in ranked[:3])
            k = kinds.setdefault(kind, [0, 0])
            k[0] += correct
            k[1] += 1
        if flagged and not correct:
            fp += 1
        if kind == "hard_negative":
            hn += 1
            hn_flagged += bool(flagged)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / ndup if ndup else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    lat = latencies or []
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "recall_at_3": round(hits3 / ndup, 4) if ndup else 0.0,
        "hard_negative_false_flag_rate": round(hn_flagged / hn, 4) if hn else 0.0,
        "recall_by_kind": {k: round(v[0] / v[1], 4) for k, v in sorted(kinds.items())},
        "latency_ms": {"p50": round(_percentile(lat, 50), 3), "p95": round(_percentile(lat, 95), 3)},
        "queries": nq,
    }


def evaluate(dataset: Mapping[str, Any], threshold: float = DEFAULT_THRESHOLD) -> dict[str, Any]:
    """Build the matcher from dataset["registry"] (body = summary), run every query, return the metrics."""
    results, latencies = run_queries(dataset)
    return metrics(results, threshold, latencies)


def tune(dataset: Mapping[str, Any], thresholds: Iterable[float] | None = None) -> list[dict[str, Any]]:
    """Metrics per threshold (for choosing a flag line); the queries are run only once."""
    results, _ = run_queries(dataset)
    grid = list(thresholds) if thresholds is not None else [float(t) for t in range(5, 100, 5)]
    out = []
    for t in grid:
        m = metrics(results, t)
        out.append({"threshold": t, **{k: m[k] for k in ("precision", "recall", "f1", "hard_negative_false_flag_rate")}})
    return out
