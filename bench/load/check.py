"""After a load run: is every acknowledged write in the database, whole, and did nothing else change?

An acknowledged write is a save or submit the server answered with its redirect (302). For
every sheet a judge wrote, the stored sheet must be the last acknowledged write (same version,
status and every score and comment) or a later one still in flight when the run stopped. Every
acknowledged write must also have its own audit record (so none was silently overwritten by a
lost update), the sheets submitted before the run must be exactly as they were, and the audit
log's hash chain must hold.
"""
from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlalchemy import create_engine, text

SUBMITTED_SQL = (
    "SELECT s.id, s.version, s.submitted_at, c.criterion_id, c.points, c.comment FROM score_sheet s "
    "JOIN score c ON c.sheet_id = s.id WHERE s.status = 'submitted' ORDER BY s.id, c.criterion_id"
)


def submitted_snapshot(url: str) -> list[tuple]:
    """Every score of every submitted sheet, to compare after the run."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [tuple(str(v) if k == 2 else v for k, v in enumerate(r)) for r in conn.execute(text(SUBMITTED_SQL))]
    engine.dispose()
    return rows


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _expected(write: dict) -> tuple:
    """The stored state a write leaves: version, status, {criterion: (points, comment)}."""
    status = "submitted" if write["action"] == "submit" else "draft"
    return write["version_sent"] + 1, status, {int(c): (float(p), cm) for c, (p, cm) in write["scores"].items()}


def _same(stored: tuple, expected: tuple) -> bool:
    version, status, scores = stored
    e_version, e_status, e_scores = expected
    return (version == e_version and status == e_status and scores.keys() == e_scores.keys()
            and all(scores[c][0] is not None and abs(scores[c][0] - p) < 1e-9 and scores[c][1] == cm
                    for c, (p, cm) in e_scores.items()))


def _chain_breaks(url: str) -> Any:
    """Id of the first broken audit record (contest.audit.verify_chain), or None."""
    from contest import create_app
    from contest.audit import verify_chain
    from contest.db import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        broken = verify_chain()
        db.session.remove()
        db.engine.dispose()
    return broken


def verify(url: str, writes_path: str, submitted_before: list[tuple]) -> dict:
    """Check the database against the writes the load test logged; returns counts and examples."""
    writes = [json.loads(line) for line in open(writes_path, encoding="utf-8") if line.strip()]
    by_sheet: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for w in writes:
        by_sheet[(w["judge"], w["entry"])].append(w)
    engine = create_engine(url)
    with engine.connect() as conn:
        users = dict(conn.execute(text('SELECT username, id FROM "user"')).all())
        sheets = {(judge_id, entry_id): (sheet_id, version, status) for sheet_id, judge_id, entry_id, version, status
                  in conn.execute(text("SELECT id, judge_id, entry_id, version, status FROM score_sheet"))}
        scores: dict[int, dict[int, tuple]] = defaultdict(dict)
        for sheet_id, cid, points, comment in conn.execute(text("SELECT sheet_id, criterion_id, points, comment FROM score")):
            scores[sheet_id][cid] = (points, comment)
        audited: dict[tuple[int, int], list[dict]] = defaultdict(list)
        for object_id, after in conn.execute(text(
                "SELECT object_id, after FROM audit_log WHERE object_type = 'score_sheet' "
                "AND action IN ('judging.save_sheet', 'judging.submit_sheet')")):
            after = _json(after) or {}
            audited[(object_id, after.get("version"))].append(after)
        # Two records naming the same predecessor: concurrent writers read the same last record.
        forks = conn.execute(text("SELECT count(*) - count(DISTINCT prev_hash) FROM audit_log")).scalar()
        integrity = conn.execute(text("PRAGMA integrity_check")).scalar() if engine.dialect.name == "sqlite" else "n/a"
    engine.dispose()

    acks = [w for w in writes if w["kind"] == "ack"]
    missing, unaudited, examples = 0, 0, []
    sheet_ids: dict[tuple[str, int], int] = {}
    for key, events in by_sheet.items():
        last_ack = max((i for i, w in enumerate(events) if w["kind"] == "ack"), default=None)
        if last_ack is None:
            continue
        row = sheets.get((users[key[0]], key[1]))
        if row is None:
            missing += 1
            examples.append({"sheet": key, "problem": "no sheet stored"})
            continue
        sheet_ids[key] = row[0]
        stored = (row[1], row[2], scores.get(row[0], {}))
        later = [w for w in events[last_ack + 1:] if w["kind"] == "attempt"]  # in flight when the run stopped
        if not any(_same(stored, _expected(w)) for w in [events[last_ack], *later]):
            missing += 1
            expected = _expected(events[last_ack])
            problem = "scores differ" if (row[1], row[2]) == expected[:2] else "version or status differ"
            examples.append({"sheet": key, "problem": problem, "stored": [row[1], row[2]], "expected": expected[:2]})
    for w in acks:
        sheet_id = sheet_ids.get((w["judge"], w["entry"]))
        version, status, wanted = _expected(w)
        records = audited.get((sheet_id, version), [])
        if not any(_same((r.get("version"), r.get("status"), {int(c): tuple(v) for c, v in r.get("scores", {}).items()}),
                         (version, status, wanted)) for r in records):
            unaudited += 1
            if len(examples) < 10:
                examples.append({"ack": [w["judge"], w["entry"], version], "problem": "no audit record of this write"})
    after = submitted_snapshot(url)
    before_ids = {r[0] for r in submitted_before}
    changed = sorted({r[0] for r in set(submitted_before) ^ {r for r in after if r[0] in before_ids}})
    return {
        "writes_attempted": sum(w["kind"] == "attempt" for w in writes),
        "writes_acknowledged": len(acks),
        "submits_acknowledged": sum(w["action"] == "submit" for w in acks),
        "sheets_written": len(sheet_ids),
        "missing_acknowledged": missing,
        "acknowledged_without_audit_record": unaudited,
        "submitted_before_changed": len(changed),
        "submitted_before": len(before_ids),
        "integrity_check": integrity,
        "audit_chain_first_break": _chain_breaks(url),
        "audit_forks": forks,
        "examples": examples[:10],
    }
