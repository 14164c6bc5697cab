"""The dedup benchmark runs and reports the documented shape (no timing assertions: benchmarks
print figures, tests don't time)."""
from __future__ import annotations

import json
import sys

import pytest
from click.testing import CliRunner

from contest.matching import Matcher
from contest.matching.bench import make_queries, make_registry, run_bench
from contest.matching.cli import dedup_bench


def _check_shape(result: dict, sizes: list[int]) -> None:
    assert set(result) == {"sizes"}
    assert [row["size"] for row in result["sizes"]] == sizes
    for row in result["sizes"]:
        assert {"size", "build_s", "load_s", "stored_mb", "peak_mb", "matcher", "baselines", "speedup_vs_rapidfuzz_scan"} <= set(row)
        assert row["build_s"] > 0 and row["peak_mb"] > 0 and row["speedup_vs_rapidfuzz_scan"] > 0
        assert row["load_s"] >= 0 and row["stored_mb"] > 0
        assert row["matcher"]["p50_ms"] > 0 and row["matcher"]["p95_ms"] >= row["matcher"]["p50_ms"]
        assert "rapidfuzz_token_set_scan" in row["baselines"]
        for b in row["baselines"].values():
            assert b["p50_ms"] > 0 and b["p95_ms"] >= b["p50_ms"]


def test_registry_is_reproducible() -> None:
    assert make_registry(50, 3) == make_registry(50, 3)
    assert make_registry(50, 3) != make_registry(50, 4)


def test_run_bench_shape_and_recall() -> None:
    result = run_bench([200], seed=7, queries=12)
    _check_shape(result, [200])
    row = result["sizes"][0]
    assert row["matcher"]["n"] == 12
    assert row["matcher"]["recall_at_1"] == 1.0  # every planted source item comes first


def test_matcher_finds_planted_sources() -> None:
    registry = make_registry(200, 7)
    from contest.matching import Document

    matcher = Matcher(Document(r["id"], r["title"], r["summary"]) for r in registry)
    planted = [(t, b, s) for t, b, s in make_queries(registry, 16, 7) if s is not None]
    assert len(planted) == 12
    for title, body, source in planted:
        res = matcher.search(title, body, limit=3)
        assert any(m.id == source for m in res if m.score >= res[0].score - 1e-6)


def test_tfidf_left_out_without_scikit_learn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sklearn.feature_extraction.text", None)  # import now fails
    runner = CliRunner()
    res = runner.invoke(dedup_bench, ["--sizes", "60", "--queries", "4", "--json"])
    assert res.exit_code == 0, res.output
    assert "scikit-learn is not installed" in res.stderr
    row = json.loads(res.stdout)["sizes"][0]
    assert "tfidf_char_ngram_cosine" not in row["baselines"]


def test_cli_json() -> None:
    runner = CliRunner()
    res = runner.invoke(dedup_bench, ["--sizes", "80,120", "--queries", "6", "--seed", "3", "--json"])
    assert res.exit_code == 0, res.output
    _check_shape(json.loads(res.stdout), [80, 120])


def test_cli_table_and_bad_sizes() -> None:
    runner = CliRunner()
    res = runner.invoke(dedup_bench, ["--sizes", "80", "--queries", "4"])
    assert res.exit_code == 0, res.output
    assert "Registry of 80 items" in res.stdout and "rapidfuzz_token_set_scan" in res.stdout
    assert "×" in res.stdout
    bad = runner.invoke(dedup_bench, ["--sizes", "ten"])
    assert bad.exit_code == 2


def _pg_url() -> str | None:
    import os

    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith(("postgresql", "postgres:")):
        return None
    return "postgresql://" + url.split("://", 1)[1]


@pytest.mark.skipif(_pg_url() is None, reason="needs TEST_DATABASE_URL pointing at PostgreSQL")
def test_pg_trgm_baseline_and_cleanup() -> None:
    psycopg = pytest.importorskip("psycopg")
    from contest.matching.bench import PgTrgm

    url = _pg_url()
    registry = make_registry(150, 7)
    title, body, source = make_queries(registry, 1, 7)[0]
    with PgTrgm(url, registry) as pg:
        schema = pg.schema
        assert source in pg(title, body)
    with psycopg.connect(url) as conn:
        left = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
    assert left is None  # the scratch schema is dropped
