"""A big registry import: short batches, a stop that keeps or undoes, a resume that adds nothing twice,
and an index that is ready when it ends."""
from __future__ import annotations

import io
import os
from typing import Any

import pytest
from conftest import csrf_token_from, post_form
from sqlalchemy import func, select, update

from contest import jobs
from contest.accounts.models import PARTICIPANT, SECRETARY
from contest.audit.models import AuditLog
from contest.db import db
from contest.jobs.models import (
    CANCEL_KEEP,
    CANCEL_UNDO,
    JOB_CANCELLED,
    JOB_DONE,
    JOB_FAILED,
    JOB_QUEUED,
    Job,
)
from contest.registry import files as registry_io
from contest.registry import operations, tasks
from contest.registry.models import RegistryItem
from contest.registry.operations import import_registry
from contest.registry.tasks import REGISTRY_IMPORT
from contest.screening import duplicates
from contest.screening.models import FLAG_OPEN, DuplicateFlag
from contest.screening.tasks import RECHECK

HEADER = "Tên sáng kiến,Tóm tắt,Đơn vị,Năm\n"


def rows_csv(count: int, start: int = 0, extra: str = "") -> bytes:
    lines = [f"Sáng kiến số {n} về thủ tục {n % 7},Tóm tắt của sáng kiến {n},Phường {n % 5},2020\n"
             for n in range(start, start + count)]
    return (HEADER + "".join(lines) + extra).encode()


def registry_count(**where: Any) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(RegistryItem.id)).filter_by(**where)) or 0


def audit_actions(action: str) -> list[AuditLog]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditLog).filter_by(action=action).order_by(AuditLog.id)))


def post_import(client: Any, data: bytes, name: str = "ngan-hang.csv", follow: bool = True) -> Any:
    token = csrf_token_from(client.get("/registry/").get_data(as_text=True))
    return client.post("/registry/import", data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=follow)


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks, "IMPORT_BATCH", 10)
    monkeypatch.setattr(tasks, "FUZZY_CHECK_ROWS", 5)


def latest_job() -> Job:
    db.session.rollback()
    return db.session.scalars(select(Job).order_by(Job.id.desc())).first()


def stop_after_batches(monkeypatch: pytest.MonkeyPatch, batches: int, mode: str) -> None:
    """The secretary presses a stop button while batch number `batches` is being written."""
    real = jobs.stop_requested
    calls = {"n": 0}

    def stop_requested(job_id: int) -> str:
        calls["n"] += 1
        if calls["n"] == batches + 1:  # the first look is before any batch
            with db.engine.begin() as conn:
                conn.execute(update(Job).where(Job.id == job_id).values(cancel=mode))
        return real(job_id)

    monkeypatch.setattr(jobs, "stop_requested", stop_requested)


def test_a_big_file_goes_in_short_batches_each_audited(signed_in, make_registry_item, small_batches) -> None:
    make_registry_item(title="Sáng kiến số 3 về thủ tục 3")  # already in the registry, word for word
    client, _ = signed_in(SECRETARY)
    repeat = "SÁNG KIẾN  số 1 về thủ tục 1,Lặp lại dòng 3,Phường 1,2021\n"  # the same title, other case and spaces
    too_long = "Tóm tắt quá dài," + "x" * 20_001 + ",,\n"
    html = post_import(client, rows_csv(45, extra=repeat + ",thiếu tên,,\n" + too_long)).get_data(as_text=True)
    job = latest_job()
    assert job.status == JOB_DONE and job.result["added"] == 46
    assert registry_count(import_job_id=job.id) == 46
    batches = audit_actions("registry.import")
    assert [b.after["added"] for b in batches] == [10, 10, 10, 10, 6]
    assert all(b.after["job"] == job.id for b in batches)
    assert job.result["check"] == "exact"
    assert job.result["duplicates_in_file"] == [[47, 3, 100.0]]  # line 47 repeats line 3 (row 1)
    assert job.result["duplicates_in_registry"] == [[5, "Sáng kiến số 3 về thủ tục 3", 100.0]]
    assert job.result["rejected"] == [[48, "thiếu tên sáng kiến"], [49, "tóm tắt dài quá 20.000 ký tự"]]
    assert job.result["rejected_count"] == 2
    assert "Đã thêm 46 sáng kiến" in html and "chỉ báo các dòng có tên sáng kiến trùng hệt nhau" in html


def test_the_index_is_ready_when_the_import_ends(signed_in, small_batches, ward) -> None:
    client, _ = signed_in(SECRETARY)
    post_import(client, rows_csv(30))
    assert latest_job().status == JOB_DONE
    indexed, total = duplicates.index_coverage([ward.id])
    assert (indexed, total) == (30, 30)
    titles = [item.title for item, *_ in duplicates.similar_registry_items(ward, "Sáng kiến số 17 về thủ tục 3", "")]
    assert titles[0] == "Sáng kiến số 17 về thủ tục 3"


def test_stopping_and_keeping_leaves_the_batches_written(signed_in, small_batches, monkeypatch) -> None:
    client, _ = signed_in(SECRETARY)
    stop_after_batches(monkeypatch, 2, CANCEL_KEEP)
    html = post_import(client, rows_csv(45)).get_data(as_text=True)
    job = latest_job()
    assert job.status == JOB_CANCELLED and job.result["added"] == 20
    assert registry_count() == 20
    assert "20 sáng kiến đã nhập được giữ lại" in html
    assert not os.path.exists(job.payload["path"])


def test_stopping_and_undoing_takes_back_exactly_this_imports_rows(signed_in, make_registry_item, make_contest,
                                                                    make_entry, make_user, small_batches,
                                                                    monkeypatch) -> None:
    before = make_registry_item(title="Một sáng kiến có từ trước")
    client, _ = signed_in(SECRETARY)
    stop_after_batches(monkeypatch, 3, CANCEL_UNDO)
    # A flag that points at a row of this import keeps that row (and its decision's evidence).
    real = import_registry

    def flag_first(actor, rows, source, job_id):  # type: ignore[no-untyped-def]
        added = real(actor, rows, source, job_id)
        if not db.session.scalar(select(DuplicateFlag)):
            entry = make_entry(make_contest(), make_user(PARTICIPANT))
            first = db.session.scalar(select(RegistryItem).filter_by(import_job_id=job_id))
            db.session.add(DuplicateFlag(entry=entry, registry_item_id=first.id, score=80, status=FLAG_OPEN))
        return added

    monkeypatch.setattr(operations, "import_registry", flag_first)
    html = post_import(client, rows_csv(45)).get_data(as_text=True)
    job = latest_job()
    assert job.status == JOB_CANCELLED
    assert (job.result["removed"], job.result["kept"]) == (29, 1)
    assert registry_count() == 2 and registry_count(import_job_id=job.id) == 1
    assert db.session.get(RegistryItem, before.id) is not None
    undo = audit_actions("registry.import_undo")
    assert sum(u.after["removed"] for u in undo) == 29 and all(u.after["job"] == job.id for u in undo)
    assert "huỷ 29 dòng đã nhập" in html and "1 dòng được giữ lại" in html


def test_the_stop_buttons_ask_the_job_and_are_audited(signed_in, app) -> None:
    client, user = signed_in(SECRETARY)
    job = jobs.enqueue(user, REGISTRY_IMPORT, {"path": os.path.join(app.instance_path, "x.upload"),
                                                     "filename": "x.csv"})
    db.session.commit()
    with open(job.payload["path"], "wb") as fh:
        fh.write(rows_csv(5))
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Dừng và huỷ các dòng đã nhập" in page and "Dừng, giữ các dòng đã nhập" in page
    response = post_form(client, f"/jobs/{job.id}/stop/undo", page=f"/jobs/{job.id}")
    assert response.status_code == 302
    job = latest_job()
    assert (job.status, job.cancel) == (JOB_QUEUED, CANCEL_UNDO)
    assert audit_actions("job.stop")[0].after == {"kind": REGISTRY_IMPORT, "mode": CANCEL_UNDO}
    again = post_form(client, f"/jobs/{job.id}/stop/keep", page=f"/jobs/{job.id}", follow_redirects=True)
    assert "Đã yêu cầu dừng tác vụ này" in again.get_data(as_text=True)
    assert latest_job().cancel == CANCEL_UNDO  # the first choice stands
    jobs.run(job.id)  # a worker picks it up: it stops before adding anything
    job = latest_job()
    assert job.status == JOB_CANCELLED and registry_count() == 0
    assert not os.path.exists(job.payload["path"])


def test_a_recheck_cannot_be_undone(signed_in, make_contest) -> None:
    client, user = signed_in(SECRETARY)
    job = jobs.enqueue(user, RECHECK, {"contest_id": make_contest().id})
    db.session.commit()
    assert "Dừng và huỷ" not in client.get(f"/jobs/{job.id}").get_data(as_text=True)
    response = post_form(client, f"/jobs/{job.id}/stop/undo", page=f"/jobs/{job.id}", follow_redirects=True)
    assert "không dừng được theo cách đã chọn" in response.get_data(as_text=True)
    assert latest_job().cancel == ""


def test_a_failure_midway_takes_back_the_rows_already_written(signed_in, small_batches, monkeypatch) -> None:
    client, _ = signed_in(SECRETARY)
    real = import_registry
    calls = {"n": 0}

    def fail_third(actor, rows, source, job_id):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real(actor, rows, source, job_id)

    monkeypatch.setattr(operations, "import_registry", fail_third)
    html = post_import(client, rows_csv(45)).get_data(as_text=True)
    job = latest_job()
    assert job.status == JOB_FAILED and registry_count() == 0
    assert "Không có dữ liệu nào bị thay đổi" in html


def test_a_run_taking_over_from_a_dead_one_adds_no_row_twice(app, make_user, small_batches) -> None:
    user = make_user(SECRETARY)
    path = os.path.join(app.instance_path, "dead.upload")
    with open(path, "wb") as fh:
        fh.write(rows_csv(45))
    job = jobs.enqueue(user, REGISTRY_IMPORT, {"path": path, "filename": "dead.csv"})
    db.session.commit()
    # What the dead process committed: its first two batches, in file order.
    first = registry_io.parse_registry_file("dead.csv", rows_csv(45)).rows[:20]
    import_registry(user, first, "dead.csv", job.id)
    db.session.commit()
    jobs.run(job.id)
    job = latest_job()
    assert job.status == JOB_DONE and job.result["added"] == 45
    titles = list(db.session.scalars(select(RegistryItem.title)))
    assert len(titles) == len(set(titles)) == 45


def test_a_file_over_the_row_limit_is_refused_whole(signed_in, monkeypatch) -> None:
    monkeypatch.setattr(registry_io, "MAX_IMPORT_ROWS", 10)
    client, _ = signed_in(SECRETARY)
    html = post_import(client, rows_csv(11)).get_data(as_text=True)
    assert latest_job().status == JOB_FAILED and registry_count() == 0
    assert "có 11 dòng, nhiều hơn giới hạn 10 dòng" in html


def test_only_the_import_accepts_a_file_over_the_general_limit(signed_in, app) -> None:
    client, _ = signed_in(SECRETARY)
    big = b"Cot A,Cot B\n" + b"x,y\n" * (3 * 1024 * 1024)  # 12 MB: over the 10 MB of any other form
    assert len(big) > app.config["MAX_CONTENT_LENGTH"]
    html = post_import(client, big).get_data(as_text=True)
    job = latest_job()
    assert job is not None and job.status == JOB_FAILED  # read, and refused for its header, not its size
    assert "dòng đầu phải có cột “Tên sáng kiến”" in html
    token = csrf_token_from(client.get("/registry/").get_data(as_text=True))
    other = client.post("/registry/new", data={"csrf_token": token, "title": "x" * len(big)})
    assert other.status_code == 413


def test_a_request_never_builds_a_far_behind_index_itself(signed_in, ward, make_registry_item, monkeypatch) -> None:
    client, _ = signed_in(PARTICIPANT)
    qr = make_registry_item(title="Ứng dụng mã QR trên giấy hẹn trả kết quả")
    with client.application.test_request_context():
        duplicates.search_registry([ward.id], "mã QR", "", limit=3, threshold=0)  # one item: indexed inline
    monkeypatch.setattr(duplicates, "INLINE_CHANGES", 5)
    for n in range(12):
        make_registry_item(title=f"Tiếp nhận hồ sơ đất đai qua bưu chính lần {n}")
    built_in_request: list[int] = []
    real_add = duplicates.Matcher.add

    def add(self, doc):  # type: ignore[no-untyped-def]
        from flask import has_request_context

        if has_request_context():
            built_in_request.append(1)
        return real_add(self, doc)

    monkeypatch.setattr(duplicates.Matcher, "add", add)
    with client.application.test_request_context():
        found = duplicates.search_registry([ward.id], "Tiếp nhận hồ sơ đất đai qua bưu chính", "", limit=3, threshold=0)
        thread = duplicates._threads[duplicates._key(ward.id)]
    assert not built_in_request
    assert all(m.id == f"R{qr.id}" for m in found)  # what was indexed before: the QR item at most
    thread.join(timeout=60)
    assert duplicates.index_coverage([ward.id]) == (13, 13)


def test_the_screening_page_says_while_the_index_catches_up(signed_in, make_contest, make_registry_item, ward,
                                                            monkeypatch) -> None:
    contest = make_contest()
    client, _ = signed_in(SECRETARY)
    make_registry_item(title="Ứng dụng mã QR trên giấy hẹn trả kết quả")
    assert "Chỉ mục tra trùng đang được cập nhật" not in client.get(f"/screening/{contest.id}").get_data(as_text=True)
    monkeypatch.setattr(duplicates, "INLINE_CHANGES", 2)
    for n in range(5):
        make_registry_item(title=f"Tiếp nhận hồ sơ đất đai qua bưu chính lần {n}")
    gate = duplicates._refreshing  # a catch-up already under way holds it
    gate.acquire()
    try:
        html = client.get(f"/screening/{contest.id}").get_data(as_text=True)
    finally:
        gate.release()
    assert "Chỉ mục tra trùng đang được cập nhật (1/6 sáng kiến" in html
    duplicates._threads[duplicates._key(ward.id)].join(timeout=60)
    assert "Chỉ mục tra trùng đang được cập nhật" not in client.get(f"/screening/{contest.id}").get_data(as_text=True)


def test_a_stop_asked_while_the_index_catches_up_still_undoes(signed_in, small_batches, monkeypatch) -> None:
    client, _ = signed_in(SECRETARY)
    real = duplicates.refresh_index

    def refresh_then_stop(organisation_id: int, own_session: bool = False) -> None:
        real(organisation_id, own_session)
        with db.engine.begin() as conn:  # the secretary presses "Dừng và huỷ" during the index step
            conn.execute(update(Job).where(Job.status == "running").values(cancel=CANCEL_UNDO))

    monkeypatch.setattr(duplicates, "refresh_index", refresh_then_stop)
    post_import(client, rows_csv(25))
    job = latest_job()
    assert job.status == JOB_CANCELLED and job.result["removed"] == 25
    assert registry_count() == 0


def test_a_quote_never_closed_is_refused_at_its_line(signed_in) -> None:
    client, _ = signed_in(SECRETARY)
    data = (HEADER + 'Sáng kiến A,Tóm tắt A,Phường 1,2020\n'
            'Sáng kiến B,"Tóm tắt chưa đóng ngoặc,Phường 2,2020\n'
            'Sáng kiến C,Tóm tắt C,Phường 3,2020\n').encode()
    html = post_import(client, data).get_data(as_text=True)
    assert latest_job().status == JOB_FAILED and registry_count() == 0
    assert "dòng 4 không đọc được" in html


def test_a_very_long_cell_is_one_row_refused_not_the_file(signed_in) -> None:
    client, _ = signed_in(SECRETARY)
    data = (HEADER + "Sáng kiến dài," + "x" * 200_000 + ",Phường 1,2020\nSáng kiến ngắn,Tóm tắt,Phường 2,2020\n").encode()
    post_import(client, data)
    job = latest_job()
    assert job.status == JOB_DONE and job.result["added"] == 1
    assert job.result["rejected"] == [[2, "tóm tắt dài quá 20.000 ký tự"]]


@pytest.mark.parametrize("encoding", ["cp1258", "utf-16"])
def test_a_csv_from_windows_or_excel_unicode_text_is_read_and_searchable(signed_in, encoding: str) -> None:
    import unicodedata

    client, _ = signed_in(SECRETARY)
    title = "Cải tiến quy trình cấp giấy phép xây dựng"
    text = HEADER + f"{title},Tóm tắt,Phường 1,2020\n"
    if encoding == "cp1258":
        # Windows-1258 writes a tone as a combining mark after the (possibly circumflexed) letter.
        tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}

        def windows(char: str) -> str:
            parts = unicodedata.normalize("NFD", char)
            return unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones)) + \
                "".join(c for c in parts if c in tones)

        text = "".join(windows(c) for c in text)
    post_import(client, text.encode(encoding))
    assert latest_job().status == JOB_DONE
    stored = db.session.scalar(select(RegistryItem.title))
    assert stored == title  # composed (NFC), as typed text is
    assert title in client.get("/registry/?q=cấp giấy phép xây dựng").get_data(as_text=True)


def test_the_server_runs_jobs_left_queued_or_cut_off(app, make_user, monkeypatch) -> None:
    import time

    user = make_user(SECRETARY)
    path = os.path.join(app.instance_path, "left.upload")
    with open(path, "wb") as fh:
        fh.write(rows_csv(3))
    job_id = jobs.enqueue(user, REGISTRY_IMPORT, {"path": path, "filename": "left.csv"}).id
    db.session.commit()  # queued, and nobody started it (its server stopped)
    watcher = jobs.watch(app, interval=0.2)
    try:
        deadline = time.monotonic() + 30
        while latest_job().status != JOB_DONE and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        watcher.close()  # not left running into the next test's database
    assert latest_job().status == JOB_DONE and registry_count() == 3
    assert db.session.get(Job, job_id).result["added"] == 3
