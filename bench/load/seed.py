"""A fresh database for the load test, built as `sangkien init-db` does and seeded through the verb functions.

Two contests: one being judged, where each of the judges (50 by default) is assigned every
entry and already holds a few drafts and submitted sheets; and one closed and published, for
the readers of /results/. Run alone:

    .venv/bin/python bench/load/seed.py --url sqlite:////tmp/x/bench.db --uploads /tmp/x/uploads --out m.json
"""
from __future__ import annotations

import argparse
import json
import random
from datetime import date, timedelta
from importlib import resources
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from contest.accounts.operations import create_user
from contest.contests.operations import DEFAULT_CRITERIA, ContestData, create_contest
from contest.entries.operations import (
    EntryData,
    add_attachment,
    save_entry,
    submit_entry,
)

PASSWORD = "bench-load-2024"
UNITS = ["Văn phòng - Thống kê UBND phường Trung Lương", "Bộ phận Một cửa UBND phường Trung Lương"]
JUDGES_UNIT = "Hội đồng thẩm định sáng kiến thị xã"  # no judge shares a unit with an author: no conflicts


def reset_database(url: str) -> None:
    """Empty the bench database: a PostgreSQL one is created if missing and its schema recreated.

    SQLite needs nothing: the caller gives a new file in a new temporary directory.
    """
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        return
    if parsed.database in (None, "", "test", "postgres"):
        raise SystemExit(f"refusing to reset database {parsed.database!r}: use a database of its own (sangkien_bench)")
    admin = create_engine(parsed.set(drivername="postgresql+psycopg", database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}) is None:
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    engine = create_engine(parsed.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _scores(criteria: list, rng: random.Random, tag: str) -> dict[int, tuple[str, str]]:
    """Random points on the 0.5 step for every criterion, each with a comment."""
    return {c.id: (f"{round(rng.uniform(0.3, 1.0) * c.max_points * 2) / 2:g}", f"{tag}: nhận xét tiêu chí {c.code}")
            for c in criteria}


def _contest_with_entries(admin: Any, authors: list, year: int, data: dict, upload_dir: str, max_bytes: int) -> Any:
    """A contest whose demo entries are all written, attached and submitted (then past its deadline)."""
    
    from contest.db import utcnow
    from contest.demo import (
        DEMO_PDF,  # a real one-page PDF: uploads are checked to open
    )
    from contest.entries.models import INDIVIDUAL

    now = utcnow()
    contest = create_contest(admin, ContestData(
        title=f"Sáng kiến, giải pháp cải cách hành chính phường Trung Lương năm {year}", year=year,
        fields=data["fields"], submission_deadline=now + timedelta(days=1), judging_deadline=now + timedelta(days=14),
        criteria=DEFAULT_CRITERIA, forward_count=3,
    ))
    for index, item in enumerate(data["entries"]):
        author = authors[index % len(authors)]
        entry = save_entry(author, contest, EntryData(
            kind=INDIVIDUAL, title=f"{item['title']} ({year})", field=item["field"],
            situation=item["situation"], solution=item["solution"], effect=item["effect"],
            scope="Có thể áp dụng tại các phường, xã trong thị xã.", applied_where="UBND phường Trung Lương",
            applied_since=date(year, 1 + index % 6, 1), benefit="Tiết kiệm thời gian của người dân.",
        ))
        add_attachment(author, entry, f"Ban mo ta {index + 1}.pdf", DEMO_PDF, upload_dir, max_bytes)
        submit_entry(author, entry, now=now)
    contest.submission_deadline = now - timedelta(days=3)
    return contest


def seed(url: str, upload_dir: str, judges: int = 50, drafts: int = 2, submitted: int = 1, seed: int = 2024) -> dict:
    """Build and fill the database; returns the manifest the locustfile and the check read."""
    from contest import create_app
    from contest.accounts.models import ADMIN, JUDGE, PARTICIPANT, SECRETARY
    from contest.db import db, init_db
    from judging.operations import (
        assign_panel,
        close_judging,
        publish_results,
        save_sheet,
    )
    from judging.queries import eligible_entries

    reset_database(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": upload_dir})
    rng = random.Random(seed)
    data = json.loads(resources.files("contest").joinpath("demo_data.json").read_text("utf-8"))
    max_bytes = app.config["MAX_ATTACHMENT_BYTES"]
    with app.app_context():
        init_db()
        admin = create_user(None, "bantochuc", "Nguyễn Công Lộc", ADMIN, PASSWORD, unit_name=UNITS[0])
        secretary = create_user(None, "thuky", "Trần Thị Thu Hà", SECRETARY, PASSWORD, unit_name=UNITS[0])
        authors = [create_user(None, f"canbo{i + 1}", f"Cán bộ {i + 1}", PARTICIPANT, PASSWORD,
                                          unit_name=UNITS[i % 2]) for i in range(4)]
        panel = [create_user(None, f"giamkhao{i + 1:02d}", f"Giám khảo {i + 1:02d}", JUDGE, PASSWORD,
                                        unit_name=JUDGES_UNIT) for i in range(judges)]

        # Last year's contest: five judges, every sheet submitted, closed and published.
        published = _contest_with_entries(admin, authors, 2023, data, upload_dir, max_bytes)
        assign_panel(secretary, published, judges=panel[:5])
        for judge in panel[:5]:
            for entry in eligible_entries(published):
                save_sheet(judge, entry, _scores(published.criteria, rng, "2023"), submit=True)
        close_judging(secretary, published, despite_open_flags=True)  # its flags are not what it measures
        publish_results(secretary, published)

        # This year's contest, being judged by the whole panel: a few sheets started, a few locked.
        judged = _contest_with_entries(admin, authors, 2024, data, upload_dir, max_bytes)
        assign_panel(secretary, judged, judges=panel)
        entries = eligible_entries(judged)
        for judge in panel:
            for k, entry in enumerate(rng.sample(entries, drafts + submitted)):
                save_sheet(judge, entry, _scores(judged.criteria, rng, "seed"), submit=k < submitted)
        db.session.commit()
        manifest = {
            "password": PASSWORD,
            "judges": [j.username for j in panel],
            "judging_contest": judged.id,
            "judging_entries": [e.id for e in entries],
            "published_contests": [published.id],
            "criteria": {c.id: c.max_points for c in judged.criteria},
        }
        db.session.remove()
        db.engine.dispose()
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="sqlite:////path/file.db or postgresql://...@127.0.0.1/sangkien_bench")
    parser.add_argument("--uploads", required=True)
    parser.add_argument("--out", required=True, help="where to write the manifest (JSON)")
    parser.add_argument("--judges", type=int, default=50)
    args = parser.parse_args()
    from contest import normalize_database_url

    manifest = seed(normalize_database_url(args.url), args.uploads, judges=args.judges)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
