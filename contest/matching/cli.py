"""Command line: quality figures of the duplicate matcher on a labelled dataset (JSON file)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .evaluate import evaluate, tune
from .index import DEFAULT_THRESHOLD


def _load(path: str) -> dict:
    """Read a dataset file (UTF-8 JSON with "registry" and "queries")."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "registry" not in data or "queries" not in data:
        raise click.BadParameter("the dataset must be a JSON object with 'registry' and 'queries'", param_hint="DATASET")
    return data


@click.command("dedup-eval")
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option("--threshold", type=float, default=None, help=f"Flag line, 0–100 (default {DEFAULT_THRESHOLD:g}).")
def dedup_eval(dataset: str, as_json: bool, threshold: float | None) -> None:
    """Evaluate the duplicate-initiative matcher on a labelled DATASET (JSON)."""
    data = _load(dataset)
    m = evaluate(data, DEFAULT_THRESHOLD if threshold is None else threshold)
    if as_json:
        click.echo(json.dumps(m, ensure_ascii=False))
        return
    t = DEFAULT_THRESHOLD if threshold is None else threshold
    click.echo(f"Duplicate matcher on {dataset}: {m['queries']} queries, threshold {t:g}")
    rows = [
        ("precision", f"{m['precision']:.3f}"),
        ("recall", f"{m['recall']:.3f}"),
        ("F1", f"{m['f1']:.3f}"),
        ("recall@3", f"{m['recall_at_3']:.3f}"),
        ("hard-negative false flags", f"{m['hard_negative_false_flag_rate']:.1%}"),
        ("latency p50 / p95 (ms)", f"{m['latency_ms']['p50']:.1f} / {m['latency_ms']['p95']:.1f}"),
    ]
    rows += [(f"  recall: {k}", f"{v:.3f}") for k, v in m["recall_by_kind"].items()]
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        click.echo(f"{name:<{width}}  {value}")


@click.command("dedup-tune")
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False))
@click.option("--step", type=float, default=5.0, show_default=True, help="Threshold step.")
def dedup_tune(dataset: str, step: float) -> None:
    """Print precision, recall, F1 and hard-negative false flags per threshold on DATASET."""
    data = _load(dataset)
    grid = [round(step * i, 3) for i in range(1, int(100 / step)) if step * i < 100]
    click.echo(f"{'threshold':>9}  {'P':>6}  {'R':>6}  {'F1':>6}  {'HN flags':>8}")
    for r in tune(data, grid):
        click.echo(
            f"{r['threshold']:>9g}  {r['precision']:>6.3f}  {r['recall']:>6.3f}  {r['f1']:>6.3f}  "
            f"{r['hard_negative_false_flag_rate']:>8.1%}"
        )


if __name__ == "__main__":  # pragma: no cover
    dedup_eval()
