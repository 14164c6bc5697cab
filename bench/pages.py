"""Page weight and server time of every main page of each role: on the demo plus 1,000 entries,
then on a town of 15 more wards of 200 entries each with a 20,000-item bank.

Run: ``.venv/bin/python bench/pages.py [--entries 1000] [--registry 1000] [--wards 15]
[--per-ward 200] [--bank 20000] [--requests 30] [--json]`` (or ``make bench-pages``).

It builds a throw-away SQLite database in a temporary folder (never instance/): the demo
(``contest.demo.load_demo``, what ``sangkien demo`` loads), then ``--entries`` more entries in the
2024 contest from more participants in more units, ``--registry`` more applied initiatives, a
panel with a chair, every judge assigned, most sheets submitted and some left as drafts, and
some flags decided. Then, signed in through the login form as each role, it requests each page
with the Flask test client (in process, no network) and reports:

* **bytes**: what a first visit with an empty cache downloads: the HTML plus every stylesheet,
  script, icon and image the HTML links to, and what those stylesheets load with ``url()``
  (none but ``data:`` URIs today), each fetched once, asking ``Accept-Encoding: gzip, deflate``
  as Chromium does over plain http. *bytes* is the bodies as transferred (the app compresses
  with Flask-Compress); *raw* is the same files uncompressed. Headers are not counted.
  1 KB = 1,024 bytes.
* **p50 / p95**: wall time of ``client.get`` over ``--requests`` requests (after 3 warm-ups),
  which is the server's whole work: routing, sign-in checks, queries, rendering, compressing. **cpu p50** is
  the thread's CPU time, which other work on a shared machine does not inflate.
* **SQL**: statements per request (SELECT/INSERT/UPDATE/DELETE, counted by a SQLAlchemy
  ``before_cursor_execute`` listener; BEGIN, COMMIT and PRAGMA left out).

The town (``--wards``): each new ward gets its people, its share of the bank (imported), a 2024
contest of ``--per-ward`` entries with their files, two judges who score them all, closing,
publication, and its three best forwarded into the town's round (each copy checked against the
whole bank, as the forward verb does). Its pages are measured last: a ward's contest, standings,
screening and registry, an author's entry with the town's verdict, the town's round, its
screening against the whole bank, its panel, the wards page, the public results of every ward.

Targets: under 300 KB transferred and p95 under 100 ms per page. The judging-phase pages are
measured first; then the 2024 contest is closed and published and the result pages measured.
Submitting 1,000 entries through ``submit_entry`` would re-index the contest's other
entries at every submission (quadratic: ~8 minutes); the extra entries are therefore saved,
given an attachment and marked submitted through the same verb functions and audit record,
and checked against the registry (not against each other) the way ``flag_duplicates`` does: the
one in ten that retell a registry item and one in twenty others (the synthetic texts share their
templates with the synthetic registry, so checking all would flag nearly every entry).
"""
from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import random
import re
import statistics
import sys
import tempfile
import time
import zlib
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urljoin, urlsplit

from contest.accounts.operations import create_user
from contest.entries.operations import (
    CoAuthorData,
    EntryData,
    add_attachment,
    save_entry,
)
from contest.registry.operations import RegistryData, import_registry
from contest.screening.operations import decide_flag

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BYTES_TARGET = 300 * 1024
P95_TARGET_MS = 100.0
PASSWORD = "sangkien2024"
KINDS = ("xã", "phường", "thị trấn")


# ---------------------------------------------------------------- the data


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:]


def _entry_texts(rnd: random.Random, registry: list[Any], retell: bool = False) -> dict[str, str]:
    """Title, situation, solution, effect of one entry: new, or retelling a registry item."""
    from contest.matching import bench as synth

    if registry and retell:
        item = rnd.choice(registry)
        # A near-copy: the same initiative, abbreviated the way staff write (UBND, TTHC…).
        title, body = item.title, item.summary
        for full, short in synth.ABBREV:
            title, body = title.replace(full, short), body.replace(full, short)
        sentences = [s for s in re.split(r"(?<=\.)\s+", body) if s]
        return {"title": title, "situation": sentences[0], "solution": " ".join(sentences[1:-1]) or sentences[0],
                "effect": sentences[-1]}
    place = rnd.choice(synth.PLACES)
    slots = {"place": place, "unit": rnd.choice(synth.UNITS).format(kind=rnd.choice(KINDS), place=place),
             "group": rnd.choice(synth.GROUPS), "tool": rnd.choice(synth.TOOLS), "task": rnd.choice(synth.TASKS),
             "n": rnd.randint(2, 12), "p": rnd.randint(10, 95), "m": rnd.randint(100, 5000)}
    return {
        "title": _sentence(rnd.choice(synth.TITLES).format(**slots)),
        "situation": " ".join(_sentence(rnd.choice(synth.PROBLEMS).format(**slots)) for _ in range(2)),
        "solution": " ".join(_sentence(s.format(**slots)) for s in rnd.sample(synth.SOLUTIONS, 2)),
        "effect": " ".join(_sentence(s.format(**slots)) for s in rnd.sample(synth.RESULTS, 2)),
    }


def build_database(app: Any, extra_entries: int, extra_registry: int, seed: int, log: Callable[[str], None]) -> dict:
    """The demo plus the extra data, committed; returns the ids the pages need."""
    from sqlalchemy import select

    from contest import audit
    from contest.accounts.models import JUDGE, PARTICIPANT, User
    from contest.contests.models import JUDGING, OPEN, Contest
    from contest.db import db, init_db, utcnow
    from contest.demo import DEMO_PDF, load_demo
    from contest.entries.models import COLLECTIVE, DRAFT, INDIVIDUAL, SUBMITTED, Entry
    from contest.matching import bench as synth
    from contest.registry.models import RegistryItem
    from contest.screening.duplicates import search_registry, threshold_for
    from contest.screening.models import FLAG_OPEN, DuplicateFlag
    from judging.operations import assign_panel, save_sheet, set_panel
    from judging.queries import find_sheet, judge_queue

    rnd = random.Random(seed)
    with app.app_context():
        logging.disable(logging.INFO)  # Alembic's "Running upgrade …" lines
        init_db()
        logging.disable(logging.NOTSET)
        started = time.perf_counter()
        summary = load_demo(app.config["UPLOAD_FOLDER"], app.config["MAX_ATTACHMENT_BYTES"])
        db.session.commit()
        contest_2024, contest_2025 = (db.session.get(Contest, i) for i in summary["contests"][:2])
        users = {u.username: u for u in db.session.scalars(select(User))}
        secretary = users["thuky"]
        log(f"demo loaded in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        rows = [synth.make_item(rnd, i) for i in range(extra_registry)]
        import_registry(secretary, [RegistryData(
            title=r["title"], summary=r["summary"], unit=rnd.choice(synth.UNITS).format(
                kind=rnd.choice(KINDS), place=rnd.choice(synth.PLACES)),
            year=rnd.randint(2015, 2023), field=rnd.choice(contest_2024.fields), code=f"NH-{i + 1:05d}")
            for i, r in enumerate(rows)], "bench")
        db.session.commit()
        log(f"{extra_registry} registry items in {time.perf_counter() - started:.1f} s")

        # A ward has a few dozen staff who write entries, in a dozen units.
        units = [f"{name} phường Trung Lương" for name in (
            "Công an", "Trạm Y tế", "Đoàn Thanh niên", "Hội Liên hiệp Phụ nữ", "Hội Cựu chiến binh", "Hội Nông dân",
            "Ban Chỉ huy Quân sự", "Trường Tiểu học", "Trường THCS", "Mặt trận Tổ quốc", "Khu phố 1", "Khu phố 2")]
        authors = [users[k] for k in ("canbo1", "canbo2", "canbo3", "canbo4")]
        for i in range(36):
            authors.append(create_user(
                secretary, f"canbo{i + 5}", f"Cán bộ {i + 5:02d}", PARTICIPANT, PASSWORD,
                unit_name=units[i % len(units)], position="Công chức"))
        db.session.commit()

        started = time.perf_counter()
        registry = list(db.session.scalars(select(RegistryItem)))
        contest_2024.status = OPEN  # the demo has already opened judging; new entries need an open contest
        threshold = threshold_for(contest_2024)
        now = utcnow()
        for i in range(extra_entries):
            author = authors[i % len(authors)]
            retell = rnd.random() < 0.1
            texts = _entry_texts(rnd, registry, retell)
            collective = rnd.random() < 0.2
            entry = save_entry(author, contest_2024, EntryData(
                kind=COLLECTIVE if collective else INDIVIDUAL, field=rnd.choice(contest_2024.fields),
                collective_name=f"Chi đoàn khu phố {i % 7 + 1}" if collective else "",
                scope="Có thể áp dụng tại các phường, xã trong thị xã.", applied_where="UBND phường Trung Lương",
                applied_since=date(2024, 1 + i % 9, 1 + i % 27),
                benefit="Tiết kiệm thời gian, chi phí đi lại của người dân và công chức.",
                coauthors=[CoAuthorData(f"Nguyễn Văn {chr(65 + i % 26)}", "Công chức", 30)] if i % 3 == 0 else [],
                **texts))
            add_attachment(author, entry, f"Ban mo ta sang kien {i + 1}.pdf", DEMO_PDF,
                                      app.config["UPLOAD_FOLDER"], app.config["MAX_ATTACHMENT_BYTES"])
            entry.status, entry.submitted_at = SUBMITTED, now - timedelta(minutes=extra_entries - i)
            audit.record(author, "entry.submit", "entry", entry.id, {"status": DRAFT}, {"status": SUBMITTED})
            # The synthetic texts share their templates with the synthetic registry, so checking every
            # entry would flag nearly all; the retellings and one in twenty others are checked.
            checked = retell or rnd.random() < 0.05
            flags = [DuplicateFlag(entry=entry, registry_item_id=int(m.id[1:]), score=m.score, title_score=m.title_score,
                                   body_score=m.body_score, shared_phrases=list(m.shared_phrases))
                     for m in (search_registry([contest_2024.organisation_id], entry.title, entry.body, limit=3,
                                               threshold=threshold) if checked else [])]
            db.session.add_all(flags)
            db.session.flush()
            if flags:
                audit.record(None, "entry.flag", "entry", entry.id, None,
                             {"flags": [[f.registry_item_id, None, round(f.score, 1)] for f in flags]})
            if i % 100 == 99:
                db.session.commit()
        contest_2024.status = JUDGING
        db.session.commit()
        log(f"{extra_entries} entries in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        open_flags = list(db.session.scalars(select(DuplicateFlag).where(DuplicateFlag.status == FLAG_OPEN)
                                             .order_by(DuplicateFlag.score.desc())))
        for k, flag in enumerate(open_flags[: len(open_flags) // 2]):
            if flag.entry.status == SUBMITTED:
                decide_flag(secretary, flag, k % 3 == 0, "Cùng vấn đề và cùng giải pháp cốt lõi."
                                       if k % 3 == 0 else "Khác giải pháp cốt lõi, chỉ trùng cụm từ chung.")
        judges = [u for u in users.values() if u.role == JUDGE]
        set_panel(secretary, contest_2024, judges, chair=users["giamkhao1"])
        assign_panel(secretary, contest_2024)
        db.session.commit()
        log(f"flags decided, panel assigned in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        sheets = 0
        for judge in judges:
            for k, (entry, sheet) in enumerate(judge_queue(judge)):
                if sheet is not None and sheet.locked or rnd.random() < 0.15:
                    continue  # already scored by the demo, or not yet opened
                values = {c.id: (round(rnd.uniform(0.35, 0.95) * c.max_points * 2) / 2, "Nhận xét của giám khảo.")
                          for c in contest_2024.criteria}
                save_sheet(judge, entry, values, submit=rnd.random() < 0.85)
                sheets += 1
                if sheets % 200 == 0:
                    db.session.commit()
        db.session.commit()
        log(f"{sheets} score sheets in {time.perf_counter() - started:.1f} s")

        # A participant's draft (its page shows similar applied initiatives) and a judge's draft sheet.
        canbo1 = users["canbo1"]
        texts = _entry_texts(rnd, registry)
        draft = save_entry(canbo1, contest_2025, EntryData(
            kind=INDIVIDUAL, field=contest_2025.fields[0], **texts))
        db.session.commit()
        submitted = db.session.scalar(select(Entry.id).filter_by(author_id=canbo1.id, status=SUBMITTED).limit(1))
        queue = judge_queue(users["giamkhao1"])
        drafted = next((e for e, s in queue if s is not None and not s.locked), None)
        todo = next((e for e, s in queue if s is None), None)
        sheet_entry = (drafted or todo or queue[0][0]).id
        flag_id = db.session.scalar(select(DuplicateFlag.id).where(DuplicateFlag.status == FLAG_OPEN)
                                    .order_by(DuplicateFlag.score.desc()).limit(1))
        counts = {
            "entries_2024": db.session.query(Entry).filter_by(contest_id=contest_2024.id).count(),
            "registry": db.session.query(RegistryItem).count(),
            "flags": db.session.query(DuplicateFlag).count(),
            "queue_giamkhao1": len(queue),
            "sheet_of_giamkhao1": "draft" if drafted else "none",
            "has_sheet": find_sheet(db.session.get(Entry, sheet_entry), users["giamkhao1"]) is not None,
        }
        return {"contest_2024": contest_2024.id, "contest_2025": contest_2025.id, "draft": draft.id,
                "submitted": submitted, "sheet_entry": sheet_entry, "flag": flag_id, "counts": counts}


def build_town(app: Any, wards: int, per_ward: int, bank: int, seed: int, log: Callable[[str], None]) -> dict:
    """`wards` more wards of the demo's town, each with `per_ward` entries in its 2024 contest,
    judged by two judges, published, its top three forwarded into the town's round; the town's
    bank (every registry) filled up to `bank` items, spread over the new wards. Returns the ids
    the town's pages need."""
    from sqlalchemy import func, select

    from contest.accounts.models import ADMIN, JUDGE, PARTICIPANT, SECRETARY, TOWN, WARD, Organisation
    from contest.accounts.operations import OrganisationData, create_organisation
    from contest.contests.models import Contest
    from contest.contests.operations import DEFAULT_CRITERIA, ContestData, create_contest
    from contest.db import db, utcnow
    from contest.demo import DEMO_PDF
    from contest.entries.models import INDIVIDUAL, SUBMITTED, Entry
    from contest.matching import bench as synth
    from contest.registry.models import RegistryItem
    from judging.models import Transfer
    from judging.operations import assign_panel, close_judging, forward_entries, publish_results, save_sheet

    rnd = random.Random(seed + 1)
    with app.app_context():
        started = time.perf_counter()
        town = db.session.scalar(select(Organisation).filter_by(level=TOWN))
        town_round = db.session.scalar(select(Contest).filter_by(organisation_id=town.id))
        upload = app.config["UPLOAD_FOLDER"]
        per_bank = max(bank - (db.session.scalar(select(func.count(RegistryItem.id))) or 0), 0) // max(wards, 1)
        now = utcnow()
        first = None
        for k in range(1, wards + 1):
            ward = create_organisation(None, OrganisationData(name=f"Phường Thử nghiệm {k:02d}", level=WARD), parent=town)
            people = {name: create_user(None, f"w{k:02d}_{name}", f"{name.title()} phường {k:02d}", role, PASSWORD,
                                        unit_name=f"Văn phòng UBND phường {k:02d}", organisation=ward)
                      for name, role in (("bantochuc", ADMIN), ("thuky", SECRETARY), ("giamkhao1", JUDGE),
                                         ("giamkhao2", JUDGE))}
            authors = [create_user(None, f"w{k:02d}_canbo{n}", f"Cán bộ {n} phường {k:02d}", PARTICIPANT, PASSWORD,
                                   unit_name=f"Bộ phận {n} phường {k:02d}", organisation=ward) for n in range(1, 5)]
            secretary = people["thuky"]
            items = [synth.make_item(rnd, k * 100_000 + i) for i in range(per_bank)]
            import_registry(secretary, [RegistryData(title=r["title"], summary=r["summary"], year=rnd.randint(2015, 2023),
                                                     code=f"P{k:02d}-{i + 1:05d}") for i, r in enumerate(items)], "bench")
            contest = create_contest(people["bantochuc"], ContestData(
                title=f"Sáng kiến, giải pháp cải cách hành chính phường Thử nghiệm {k:02d} năm 2024", year=2024,
                fields=["Cải cách TTHC", "Chính quyền số"], submission_deadline=now + timedelta(days=1),
                judging_deadline=now + timedelta(days=14), criteria=DEFAULT_CRITERIA, forward_count=3))
            registry = list(db.session.scalars(select(RegistryItem).filter_by(organisation_id=ward.id).limit(200)))
            for i in range(per_ward):
                author = authors[i % len(authors)]
                entry = save_entry(author, contest, EntryData(
                    kind=INDIVIDUAL, field=contest.fields[i % 2], scope="Toàn phường.", applied_where="UBND phường",
                    applied_since=date(2024, 1 + i % 9, 1), benefit="Tiết kiệm thời gian.",
                    **_entry_texts(rnd, registry, retell=i % 10 == 0)))
                add_attachment(author, entry, f"Ban mo ta {i + 1}.pdf", DEMO_PDF, upload, app.config["MAX_ATTACHMENT_BYTES"])
                entry.status, entry.submitted_at = SUBMITTED, now
            db.session.flush()
            assign_panel(secretary, contest)
            for judge in (people["giamkhao1"], people["giamkhao2"]):
                for entry in db.session.scalars(select(Entry).filter_by(contest_id=contest.id)):
                    save_sheet(judge, entry, {c.id: (round(rnd.uniform(0.35, 0.95) * c.max_points * 2) / 2,
                                                     "Nhận xét của giám khảo.") for c in contest.criteria}, submit=True)
            close_judging(secretary, contest)
            publish_results(secretary, contest)
            forward_entries(secretary, contest, town_round, None, upload)
            db.session.commit()
            first = first or (ward, contest, authors[0])
            log(f"ward {k}/{wards}: {per_ward} entries judged, published, 3 forwarded "
                f"({time.perf_counter() - started:.0f} s so far)")
        ward, contest, author = first
        sent = db.session.scalar(select(Transfer).filter_by(source_contest_id=contest.id))
        counts = {"wards": db.session.scalar(select(func.count(Organisation.id)).filter_by(level=WARD)),
                  "bank": db.session.scalar(select(func.count(RegistryItem.id))),
                  "entries": db.session.scalar(select(func.count(Entry.id))),
                  "town_round_entries": db.session.scalar(select(func.count(Entry.id)).filter_by(contest_id=town_round.id))}
        log(f"town built in {time.perf_counter() - started:.1f} s: {counts}")
        return {"ward_contest": contest.id, "town_round": town_round.id, "forwarded_entry": sent.source_entry_id,
                "town_entry": sent.target_entry_id, "author": author.username, "counts": counts}


def close_and_publish(app: Any, contest_id: int) -> None:
    """End judging of the contest and publish its results, as the secretary would (the demo's chair first
    accepts the entries its judges left short of sheets)."""
    from sqlalchemy import select

    from contest.accounts.models import User
    from contest.contests.models import Contest
    from contest.db import db
    from judging.operations import close_judging, publish_results, waive_shortfalls
    from judging.queries import panel_shortfalls

    with app.app_context():
        secretary = db.session.scalar(select(User).filter_by(username="thuky"))
        chair = db.session.scalar(select(User).filter_by(username="giamkhao1"))
        contest = db.session.get(Contest, contest_id)
        if panel_shortfalls(contest, closing=True).unwaived:
            waive_shortfalls(chair, contest, "Giám khảo chưa chấm kịp; Ban thống nhất xếp hạng theo phiếu đã nộp.")
        close_judging(secretary, contest, despite_open_flags=True)  # the demo leaves flags for people to review
        publish_results(secretary, contest)
        db.session.commit()


# ---------------------------------------------------------------- measuring


class _Links(HTMLParser):
    """The stylesheets, scripts, icons and images an HTML page makes the browser download."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "link" and {"stylesheet", "icon", "preload", "modulepreload"} & set(a.get("rel", "").split()):
            self.urls.append(a.get("href", ""))
        elif tag in ("script", "img", "iframe", "source", "video", "audio") and a.get("src"):
            self.urls.append(a["src"])


CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


BROWSER = {"Accept-Encoding": "gzip, deflate"}  # what Chromium asks for over plain http


def fetch(client: Any, url: str) -> tuple[int, bytes]:
    """(bytes transferred, the body decoded) of one GET, as a browser asks for it."""
    response = client.get(url, headers=BROWSER)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding", "")
    decoded = gzip.decompress(body) if encoding == "gzip" else zlib.decompress(body) if encoding == "deflate" else body
    assert encoding in ("", "gzip", "deflate"), encoding
    return len(body), decoded


def page_assets(client: Any, page_url: str, html: str,
                cache: dict[str, tuple[int, bytes]]) -> list[tuple[str, int, int]]:
    """(url, bytes transferred, bytes raw) of each resource the page loads, each once; stylesheets' url()s followed."""
    parser = _Links()
    parser.feed(html)
    todo = [urljoin(page_url, u) for u in parser.urls if u and not u.startswith("data:")]
    seen: dict[str, tuple[int, int]] = {}
    while todo:
        url = todo.pop(0)
        path = urlsplit(url).path
        if path in seen:
            continue
        if path not in cache:
            cache[path] = fetch(client, url)
        seen[path] = (cache[path][0], len(cache[path][1]))
        if path.endswith(".css"):
            text = cache[path][1].decode("utf-8", "replace")
            todo += [urljoin(url, u) for u in CSS_URL.findall(text) if not u.startswith(("data:", "#"))]
    return [(path, sent, raw) for path, (sent, raw) in seen.items()]


@dataclass
class Figures:
    """One page's figures."""

    page: str
    url: str
    html_bytes: int
    total_bytes: int
    total_raw: int
    assets: int
    p50_ms: float
    p95_ms: float
    cpu_p50_ms: float
    cpu_p95_ms: float
    sql: int
    sql_max: int
    repeated_sql: list  # (times, statement) of the statements a request ran more than once, most frequent first

    @property
    def ok(self) -> bool:
        return self.total_bytes < BYTES_TARGET and self.p95_ms < P95_TARGET_MS


def _short(sql: str) -> str:
    """A statement cut to what names it: its columns elided, FROM … WHERE … kept."""
    sql = re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", sql)
    return sql if len(sql) <= 160 else sql[:157] + "…"


def _pct(xs: list[float], p: float) -> float:
    """The p-th percentile, nearest rank."""
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def measure(client: Any, name: str, url: str, requests: int, counter: dict,
            cache: dict[str, tuple[int, bytes]]) -> Figures:
    """Weigh the page once, then time `requests` GETs of it (after 3 warm-ups)."""
    sent, html = fetch(client, url)
    assets = page_assets(client, "http://localhost" + url, html.decode("utf-8"), cache)
    for _ in range(3):
        client.get(url, headers=BROWSER)
    walls, cpus, sqls = [], [], []
    for _ in range(requests):
        counter["n"], counter["statements"] = 0, []
        t0, c0 = time.perf_counter(), time.thread_time()
        response = client.get(url, headers=BROWSER)
        walls.append((time.perf_counter() - t0) * 1000)
        cpus.append((time.thread_time() - c0) * 1000)
        sqls.append(counter["n"])
        assert response.status_code == 200
    repeated = Counter(" ".join(s.split()) for s in counter["statements"]).most_common(3)
    total = sent + sum(size for _, size, _ in assets)
    total_raw = len(html) + sum(raw for _, _, raw in assets)
    return Figures(name, url, sent, total, total_raw, len(assets), statistics.median(walls), _pct(walls, 95),
                   statistics.median(cpus), _pct(cpus, 95), int(statistics.median(sqls)), max(sqls),
                   [(n, _short(sql)) for sql, n in repeated if n > 1])


def sign_in(app: Any, username: str | None) -> Any:
    """A test client signed in through the login form (CSRF token and all); None: a visitor."""
    client = app.test_client()
    if username is None:
        return client
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    response = client.post("/auth/login", data={"csrf_token": token.group(1), "username": username, "password": PASSWORD})
    assert response.status_code in (302, 303), f"sign-in of {username} failed: {response.status_code}"
    return client


def pages(ids: dict, phase: str) -> list[tuple[str, str | None, str]]:
    """(page, user or None, URL) of the phase: "judging" (the 2024 contest being judged) or "published"."""
    c24, c25 = ids["contest_2024"], ids["contest_2025"]
    if phase == "judging":
        return [
            ("login", None, "/auth/login"),
            ("participant: entries list", "canbo1", "/entries/"),
            ("participant: entry form (new)", "canbo1", f"/entries/new/{c25}"),
            ("participant: entry page (draft)", "canbo1", f"/entries/{ids['draft']}"),
            ("participant: entry page (submitted)", "canbo1", f"/entries/{ids['submitted']}"),
            ("judge: queue", "giamkhao1", "/judging/"),
            ("judge: score sheet", "giamkhao1", f"/judging/entries/{ids['sheet_entry']}"),
            ("judge: chair page", "giamkhao1", f"/judging/contests/{c24}/chair"),
            ("secretary: contests", "thuky", "/contests/"),
            ("secretary: contest page (all entries)", "thuky", f"/contests/{c24}"),
            ("secretary: screening list", "thuky", f"/screening/{c24}"),
            ("secretary: screening flag", "thuky", f"/screening/flags/{ids['flag']}"),
            ("secretary: panel", "thuky", f"/judging/contests/{c24}/panel"),
            ("secretary: registry", "thuky", "/registry/"),
            ("secretary: registry search", "thuky", "/registry/?q=Zalo"),
            ("admin: audit log", "bantochuc", "/audit"),
            ("public: results list (none yet)", None, "/results/"),
        ]
    return [
        ("secretary: standings", "thuky", f"/judging/contests/{c24}/standings"),
        ("secretary: panel (closed)", "thuky", f"/judging/contests/{c24}/panel"),
        ("secretary: dashboard", "thuky", f"/judging/contests/{c24}/dashboard"),
        ("judge: chair page (closed)", "giamkhao1", f"/judging/contests/{c24}/chair"),
        ("public: results list", None, "/results/"),
        ("public: result page", None, f"/results/{c24}"),
        ("admin: audit log (after publishing)", "bantochuc", "/audit"),
    ]


def town_pages(ids: dict) -> list[tuple[str, str | None, str]]:
    """(page, user or None, URL) of the town: a ward among many, the town's round of what they forwarded."""
    ward, town_round = ids["ward_contest"], ids["town_round"]
    return [
        ("ward secretary: contests", "w01_thuky", "/contests/"),
        ("ward secretary: contest page (published, forwarded)", "w01_thuky", f"/contests/{ward}"),
        ("ward secretary: standings (forward form, transfers)", "w01_thuky", f"/judging/contests/{ward}/standings"),
        ("ward secretary: screening list", "w01_thuky", f"/screening/{ward}"),
        ("ward secretary: registry", "w01_thuky", "/registry/"),
        ("ward author: entry page (town outcome)", ids["author"], f"/entries/{ids['forwarded_entry']}"),
        ("town secretary: contests", "thixa_thuky", "/contests/"),
        ("town secretary: town round page", "thixa_thuky", f"/contests/{town_round}"),
        ("town secretary: town round screening (whole bank)", "thixa_thuky", f"/screening/{town_round}"),
        ("town secretary: forwarded entry", "thixa_thuky", f"/entries/{ids['town_entry']}"),
        ("town secretary: town round panel", "thixa_thuky", f"/judging/contests/{town_round}/panel"),
        ("town admin: wards", "thixa_bantochuc", "/organisation/wards"),
        ("town admin: audit log", "thixa_bantochuc", "/audit"),
        ("public: results list (every ward)", None, "/results/"),
        ("public: a ward's result page", None, f"/results/{ward}"),
    ]


def kb(n: int) -> str:
    return f"{n / 1024:,.1f}"


def print_table(rows: list[Figures]) -> None:
    """The figures as a Markdown table, with what misses a target."""
    print("| page | HTML KB sent | total KB sent | total KB raw | files | p50 ms | p95 ms | cpu p50 / p95 ms | SQL "
          "| < 300 KB | p95 < 100 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for f in rows:
        print(f"| {f.page} | {kb(f.html_bytes)} | {kb(f.total_bytes)} | {kb(f.total_raw)} | {f.assets + 1} | "
              f"{f.p50_ms:.1f} | {f.p95_ms:.1f} | {f.cpu_p50_ms:.1f} / {f.cpu_p95_ms:.1f} | "
              f"{f.sql}{'' if f.sql_max == f.sql else f'–{f.sql_max}'} | "
              f"{'yes' if f.total_bytes < BYTES_TARGET else 'NO'} | {'yes' if f.p95_ms < P95_TARGET_MS else 'NO'} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1000, help="entries added to the demo's 2024 contest")
    parser.add_argument("--registry", type=int, default=1000, help="applied initiatives added to the demo's registry")
    parser.add_argument("--wards", type=int, default=15, help="more wards of the demo's town, each judging and forwarding")
    parser.add_argument("--per-ward", type=int, default=200, help="entries in each of those wards' contests")
    parser.add_argument("--bank", type=int, default=20000, help="applied initiatives in the town's bank, all registries")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    args = parser.parse_args(argv)
    log = (lambda m: print(m, file=sys.stderr)) if args.json else print

    from sqlalchemy import event
    from werkzeug.exceptions import HTTPException

    from contest import create_app
    from contest.db import db

    with tempfile.TemporaryDirectory(prefix="sangkien-bench-pages-") as tmp:
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{os.path.join(tmp, 'bench.db')}",
            "UPLOAD_FOLDER": os.path.join(tmp, "uploads"), "SANGKIEN_ENV": "development",
            "SECRET_KEY": "bench-pages", "LOGIN_RATE_LIMIT": "1000 per minute",
        })
        ids = build_database(app, args.entries, args.registry, args.seed, log)
        log(f"data: {ids['counts']}")
        town = build_town(app, args.wards, args.per_ward, args.bank, args.seed, log) if args.wards > 0 else None
        counter = {"n": 0}

        def count(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
            if statement.lstrip()[:6].upper() in ("SELECT", "INSERT", "UPDATE", "DELETE"):
                counter["n"] += 1
                counter.setdefault("statements", []).append(statement)

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", count)
        routes = app.url_map.bind("localhost")
        clients: dict[str | None, Any] = {}
        cache: dict[str, tuple[int, bytes]] = {}
        rows: list[Figures] = []
        for phase in ("judging", "published", "town"):
            if phase == "published":
                close_and_publish(app, ids["contest_2024"])
                log("2024 contest closed and published")
            if phase == "town" and town is None:
                continue
            for name, user, url in (town_pages(town) if phase == "town" else pages(ids, phase)):
                try:
                    routes.match(urlsplit(url).path, method="GET")
                except HTTPException:
                    log(f"skipped {name}: no such page in this version ({url})")
                    continue
                if user not in clients:
                    clients[user] = sign_in(app, user)
                try:
                    rows.append(measure(clients[user], name, url, args.requests, counter, cache))
                except AssertionError as error:
                    log(f"skipped {name}: {error}")
        if args.json:
            print(json.dumps({"data": ids["counts"], "town": town["counts"] if town else None,
                              "pages": [asdict(r) for r in rows],
                              "targets": {"bytes": BYTES_TARGET, "p95_ms": P95_TARGET_MS}}, ensure_ascii=False, indent=1))
        else:
            print()
            if town:
                print(f"Town: {town['counts']}")
            print(f"{args.requests} requests per page, Flask test client in process, Accept-Encoding: gzip, deflate. "
                  "Static files (sent/raw KB): "
                  + ", ".join(f"{Path(p).name} {kb(n)}/{kb(len(b))}" for p, (n, b) in sorted(cache.items())))
            print_table(rows)
            print("\nStatements run more than once per request, on pages with over 20 statements:")
            for r in rows:
                if r.sql > 20 and r.repeated_sql:
                    print(f"- {r.page}: " + "; ".join(f"{n}× {sql}" for n, sql in r.repeated_sql))
            heavy = [r.page for r in rows if r.total_bytes >= BYTES_TARGET]
            slow = [r.page for r in rows if r.p95_ms >= P95_TARGET_MS]
            print(f"\n{sum(r.ok for r in rows)} of {len(rows)} pages meet both targets. "
                  f"Over 300 KB sent: {len(heavy)}"
                  + (f" ({'; '.join(heavy)})" if heavy else "") + f". p95 of 100 ms or more: {len(slow)}"
                  + (f" ({'; '.join(slow)})" if slow else "") + ".")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
