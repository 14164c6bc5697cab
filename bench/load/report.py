"""Figures of a load run: exact percentiles from every request's latency, and the printed tables."""
from __future__ import annotations

import math
from typing import Any

# Rows of the table: a name of locust's statistics, or a group of them.
GROUPS = {
    "save": ["save"],
    "submit": ["submit"],
    "read": ["results list", "result page"],
    "sheet (GET)": ["sheet"],
    "queue (GET)": ["queue"],
    "sign-in": ["login page", "login"],
}
LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values (0 < q <= 1)."""
    return values[max(0, math.ceil(q * len(values)) - 1)] if values else float("nan")


def _rows(samples: list, seconds: float) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    groups = {**GROUPS, "all": sorted({s[0] for s in samples})}
    for label, names in groups.items():
        chosen = [s for s in samples if s[0] in names]
        times = sorted(s[1] for s in chosen)
        rows[label] = {
            "count": len(chosen), "rps": round(len(chosen) / seconds, 1),
            "p50_ms": round(percentile(times, 0.50), 1), "p95_ms": round(percentile(times, 0.95), 1),
            "p99_ms": round(percentile(times, 0.99), 1), "max_ms": round(times[-1], 1) if times else float("nan"),
            "errors": sum(1 for s in chosen if not s[2]),
        }
    return rows


def _quiet(sample: list, busy: dict[int, float], most: float) -> bool:
    """True when, for every second the request spanned, other processes used under `most` cores."""
    end = sample[3]
    return all(busy.get(second, most) < most for second in range(int(end - sample[1] / 1000), int(end) + 1))


def _timeline(samples: list, busy: dict[int, float], start: float, step: int = 5) -> list[dict]:
    """Per `step` seconds of the run: saves, their p95, every request's p95, other processes' cores."""
    rows = []
    for offset in range(0, int(max((s[3] for s in samples), default=start) - start) + 1, step):
        chunk = [s for s in samples if start + offset <= s[3] < start + offset + step]
        saves = sorted(s[1] for s in chunk if s[0] == "save")
        cores = [c for second, c in busy.items() if start + offset <= second < start + offset + step]
        rows.append({"from_s": offset, "saves": len(saves), "save_p95_ms": round(percentile(saves, 0.95), 1),
                     "all_p95_ms": round(percentile(sorted(s[1] for s in chunk), 0.95), 1),
                     "other_cores": round(sum(cores) / len(cores), 2) if cores else float("nan")})
    return rows


def summarise(samples: dict, other_cores: list | None = None, quiet_below: float = 0.25) -> dict[str, Any]:
    """Count, rate, p50/p95/p99, max and errors per row: over the whole run, in the steady state,
    and in its quiet seconds.

    The steady state starts when the last judge has signed in: each sign-in costs a scrypt hash
    (about 90 ms of CPU), and 50 of them in the first seconds delay everything behind them.
    On a shared machine, "quiet" keeps the steady-state requests during which other processes
    used under `quiet_below` of a core (`other_cores`: [time, cores] once a second).
    """
    start, stop = samples["window"].get("start", 0), samples["window"].get("stop", 0)
    every = samples["samples"]
    signed_in = max((s[3] for s in every if s[0] == "login"), default=start)
    steady = [s for s in every if s[3] > signed_in]
    summary = {
        "seconds": round(stop - start, 1), "rows": _rows(every, max(stop - start, 1e-9)),
        "steady": {"from_s": round(signed_in - start, 1), "seconds": round(stop - signed_in, 1),
                   "rows": _rows(steady, max(stop - signed_in, 1e-9))},
    }
    if other_cores:
        # A sample [t, cores] covers the second before t.
        busy = {int(t - 0.5): cores for t, cores in other_cores}
        quiet_seconds = [second for second, cores in busy.items() if cores < quiet_below and second > signed_in]
        quiet = [s for s in steady if _quiet(s, busy, quiet_below)]
        summary["quiet"] = {"below_cores": quiet_below, "seconds": len(quiet_seconds),
                            "rows": _rows(quiet, max(len(quiet_seconds), 1e-9))}
        summary["other_cores_mean"] = round(sum(c for _, c in other_cores) / len(other_cores), 2)
        summary["timeline"] = _timeline(every, busy, start)
    return summary


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b and not math.isnan(a) and not math.isnan(b) else "—"


def print_report(runs: list[dict], meta: dict) -> bool:
    """Print the tables; True when no request failed, no acknowledged write is missing and the audit chain holds."""
    ok = True
    for run in runs:
        stats, check, cpu = run["stats"], run["check"], run["cpu"]
        db_s = cpu.get("database_s", 0.0)
        database = f", PostgreSQL backends {db_s} s" if run["db"] == "postgres" else ""
        threads = f" -k gthread --threads {run['threads']}" if run.get("worker_class") == "gthread" else ""
        app = "" if run.get("app", "contest:create_app()") == "contest:create_app()" else f" {run['app']}"
        print(f"\n## {LABELS[run['db']]}: gunicorn -w {run['workers']}{threads}{app}, {run['judges']} judges + {run['readers']} readers, "
              f"{stats['seconds']} s ({meta['cores']} cores; load average {cpu['loadavg_before']} → "
              f"{cpu['loadavg_after']}; CPU used: gunicorn {cpu['server_s']} s{database}, locust {cpu['locust_s']} s, "
              f"other processes {max(cpu['machine_busy_s'] - cpu['server_s'] - db_s - cpu['locust_s'], 0):.1f} s)\n")
        parts = [("whole run", stats), (f"steady state, after the last sign-in (+{stats['steady']['from_s']} s, "
                                         f"{stats['steady']['seconds']} s)", stats["steady"])]
        if "quiet" in stats:
            parts.append((f"steady state, only the requests during which other processes used under "
                          f"{stats['quiet']['below_cores']:g} core ({stats['quiet']['seconds']} such seconds; on "
                          f"average they used {stats['other_cores_mean']:g} cores; req/s here is per quiet second)",
                          stats["quiet"]))
        for title, part in parts:
            print(f"{title}:\n")
            print("| request | count | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |")
            print("|---|---|---|---|---|---|---|---|")
            for label, row in part["rows"].items():
                print(f"| {label} | {row['count']} | {row['rps']} | {row['p50_ms']:g} | {row['p95_ms']:g} | "
                      f"{row['p99_ms']:g} | {row['max_ms']:g} | {row['errors']} |")
            print()
        if stats.get("timeline"):
            print("per 5 s (the first seconds are the judges signing in):\n")
            print("| from s | saves | save p95 ms | all p95 ms | cores used by other processes |")
            print("|---|---|---|---|---|")
            for row in stats["timeline"]:
                print(f"| {row['from_s']} | {row['saves']} | {row['save_p95_ms']:g} | {row['all_p95_ms']:g} | "
                      f"{row['other_cores']:g} |")
            print()
        chain = "intact" if check["audit_chain_first_break"] is None else \
            f"BROKEN at record {check['audit_chain_first_break']} ({check['audit_forks']} records share a predecessor)"
        print(f"writes: {check['writes_attempted']} attempted, {check['writes_acknowledged']} acknowledged "
              f"({check['submits_acknowledged']} submits) on {check['sheets_written']} sheets; "
              f"missing acknowledged writes: {check['missing_acknowledged']}; acknowledged without their audit record: "
              f"{check['acknowledged_without_audit_record']}; sheets submitted before the run changed: "
              f"{check['submitted_before_changed']} of {check['submitted_before']}; integrity_check: "
              f"{check['integrity_check']}; audit chain: {chain}; server tracebacks: {run['server_tracebacks']}")
        if "throttle" in run:
            throttle = run["throttle"]
            refused = f"refused (429) from attempt {throttle['refused_at_attempt']}" \
                if throttle["refused_at_attempt"] else "not refused within 12 attempts"
            where = f"; its count is in Redis ({', '.join(throttle['redis_keys'])})" if throttle.get("redis_keys") else \
                "; no count in Redis"
            print(f"sign-in throttling ({throttle['storage']}): wrong passwords for one new username {refused}{where}")
        for example in check["examples"]:
            print(f"  {example}")
        errors = stats["rows"]["all"]["errors"]
        ok = ok and not errors and not check["missing_acknowledged"] and not check["acknowledged_without_audit_record"] \
            and not check["submitted_before_changed"] and check["audit_chain_first_break"] is None
    target = meta["target_p95_save_ms"]
    sqlite = next((r for r in runs if r["db"] == "sqlite"), None)
    if sqlite is None or sqlite["workers"] != 4 or sqlite.get("app", "contest:create_app()") != "contest:create_app()":
        print(f"\ntarget p95 save < {target:g} ms (SQLite, 4 workers): not measured in this run")
    else:
        whole, steady = (sqlite["stats"]["rows"]["save"]["p95_ms"], sqlite["stats"]["steady"]["rows"]["save"]["p95_ms"])

        def verdict(p95: float) -> str:
            return "no data" if math.isnan(p95) else f"{p95:g} ms, {'met' if p95 < target else 'MISSED'}"

        kind = sqlite.get("worker_class", "sync") + (f" × {sqlite['threads']} threads" if sqlite.get("threads", 1) > 1 else "")
        quiet = sqlite["stats"].get("quiet")
        quiet_text = f"; quiet seconds {verdict(quiet['rows']['save']['p95_ms'])}" if quiet else ""
        print(f"\ntarget p95 save < {target:g} ms (SQLite, 4 {kind} workers): whole run {verdict(whole)}; "
              f"steady state {verdict(steady)}{quiet_text}")
    pg = next((r for r in runs if r["db"] == "postgres"), None)
    if sqlite and pg:
        for part, title in (("steady", "steady state"), ("quiet", "steady state, quiet seconds only")):
            if part not in sqlite["stats"] or part not in pg["stats"]:
                continue
            print(f"\nSQLite vs PostgreSQL, {title} (ratio = SQLite / PostgreSQL):\n")
            print("| request | req/s ratio | p50 ratio | p95 ratio | p99 ratio |")
            print("|---|---|---|---|---|")
            for label in ("save", "submit", "read", "all"):
                a, b = sqlite["stats"][part]["rows"][label], pg["stats"][part]["rows"][label]
                print(f"| {label} | {_ratio(a['rps'], b['rps'])} | {_ratio(a['p50_ms'], b['p50_ms'])} | "
                      f"{_ratio(a['p95_ms'], b['p95_ms'])} | {_ratio(a['p99_ms'], b['p99_ms'])} |")
        print("(above 1 for req/s, or below 1 for latency, means SQLite did better)")
    print(f"\nresults, logs and databases: {meta['out']}")
    print("OK" if ok else "NOT OK: see errors, missing writes or the audit chain above")
    return ok


if __name__ == "__main__":  # print a finished run again: report.py OUT/summary.json
    import json
    import sys

    summary = json.load(open(sys.argv[1], encoding="utf-8"))
    sys.exit(0 if print_report(summary["runs"], summary["meta"]) else 1)
