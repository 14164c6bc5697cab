"""What a trial run of the entry pages found (issue 13): a chosen file is never dropped, a file over the
server's limit leads back to the entry, a title over its limit is refused (never cut), and what a
submission lacks is listed with a link to each field."""
from __future__ import annotations

import io
import re

import docx
from conftest import csrf_token_from, post_form
from sqlalchemy import select
from test_description_form import browser_fields, fill
from test_entries import create_draft, entry_form

from contest.accounts.models import PARTICIPANT
from contest.db import db
from contest.demo import DEMO_PDF
from contest.entries.limits import TITLE_MAX
from contest.entries.models import Attachment, Entry

LONG_TITLE = ("Ứng dụng mã QR trên giấy hẹn để người dân tự tra cứu tiến độ giải quyết hồ sơ " * 12).strip()


def test_a_file_chosen_on_the_new_form_is_attached_and_the_entry_submitted_in_one_press(signed_in, make_contest) -> None:
    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    url = f"/entries/new/{contest.id}"
    html = client.get(url).get_data(as_text=True)
    assert re.search(r'<form[^>]*id="entry-form"[^>]*enctype="multipart/form-data"', html)  # files travel with it
    assert re.search(r'<button[^>]*name="action"[^>]*value="submit"', html), "no Nộp bài on the entry form"
    data = {**entry_form(contest), "csrf_token": csrf_token_from(html), "action": "submit",
            "description_file": (io.BytesIO(DEMO_PDF), "ban-mo-ta.pdf")}
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    entry = db.session.scalar(select(Entry))
    assert [a.original_name for a in entry.attachments] == ["ban-mo-ta.pdf"]
    assert entry.status == "submitted" and entry.submitted_at is not None
    assert "Đã nộp bài dự thi" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_saving_the_new_form_with_a_chosen_file_attaches_it(signed_in, make_contest) -> None:
    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    url = f"/entries/new/{contest.id}"
    data = {**entry_form(contest), "csrf_token": csrf_token_from(client.get(url).get_data(as_text=True)),
            "action": "save", "description_file": (io.BytesIO(DEMO_PDF), "mo-ta.pdf")}
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    entry = db.session.scalar(select(Entry))
    assert entry.status == "draft" and [a.original_name for a in entry.attachments] == ["mo-ta.pdf"]
    assert "đính kèm tệp “mo-ta.pdf”" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_bad_file_chosen_on_the_new_form_is_said_beside_the_picker_and_nothing_is_lost(signed_in, make_contest) -> None:
    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    url = f"/entries/new/{contest.id}"
    data = {**entry_form(contest), "csrf_token": csrf_token_from(client.get(url).get_data(as_text=True)),
            "action": "submit", "description_file": (io.BytesIO(b"not a pdf"), "x.pdf")}
    response = client.post(url, data=data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    picker_error = html.split('id="description-file-error"')[1].split("</div>")[0]
    assert "Tệp đính kèm: chỉ nhận tệp PDF hoặc Word" in picker_error
    assert browser_fields(html)["title"] == entry_form(contest)["title"]  # the typed text comes back
    assert db.session.scalar(select(Entry)) is None


def test_a_file_chosen_on_the_entry_page_is_uploaded_with_nop_bai(signed_in, make_contest) -> None:
    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    entry = create_draft(client, contest)
    html = client.get(f"/entries/{entry.id}").get_data(as_text=True)
    # The file input and "Nộp bài" belong to the same form.
    assert re.search(r'<button[^>]*form="attach-form"[^>]*formaction="/entries/%d/submit"' % entry.id, html)
    response = client.post(f"/entries/{entry.id}/submit", content_type="multipart/form-data",
                           data={"csrf_token": csrf_token_from(html), "file": (io.BytesIO(DEMO_PDF), "mo-ta.pdf")})
    assert response.status_code == 302
    db.session.refresh(entry)
    assert [a.original_name for a in entry.attachments] == ["mo-ta.pdf"] and entry.status == "submitted"


def test_a_refused_file_with_nop_bai_says_it_was_not_uploaded_and_does_not_submit(signed_in, make_contest) -> None:
    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    entry = create_draft(client, contest)
    html = client.get(f"/entries/{entry.id}").get_data(as_text=True)
    response = client.post(f"/entries/{entry.id}/submit", content_type="multipart/form-data",
                           data={"csrf_token": csrf_token_from(html), "file": (io.BytesIO(b"junk"), "junk.pdf")})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "chỉ nhận tệp PDF hoặc Word" in page and "Bài chưa được nộp vì tệp đã chọn chưa tải lên được" in page
    db.session.refresh(entry)
    assert entry.status == "draft" and not entry.attachments


def _too_big(app) -> bytes:
    return b"%PDF-" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 10)


def test_a_file_over_the_servers_limit_leads_back_to_the_entry_with_the_limit(app, signed_in, make_contest) -> None:
    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    entry = create_draft(client, contest)
    mb = app.config["MAX_ATTACHMENT_BYTES"] // (1024 * 1024)
    for action in ("attachments", "submit"):
        token = csrf_token_from(client.get(f"/entries/{entry.id}").get_data(as_text=True))
        response = client.post(f"/entries/{entry.id}/{action}", content_type="multipart/form-data",
                               data={"csrf_token": token, "file": (io.BytesIO(_too_big(app)), "lon.pdf")})
        assert response.status_code == 303 and response.headers["Location"] == f"/entries/{entry.id}"
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert f"Tệp đính kèm: vượt quá giới hạn {mb} MB mỗi tệp nên chưa được tải lên" in page
        db.session.refresh(entry)
        assert entry.status == "draft" and not entry.attachments
        assert entry.title == entry_form(contest)["title"]  # the saved draft untouched
    # On the edit form: back to the edit form, the saved draft as it was, the picker's limit said.
    token = csrf_token_from(client.get(f"/entries/{entry.id}/edit").get_data(as_text=True))
    response = client.post(f"/entries/{entry.id}/edit", content_type="multipart/form-data",
                           data={**entry_form(contest, title="Tên mới"), "csrf_token": token,
                                 "description_file": (io.BytesIO(_too_big(app)), "lon.docx")})
    assert response.status_code == 303 and response.headers["Location"] == f"/entries/{entry.id}/edit"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Tệp bản mô tả sáng kiến: vượt quá giới hạn {mb} MB" in page
    db.session.refresh(entry)
    assert entry.title == entry_form(contest)["title"]


def test_a_title_over_the_limit_is_refused_beside_the_field_never_cut(signed_in, make_contest) -> None:
    assert len(LONG_TITLE) > TITLE_MAX
    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    html = client.get(f"/entries/new/{contest.id}").get_data(as_text=True)
    title_input = re.search(r'<input[^>]*name="title"[^>]*>', html).group(0)
    assert "maxlength" not in title_input  # the browser must not cut a pasted title silently
    assert f"Tối đa {TITLE_MAX} ký tự." in html
    response = post_form(client, f"/entries/new/{contest.id}", entry_form(contest, title=LONG_TITLE))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    beside = html.split('id="title-error"')[1].split("</div>")[0]
    assert f"tối đa {TITLE_MAX} ký tự" in beside and f"{len(LONG_TITLE)} ký tự" in beside
    assert browser_fields(html)["title"] == LONG_TITLE  # kept whole for the author to shorten
    assert db.session.scalar(select(Entry)) is None
    # An existing draft is not changed either.
    entry = create_draft(client, contest)
    response = post_form(client, f"/entries/{entry.id}/edit", entry_form(contest, title=LONG_TITLE))
    assert response.status_code == 400
    db.session.refresh(entry)
    assert entry.title == entry_form(contest)["title"]


def _word_form(title_paragraphs: list[str]) -> bytes:
    d = docx.Document()
    d.add_paragraph("BẢN MÔ TẢ SÁNG KIẾN")
    d.add_paragraph("1. Tên sáng kiến: " + title_paragraphs[0])
    for more in title_paragraphs[1:]:
        d.add_paragraph(more)
    d.add_paragraph("2. Thực trạng:")
    d.add_paragraph("Người dân phải gọi điện nhiều lần để hỏi hồ sơ.")
    d.add_paragraph("3. Nội dung giải pháp:")
    d.add_paragraph("In mã QR lên giấy hẹn để người dân tự tra cứu.")
    d.add_paragraph("4. Hiệu quả đạt được:")
    d.add_paragraph("Giảm 70% cuộc gọi.")
    buffer = io.BytesIO()
    d.save(buffer)
    return buffer.getvalue()


def test_a_word_file_with_a_too_long_title_is_not_cut_silently(signed_in, make_contest) -> None:
    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    url = f"/entries/new/{contest.id}"
    # One paragraph over the limit: filled whole, refused beside the field.
    html = fill(client, url, _word_form([LONG_TITLE])).get_data(as_text=True)
    assert browser_fields(html)["title"] == LONG_TITLE
    assert f"tối đa {TITLE_MAX} ký tự" in html.split('id="title-error"')[1].split("</div>")[0]
    # A title section of several paragraphs, together over the limit: the first taken, and said so.
    first = "Ứng dụng mã QR trên giấy hẹn trả kết quả"
    html = fill(client, url, _word_form([first, LONG_TITLE[:300], LONG_TITLE[:300]])).get_data(as_text=True)
    assert browser_fields(html)["title"] == first
    assert "chỉ đoạn đầu được điền làm tên" in html and f"tên tối đa {TITLE_MAX} ký tự" in html


def test_what_a_submission_lacks_is_listed_each_with_a_link_to_its_field(signed_in, make_contest) -> None:
    contest = make_contest()
    client, _ = signed_in(PARTICIPANT)
    entry = create_draft(client, contest, situation="", applied_where="", applied_since="")
    response = post_form(client, f"/entries/{entry.id}/submit", page=f"/entries/{entry.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    section = page.split('id="missing"')[1].split("</section>")[0]
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', section)
    assert [href for href, _ in links] == [f"/entries/{entry.id}/edit#situation", f"/entries/{entry.id}/edit#applied_where",
                                           f"/entries/{entry.id}/edit#applied_since", "#file"]
    assert links[0][1] == "Thực trạng: cần điền trước khi nộp bài."
    assert links[3][1].startswith("Tệp đính kèm: cần ít nhất một tệp")
    # Each link's target exists: the inputs carry those ids.
    form = client.get(f"/entries/{entry.id}/edit").get_data(as_text=True)
    for name in ("situation", "applied_where", "applied_since"):
        assert f'id="{name}"' in form
    assert 'id="file"' in page
    db.session.refresh(entry)
    assert entry.status == "draft"
    # Once complete, nothing is listed.
    upload_html = client.get(f"/entries/{entry.id}").get_data(as_text=True)
    client.post(f"/entries/{entry.id}/attachments", content_type="multipart/form-data",
                data={"csrf_token": csrf_token_from(upload_html), "file": (io.BytesIO(DEMO_PDF), "a.pdf")})
    post_form(client, f"/entries/{entry.id}/edit", entry_form(contest))
    assert 'id="missing"' not in client.get(f"/entries/{entry.id}").get_data(as_text=True)
    assert db.session.scalar(select(Attachment)) is not None
