"""Command line: quality figures of the duplicate matcher on a labelled dataset (JSON file), and its
speed benchmark on synthetic registries against the usual baselines."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .evaluate import evaluate, transfer, tune
from .index import DEFAULT_THRESHOLD


def _load(path: str) -> dict:
    """Read a dataset file (UTF-8 JSON with "registry" and "queries")."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "registry" not in data or "queries" not in data:
        raise click.BadParameter("the dataset must be a JSON object with 'registry' and 'queries'", param_hint="DATASET")
    return data


def _report(m: dict) -> list[tuple[str, str]]:
    """The rows of one evaluation, for the table."""
    rows = [
        ("precision", f"{m['precision']:.3f}"),
        ("recall", f"{m['recall']:.3f}"),
        ("F1", f"{m['f1']:.3f}"),
        ("recall@3", f"{m['recall_at_3']:.3f}"),
        ("hard-negative false flags", f"{m['hard_negative_false_flag_rate']:.1%}"),
        ("entries flagged per 100", f"{m['flagged_per_100']:.0f}"),
    ]
    if m["latency_ms"]["p95"]:
        rows.append(("latency p50 / p95 (ms)", f"{m['latency_ms']['p50']:.1f} / {m['latency_ms']['p95']:.1f}"))
    rows += [(f"  found: {k}", f"{v:.3f}") for k, v in m["recall_by_kind"].items()]
    rows += [(f"  falsely flagged: {k}", f"{v:.1%}") for k, v in m["false_flags_by_kind"].items()]
    return rows


@click.command("dedup-eval")
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option("--threshold", type=float, default=None, help=f"Flag line, 0–100 (default {DEFAULT_THRESHOLD:g}).")
@click.option("--tune", "tune_on", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Choose the flag line on this other labelled set (best F1), then measure DATASET at it.")
def dedup_eval(dataset: str, as_json: bool, threshold: float | None, tune_on: str | None) -> None:
    """Evaluate the duplicate-initiative matcher on a labelled DATASET (JSON).

    Queries may give one `summary` or an entry's `situation` / `solution` / `effect` fields.
    With --tune OTHER the line is tuned on OTHER and measured on DATASET (transfer), beside
    DATASET's own best line.
    """
    data = _load(dataset)
    if tune_on:
        if threshold is not None:
            raise click.BadParameter("give either --threshold or --tune", param_hint="--tune")
        report = transfer(_load(tune_on), data)
        if as_json:
            click.echo(json.dumps(report, ensure_ascii=False))
            return
        blocks = [(f"line {report['threshold']:g} tuned on {tune_on}, measured on {tune_on} (in set)", report["tuned_set"]),
                  (f"the same line on {dataset} (transfer)", report["test_set"]),
                  (f"{dataset} at its own best line {report['test_set_own_best']['threshold']:g}",
                   report["test_set_own_best"])]
    else:
        t = DEFAULT_THRESHOLD if threshold is None else threshold
        m = evaluate(data, t)
        if as_json:
            click.echo(json.dumps(m, ensure_ascii=False))
            return
        blocks = [(f"Duplicate matcher on {dataset}: {m['queries']} queries, threshold {t:g}", m)]
    for i, (head, m) in enumerate(blocks):
        if i:
            click.echo("")
        click.echo(head)
        rows = _report(m)
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


def _sizes(ctx: click.Context, param: click.Parameter, value: str) -> list[int]:
    try:
        sizes = [int(v) for v in value.replace(" ", "").split(",") if v]
    except ValueError:
        raise click.BadParameter("a comma-separated list of integers, e.g. 1000,10000") from None
    if not sizes or any(n < 2 for n in sizes):
        raise click.BadParameter("each size must be at least 2")
    return sizes


def _fmt_ms(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f}"


def _table(row: dict) -> list[str]:
    """Human-readable block for one registry size."""
    m = row["matcher"]
    lines = [
        f"Registry of {row['size']:,} items: matcher build {row['build_s']:.2f} s "
        f"(CPU {row.get('build_cpu_s', float('nan')):.2f} s), peak {row['peak_mb']:.1f} MB "
        f"({row.get('peak_mb_method', '')}), recall@1 of planted sources {m.get('recall_at_1', float('nan')):.3f}",
        f"  kept on disk: {row['stored_mb']:.1f} MB, loaded by a new process in {row['load_s']:.2f} s "
        f"({row['build_s'] / max(row['load_s'], 1e-3):.0f}× faster than building)",
    ]
    head = (f"  {'method':<26} {'n':>4} {'p50 ms':>9} {'p95 ms':>9} {'CPU p50':>9} {'CPU p95':>9}"
            f" {'speed-up p50':>13} {'speed-up p95':>13}")
    lines.append(head)
    lines.append("  " + "-" * (len(head) - 2))

    def line(name: str, d: dict, sp50: str, sp95: str) -> str:
        return (f"  {name:<26} {d.get('n', ''):>4} {_fmt_ms(d['p50_ms']):>9} {_fmt_ms(d['p95_ms']):>9} "
                f"{_fmt_ms(d.get('cpu_p50_ms')):>9} {_fmt_ms(d.get('cpu_p95_ms')):>9} {sp50:>13} {sp95:>13}")

    lines.append(line("matcher", m, "", ""))
    for name, b in row["baselines"].items():
        sp50 = b["p50_ms"] / max(m["p50_ms"], 1e-6)
        sp95 = b["p95_ms"] / max(m["p95_ms"], 1e-6)
        lines.append(line(name, b, f"{sp50:.1f}×", f"{sp95:.1f}×"))
    extra = [f"{name} build {b['build_s']:.2f} s" for name, b in row["baselines"].items() if "build_s" in b]
    if extra:
        lines.append("  baselines: " + "; ".join(extra))
    return lines


@click.command("dedup-bench")
@click.option("--sizes", default="1000,10000,100000", show_default=True, callback=_sizes,
              help="Registry sizes, comma-separated.")
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the synthetic registries.")
@click.option("--queries", type=click.IntRange(min=2), default=200, show_default=True,
              help="Queries per size (the slow scan uses fewer at large sizes).")
@click.option("--pg-url", default=None, metavar="URL",
              help="PostgreSQL URL for the pg_trgm baseline (a scratch schema is created and dropped).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of tables.")
def dedup_bench(sizes: list[int], seed: int, queries: int, pg_url: str | None, as_json: bool) -> None:
    """Speed of the duplicate matcher on synthetic registries against the usual baselines.

    Prints, per size, the index build time, peak memory and per-query latency p50/p95 of the
    matcher, of a plain rapidfuzz token_set_ratio scan, of TF-IDF character n-gram cosine (with
    scikit-learn, the `bench` extra) and of PostgreSQL pg_trgm (with --pg-url), with the
    speed-up of the matcher over each (baseline latency / matcher latency).
    """
    from .bench import run_bench, tfidf_available

    if not tfidf_available():
        click.echo("note: scikit-learn is not installed, the TF-IDF baseline is left out "
                   "(pip install 'sangkien[bench]')", err=True)
    if pg_url and pg_url.startswith("postgresql+"):
        pg_url = "postgresql://" + pg_url.split("://", 1)[1]  # accept SQLAlchemy-style URLs
    try:
        result = run_bench(sizes, seed, pg_url=pg_url, queries=queries, log=lambda msg: click.echo(msg, err=True))
    except ImportError as exc:
        raise click.ClickException(f"missing dependency: {exc}") from exc
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    for i, row in enumerate(result["sizes"]):
        if i:
            click.echo("")
        for text in _table(row):
            click.echo(text)
    click.echo("\nspeed-up = baseline latency / matcher latency; CPU = CPU time of this process's thread "
               "(not inflated by other load; not measured for pg_trgm, whose work runs in the server)")


if __name__ == "__main__":  # pragma: no cover
    dedup_eval()
