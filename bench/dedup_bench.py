"""Benchmark of the duplicate matcher on synthetic Vietnamese registries of growing size.

Run: .venv/bin/python bench/dedup_bench.py --sizes 1000 10000 100000
Registries are composed from templates of problems, solutions, tools, groups and units, with a
fixed seed, so runs are reproducible. Baselines: a rapidfuzz token_set_ratio scan over
title + body (what one would write first) and, if scikit-learn is installed, TF-IDF
character n-gram cosine. The slow scan is timed on a few queries only at large sizes.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from contest.matching import Document, Matcher, fold  # noqa: E402

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


def _time_queries(fn: Callable[[str, str], Any], queries: list[tuple[str, str, str | None]]) -> dict[str, float]:
    """p50 / p95 latency in ms of fn over the queries: wall clock, and CPU time of this thread
    (the latter is not inflated by other processes on a shared machine)."""
    wall, cpu = [], []
    for title, body, _ in queries:
        t0, c0 = time.perf_counter(), time.thread_time()
        fn(title, body)
        cpu.append((time.thread_time() - c0) * 1000.0)
        wall.append((time.perf_counter() - t0) * 1000.0)

    def pct(xs: list[float], p: float) -> float:
        xs = sorted(xs)
        return round(xs[min(len(xs) - 1, int(p * len(xs)))], 2)

    return {
        "p50_ms": round(statistics.median(wall), 2), "p95_ms": pct(wall, 0.95),
        "cpu_p50_ms": round(statistics.median(cpu), 2), "cpu_p95_ms": pct(cpu, 0.95), "n": len(wall),
    }


def _rapidfuzz_scan(registry: list[dict[str, Any]]) -> Callable[[str, str], Any]:
    """Baseline: token_set_ratio over folded title + body of every item."""
    from rapidfuzz import fuzz, process

    choices = [fold(r["title"] + " " + r["summary"]) for r in registry]

    def run(title: str, body: str) -> Any:
        return process.extract(fold(title + " " + body), choices, scorer=fuzz.token_set_ratio, limit=5)

    return run


def _tfidf(registry: list[dict[str, Any]]) -> Callable[[str, str], Any] | None:
    """Baseline: TF-IDF of character 2–4-grams (word-bounded) with cosine, if scikit-learn is available."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
    except ImportError:
        return None
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=1, sublinear_tf=True)
    matrix = vec.fit_transform([fold(r["title"] + " " + r["summary"]) for r in registry])

    def run(title: str, body: str) -> Any:
        q = vec.transform([fold(title + " " + body)])
        scores = (matrix @ q.T).toarray().ravel()
        return scores.argsort()[-5:]

    return run


def run_bench(
    sizes: list[int], seed: int = 7, pg_url: str | None = None, queries: int = 200, trace_limit: int = 20_000
) -> dict[str, Any]:
    """Build time, peak memory and query latency of the matcher and baselines per registry size.

    pg_url is accepted for a PostgreSQL trigram baseline but not used here (no database dependency).
    """
    out = []
    for size in sizes:
        registry = make_registry(size, seed)
        qs = make_queries(registry, queries, seed)
        docs = [Document(r["id"], r["title"], r["summary"]) for r in registry]
        gc.collect()
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        matcher = Matcher(docs)
        build_s = time.perf_counter() - t0
        rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
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
            peak_mb = (rss1 - rss0) / 1024  # growth of the peak RSS during the build (KiB on Linux)
            method = "rss_growth"
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
        baselines: dict[str, dict[str, float]] = {}
        n_slow = max(3, min(len(qs), int(200_000 / max(size, 1))))
        scan = _rapidfuzz_scan(registry)
        baselines["rapidfuzz_token_set_scan"] = _time_queries(scan, qs[:n_slow])
        tf = _tfidf(registry)
        if tf is not None:
            baselines["tfidf_char_ngram_cosine"] = _time_queries(tf, qs[: max(10, n_slow)])
        speedup = baselines["rapidfuzz_token_set_scan"]["p50_ms"] / max(m_lat["p50_ms"], 1e-6)
        out.append({
            "size": size,
            "build_s": round(build_s, 2),
            "peak_mb": round(peak_mb, 1),
            "peak_mb_method": method,
            "matcher": m_lat,
            "baselines": baselines,
            "speedup_vs_rapidfuzz_scan": round(speedup, 1),
        })
        print(json.dumps(out[-1], ensure_ascii=False), file=sys.stderr, flush=True)
        del matcher
        gc.collect()
    return {"sizes": out}


def main() -> None:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    print(json.dumps(run_bench(args.sizes, args.seed, queries=args.queries), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
