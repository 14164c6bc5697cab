"""Server time of the audit log page (Nhật ký) and its export on a large log.

Run: ``.venv/bin/python bench/audit_log.py [--rows 100000] [--requests 20] [--database URL] [--json]``.

It builds a throw-away database (SQLite in a temporary folder unless ``--database`` names an empty
one, e.g. PostgreSQL), a ward with 60 people, 5 contests of 40 entries, then ``--rows`` audit
records of that ward spread over a year (bulk-inserted: their chain is not what is measured),
with the actions, objects and before/after of real records, and 1,000 of another ward. Signed in
as the ward's admin through the login form, it requests each page with the Flask test client and
reports p50 / p95 wall time over ``--requests`` requests (after 2 warm-ups), the p50 of the
thread's CPU time (which other work on a shared machine does not inflate; SQLite runs in the
thread, a PostgreSQL server does not) and the rows shown:
the newest page, the deepest page (``before`` the oldest ids), each filter alone (a person who
made 0.5% of the records, one contest, one action, one month), all of them at once, and the
XLSX export of one month.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402

from contest import create_app  # noqa: E402
from contest.accounts.models import ADMIN, JUDGE, PARTICIPANT, WARD, Membership, Organisation, User  # noqa: E402
from contest.accounts.naming import document_names  # noqa: E402
from contest.audit.models import AuditLog  # noqa: E402
from contest.contests.models import Contest  # noqa: E402
from contest.db import create_tables, db  # noqa: E402
from contest.entries.models import Entry  # noqa: E402

PASSWORD = "matkhau-bench-1"
START = datetime(2025, 12, 1)


def build(rows: int) -> dict:
    """The ward, its people, contests and entries, and `rows` audit records over a year."""
    rng = random.Random(13)
    ward = Organisation(name="Phường Đo Tải", level=WARD, **document_names("Phường Đo Tải"))
    other = Organisation(name="Phường Bên Cạnh", level=WARD, **document_names("Phường Bên Cạnh"))
    db.session.add_all([ward, other])
    db.session.flush()
    people = []
    shared = User(username="x")
    shared.set_password(PASSWORD)  # hashed once: a strong hash 60 times would dominate the build
    for i in range(60):
        role = ADMIN if i == 0 else JUDGE if i < 10 else PARTICIPANT
        user = User(username=f"u{i}", full_name=f"Cán bộ số {i}")
        user.password_hash = shared.password_hash
        user.memberships.append(Membership(organisation_id=ward.id, role=role))
        people.append(user)
    db.session.add_all(people)
    db.session.flush()
    contests, entries = [], []
    for c in range(5):
        contest = Contest(organisation_id=ward.id, title=f"Sáng kiến CCHC năm {2021 + c}", year=2021 + c, fields=["A"],
                          submission_deadline=START, judging_deadline=START)
        db.session.add(contest)
        db.session.flush()
        contests.append(contest)
        for e in range(40):
            entry = Entry(contest_id=contest.id, author_id=people[10 + e].id, title=f"Sáng kiến {c}-{e}", field="A")
            db.session.add(entry)
            entries.append(entry)
    db.session.flush()
    rare = people[9]  # a judge who made few records
    kinds = [
        ("entry.save", "entry", lambda: rng.choice(entries).id, {"status": "draft", "title": "Cũ"},
         {"status": "draft", "title": "Mới", "coauthors": [["Lê Văn A", "Chuyên viên", 30.0]]}),
        ("entry.submit", "entry", lambda: rng.choice(entries).id, {"status": "draft"}, {"status": "submitted"}),
        ("judging.save_sheet", "score_sheet", lambda: rng.randint(1, 5000), None,
         {"status": "draft", "version": 2, "scores": {"1": [30.0, "Tốt"], "2": [25.0, ""]}, "entry_id": entries[0].id}),
        ("contest.update", "contest", lambda: rng.choice(contests).id,
         {"submission_deadline": "2026-12-10 10:00:00", "judges_per_entry": 2},
         {"submission_deadline": "2026-12-15 02:30:00", "judges_per_entry": 3}),
        ("auth.sign_in", "user", lambda: rng.choice(people).id, None, {"username": "u1", "address": "10.0.0.1"}),
        ("judging.set_panel", "contest", lambda: rng.choice(contests).id, {"panel": []},
         {"panel": [[people[1].id, True, ["A"]], [people[2].id, False, []]]}),
    ]
    batch = []
    step = timedelta(days=365) / max(rows, 1)
    for i in range(rows):
        action, object_type, object_id, before, after = kinds[i % len(kinds)]
        actor = rare if i % 200 == 0 else rng.choice(people[:40])
        batch.append({"organisation_id": ward.id, "at": START + step * i, "actor_id": actor.id, "action": action,
                      "object_type": object_type, "object_id": object_id(), "before": before, "after": after,
                      "prev_hash": "", "hash": "x" * 64})
        if len(batch) == 5000:
            db.session.execute(insert(AuditLog), batch)
            batch = []
    batch += [{"organisation_id": other.id, "at": START, "actor_id": None, "action": "auth.sign_in_failed",
               "object_type": "user", "object_id": None, "before": None, "after": None, "prev_hash": "", "hash": "y" * 64}
              for _ in range(1000)]
    db.session.execute(insert(AuditLog), batch)
    db.session.commit()
    return {"admin": people[0].username, "rare": rare.id, "contest": contests[2].id}


def measure(client, url: str, requests: int) -> dict:  # type: ignore[no-untyped-def]
    """p50 / p95 of GET url, in ms, and the rows the page shows."""
    times, cpu = [], []
    for i in range(requests + 2):
        began, began_cpu = time.perf_counter(), time.thread_time()
        response = client.get(url)
        if i >= 2:
            times.append((time.perf_counter() - began) * 1000)
            cpu.append((time.thread_time() - began_cpu) * 1000)
    assert response.status_code == 200, (url, response.status_code)
    body = response.get_data()
    shown = body.count(b'<tr id="audit-') if url.startswith("/audit?") or url == "/audit" else None
    times.sort()
    return {"url": url, "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(int(len(times) * 0.95) - 1, 0)], 1),
            "cpu_p50_ms": round(statistics.median(cpu), 1), "rows": shown, "bytes": len(body)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--database", default="")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="audit-bench-")
    url = args.database or f"sqlite:///{folder}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "AUDIT_KEY": "bench",
                      "AUDIT_HEAD_FILE": f"{folder}/head.json", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    with app.app_context():
        if args.database:
            db.drop_all()
        create_tables()
        began = time.perf_counter()
        world = build(args.rows)
        built = time.perf_counter() - began
        oldest = db.session.scalar(select(func.min(AuditLog.id)))
        client = app.test_client()
        client.post("/auth/login", data={"username": world["admin"], "password": PASSWORD})
        pages = {
            "newest page": "/audit",
            "deepest page": f"/audit?before={oldest + 30}",
            "person (0.5%)": f"/audit?actor={world['rare']}",
            "person, deepest": f"/audit?actor={world['rare']}&before={oldest + 1000}",
            "one contest": f"/audit?object_type=contest&object_id={world['contest']}",
            "object kind": "/audit?object_type=score_sheet",
            "one action": "/audit?action=contest.update",
            "one month": "/audit?date_from=2026-06-01&date_to=2026-06-30",
            "from a day (~all)": "/audit?date_from=2025-12-02",
            "all filters": f"/audit?actor={world['rare']}&object_type=entry&action=entry.save"
                           f"&date_from=2026-01-01&date_to=2026-10-31",
            "export, one month": "/audit/export.xlsx?date_from=2026-06-01&date_to=2026-06-30",
        }
        results = {name: measure(client, page, args.requests if "export" not in name else 3)
                   for name, page in pages.items()}
        if args.database:
            db.drop_all()
    report = {"rows": args.rows, "database": url.split(":")[0], "build_s": round(built, 1), "pages": results}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return
    print(f"{args.rows:,} audit records ({report['database']}), built in {built:.1f} s")
    for name, r in results.items():
        print(f"  {name:<20} p50 {r['p50_ms']:>7} ms   p95 {r['p95_ms']:>7} ms   cpu p50 {r['cpu_p50_ms']:>7} ms   rows {r['rows']}   {r['bytes']:,} bytes")


if __name__ == "__main__":
    main()
