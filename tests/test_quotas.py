"""Limits per entry and per person: no draft carries dozens of files, no person keeps many waiting forms."""
from __future__ import annotations

import io
import os

from conftest import csrf_token_from
from sqlalchemy import select
from test_entries import create_draft

from contest.accounts.models import PARTICIPANT
from contest.db import db
from contest.demo import DEMO_PDF
from contest.entries import pending_uploads
from contest.entries.models import Attachment
from contest.uploads import MAX_ATTACHMENTS_PER_ENTRY, MAX_PENDING_PER_USER


def upload(client, entry, name: str):
    token = csrf_token_from(client.get(f"/entries/{entry.id}").get_data(as_text=True))
    return client.post(f"/entries/{entry.id}/attachments", data={"csrf_token": token, "file": (io.BytesIO(DEMO_PDF), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def test_an_entry_carries_at_most_ten_files(signed_in, make_contest) -> None:
    client, _ = signed_in(PARTICIPANT)
    entry = create_draft(client, make_contest())
    for i in range(MAX_ATTACHMENTS_PER_ENTRY):
        assert upload(client, entry, f"phu-luc-{i}.pdf").status_code == 200
    refused = upload(client, entry, "them-nua.pdf").get_data(as_text=True)
    assert f"mỗi bài có tối đa {MAX_ATTACHMENTS_PER_ENTRY} tệp" in refused
    names = [a.original_name for a in db.session.scalars(select(Attachment).filter_by(entry_id=entry.id))]
    assert len(names) == MAX_ATTACHMENTS_PER_ENTRY and "them-nua.pdf" not in names


def test_a_person_keeps_at_most_three_word_forms_waiting(app, tmp_path) -> None:
    folder = str(tmp_path)
    tokens = [pending_uploads.keep(folder, 7, f"mau-{i}.docx", b"x") for i in range(MAX_PENDING_PER_USER + 2)]
    other = pending_uploads.keep(folder, 8, "cua-nguoi-khac.docx", b"y")
    kept = [t for t in tokens if pending_uploads.name_of(folder, t, 7)]
    assert kept == tokens[-MAX_PENDING_PER_USER:]  # the newest three; the oldest went
    assert pending_uploads.name_of(folder, other, 8) == "cua-nguoi-khac.docx"  # another person's is untouched
    assert len(os.listdir(os.path.join(folder, "pending"))) == 2 * (MAX_PENDING_PER_USER + 1)
