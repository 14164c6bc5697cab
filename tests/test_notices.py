"""Notices: written with the change that causes them, listed in the app, e-mailed by the worker
through a real SMTP server (aiosmtpd on a free loopback port), sent once, retried, never lost."""
from __future__ import annotations

import asyncio
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from contest import jobs
from contest.accounts.models import ADMIN, JUDGE, PARTICIPANT, SECRETARY, Unit
from contest.db import db, utcnow
from contest.notices import delivery
from contest.notices.models import FAILED, IN_APP, PENDING, SENDING, SENT, Notification
from judging.models import Assignment, PanelMember
from judging.operations import (
    add_assignment,
    assign_panel,
    close_judging,
    publish_results,
    remind_judges,
    save_sheet,
)
from tests.conftest import post_form

BASE = "https://sangkien.phuong.test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps what it accepted; it can stall at RCPT, before DATA is accepted."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.hold = threading.Event()  # set: the next RCPT waits until it is cleared
        self.holding = threading.Event()  # set while a RCPT is held

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.hold.is_set():
            self.holding.set()
            while self.hold.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for rcpts, m in self.messages if address in rcpts]


def start_server(port: int) -> tuple[Controller, Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, box


@pytest.fixture
def smtp(app: Any) -> Any:
    """A real SMTP server on a free loopback port, and the app configured to send through it."""
    port = free_port()
    controller, box = start_server(port)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, BASE_URL=BASE,
                      MAIL_FROM="Sáng kiến CCHC <sangkien@phuong.test>", MAIL_TIMEOUT=10)
    box.port = port  # type: ignore[attr-defined]
    yield box
    box.hold.clear()
    controller.stop()


def deliver(app: Any, now: Any = None) -> int:
    sent = delivery.deliver_due(app, "test-worker", now=now)
    db.session.commit()  # the test's next read sees what the worker committed (a new snapshot)
    return sent


def text_of(message: email.message.EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


@pytest.fixture
def panel(ward: Any, make_user: Callable, make_contest: Callable, make_entry: Callable) -> dict[str, Any]:
    """A blind contest with three submitted entries by an author of a named unit, two judges with
    e-mail addresses (the second chairs), and a secretary."""
    unit = Unit(name="Bộ phận Một cửa", organisation=ward)
    db.session.add(unit)
    db.session.commit()
    author = make_user(PARTICIPANT, unit=unit, full_name="Hoàng Tác Giả", email="tacgia@phuong.test")
    contest = make_contest(blind=True)
    entries = [make_entry(contest, author, title=t) for t in
               ("Ứng dụng mã QR tra cứu hồ sơ", "Sổ tay điện tử thủ tục hành chính", "Zalo OA trả lời người dân")]
    judges = [make_user(JUDGE, full_name="Trần Văn Bình", email="binh@phuong.test"),
              make_user(JUDGE, full_name="Lê Thị Cúc", email="cuc@phuong.test")]
    return {"contest": contest, "entries": entries, "author": author, "judges": judges,
            "secretary": make_user(SECRETARY, full_name="Phạm Thư Ký", email="thuky@phuong.test")}


def test_an_assigned_judge_gets_exactly_one_message_naming_no_author(app, smtp, panel) -> None:
    assign_panel(panel["secretary"], panel["contest"])
    db.session.commit()
    assert deliver(app) == 2
    for judge in panel["judges"]:
        [message] = smtp.to(judge.email)  # one message for three entries, not three
        assert message["Subject"] == f"Phân công chấm 3 sáng kiến – {panel['contest'].title}"
        assert judge.full_name in message["To"]
        body = text_of(message)
        assert all(e.title in body for e in panel["entries"])
        assert f"Xem tại: {BASE}/judging/" in body
        assert "Hoàng Tác Giả" not in message.as_string() and "Một cửa" not in body  # blind: no author, no unit
        assert message["Message-ID"].startswith("<notice-") and message["Message-ID"].endswith("@phuong.test>")
    assert deliver(app) == 0 and len(smtp.messages) == 2  # sent once
    rows = db.session.scalars(select(Notification)).all()
    assert {r.status for r in rows} == {SENT} and all(r.attempts == 1 and r.sent_at for r in rows)


def test_one_entry_added_by_hand_and_a_reminder_are_each_one_message(app, smtp, panel, make_user) -> None:
    contest = panel["contest"]
    assign_panel(panel["secretary"], contest)
    db.session.commit()
    late = make_user(JUDGE, full_name="Đỗ Văn Muộn", email="muon@phuong.test")
    db.session.add(PanelMember(contest_id=contest.id, judge_id=late.id))
    db.session.commit()
    add_assignment(panel["secretary"], panel["entries"][1], late)
    db.session.commit()
    assert deliver(app) == 3
    [message] = smtp.to("muon@phuong.test")
    assert message["Subject"] == f"Phân công chấm 1 sáng kiến – {contest.title}"
    assert f"{BASE}/judging/entries/{panel['entries'][1].id}" in text_of(message)
    smtp.messages.clear()
    remind_judges(panel["secretary"], contest, [panel["judges"][0].id], "Xin nộp phiếu trước thứ Sáu.")
    db.session.commit()
    assert deliver(app) == 1
    [message] = smtp.to("binh@phuong.test")
    assert message["Subject"] == f"Nhắc nộp phiếu chấm – {contest.title}"
    assert "Xin nộp phiếu trước thứ Sáu." in text_of(message) and "còn 3 phiếu chấm chưa nộp" in text_of(message)


def test_a_person_who_turned_email_off_gets_none_but_sees_it_in_the_app(app, smtp, panel, signed_in) -> None:
    judge = panel["judges"][1]
    client, _ = signed_in(user=judge)
    page = post_form(client, "/auth/account", {"email": judge.email}, page="/auth/account")  # box left unticked
    assert page.status_code == 302
    db.session.refresh(judge)
    assert judge.notices_by_email is False and judge.email == "cuc@phuong.test"
    assign_panel(panel["secretary"], panel["contest"])
    db.session.commit()
    assert deliver(app) == 1
    assert smtp.to("cuc@phuong.test") == [] and len(smtp.to("binh@phuong.test")) == 1
    row = db.session.scalar(select(Notification).filter_by(recipient_id=judge.id))
    assert row.status == IN_APP and row.email == ""
    listing = client.get("/notices/").get_data(as_text=True)
    assert f"Phân công chấm 3 sáng kiến – {panel['contest'].title}" in listing
    assert "Bạn đã tắt nhận thông báo qua thư điện tử" in listing
    assert 'badge rounded-pill text-bg-danger">1' in listing  # the menu's unread count


def test_the_notice_list_shows_newest_first_and_marks_read(app, panel, signed_in) -> None:
    judge = panel["judges"][0]
    client, _ = signed_in(user=judge)
    assign_panel(panel["secretary"], panel["contest"])
    db.session.commit()
    remind_judges(panel["secretary"], panel["contest"], [judge.id], "Nhắc lần một.")
    db.session.commit()
    page = client.get("/notices/").get_data(as_text=True)
    assert page.index("Nhắc nộp phiếu chấm") < page.index("Phân công chấm 3 sáng kiến")  # newest first
    assert "2 chưa đọc" in page and 'href="/judging/"' in page
    first = db.session.scalar(select(Notification).filter_by(recipient_id=judge.id).order_by(Notification.id))
    post_form(client, "/notices/read", {"notice": str(first.id)}, page="/notices/")
    db.session.commit()
    assert first.read_at is not None
    assert "1 chưa đọc" in client.get("/notices/").get_data(as_text=True)
    other, _ = signed_in(PARTICIPANT)  # someone else's id marks nothing of theirs
    post_form(other, "/notices/read", {}, page="/notices/")
    db.session.commit()
    assert db.session.scalar(select(Notification).filter_by(recipient_id=judge.id, read_at=None)) is not None
    post_form(client, "/notices/read", {}, page="/notices/")
    assert "chưa đọc" not in client.get("/notices/").get_data(as_text=True).split("<main")[1].split("</h1>")[0]


def test_smtp_down_is_retried_later_then_sent_once(app, panel) -> None:
    port = free_port()  # nothing listens there yet
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, BASE_URL=BASE, MAIL_TIMEOUT=5)
    panel["judges"][1].email = ""  # one message in play
    db.session.commit()
    assign_panel(panel["secretary"], panel["contest"])
    db.session.commit()
    start = utcnow()
    assert deliver(app, now=start) == 0
    row = db.session.scalar(select(Notification).filter_by(status=PENDING))
    assert row.recipient_id == panel["judges"][0].id and row.attempts == 1 and "Connection refused" in row.last_error
    assert row.next_attempt_at >= start + timedelta(seconds=60)
    controller, box = start_server(port)
    try:
        assert deliver(app, now=start + timedelta(seconds=30)) == 0 and box.messages == []  # not due yet
        assert deliver(app, now=start + timedelta(seconds=61)) == 1
        assert len(box.to("binh@phuong.test")) == 1
        assert deliver(app, now=start + timedelta(hours=1)) == 0 and len(box.messages) == 1
        db.session.refresh(row)
        assert row.status == SENT and row.attempts == 2 and row.last_error == ""
    finally:
        controller.stop()


def test_a_permanent_refusal_ends_as_failed_and_the_rest_still_go(app, smtp, panel) -> None:
    class Refusing(Mailbox):
        async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
            if address.startswith("binh@"):
                return "550 No such user"
            return await super().handle_RCPT(server, session, envelope, address, options)

    port = free_port()
    box = Refusing()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    app.config["MAIL_PORT"] = port
    try:
        assign_panel(panel["secretary"], panel["contest"])
        db.session.commit()
        assert deliver(app) == 1
        failed = db.session.scalar(select(Notification).filter_by(recipient_id=panel["judges"][0].id))
        assert failed.status == FAILED and "550" in failed.last_error
        assert len(box.to("cuc@phuong.test")) == 1
    finally:
        controller.stop()


def test_a_worker_killed_mid_send_sends_on_restart_exactly_once(app, smtp, panel, tmp_path) -> None:
    """The worker is a real `sangkien worker` process, killed while the server holds its RCPT
    (before DATA is accepted): nothing was delivered, the row stays leased to the dead worker until
    the lease runs out, and then the message goes exactly once."""
    judge = panel["judges"][0]
    judge.notices_by_email = True
    panel["judges"][1].email = ""  # one message in play
    db.session.commit()
    assign_panel(panel["secretary"], panel["contest"])
    db.session.commit()
    env = {**os.environ, "DATABASE_URL": str(db.engine.url.render_as_string(hide_password=False)),
           "SANGKIEN_ENV": "development", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port),
           "BASE_URL": BASE, "MAIL_FROM": "sangkien@phuong.test",
           "SANGKIEN_UPLOAD_FOLDER": str(tmp_path / "uploads"), "SANGKIEN_INDEX_CACHE_FOLDER": str(tmp_path / "ix"),
           "SANGKIEN_AUDIT_HEAD_FILE": str(tmp_path / "head.json")}
    worker_cmd = [sys.executable, "-c", "from contest.cli import main; main()", "worker", "--once"]
    smtp.hold.set()
    worker = subprocess.Popen(worker_cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert smtp.holding.wait(60), worker.stderr.read().decode() if worker.poll() is not None else "no RCPT"
        row = db.session.scalar(select(Notification).filter_by(recipient_id=judge.id))
        assert row.status == SENDING and row.claimed_by and row.attempts == 1
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.stderr.close()
    smtp.hold.clear()
    time.sleep(0.2)
    assert smtp.messages == []  # the server never took the message
    # A restart while the dead worker's lease still runs sends nothing (it might still be sending).
    subprocess.run(worker_cmd, env=env, check=True, capture_output=True, timeout=60)
    assert smtp.messages == []
    db.session.commit()
    assert db.session.get(Notification, row.id).status == SENDING
    # Once the lease has run out, the next worker takes the row back and sends it, once.
    db.session.execute(update(Notification).where(Notification.id == row.id)
                       .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    subprocess.run(worker_cmd, env=env, check=True, capture_output=True, timeout=60)
    assert len(smtp.to("binh@phuong.test")) == 1 and len(smtp.messages) == 1
    db.session.commit()
    done = db.session.get(Notification, row.id)
    assert done.status == SENT and done.attempts == 2
    subprocess.run(worker_cmd, env=env, check=True, capture_output=True, timeout=60)
    assert len(smtp.messages) == 1


def test_without_a_mail_server_nothing_is_sent_and_the_admin_page_says_in_app_only(app, panel, signed_in) -> None:
    port = free_port()
    controller, box = start_server(port)  # a server is there, but the app is not told of it
    try:
        app.config.update(MAIL_SERVER="", MAIL_PORT=port)
        assign_panel(panel["secretary"], panel["contest"])
        db.session.commit()
        assert deliver(app) == 0 and jobs.run_pending(app) == 0
        assert box.messages == []
        assert {r.status for r in db.session.scalars(select(Notification))} == {IN_APP}
        admin, _ = signed_in(ADMIN)
        page = admin.get("/users/").get_data(as_text=True)
        assert "Thông báo chỉ hiển thị trong hệ thống, không gửi qua thư điện tử" in page
        judge, _ = signed_in(user=panel["judges"][0])
        assert "máy chủ gửi thư điện tử chưa được cấu hình" in judge.get("/notices/").get_data(as_text=True)
    finally:
        controller.stop()


def test_the_admin_page_says_where_mail_goes_when_configured(app, smtp, signed_in) -> None:
    admin, _ = signed_in(ADMIN)
    page = admin.get("/users/").get_data(as_text=True)
    assert f"máy chủ 127.0.0.1:{smtp.port}" in page and "Thư đang chờ gửi: 0" in page


def test_an_author_excluded_as_a_duplicate_is_told_the_reason(app, smtp, panel, make_registry_item) -> None:
    from contest.screening.models import DuplicateFlag
    from contest.screening.operations import decide_flag

    entry = panel["entries"][0]
    item = make_registry_item(title="Mã QR tra cứu hồ sơ tại Bộ phận Một cửa")
    flag = DuplicateFlag(entry=entry, registry_item_id=item.id, score=90.0, status="open")
    db.session.add(flag)
    db.session.commit()
    decide_flag(panel["secretary"], flag, True, "Cùng giải pháp in mã QR đã áp dụng năm 2022.")
    db.session.commit()
    deliver(app)
    [message] = smtp.to("tacgia@phuong.test")
    assert message["Subject"] == f"Sáng kiến bị loại do trùng lặp: {entry.title}"
    assert "Lý do: Cùng giải pháp in mã QR đã áp dụng năm 2022." in text_of(message)
    assert f"{BASE}/entries/{entry.id}" in text_of(message)


def test_published_results_reach_each_author_with_their_entry_link(app, smtp, panel) -> None:
    contest, (binh, cuc) = panel["contest"], panel["judges"]
    cuc_member = db.session.scalar(select(PanelMember).filter_by(judge_id=cuc.id))
    assign_panel(panel["secretary"], contest)
    db.session.scalar(select(PanelMember).filter_by(contest_id=contest.id, judge_id=cuc.id)).is_chair = True
    db.session.commit()
    assert cuc_member is None
    for judge, points in ((binh, 30), (cuc, 5)):  # the totals differ by far more than the threshold
        for entry in panel["entries"]:
            save_sheet(judge, entry, {c.id: (min(points, c.max_points), "Nhận xét") for c in contest.criteria}, submit=True)
    db.session.commit()
    deliver(app)
    smtp.messages.clear()
    close_judging(panel["secretary"], contest)
    db.session.commit()
    deliver(app)
    [chair_message] = smtp.to("cuc@phuong.test")  # the chair is told of the disagreement
    assert chair_message["Subject"].startswith("3 sáng kiến có điểm chênh lệch lớn")
    assert f"{BASE}/judging/contests/{contest.id}/chair" in text_of(chair_message)
    publish_results(panel["secretary"], contest)
    db.session.commit()
    deliver(app)
    to_author = smtp.to("tacgia@phuong.test")
    assert len(to_author) == 3
    links = {e.id: f"{BASE}/entries/{e.id}" for e in panel["entries"]}
    for entry in panel["entries"]:
        [message] = [m for m in to_author if m["Subject"] == f"Kết quả cuộc thi: {entry.title}"]
        assert links[entry.id] in text_of(message) and "Xếp hạng:" in text_of(message)


def test_the_chair_and_the_third_judge_are_told_of_an_arbitration(app, smtp, panel, make_user) -> None:
    contest, (binh, cuc) = panel["contest"], panel["judges"]
    third = make_user(JUDGE, full_name="Vũ Trọng Tài", email="trongtai@phuong.test")
    contest.arbitration_limit = 10
    contest.assignment_mode, contest.judges_per_entry = "balanced", 2
    for judge in (binh, cuc, third):
        db.session.add(PanelMember(contest_id=contest.id, judge_id=judge.id, is_chair=judge is cuc))
    db.session.commit()
    assign_panel(panel["secretary"], contest)
    db.session.commit()
    entry = next(e for e in panel["entries"]
                 if {a.judge_id for a in db.session.scalars(select(Assignment).filter_by(entry_id=e.id))}
                 == {binh.id, cuc.id})
    deliver(app)
    smtp.messages.clear()
    for judge, points in ((binh, 35), (cuc, 5)):
        save_sheet(judge, entry, {c.id: (min(points, c.max_points), "Nhận xét") for c in contest.criteria}, submit=True)
    db.session.commit()
    deliver(app)
    [to_chair] = smtp.to("cuc@phuong.test")
    assert to_chair["Subject"] == f"Điểm chênh lệch, chấm thứ ba – {contest.title}"
    assert "Vũ Trọng Tài" in text_of(to_chair)
    [to_third] = smtp.to("trongtai@phuong.test")
    assert to_third["Subject"] == f"Phân công chấm thứ ba: {entry.title}"
    assert "Hoàng Tác Giả" not in to_third.as_string()


def test_the_secretary_who_started_a_job_is_told_when_it_ends(app, smtp, panel) -> None:
    job = jobs.enqueue(panel["secretary"], "recheck", {"contest_id": panel["contest"].id})
    db.session.commit()
    jobs.start(app, job.id)
    deliver(app)
    [message] = smtp.to("thuky@phuong.test")
    assert message["Subject"] == "Kiểm tra lại trùng lặp: hoàn tất"
    assert f"{BASE}/jobs/{job.id}" in text_of(message)


def test_email_addresses_are_checked_beside_the_field_and_nothing_is_saved(app, signed_in, make_user) -> None:
    client, user = signed_in(PARTICIPANT, email="cu@phuong.test")
    for bad in ("khong-phai-thu", "a@b", "hai@dia.chi, ba@dia.chi", "x@phuong.test\r\nBcc: y@z.vn", "a" * 250 + "@b.vn"):
        page = post_form(client, "/auth/account", {"email": bad, "notices_by_email": "y"}, page="/auth/account")
        assert page.status_code == 400
        assert "Thư điện tử:" in page.get_data(as_text=True) and 'id="email-error"' in page.get_data(as_text=True)
        db.session.refresh(user)
        assert user.email == "cu@phuong.test"
    admin, _ = signed_in(ADMIN)
    page = post_form(admin, f"/users/{user.id}", {"full_name": user.full_name, "role": "participant", "active": "y",
                                                  "email": "moi@phuong.test"})
    assert page.status_code == 302
    db.session.refresh(user)
    assert user.email == "moi@phuong.test" and user.notices_by_email is True
