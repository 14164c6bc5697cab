"""The registry: add by hand, import CSV/XLSX with a report of rejected rows, export."""
from __future__ import annotations

import io

from conftest import csrf_token_from, post_form
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from contest.accounts.models import PARTICIPANT, SECRETARY
from contest.audit.models import AuditLog
from contest.db import db
from contest.registry import operations
from contest.registry.models import RegistryItem


def count() -> int:
    return db.session.scalar(select(func.count(RegistryItem.id)))


def import_file(client, data: bytes, name: str):
    token = csrf_token_from(client.get("/registry/").get_data(as_text=True))
    return client.post("/registry/import", data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def test_secretary_adds_an_item_by_hand(signed_in) -> None:
    client, _ = signed_in(SECRETARY)
    response = post_form(client, "/registry/new", {"title": "Sổ tay điện tử TTHC", "summary": "Tra cứu thủ tục qua Zalo.",
                                                   "unit": "UBND phường", "year": "2023", "field": "Chính quyền số"},
                         page="/registry/")
    assert response.status_code == 302
    item = db.session.scalar(select(RegistryItem))
    assert (item.title, item.year) == ("Sổ tay điện tử TTHC", 2023)
    assert db.session.scalar(select(AuditLog).filter_by(action="registry.add")) is not None
    bad = post_form(client, "/registry/new", {"title": "", "year": "hai nghìn"}, page="/registry/")
    assert bad.status_code == 400 and "Tên sáng kiến: không được để trống." in bad.get_data(as_text=True)
    assert count() == 1


def test_import_csv_reports_rejected_rows(signed_in) -> None:
    client, _ = signed_in(SECRETARY)
    csv_text = ("Tên sáng kiến,Tóm tắt,Đơn vị,Năm,Lĩnh vực\n"
                "Mã QR tra cứu hồ sơ,In mã QR lên giấy hẹn,Bộ phận Một cửa,2021,Cải cách TTHC\n"
                ",Thiếu tên,UBND,2020,Khác\n"
                "Loa phát thanh tuyên truyền CCHC,Phát thanh hằng tuần,Văn hóa,năm ngoái,Tuyên truyền CCHC\n"
                "Tổ công nghệ số cộng đồng,Hướng dẫn VNeID,Đoàn Thanh niên,2023,Chính quyền số\n")
    response = import_file(client, csv_text.encode("utf-8"), "ngan-hang.csv")
    html = response.get_data(as_text=True)
    assert "Đã thêm 2 sáng kiến" in html and "2 dòng bị từ chối" in html
    assert "thiếu tên sáng kiến" in html and "năm “năm ngoái” không phải là số" in html
    assert count() == 2


def test_csv_delimiter_is_read_from_the_header_not_from_punctuation_in_the_text() -> None:
    from contest.registry.files import parse_registry_file

    comma = "Tên sáng kiến,Tóm tắt,Năm\nMã QR trên sổ hộ tịch,Dán mã; quét mã; tra cứu bản điện tử,2024\n"
    semicolon = "Tên sáng kiến;Tóm tắt;Năm\nMã QR trên sổ hộ tịch;Dán mã, quét mã, tra cứu;2024\n"
    for text, summary in ((comma, "Dán mã; quét mã; tra cứu bản điện tử"), (semicolon, "Dán mã, quét mã, tra cứu")):
        parsed = parse_registry_file("so.csv", text.encode())
        assert not parsed.rejected
        assert [(r.title, r.summary, r.year) for r in parsed.rows] == [("Mã QR trên sổ hộ tịch", summary, 2024)]


def test_import_xlsx_and_export_round_trip(signed_in) -> None:
    client, _ = signed_in(SECRETARY)
    book = Workbook()
    sheet = book.active
    sheet.append(["STT", "Tên sáng kiến", "Tóm tắt", "Đơn vị", "Năm", "Lĩnh vực"])
    for i in range(25):
        sheet.append([i + 1, f"Sáng kiến số {i + 1} về số hóa hồ sơ", "Tóm tắt", "UBND phường", 2020 + i % 5, "Chính quyền số"])
    buffer = io.BytesIO()
    book.save(buffer)
    html = import_file(client, buffer.getvalue(), "ngan-hang.xlsx").get_data(as_text=True)
    assert "Đã thêm 25 sáng kiến" in html
    exported = client.get("/registry/export.xlsx")
    assert exported.status_code == 200
    rows = list(load_workbook(io.BytesIO(exported.data)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Mã", "Tên sáng kiến") and len(rows) == 26
    assert rows[1][1] == "Sáng kiến số 1 về số hóa hồ sơ"
    record = db.session.scalar(select(AuditLog).filter_by(action="registry.import"))
    items = db.session.scalars(select(RegistryItem).order_by(RegistryItem.id)).all()
    assert record.after["added"] == 25 and (record.after["first_id"], record.after["last_id"]) == (items[0].id, items[-1].id)


def test_import_of_a_file_that_is_not_a_spreadsheet_changes_nothing(signed_in, make_registry_item) -> None:
    make_registry_item()
    client, _ = signed_in(SECRETARY)
    for data, name in [(b"%PDF-1.4 not a table", "bang.xlsx"), (b"\x00\x01\x02binary", "data.csv"),
                       (b"Cot A,Cot B\n1,2\n", "khong-co-cot-ten.csv")]:
        html = import_file(client, data, name).get_data(as_text=True)
        assert "Tệp:" in html
    assert count() == 1


def test_participant_cannot_import(signed_in) -> None:
    client, _ = signed_in(PARTICIPANT)
    assert client.get("/registry/").status_code == 403
    assert client.get("/registry/export.xlsx").status_code == 403


def test_import_reports_duplicates_inside_the_file_and_with_the_registry(signed_in, make_registry_item) -> None:
    make_registry_item(title="Ứng dụng mã QR trên giấy hẹn để người dân tự tra cứu tình trạng hồ sơ",
                       summary="Bộ phận Một cửa in mã QR cho từng hồ sơ lên giấy hẹn; người dân quét mã biết hồ sơ đang ở bước nào.")
    client, _ = signed_in(SECRETARY)
    csv_text = ("Tên sáng kiến,Tóm tắt,Năm\n"
                "Loa phát thanh tuyên truyền thủ tục hành chính hằng tuần,Phát thanh lịch tiếp dân và thủ tục mới trên loa mỗi sáng thứ hai,2021\n"
                "Quét mã QR in trên giấy hẹn để tra cứu hồ sơ,In mã QR lên giấy hẹn trả kết quả để người dân quét mã xem hồ sơ đang ở khâu nào,2022\n"
                "Phát thanh thủ tục hành chính trên loa hằng tuần,Mỗi sáng thứ hai phát thanh lịch tiếp dân và các thủ tục mới trên loa,2023\n")
    html = import_file(client, csv_text.encode("utf-8"), "ds.csv").get_data(as_text=True)
    assert "Đã thêm 3 sáng kiến" in html
    assert "Có thể trùng nhau trong tệp (1)" in html and "<td>4</td><td>2</td>" in html
    assert "Có thể trùng với sáng kiến đã có trong ngân hàng (1)" in html and "Ứng dụng mã QR trên giấy hẹn" in html


def test_a_failing_import_adds_nothing(signed_in, monkeypatch) -> None:
    

    def broken(*args, **kwargs):
        db.session.add(RegistryItem(title="nửa chừng"))
        db.session.flush()
        raise RuntimeError("disk full")

    monkeypatch.setattr(operations, "import_registry", broken)
    client, _ = signed_in(SECRETARY)
    html = import_file(client, "Tên sáng kiến\nMột\nHai\n".encode(), "a.csv").get_data(as_text=True)
    assert "Không có dữ liệu nào bị thay đổi" in html
    assert count() == 0


def test_jobs_run_in_a_thread_and_are_claimed_once(app, make_user, tmp_path) -> None:
    import threading

    from contest import jobs
    from contest.jobs.models import Job
    from contest.registry.tasks import REGISTRY_IMPORT

    user = make_user(SECRETARY)
    path = str(tmp_path / "test-import.csv")  # never in the checkout's instance/
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("Tên sáng kiến\nSổ tay điện tử\n")
    job = jobs.enqueue(user, REGISTRY_IMPORT, {"path": path, "filename": "x.csv"})
    db.session.commit()
    app.config["JOBS_INLINE"] = False
    jobs.start(app, job.id)
    for thread in threading.enumerate():
        if thread.name == f"job-{job.id}":
            thread.join(timeout=30)
    db.session.commit()  # a fresh transaction sees what the job's thread committed
    assert job.status == "done" and job.result["added"] == 1 and job.claimed_by
    assert not jobs.claim(job.id)  # already taken: nobody runs it twice
    assert db.session.get(Job, job.id).done == 1


def test_a_file_with_only_a_header_says_so(signed_in) -> None:
    client, _ = signed_in(SECRETARY)
    html = import_file(client, "Tên sáng kiến,Tóm tắt\n".encode(), "trong.csv").get_data(as_text=True)
    assert "không có dòng dữ liệu nào" in html and count() == 0
