"""A participant writes, attaches and submits an entry; the refusals."""
from __future__ import annotations

import io
from datetime import timedelta

from conftest import csrf_token_from, post_form
from sqlalchemy import select

from contest.accounts.models import PARTICIPANT, SECRETARY
from contest.audit.models import AuditLog
from contest.db import db, utcnow
from contest.demo import DEMO_PDF
from contest.entries.models import Attachment, Entry

PDF = DEMO_PDF  # a real one-page PDF: uploads are checked to open


def entry_form(contest, **overrides):
    data = {
        "kind": "individual", "collective_name": "",
        "title": "Tra cứu tiến độ hồ sơ bằng mã QR trên giấy hẹn",
        "field": contest.fields[0],
        "situation": "Người dân phải gọi điện nhiều lần để hỏi hồ sơ đã giải quyết đến đâu.",
        "solution": "In mã QR lên giấy tiếp nhận, quét mã để biết hồ sơ đang ở bước nào.",
        "effect": "Số cuộc gọi hỏi tiến độ giảm khoảng 70%.",
        "scope": "Áp dụng được ở mọi phường, xã.",
        "applied_where": "Bộ phận Một cửa UBND phường",
        "applied_since": "2024-03-01",
        "benefit": "Tiết kiệm thời gian.",
        "coauthors-0-full_name": "Nguyễn Văn Bình", "coauthors-0-position": "Văn phòng", "coauthors-0-share": "30",
    }
    data.update(overrides)
    return data


def create_draft(client, contest, **overrides) -> Entry:
    response = post_form(client, f"/entries/new/{contest.id}", entry_form(contest, **overrides))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return db.session.scalars(select(Entry).order_by(Entry.id.desc())).first()


def upload(client, entry, data=PDF, name="Bản mô tả sáng kiến.pdf"):
    token = csrf_token_from(client.get(f"/entries/{entry.id}").get_data(as_text=True))
    return client.post(f"/entries/{entry.id}/attachments", data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def submit(client, entry):
    return post_form(client, f"/entries/{entry.id}/submit", page=f"/entries/{entry.id}")


def test_participant_writes_attaches_and_submits(signed_in, make_contest, make_registry_item) -> None:
    make_registry_item()
    contest = make_contest()
    client, user = signed_in(PARTICIPANT)
    assert contest.title in client.get("/entries/").get_data(as_text=True)
    entry = create_draft(client, contest)
    assert entry.status == "draft" and entry.author_id == user.id
    assert [(c.full_name, c.share) for c in entry.coauthors] == [("Nguyễn Văn Bình", 30.0)]
    assert upload(client, entry).status_code == 302
    stored = db.session.scalar(select(Attachment))
    assert stored.original_name == "Bản mô tả sáng kiến.pdf" and stored.stored_name.endswith(".pdf")
    assert stored.stored_name != stored.original_name
    download = client.get(f"/entries/attachments/{stored.id}")
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    assert submit(client, entry).status_code == 302
    db.session.refresh(entry)
    assert entry.status == "submitted" and entry.submitted_at is not None
    page = client.get(f"/entries/{entry.id}").get_data(as_text=True)
    assert "Đã nộp" in page
    records = db.session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    assert [r.action for r in records if r.action != "entry.flag"][-3:] == ["entry.save", "attachment.add", "entry.submit"]
    # not a duplicate: no flag, at most the registry item recorded as "similar, worth a look"
    assert all(r.after["flags"] == [] for r in records if r.action == "entry.flag")
    assert not [f for f in entry.flags if f.status != "similar"]
    # Submitted entries are locked.
    assert client.get(f"/entries/{entry.id}/edit").status_code == 302
    response = post_form(client, f"/entries/{entry.id}/edit", entry_form(contest, title="Đổi tên"), page=f"/entries/{entry.id}")
    assert response.status_code == 302 and response.headers["Location"] == f"/entries/{entry.id}"  # back, unchanged
    db.session.refresh(entry)
    assert entry.title.startswith("Tra cứu")


def test_submission_refused_after_deadline(signed_in, make_contest) -> None:
    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    entry = create_draft(client, contest)
    upload(client, entry)
    contest.submission_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = submit(client, entry)
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã hết hạn nộp bài" in follow and "giờ Việt Nam" in follow
    db.session.refresh(entry)
    assert entry.status == "draft"


def test_submission_needs_required_parts_and_attachment(signed_in, make_contest) -> None:
    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    entry = create_draft(client, contest, applied_where="")
    follow = client.get(submit(client, entry).headers["Location"]).get_data(as_text=True)
    assert "Nơi áp dụng: cần điền trước khi nộp bài." in follow
    entry2 = create_draft(client, contest)
    follow = client.get(submit(client, entry2).headers["Location"]).get_data(as_text=True)
    assert "Tệp đính kèm: cần ít nhất một tệp" in follow
    db.session.refresh(entry2)
    assert entry2.status == "draft"


def test_bad_entry_input_names_the_field(signed_in, make_contest) -> None:
    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    response = post_form(client, f"/entries/new/{contest.id}",
                         entry_form(contest, title="", **{"coauthors-0-share": "150"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Tên sáng kiến: không được để trống." in html and "Tỷ lệ đóng góp: từ 0 đến 100%." in html
    response = post_form(client, f"/entries/new/{contest.id}", entry_form(contest, kind="collective"))
    assert "Tên tập thể: bắt buộc" in response.get_data(as_text=True)
    response = post_form(client, f"/entries/new/{contest.id}", entry_form(contest, field="Không có lĩnh vực này"))
    assert "Lĩnh vực: hãy chọn một lĩnh vực của cuộc thi." in response.get_data(as_text=True)
    assert db.session.scalar(select(Entry)) is None


def test_bad_uploads_store_nothing(signed_in, make_contest, app) -> None:
    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    entry = create_draft(client, contest)
    for data, name in [(b"<html><script>alert(1)</script></html>", "x.pdf"),
                       (b"PK\x03\x04not really a zip", "bai.docx"),
                       (b"MZ\x90\x00", "virus.exe"),
                       (b"", "empty.pdf"),
                       (b"%PDF-" + b"0" * (app.config["MAX_ATTACHMENT_BYTES"] + 1), "big.pdf")]:
        response = upload(client, entry, data, name)
        assert response.status_code in (302, 413)
    assert db.session.scalar(select(Attachment)) is None
    import os

    assert not os.listdir(app.config["UPLOAD_FOLDER"])
    page = client.get(upload(client, entry, b"hello", "a.pdf").headers["Location"])
    assert "chỉ nhận tệp PDF hoặc Word (DOCX)" in page.get_data(as_text=True)


def test_docx_is_accepted(signed_in, make_contest) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Bản mô tả sáng kiến")
    buffer = io.BytesIO()
    document.save(buffer)
    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    entry = create_draft(client, contest)
    upload(client, entry, buffer.getvalue(), "mo-ta.docx")
    assert db.session.scalar(select(Attachment)).stored_name.endswith(".docx")


def test_participants_see_only_their_own_entries(signed_in, make_contest, make_entry) -> None:
    contest = make_contest()
    alice, alice_user = signed_in(PARTICIPANT)
    bob, bob_user = signed_in(PARTICIPANT)
    entry = make_entry(contest, alice_user, title="Sáng kiến riêng của Alice")
    assert alice.get(f"/entries/{entry.id}").status_code == 200
    assert bob.get(f"/entries/{entry.id}").status_code == 403
    assert "Sáng kiến riêng của Alice" not in bob.get("/entries/").get_data(as_text=True)
    secretary, _ = signed_in(SECRETARY)
    assert secretary.get(f"/entries/{entry.id}").status_code == 200


def test_live_suggestions_return_similar_registry_items(signed_in, make_registry_item) -> None:
    make_registry_item(title="Ứng dụng mã QR trên giấy hẹn trả kết quả để tra cứu tình trạng hồ sơ",
                       summary="Bộ phận Một cửa in mã QR cho từng hồ sơ lên giấy hẹn, người dân quét mã để biết hồ sơ đang ở bước nào.")
    make_registry_item(title="Thành lập quỹ khuyến học của khu dân cư", summary="Vận động đóng góp quỹ khuyến học.")
    client, _ = signed_in(PARTICIPANT)
    data = client.get("/entries/similar", query_string={"title": "Mã QR tra cứu hồ sơ trên giấy hẹn",
                                                        "solution": "in ma QR len giay hen de nguoi dan quet ma"}).get_json()
    titles = [m["title"] for m in data["matches"]]
    assert titles and titles[0].startswith("Ứng dụng mã QR")
    assert all("khuyến học" not in t for t in titles)
    assert client.get("/entries/similar?title=a").get_json() == {"matches": []}


def test_double_submitted_entry_form_creates_one_entry(signed_in, make_contest) -> None:
    from conftest import form_value

    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    html = client.get(f"/entries/new/{contest.id}").get_data(as_text=True)
    data = entry_form(contest, csrf_token=csrf_token_from(html), once=form_value(html, "once"))
    assert client.post(f"/entries/new/{contest.id}", data=data).status_code == 302
    assert client.post(f"/entries/new/{contest.id}", data=data).status_code == 302
    assert len(db.session.scalars(select(Entry)).all()) == 1


def test_hostile_uploads_store_nothing(signed_in, make_contest, app) -> None:
    import os

    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    entry = create_draft(client, contest)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for data, name in [(svg, "anh.svg"), (svg, "anh.pdf"), (b"<!doctype html><h1>x</h1>", "trang.docx"),
                       (PDF, "../../etc/passwd.pdf"), (PDF, "..\\..\\boot.pdf"), (PDF, ".."), (PDF, "   "),
                       (PDF, "\x00\x01")]:
        upload(client, entry, data, name)
    assert db.session.scalar(select(Attachment)) is None
    assert not os.listdir(app.config["UPLOAD_FOLDER"])
    big = client.post(f"/entries/{entry.id}/attachments",
                      data={"file": (io.BytesIO(b"%PDF-" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 10)), "x.pdf")},
                      content_type="multipart/form-data")
    # Never a dead end: back to the entry, the limit said (tests/test_entry_fixes.py has the details).
    assert big.status_code == 303 and big.headers["Location"] == f"/entries/{entry.id}"
    assert "vượt quá giới hạn" in client.get(big.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(Attachment)) is None
    upload(client, entry, PDF, "Bản mô tả sáng kiến – Phường Trung Lương.pdf")
    assert db.session.scalar(select(Attachment)).original_name == "Bản mô tả sáng kiến – Phường Trung Lương.pdf"


def test_an_application_date_in_the_future_is_refused(signed_in, make_contest) -> None:
    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    response = post_form(client, f"/entries/new/{contest.id}", entry_form(contest, applied_since="2099-01-01"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Áp dụng từ ngày: không được sau ngày hôm nay" in html
    assert "Áp dụng từ ngày: Áp dụng từ ngày" not in html  # the summary does not name the field twice
    assert db.session.scalar(select(Entry)) is None


def test_a_fourth_coauthor_can_be_added_after_three_are_saved(signed_in, make_contest) -> None:
    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    three = {f"coauthors-{i}-{k}": v for i in range(3)
             for k, v in (("full_name", f"Đồng tác giả {i + 1}"), ("position", "Văn phòng"), ("share", "10"))}
    entry = create_draft(client, contest, **three)
    assert len(entry.coauthors) == 3
    page = client.get(f"/entries/{entry.id}/edit").get_data(as_text=True)
    assert 'name="coauthors-3-full_name"' in page  # an empty fourth row
    fourth = {**three, "coauthors-3-full_name": "Đồng tác giả 4", "coauthors-3-share": "10"}
    post_form(client, f"/entries/{entry.id}/edit", entry_form(contest, **fourth), page=f"/entries/{entry.id}/edit")
    db.session.refresh(entry)
    assert [c.full_name for c in entry.coauthors][-1] == "Đồng tác giả 4"


def test_submitting_once_judging_started_says_so(signed_in, make_contest) -> None:
    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    entry = create_draft(client, contest)
    upload(client, entry)
    contest.status = "judging"  # the panel was assigned before the deadline
    db.session.commit()
    follow = client.get(submit(client, entry).headers["Location"]).get_data(as_text=True)
    assert "chuyển sang giai đoạn chấm" in follow and "Đã hết hạn nộp bài" not in follow
    db.session.refresh(entry)
    assert entry.status == "draft"


def test_an_attachment_downloads_under_the_extension_of_its_checked_type(signed_in, make_contest) -> None:
    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    entry = create_draft(client, contest)
    for name, expected in (("bao-cao.html", "bao-cao.pdf"), ("tep\u202egpj.exe", "tepgpj.pdf"),
                           ("ban-mo-ta.docm", "ban-mo-ta.pdf"), ("khong-duoi", "khong-duoi.pdf")):
        assert upload(client, entry, name=name).status_code == 302
        stored = db.session.scalars(select(Attachment).order_by(Attachment.id.desc())).first()
        download = client.get(f"/entries/attachments/{stored.id}")
        assert download.status_code == 200 and download.data == PDF
        assert download.headers["Content-Disposition"] == f"attachment; filename={expected}", name
        assert download.headers["Content-Type"] == "application/pdf"
