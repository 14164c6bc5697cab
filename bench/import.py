"""A 200,000-row registry import while a judge saves a score sheet every second.

Run: ``.venv/bin/python bench/import.py [--rows 200000] [--batches 1000,all] [--json]``
(or ``make bench-import``).

For each batch size in ``--batches`` (the product's is tasks.IMPORT_BATCH, 1,000 rows per
transaction; ``all`` is the whole file in one transaction, as imports were written before), it
builds a throw-away instance in a temporary folder (never instance/): the demo database
(``sangkien init-db`` + ``sangkien demo``), then serves it with ``sangkien serve`` on a free
loopback port, the way ``make run`` does (jobs run in a thread of the server process). Signed in
through the login form, it uploads the XLSX as the secretary and, from the moment of the upload
until the job ends, has a judge save a draft of one open score sheet every second (a fresh page,
then the POST, as the browser does). It reports:

* **rows in**: seconds from the upload until every row is committed (the job reaches its index
  step), and rows per second; **ready**: until the job ends, the duplicate index brought up to date;
* **saves**: the judge's POSTs: how many, p50 / p95 / max seconds, and every answer but a redirect
  (a 503 "busy" page counts as an error, and so would a 500);
* **first lookup**: the seconds of the first similar-initiative request after the job ended (the
  author's live suggestions, /entries/similar);
* **peak RSS**: the server process's high-water resident memory (VmHWM), in MB.

Before the runs it times reading the same file with openpyxl (read-only mode) and with
python-calamine, the reader the import uses, and prints the ratio.

The file is synthetic and reproducible (``--seed``): each row's title is a title of the two
labelled sets in ../shared/data/dedup plus a place, its summary one sentence of theirs (about 25
MB of XLSX for 200,000 rows, more than the 9.8 MB file of the December probe). It is kept in the
system's temporary folder between runs.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
SETS = [ROOT.parent / "shared" / "data" / "dedup" / name for name in ("dev.json", "dev2.json")]
BIN = Path(sys.executable).parent
PASSWORD = "sangkien2024"  # the demo's (contest/demo.py)
INDEX_LABEL = "Đang cập nhật chỉ mục tra trùng"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the file ---------------------------------------------------------------------------------

def make_file(rows: int, seed: int) -> Path:
    """The XLSX to import, built once per (rows, seed) and kept in the temporary folder."""
    path = Path(tempfile.gettempdir()) / f"sangkien-import-{rows}-{seed}.xlsx"
    if path.exists():
        return path
    from openpyxl import Workbook

    items = [i for s in SETS for i in json.loads(s.read_text("utf-8"))["registry"]]
    sentences = [s.strip() for i in items for s in i["summary"].split(". ") if s.strip()]
    units = sorted({i["unit"] for i in items})
    rng = random.Random(seed)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Ngân hàng sáng kiến")
    sheet.append(["Mã", "Tên sáng kiến", "Tóm tắt", "Đơn vị", "Năm", "Lĩnh vực"])
    started = time.perf_counter()
    for n in range(rows):
        item = rng.choice(items)
        sheet.append([f"NH-{n:06d}", f"{item['title']} tại tổ dân phố số {rng.randint(1, 40)}",
                      rng.choice(sentences)[:160], rng.choice(units), rng.randint(2015, 2025), item.get("field") or ""])
    draft = path.with_suffix(f".{os.getpid()}.tmp")
    book.save(draft)
    draft.replace(path)
    log(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.0f} s")
    return path


def read_times(path: Path) -> dict[str, float]:
    """Seconds to read every row of the file with openpyxl and with calamine."""
    from openpyxl import load_workbook
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    book = load_workbook(path, read_only=True, data_only=True)
    openpyxl_rows = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    openpyxl_s = time.perf_counter() - started
    started = time.perf_counter()
    calamine_rows = sum(1 for _ in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows())
    calamine_s = time.perf_counter() - started
    assert openpyxl_rows == calamine_rows
    return {"openpyxl_s": round(openpyxl_s, 1), "calamine_s": round(calamine_s, 1),
            "ratio": round(openpyxl_s / calamine_s, 1)}


# --- a browser, as far as this benchmark needs one ------------------------------------------------

class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())

    def request(self, path: str, data: Optional[bytes] = None, headers: Optional[dict] = None,
                timeout: float = 120) -> tuple[int, str, dict]:
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(req, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace"), dict(error.headers)

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str, dict]:
        return self.request(path, urllib.parse.urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def upload(self, path: str, fields: dict[str, str], name: str, data: bytes) -> tuple[int, str, dict]:
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                 for k, v in fields.items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                     "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n".encode()
                     + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def sign_in(self, username: str) -> None:
        _, html, _ = self.request("/auth/login")
        status, _, _ = self.post("/auth/login", {"csrf_token": field(html, "csrf_token"), "username": username,
                                                 "password": PASSWORD})
        if status != 302:
            raise SystemExit(f"{username} could not sign in ({status})")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def field(html: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    value = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return value.group(1) if value else ""


# --- one run --------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_once(path: Path, batch: Optional[int]) -> dict[str, Any]:
    """Import the file into a fresh demo while a judge saves; `batch` rows per transaction (None: all)."""
    folder = Path(tempfile.mkdtemp(prefix="sangkien-bench-import-"))
    env = {**os.environ, "SANGKIEN_ENV": "development",
           "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}", "SANGKIEN_UPLOAD_FOLDER": str(folder / "uploads"),
           "SANGKIEN_INDEX_CACHE_FOLDER": str(folder / "index-cache"),
           "SANGKIEN_AUDIT_HEAD_FILE": str(folder / "audit-head.json")}
    for command in (["init-db"], ["demo"]):
        subprocess.run([str(BIN / "sangkien"), *command], env=env, check=True, capture_output=True, cwd=folder)
    port = free_port()
    # The server as `make run` starts it; only the import's batch size may differ.
    launcher = ("import sys, contest.registry.tasks as t; t.IMPORT_BATCH = int(sys.argv[1]);"
                "from contest.cli import main; sys.argv = ['sangkien', 'serve', '--port', sys.argv[2]]; main()")
    server = subprocess.Popen([sys.executable, "-c", launcher, str(batch or 10**9), str(port)], env=env, cwd=folder,
                              stdout=subprocess.DEVNULL, stderr=open(folder / "server.log", "wb"))
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/auth/login", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        secretary, judge, author = Browser(base), Browser(base), Browser(base)
        secretary.sign_in("thuky")
        judge.sign_in("giamkhao2")  # the demo leaves some of her sheets open
        author.sign_in("canbo1")
        _, queue, _ = judge.request("/judging/")
        sheets = sorted({int(i) for i in re.findall(r'href="/judging/entries/(\d+)"', queue)})
        sheet = next(s for s in sheets if 'name="action"' in judge.request(f"/judging/entries/{s}")[1])

        saves: list[tuple[float, int]] = []
        stop = threading.Event()

        def save_every_second() -> None:
            n = 0
            while not stop.is_set():
                started = time.perf_counter()
                _, html, _ = judge.request(f"/judging/entries/{sheet}")
                data = {"csrf_token": field(html, "csrf_token"), "version": field(html, "version"), "action": "draft"}
                for cid in re.findall(r'name="points_(\d+)"', html):
                    data[f"band_{cid}"] = ""
                    data[f"points_{cid}"] = "1"
                    data[f"comment_{cid}"] = f"lần lưu {n}"
                post_started = time.perf_counter()
                status, _, _ = judge.post(f"/judging/entries/{sheet}", data)
                saves.append((time.perf_counter() - post_started, status))
                n += 1
                stop.wait(max(0.0, 1.0 - (time.perf_counter() - started)))

        _, page, _ = secretary.request("/registry/")
        saver = threading.Thread(target=save_every_second, daemon=True)
        saver.start()
        started = time.perf_counter()
        status, _, headers = secretary.upload("/registry/import", {"csrf_token": field(page, "csrf_token")},
                                              path.name, path.read_bytes())
        if status != 302:
            raise SystemExit(f"the upload answered {status}")
        job_url = urllib.parse.urlsplit(headers["Location"]).path
        rows_in = None
        while True:
            _, body, _ = secretary.request(job_url + ".json", headers={"Accept": "application/json"})
            job = json.loads(body)
            if rows_in is None and (job["label"] == INDEX_LABEL or job["finished"]):
                rows_in = time.perf_counter() - started
            if job["finished"]:
                break
            time.sleep(0.25)
        ready = time.perf_counter() - started
        stop.set()
        saver.join()
        lookup_started = time.perf_counter()
        code, _, _ = author.request("/entries/similar?" + urllib.parse.urlencode(
            {"title": "Ứng dụng mã QR trên giấy hẹn trả kết quả để người dân tự tra cứu hồ sơ"}),
            headers={"Accept": "application/json"})
        first_lookup = time.perf_counter() - lookup_started
        _, report, _ = secretary.request(job_url)
        added = re.search(r"Đã thêm ([\d.]+) sáng kiến", report)
        times = sorted(t for t, _ in saves)
        errors = [code for _, code in saves if code != 302]
        return {
            "batch": batch or "all", "status": job["status"], "added": int(added.group(1).replace(".", "")) if added else 0,
            "rows_in_s": round(rows_in, 1), "rows_per_s": round((int(added.group(1).replace(".", "")) if added else 0) / rows_in),
            "ready_s": round(ready, 1), "saves": len(saves),
            "save_p50_s": round(statistics.median(times), 3) if times else None,
            "save_p95_s": round(times[min(len(times) - 1, int(0.95 * len(times)))], 3) if times else None,
            "save_max_s": round(times[-1], 3) if times else None,
            "save_errors": errors, "first_lookup_s": round(first_lookup, 3), "first_lookup_status": code,
            "peak_rss_mb": round(peak_rss_mb(server.pid)),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batches", default="1000,all", help="rows per transaction, comma-separated; all: one")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    path = make_file(args.rows, args.seed)
    reading = read_times(path)
    log(f"read {args.rows:,} rows: openpyxl {reading['openpyxl_s']} s, calamine {reading['calamine_s']} s "
        f"(×{reading['ratio']})")
    runs = []
    for value in args.batches.split(","):
        batch = None if value.strip() == "all" else int(value)
        log(f"importing with {batch or 'all'} rows per transaction…")
        runs.append(run_once(path, batch))
        log(json.dumps(runs[-1], ensure_ascii=False))
    if args.json:
        print(json.dumps({"rows": args.rows, "file_mb": round(path.stat().st_size / 1e6, 1), "reading": reading,
                          "runs": runs}, ensure_ascii=False, indent=2))
        return
    print(f"{args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB XLSX, "
          f"{os.cpu_count()} cores; reading: openpyxl {reading['openpyxl_s']} s, calamine {reading['calamine_s']} s "
          f"(calamine ×{reading['ratio']} faster)")
    print(f"{'batch':>7} {'added':>8} {'rows in':>8} {'rows/s':>7} {'ready':>7} {'saves':>6} {'p50':>6} "
          f"{'p95':>6} {'max':>6} {'errors':>8} {'lookup':>7} {'RSS MB':>7}")
    for r in runs:
        print(f"{r['batch']:>7} {r['added']:>8} {r['rows_in_s']:>7}s {r['rows_per_s']:>7} {r['ready_s']:>6}s "
              f"{r['saves']:>6} {r['save_p50_s']:>6} {r['save_p95_s']:>6} {r['save_max_s']:>6} "
              f"{len(r['save_errors']):>8} {r['first_lookup_s']:>6}s {r['peak_rss_mb']:>7}")
    if len(runs) > 1:
        a, b = runs[0], runs[-1]
        if a["save_p95_s"] and b["save_p95_s"]:
            print(f"save p95: batch {b['batch']} / batch {a['batch']} = ×{b['save_p95_s'] / a['save_p95_s']:.1f}")


if __name__ == "__main__":
    main()
