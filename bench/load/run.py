"""Load test: judges saving and submitting score sheets and readers of the public results, against gunicorn.

For each database (SQLite file, PostgreSQL `sangkien_bench`): seed a fresh one, start
`gunicorn -w N` on a free loopback port, run locust headless for the given seconds, stop the
server, check that every acknowledged write is stored, and print requests/s, p50/p95/p99 and
errors per kind of request. Bounded: every child has a deadline and is killed on Ctrl-C.

    .venv/bin/python bench/load/run.py [--seconds 60] [--db sqlite|postgres|both] [--workers 4]
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import signal
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))

from procs import (  # noqa: E402  # noqa: E402
    Sampler,
    cpu_seconds,
    forget,
    free_port,
    machine_busy_seconds,
    spawn,
    stop,
    stop_all,
    wait_quiet,
    wait_ready,
)
from report import print_report, summarise  # noqa: E402

TARGET_P95_SAVE_MS = 150.0


def throttle_shared(base: str, storage: str, attempts: int = 12) -> dict:
    """Sign in with a wrong password for a new username until refused (429), and find the count in Redis.

    With LOGIN_RATE_LIMIT at 10 failures the 11th attempt is refused. That the count is shared
    by the workers shows in where it lives: a key of that username in the Redis they all use
    (memory:// keeps one count per worker, in the worker).
    """
    username = f"khong-co-{secrets.token_hex(4)}"
    for attempt in range(1, attempts + 1):
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        html = opener.open(base + "/auth/login", timeout=10).read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        body = urllib.parse.urlencode({"csrf_token": token, "username": username, "password": "sai-mat-khau"}).encode()
        try:
            opener.open(base + "/auth/login", data=body, timeout=10).close()
        except urllib.error.HTTPError as error:
            if error.code == 429:
                break
    else:
        attempt = None
    keys = []
    if storage.startswith("redis://"):
        import redis

        keys = [k.decode() for k in redis.Redis.from_url(storage).scan_iter(match=f"*{username}*")]
    return {"storage": storage, "refused_at_attempt": attempt, "redis_keys": keys}


def rate_limit_storage(uri: str) -> str:
    """The Redis URI when Redis answers, else memory:// (per worker), said on stderr."""
    if uri.startswith("redis://"):
        try:
            import redis

            redis.Redis.from_url(uri, socket_timeout=2).ping()
        except Exception as error:  # noqa: BLE001 - any failure means no Redis
            print(f"Redis at {uri} unavailable ({error}); sign-in throttling falls back to memory:// per worker",
                  file=sys.stderr)
            return "memory://"
    return uri


def run_one(kind: str, args: argparse.Namespace, out: Path) -> dict:
    """Seed, serve, load, stop, check: one database."""
    import check

    work = out / kind
    work.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{work / 'bench.db'}" if kind == "sqlite" else args.pg_url
    from contest import normalize_database_url

    url = normalize_database_url(url)
    print(f"[{kind}] seeding {url.split('@')[-1]} ...", file=sys.stderr)
    seed = spawn([sys.executable, str(HERE / "seed.py"), "--url", url, "--uploads", str(work / "uploads"),
                  "--out", str(work / "manifest.json"), "--judges", str(args.judges)], work / "seed.log")
    if seed.wait(timeout=900) != 0:
        raise RuntimeError(f"seeding failed; see {work / 'seed.log'}")
    forget(seed)
    before = check.submitted_snapshot(url)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env.update(DATABASE_URL=url, SANGKIEN_ENV="development", SANGKIEN_UPLOAD_FOLDER=str(work / "uploads"),
               SANGKIEN_INDEX_CACHE_FOLDER=str(work / "index-cache"),
               RATELIMIT_STORAGE_URI=args.ratelimit, BENCH_LOCK_LOG=str(work / "locks.jsonl"))
    server = spawn([str(BIN / "gunicorn"), "-w", str(args.workers), "-k", args.worker_class, "--threads", str(args.threads),
                    "-b", f"127.0.0.1:{port}", "--no-control-socket", "--timeout", "60", "--graceful-timeout", "10",
                    *(["--pythonpath", str(HERE)] if args.app.startswith("variants:") else []), args.app],
                   work / "gunicorn.log", env)
    try:
        wait_ready(base, server)
        throttled = throttle_shared(base, args.ratelimit)  # before the load: one attempt per connection
        (work / "locust").mkdir(exist_ok=True)
        lenv = {**env, "BENCH_MANIFEST": str(work / "manifest.json"), "BENCH_OUT": str(work / "locust"),
                "BENCH_JUDGES": str(args.judges), "BENCH_READERS": str(args.readers),
                "BENCH_JUDGE_WAIT": args.judge_wait, "BENCH_READER_WAIT": args.reader_wait}
        users = args.judges + args.readers
        print(f"[{kind}] {args.workers} workers on {base}; {args.judges} judges + {args.readers} readers for "
              f"{args.seconds} s ...", file=sys.stderr)
        if args.wait_quiet:
            quiet = wait_quiet(args.wait_quiet)
            print(f"[{kind}] other processes use {quiet:.2f} cores; starting", file=sys.stderr)
        load1 = os.getloadavg()
        server_cpu0, busy0 = cpu_seconds(server.pid), machine_busy_seconds()
        usage0 = os.times()
        locust = spawn([str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless", "-u", str(users),
                        "-r", str(args.spawn_rate), "-t", f"{args.seconds}s", "--stop-timeout", "10",
                        "--host", base, "--csv", str(work / "locust" / "stats"), "--only-summary"],
                       work / "locust.log", lenv)
        sampler = Sampler(server.pid, locust.pid, "" if kind == "sqlite" else url.rsplit("/", 1)[-1])
        sampler.start()
        profiler = None
        if args.profile:  # sample the workers once the users are signed in, until the run ends
            time.sleep(min(10, args.seconds / 3))
            profiler = spawn([str(BIN / "py-spy"), "record", "--pid", str(server.pid), "--subprocesses", "--idle",
                              "--rate", "50", "--format", "raw", "-o", str(work / "profile.txt"),
                              "-d", str(max(5, args.seconds - 15))], work / "py-spy.log")
        locust.wait(timeout=args.seconds + 120)
        if profiler is not None:
            profiler.wait(timeout=60)
            forget(profiler)
        forget(locust)
        usage1 = os.times()
        sampler.done.set()
        sampler.join(timeout=5)
        server_cpu, busy = cpu_seconds(server.pid) - server_cpu0, machine_busy_seconds() - busy0
        load2 = os.getloadavg()
    finally:
        stop(server)
    errors_logged = sum(line.count("Traceback") for line in open(work / "gunicorn.log", errors="replace"))
    print(f"[{kind}] checking acknowledged writes ...", file=sys.stderr)
    verdict = check.verify(url, str(work / "locust" / "writes.jsonl"), before)
    samples = json.load(open(work / "locust" / "samples.json"))
    return {
        "db": kind, "workers": args.workers, "worker_class": args.worker_class, "threads": args.threads,
        "app": args.app, "seconds": args.seconds, "judges": args.judges, "readers": args.readers,
        "stats": summarise(samples, sampler.seconds),
        "other_cores_per_second": sampler.seconds,
        "check": verdict,
        "server_tracebacks": errors_logged,
        "throttle": throttled,
        "cpu": {"server_s": round(server_cpu, 1), "database_s": round(sampler.database_cpu, 1),
                "machine_busy_s": round(busy, 1),
                "locust_s": round((usage1.children_user + usage1.children_system)
                                  - (usage0.children_user + usage0.children_system), 1),
                "loadavg_before": round(load1[0], 2), "loadavg_after": round(load2[0], 2)},
    }


def _interrupted(signum: int, frame: Any) -> None:
    """Ctrl-C or SIGTERM: end the run through the `finally` that stops the children."""
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync", help="gunicorn -k: sync (its default) or gthread")
    parser.add_argument("--app", default="contest:create_app()",
                        help="the WSGI app for gunicorn; bench/load/variants.py has experimental ones")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn --threads (gthread)")
    parser.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                        help="on a shared machine, wait up to this long for other processes to go idle first")
    parser.add_argument("--profile", action="store_true", help="record the workers with py-spy (pip install py-spy)")
    parser.add_argument("--judges", type=int, default=50)
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--spawn-rate", type=int, default=50, help="users started per second")
    parser.add_argument("--judge-wait", default="1,3", help="a judge's think time between writes, seconds low,high")
    parser.add_argument("--reader-wait", default="2,8", help="a reader's think time between pages, seconds low,high")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/sangkien_bench")
    parser.add_argument("--ratelimit", default="redis://127.0.0.1:6379/9",
                        help="RATELIMIT_STORAGE_URI for the workers (memory:// is per worker)")
    parser.add_argument("--out", help="directory for databases, logs and results (default: a new temporary one)")
    args = parser.parse_args()
    if args.seconds > 600 or args.judges + args.readers > 1000:
        parser.error("bounded: at most 600 seconds and 1000 users")
    args.ratelimit = rate_limit_storage(args.ratelimit)
    out = Path(args.out or tempfile.mkdtemp(prefix="sangkien-load-"))
    out.mkdir(parents=True, exist_ok=True)
    for sig in (signal.SIGTERM, signal.SIGINT):  # SIGINT too: a shell's background job starts with it ignored
        signal.signal(sig, _interrupted)
    runs = []
    try:
        for kind in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
            runs.append(run_one(kind, args, out))
    except KeyboardInterrupt:
        stop_all()
        sys.exit(f"interrupted: the server and locust are stopped; logs in {out}")
    finally:
        stop_all()
    meta = {"cores": os.cpu_count(), "ratelimit": args.ratelimit, "judge_wait": args.judge_wait,
            "reader_wait": args.reader_wait, "out": str(out), "target_p95_save_ms": TARGET_P95_SAVE_MS}
    (out / "summary.json").write_text(json.dumps({"meta": meta, "runs": runs}, ensure_ascii=False, indent=1))
    ok = print_report(runs, meta)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
