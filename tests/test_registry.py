"""The registry: add by hand, import CSV/XLSX with a report of rejected rows, export."""
from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from conftest import csrf_token_from, post_form
from contest.db import db
from contest.models import PARTICIPANT, SECRETARY, AuditLog, RegistryItem


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
