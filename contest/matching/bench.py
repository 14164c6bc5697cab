"""Benchmark of the duplicate matcher on synthetic Vietnamese registries of growing size.

Run: ``sangkien dedup-bench --sizes 1000,10000,100000 [--pg-url URL] [--json]``.

Registries are composed from templates of problems, solutions, tools, groups and units, with a
fixed seed, so runs are reproducible. For each size the benchmark reports the matcher's index
build time, its peak memory and its per-query latency p50/p95, and in the same run the latency
of the baselines a user would otherwise use:

* ``rapidfuzz_token_set_scan``: ``process.extract`` with ``token_set_ratio`` over the folded
  title + body of every item (what one would write first); being slow, it is timed on a few
  queries only at large sizes;
* ``tfidf_char_ngram_cosine``: TF-IDF of character n-grams with cosine, if scikit-learn is
  installed (the ``bench`` extra);
* ``pg_trgm``: PostgreSQL trigram similarity, the way participatory-democracy platforms find
  similar proposals, when a PostgreSQL URL is given (needs psycopg 3 and the right to create
  the ``pg_trgm`` extension, or the extension already installed).

Latencies are wall clock and, where the work runs in this process, CPU time of the thread
(``cpu_p50_ms``/``cpu_p95_ms``), which other processes on a shared machine do not inflate.
Pure Python: no Flask or SQLAlchemy imports (psycopg only when a URL is given).
"""

from __future__ import annotations

import gc
import os
import pickle
import random
import statistics
import threading
import time
import tracemalloc
from typing import Any, Callable

from .index import Document, Matcher
from .normalize import fold

Log = Callable[[str], None]
Query = tuple[str, str, "str | None"]

PLACES = [
    "Tân Lập", "Phước Hưng", "Hòa Khánh", "An Bình", "Thạnh Mỹ", "Đông Hòa", "Tây Sơn", "Bình Minh",
    "Hưng Lợi", "Long Thủy", "Quảng Phú", "Nghĩa Đô", "Cát Lái", "Vĩnh Thạnh", "Mỹ Phước", "Trung Hòa",
]
UNITS = ["Bộ phận Một cửa UBND {kind} {place}", "Công an {kind} {place}", "Đoàn Thanh niên {kind} {place}",
         "Hội Phụ nữ {kind} {place}", "Văn phòng HĐND và UBND {kind} {place}", "Trạm Y tế {kind} {place}",
         "Trường THCS {place}", "Hội Người cao tuổi {kind} {place}"]
GROUPS = ["người cao tuổi", "người khuyết tật", "hộ kinh doanh", "đồng bào dân tộc thiểu số", "công nhân",
          "học sinh", "phụ huynh", "hộ nghèo", "người lao động đi làm xa", "thanh niên", "phụ nữ mang thai",
          "người bệnh nặng", "tiểu thương chợ", "người có công", "hộ gia đình vùng sâu"]
TOOLS = ["mã QR", "nhóm Zalo", "Zalo OA", "fanpage Facebook", "ứng dụng VNeID", "phần mềm một cửa điện tử",
         "loa truyền thanh thông minh", "tổ công nghệ số cộng đồng", "chữ ký số", "biểu mẫu trực tuyến",
         "camera giám sát", "bảng điện tử", "tin nhắn SMS", "tổng đài điện thoại", "dịch vụ bưu chính công ích",
         "tổ lưu động", "hộp thư góp ý", "kiosk tra cứu", "bản đồ số", "kho dữ liệu số hóa"]
TASKS = ["tra cứu tình trạng hồ sơ", "nộp hồ sơ trực tuyến", "thanh toán phí, lệ phí", "nhận kết quả tại nhà",
         "đăng ký khai sinh", "đăng ký thường trú, tạm trú", "chứng thực bản sao", "kích hoạt định danh điện tử",
         "góp ý, phản ánh", "đánh giá mức độ hài lòng", "đặt lịch hẹn làm thủ tục", "nhận thông báo chính thức",
         "cấp giấy chứng nhận quyền sử dụng đất", "đăng ký hộ kinh doanh", "nhận trợ cấp xã hội",
         "tìm hiểu thủ tục hành chính", "xác nhận tình trạng hôn nhân", "khai báo tạm vắng"]
PROBLEMS = [
    "{group} phải đi lại nhiều lần đến trụ sở để {task}, mất thời gian và chi phí.",
    "Việc {task} trước đây làm thủ công, dễ sai sót và chậm trễ.",
    "Nhiều {group} chưa biết cách {task} nên tỷ lệ hồ sơ trực tuyến còn thấp.",
    "Công chức mất nhiều thời gian hướng dẫn {group} {task}, quầy tiếp nhận thường quá tải.",
    "Thông tin về {task} chưa đến được với {group}, nhiều người không biết thủ tục.",
    "Hồ sơ {task} hay bị trễ hạn vì không theo dõi được tiến độ giải quyết.",
]
SOLUTIONS = [
    "{unit} triển khai {tool} để {group} {task} ngay trên điện thoại, có công chức hỗ trợ khi cần.",
    "{unit} lập {tool} riêng cho từng tổ dân phố, cử người hướng dẫn {group} {task} tại nhà văn hóa.",
    "{unit} phối hợp bưu điện và {tool} giúp {group} {task} mà không phải đến trụ sở.",
    "Mỗi quầy của {unit} đặt {tool}; {group} dùng điện thoại để {task}, kết quả tự tổng hợp hằng tuần.",
    "{unit} ban hành quy trình mới: {task} được theo dõi trên {tool}, lãnh đạo kiểm tra hằng ngày.",
]
RESULTS = [
    "Sau {n} tháng, {p}% {group} đã {task} thành công.",
    "Số lượt phải đi lại giảm khoảng {p}%, thời gian chờ còn dưới {n} phút.",
    "Đã hỗ trợ hơn {m} lượt {group}, người dân hài lòng.",
    "Tỷ lệ hồ sơ trễ hạn giảm từ {p}% xuống {n}%.",
]
TITLES = [
    "Ứng dụng {tool} hỗ trợ {group} {task}",
    "{tool} giúp {group} {task} không phải đến trụ sở",
    "Hướng dẫn {group} {task} qua {tool}",
    "Đổi mới cách {task} cho {group} bằng {tool}",
    "Mô hình {tool} phục vụ {group} {task} tại {place}",
]
ABBREV = [("Ủy ban nhân dân", "UBND"), ("thủ tục hành chính", "TTHC"), ("Bộ phận Một cửa", "BPMC"),
          ("công chức", "CC"), ("Hội đồng nhân dân", "HĐND")]


def make_item(rnd: random.Random, i: int) -> dict[str, Any]:
    """One synthetic registry item."""
    place = rnd.choice(PLACES)
    kind = rnd.choice(["xã", "phường", "thị trấn"])
    slots = {
        "place": place,
        "unit": rnd.choice(UNITS).format(kind=kind, place=place),
        "group": rnd.choice(GROUPS),
        "tool": rnd.choice(TOOLS),
        "task": rnd.choice(TASKS),
        "n": rnd.randint(2, 12),
        "p": rnd.randint(10, 95),
        "m": rnd.randint(100, 5000),
    }
    title = rnd.choice(TITLES).format(**slots)
    body = " ".join(
        [rnd.choice(PROBLEMS).format(**slots), rnd.choice(SOLUTIONS).format(**slots), rnd.choice(RESULTS).format(**slots)]
    )
    return {"id": f"S{i:06d}", "title": title[0].upper() + title[1:], "summary": body[0].upper() + body[1:]}


def make_registry(size: int, seed: int) -> list[dict[str, Any]]:
    """A reproducible registry of `size` items."""
    rnd = random.Random(seed)
    return [make_item(rnd, i) for i in range(size)]


def make_queries(registry: list[dict[str, Any]], n: int, seed: int) -> list[tuple[str, str, str | None]]:
    """Queries (title, body, source id or None): registry items without diacritics, with
    abbreviations, reordered, or brand new."""
    rnd = random.Random(seed + 1)
    out = []
    for k in range(n):
        item = rnd.choice(registry)
        title, body = item["title"], item["summary"]
        mode = k % 4
        source: str | None = item["id"]
        if mode == 0:
            title, body = fold(title), fold(body)
        elif mode == 1:
            for full, short in ABBREV:
                title, body = title.replace(full, short), body.replace(full, short)
        elif mode == 2:
            sentences = body.split(". ")
            rnd.shuffle(sentences)
            body = ". ".join(sentences)
        else:
            new = make_item(rnd, 10**7 + k)
            title, body = new["title"], new["summary"]
            source = None
        out.append((title, body, source))
    return out


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(p * len(xs)))], 2)


def _time_queries(fn: Callable[[str, str], Any], queries: list[Query], cpu: bool = True) -> dict[str, float]:
    """p50 / p95 latency in ms of fn over the queries: wall clock and, if cpu, CPU time of this
    thread (the latter is not inflated by other processes on a shared machine; it is meaningless
    when the work runs in another process, e.g. the database server)."""
    wall, cpus = [], []
    for title, body, _ in queries:
        t0, c0 = time.perf_counter(), time.thread_time()
        fn(title, body)
        cpus.append((time.thread_time() - c0) * 1000.0)
        wall.append((time.perf_counter() - t0) * 1000.0)
    out: dict[str, float] = {"p50_ms": round(statistics.median(wall), 2), "p95_ms": _pct(wall, 0.95)}
    if cpu:
        out.update(cpu_p50_ms=round(statistics.median(cpus), 2), cpu_p95_ms=_pct(cpus, 0.95))
    out["n"] = len(wall)
    return out


def _rss_bytes() -> int:
    """Current resident set size of this process (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class _RssSampler:
    """Peak RSS during a block, sampled every few ms from a thread (ru_maxrss is the peak of the
    whole process life, so it says nothing about a later, smaller build)."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.peak = self.start = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss_bytes())
            self._stop.wait(self.interval)

    def __enter__(self) -> "_RssSampler":
        self.start = self.peak = _rss_bytes()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_bytes())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) / 2**20


def _rapidfuzz_scan(registry: list[dict[str, Any]]) -> Callable[[str, str], Any]:
    """Baseline: token_set_ratio over folded title + body of every item."""
    from rapidfuzz import fuzz, process

    choices = [fold(r["title"] + " " + r["summary"]) for r in registry]

    def run(title: str, body: str) -> Any:
        return process.extract(fold(title + " " + body), choices, scorer=fuzz.token_set_ratio, limit=5)

    return run


def tfidf_available() -> bool:
    """Whether scikit-learn (the ``bench`` extra) can be imported."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: F401
    except ImportError:
        return False
    return True


def _tfidf(registry: list[dict[str, Any]]) -> Callable[[str, str], Any] | None:
    """Baseline: TF-IDF of character 3–5-grams (word-bounded) with cosine, (the development set's anchor), if scikit-learn is available."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
    except ImportError:
        return None
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=1, sublinear_tf=True)
    matrix = vec.fit_transform([fold(r["title"] + " " + r["summary"]) for r in registry])

    def run(title: str, body: str) -> Any:
        q = vec.transform([fold(title + " " + body)])
        scores = (matrix @ q.T).toarray().ravel()
        return scores.argsort()[-5:]

    return run


PG_THRESHOLD = 0.25
# The query of the participatory-democracy platforms (title against the new title, body against
# the new body, flag line 0.25), written with the `%` operator so that the GIN trigram indexes
# are used: `a % b` is `similarity(a, b) >= pg_trgm.similarity_threshold`.
PG_QUERY = (
    "SELECT id FROM items WHERE title %% %(t)s OR body %% %(b)s "
    "ORDER BY GREATEST(similarity(title, %(t)s), similarity(body, %(b)s)) DESC LIMIT 5"
)


class PgTrgm:
    """Baseline: PostgreSQL pg_trgm on a scratch copy of the registry.

    Use as a context manager: a schema ``dedup_bench_<pid>`` is created with the table
    ``items(id, title, body)``, filled with COPY, indexed with GIN trigram indexes on title and
    body; the schema is dropped on exit, always. If pg_trgm is not installed in the database it
    is created inside the scratch schema, so dropping the schema removes it again.
    """

    def __init__(self, url: str, registry: list[dict[str, Any]], threshold: float = PG_THRESHOLD) -> None:
        self.url, self.registry, self.threshold = url, registry, threshold
        self.schema = f"dedup_bench_{os.getpid()}"
        self.conn: Any = None
        self.build_s = 0.0
        self.extension_note = ""

    def __enter__(self) -> "PgTrgm":
        import psycopg
        from psycopg import sql

        self.conn = psycopg.connect(self.url, autocommit=True)
        schema = sql.Identifier(self.schema)
        try:
            t0 = time.perf_counter()
            self.conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(schema))
            self.conn.execute(sql.SQL("CREATE SCHEMA {}").format(schema))
            row = self.conn.execute(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                "WHERE e.extname = 'pg_trgm'"
            ).fetchone()
            if row is None:
                try:
                    self.conn.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA {}").format(schema))
                except psycopg.Error as exc:
                    raise RuntimeError(f"pg_trgm is not installed and cannot be created here: {exc}") from exc
                ext_schema = self.schema
                self.extension_note = f"pg_trgm created in {self.schema} (dropped with it)"
            else:
                ext_schema = row[0]
                self.extension_note = f"pg_trgm already installed in schema {ext_schema}"
            self.conn.execute(
                sql.SQL("SET search_path = {}, {}").format(schema, sql.Identifier(ext_schema))
            )
            self.conn.execute("CREATE TABLE items (id text PRIMARY KEY, title text NOT NULL, body text NOT NULL)")
            with self.conn.cursor() as cur, cur.copy("COPY items (id, title, body) FROM STDIN") as copy:
                for r in self.registry:
                    copy.write_row((r["id"], r["title"], r["summary"]))
            self.conn.execute("CREATE INDEX items_title_trgm ON items USING gin (title gin_trgm_ops)")
            self.conn.execute("CREATE INDEX items_body_trgm ON items USING gin (body gin_trgm_ops)")
            self.conn.execute("ANALYZE items")
            self.conn.execute(sql.SQL("SET pg_trgm.similarity_threshold = {}").format(sql.Literal(self.threshold)))
            self.build_s = time.perf_counter() - t0
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.conn is None:
            return
        from psycopg import sql

        try:
            if self.conn.closed or self.conn.broken:
                import psycopg

                self.conn = psycopg.connect(self.url, autocommit=True)
            self.conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(self.schema)))
        finally:
            self.conn.close()
            self.conn = None

    def __call__(self, title: str, body: str) -> list[str]:
        return [r[0] for r in self.conn.execute(PG_QUERY, {"t": title, "b": body}).fetchall()]

    def plan(self, title: str, body: str) -> str:
        """EXPLAIN of the query (to check that the trigram indexes are used)."""
        rows = self.conn.execute("EXPLAIN " + PG_QUERY, {"t": title, "b": body}).fetchall()
        return "\n".join(r[0] for r in rows)


def _speedup(baseline: dict[str, float], matcher: dict[str, float], key: str = "p50_ms") -> float:
    return round(baseline[key] / max(matcher[key], 1e-6), 1)


def run_bench(
    sizes: list[int],
    seed: int = 7,
    pg_url: str | None = None,
    queries: int = 200,
    trace_limit: int = 20_000,
    log: Log | None = None,
    pg_budget_s: float = 120.0,
) -> dict[str, Any]:
    """Build time, peak memory and query latency of the matcher and baselines per registry size.

    Returns ``{"sizes": [{"size", "build_s", "peak_mb", "matcher": {"p50_ms", "p95_ms", ...},
    "baselines": {name: {"p50_ms", "p95_ms", ...}}, "speedup_vs_rapidfuzz_scan", ...}]}``.
    Speed-ups are ratios of p50 latencies (baseline / matcher). ``log`` receives progress lines.
    """
    say = log or (lambda _msg: None)
    out = []
    for size in sizes:
        registry = make_registry(size, seed)
        qs = make_queries(registry, queries, seed)
        docs = [Document(r["id"], r["title"], r["summary"]) for r in registry]
        say(f"[{size}] building the matcher index ...")
        gc.collect()
        with _RssSampler() as rss:
            t0, c0 = time.perf_counter(), time.thread_time()
            matcher = Matcher(docs)
            build_s, build_cpu_s = time.perf_counter() - t0, time.thread_time() - c0
        if size <= trace_limit:
            # peak Python allocation of a second build under tracemalloc (it slows the build 3-5×,
            # so it is neither timed nor run on the largest sizes)
            del matcher
            gc.collect()
            tracemalloc.start()
            matcher = Matcher(docs)
            peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            method = "tracemalloc"
        else:
            peak_mb = rss.growth_mb  # growth of the process RSS during the build, sampled
            method = "rss_growth"
        say(f"[{size}] build {build_s:.2f} s (cpu {build_cpu_s:.2f} s), peak {peak_mb:.1f} MB; timing queries ...")
        matcher.search(qs[0][0], qs[0][1])  # warm caches
        m_lat = _time_queries(lambda t, b: matcher.search(t, b, limit=5), qs)
        # sanity: the item a query was made from should come first (synthetic items can repeat
        # the same idea, so an identical twin with the same score also counts)
        hits = total = 0
        for title, body, source in qs:
            if source is None:
                continue
            total += 1
            res = matcher.search(title, body, limit=3)
            hits += bool(res) and any(m.id == source for m in res if m.score >= res[0].score - 1e-6)
        m_lat["recall_at_1"] = round(hits / total, 3) if total else 0.0
        # what a new process pays instead of building, when the app kept the index on disk
        stored = pickle.dumps(matcher, protocol=pickle.HIGHEST_PROTOCOL)
        t0 = time.perf_counter()
        pickle.loads(stored)
        load_s, stored_mb = time.perf_counter() - t0, len(stored) / 2**20
        del matcher, stored
        gc.collect()

        baselines: dict[str, dict[str, float]] = {}
        n_slow = max(3, min(len(qs), int(200_000 / max(size, 1))))
        say(f"[{size}] rapidfuzz scan on {n_slow} queries ...")
        scan = _rapidfuzz_scan(registry)
        baselines["rapidfuzz_token_set_scan"] = _time_queries(scan, qs[:n_slow])
        del scan
        say(f"[{size}] TF-IDF ...")
        t0 = time.perf_counter()
        tf = _tfidf(registry)
        if tf is not None:
            tf_build = time.perf_counter() - t0
            baselines["tfidf_char_ngram_cosine"] = _time_queries(tf, qs[: max(10, n_slow)])
            baselines["tfidf_char_ngram_cosine"]["build_s"] = round(tf_build, 2)
            del tf
        else:
            say("scikit-learn is not installed: the TF-IDF baseline is left out (pip install 'sangkien[bench]')")
        if pg_url:
            say(f"[{size}] pg_trgm: loading {size} items into PostgreSQL ...")
            with PgTrgm(pg_url, registry) as pg:
                say(f"[{size}] pg_trgm: {pg.extension_note}; build {pg.build_s:.2f} s")
                pg(qs[0][0], qs[0][1])  # warm the buffer cache
                # the same queries as the matcher, as many as fit in the time budget (≥ 10)
                t0 = time.perf_counter()
                pg(qs[1 % len(qs)][0], qs[1 % len(qs)][1])
                per_query = time.perf_counter() - t0
                n_pg = min(len(qs), max(10, int(pg_budget_s / max(per_query, 1e-6))))
                say(f"[{size}] pg_trgm: timing {n_pg} queries ...")
                baselines["pg_trgm"] = _time_queries(pg, qs[:n_pg], cpu=False)
                baselines["pg_trgm"]["build_s"] = round(pg.build_s, 2)
        row: dict[str, Any] = {
            "size": size,
            "build_s": round(build_s, 2),
            "build_cpu_s": round(build_cpu_s, 2),
            "load_s": round(load_s, 2),
            "stored_mb": round(stored_mb, 1),
            "peak_mb": round(peak_mb, 1),
            "peak_mb_method": method,
            "matcher": m_lat,
            "baselines": baselines,
            "speedup_vs_rapidfuzz_scan": _speedup(baselines["rapidfuzz_token_set_scan"], m_lat),
            "speedup_p50": {name: _speedup(b, m_lat) for name, b in baselines.items()},
            "speedup_p95": {name: _speedup(b, m_lat, "p95_ms") for name, b in baselines.items()},
        }
        out.append(row)
        say(f"[{size}] done")
    return {"sizes": out}
