"""Sending the outbox's e-mails by SMTP (the standard library's smtplib and email.message), from
the background worker: `sangkien worker`, or the watcher thread of `sangkien serve`, calls
`deliver_due` on every round of its loop (contest.jobs.run_pending), beside the jobs it runs.

Each row is leased the way a job is (contest.jobs): one UPDATE … WHERE status = 'pending' takes
it for one worker, sets `next_attempt_at` to the end of the lease and counts the attempt, so two
workers never send the same row at once. The worker sends it and marks it sent at once, in a
transaction of its own. A refusal or a connection that fails puts it back with a backoff (1, 2,
4 … minutes, `compose.backoff_seconds`); a permanent refusal (5xx), or MAX_ATTEMPTS tries, ends
it as failed with the server's answer kept in `last_error`. A row still "sending" when its lease
runs out belonged to a worker that died mid-send (killed, the host restarted): any worker puts it
back in the queue (`reclaim_expired`) and sends it again, so a notice is never lost.

Sent once, and the one window where it may be sent twice: the worker dies after the mail server
has answered 250 to the message's DATA (it has taken the message) and before the row is marked
sent. The row is then reclaimed after its lease and sent again. The window is kept as short as
it can be: the row is marked immediately after the server's answer, in a transaction of its own,
before the next row is touched, and each message carries a Message-ID made from the row alone
(`message_id`), the same on every attempt, so a mail system or reader that de-duplicates by
Message-ID shows it once. A worker killed any time before that answer (connecting, during
MAIL/RCPT, while sending DATA) leaves nothing delivered, and the retry sends it exactly once.
"""
from __future__ import annotations

import contextlib
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.utils import format_datetime as rfc2822_date
from email.utils import formataddr, parseaddr
from typing import Any, Mapping, Optional

from flask import Flask
from sqlalchemy import select, update

from contest.accounts.models import User
from contest.db import db, utcnow, write_transaction
from contest.notices.compose import backoff_seconds
from contest.notices.models import FAILED, PENDING, SENDING, SENT, Notification

LEASE_SECONDS = 120  # longer than a send can take (MAIL_TIMEOUT per SMTP step)
MAX_ATTEMPTS = 8  # about four hours of backoff in all
BATCH = 100  # rows a round sends over one connection
DEFAULT_BASE_URL = "http://127.0.0.1:5000"  # `make run`'s address, for links when BASE_URL is unset in development


@dataclass(frozen=True)
class MailSettings:
    """The SMTP server and sender, from MAIL_* (see README, Configuration)."""

    server: str
    port: int
    username: str
    password: str
    use_tls: bool
    use_ssl: bool
    sender: str
    timeout: float

    @property
    def sender_address(self) -> str:
        return parseaddr(self.sender)[1] or "noreply@localhost"


def settings(config: Mapping[str, Any]) -> Optional[MailSettings]:
    """The mail settings, or None when no MAIL_SERVER is configured (notices stay in-app)."""
    server = (config.get("MAIL_SERVER") or "").strip()
    if not server:
        return None
    ssl, tls = bool(config.get("MAIL_USE_SSL")), bool(config.get("MAIL_USE_TLS"))
    port = int(config.get("MAIL_PORT") or 0) or (465 if ssl else 587 if tls else 25)
    return MailSettings(server=server, port=port, username=config.get("MAIL_USERNAME") or "",
                        password=config.get("MAIL_PASSWORD") or "", use_tls=tls and not ssl, use_ssl=ssl,
                        sender=config.get("MAIL_FROM") or config.get("MAIL_USERNAME") or "noreply@localhost",
                        timeout=float(config.get("MAIL_TIMEOUT") or 30))


def base_url(config: Mapping[str, Any]) -> str:
    """Where links in e-mails point: BASE_URL; in development without it, `make run`'s address;
    in production without it, nowhere (the e-mail says to sign in instead)."""
    base = (config.get("BASE_URL") or "").rstrip("/")
    if base:
        return base
    return "" if config.get("PRODUCTION") else DEFAULT_BASE_URL


def message_id(row_id: int, created_at: datetime, sender_address: str) -> str:
    """The Message-ID of a notice's e-mail: from the row alone, the same on every attempt."""
    domain = sender_address.rpartition("@")[2] or "localhost"
    return f"<notice-{row_id}.{created_at:%Y%m%d%H%M%S}@{domain}>"


# Python's newer header folder (EmailMessage) drops the space where it splits a long Vietnamese
# subject into encoded words ("ba –Sáng kiến"); the Header class keeps it inside the words.
UTF8 = Charset("utf-8")
UTF8.body_encoding = QP  # the body stays readable in the message's source


def build_message(row: Mapping[str, Any], name: str, mail: MailSettings, base: str) -> Message:
    """The e-mail of one outbox row: its Vietnamese subject and body, then the absolute link."""
    message = Message()
    message["Subject"] = Header(row["subject"], "utf-8")
    message["From"] = formataddr(parseaddr(mail.sender), charset="utf-8")
    message["To"] = formataddr((name, row["email"]), charset="utf-8")
    message["Date"] = rfc2822_date(row["created_at"].replace(tzinfo=timezone.utc))
    message["Message-ID"] = message_id(row["id"], row["created_at"], mail.sender_address)
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to an address nobody reads
    body = row["body"]
    if row["link"]:
        body += f"\n\nXem tại: {base}{row['link']}" if base else "\n\nĐăng nhập hệ thống để xem chi tiết."
    body += ("\n\n--\nThư gửi tự động từ hệ thống cuộc thi “Sáng kiến, giải pháp cải cách hành chính”. "
             "Không nhận thư nữa: bỏ chọn “Nhận thông báo qua thư điện tử” trong trang tài khoản của bạn.")
    message.set_payload(body, charset=UTF8)
    return message


def connect(mail: MailSettings) -> smtplib.SMTP:
    """An SMTP connection, over TLS from the start (MAIL_USE_SSL) or upgraded (MAIL_USE_TLS), signed in if asked."""
    if mail.use_ssl:
        connection: smtplib.SMTP = smtplib.SMTP_SSL(mail.server, mail.port, timeout=mail.timeout)
    else:
        connection = smtplib.SMTP(mail.server, mail.port, timeout=mail.timeout)
        if mail.use_tls:
            connection.starttls()
    if mail.username:
        connection.login(mail.username, mail.password)
    return connection


def reclaim_expired(now: Optional[datetime] = None) -> list[int]:
    """Put back in the queue the rows still "sending" after their lease (their worker died); their ids."""
    now = now or utcnow()
    with write_transaction(), db.engine.begin() as conn:
        ids = list(conn.scalars(select(Notification.id).where(Notification.status == SENDING,
                                                              Notification.next_attempt_at < now)))
        if ids:
            conn.execute(update(Notification).where(Notification.id.in_(ids), Notification.status == SENDING,
                                                    Notification.next_attempt_at < now)
                         .values(status=PENDING, claimed_by="", next_attempt_at=now))
    return ids


def claim(row_id: int, claimer: str, now: datetime) -> bool:
    """Take a due row for this worker until its lease ends, counting the attempt; False when another has it."""
    with write_transaction(), db.engine.begin() as conn:
        taken = conn.execute(
            update(Notification).where(Notification.id == row_id, Notification.status == PENDING,
                                       Notification.next_attempt_at <= now)
            .values(status=SENDING, claimed_by=claimer, attempts=Notification.attempts + 1,
                    next_attempt_at=now + timedelta(seconds=LEASE_SECONDS))
        ).rowcount
    return taken == 1


def _set(row_id: int, **values: Any) -> None:
    with write_transaction(), db.engine.begin() as conn:
        conn.execute(update(Notification).where(Notification.id == row_id).values(**values))


def _failed(row: Mapping[str, Any], error: str, permanent: bool, now: datetime) -> None:
    attempts = row["attempts"]  # read after the claim: this attempt counted
    if permanent or attempts >= MAX_ATTEMPTS:
        _set(row["id"], status=FAILED, claimed_by="", next_attempt_at=None, last_error=error[:2000])
    else:
        _set(row["id"], status=PENDING, claimed_by="", last_error=error[:2000],
             next_attempt_at=now + timedelta(seconds=backoff_seconds(attempts)))


def _refusal(exc: smtplib.SMTPException) -> tuple[str, bool]:
    """What the server said, and whether it is permanent (a 5xx answer)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return f"{exc.recipients}", all(code >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}", exc.smtp_code >= 500
    return f"{type(exc).__name__}: {exc}", False


def deliver_due(app: Flask, claimer: str, now: Optional[datetime] = None, limit: int = BATCH) -> int:
    """Send the e-mails that are due, over one connection; how many were sent. Without MAIL_SERVER, nothing."""
    with app.app_context():
        mail = settings(app.config)
        if mail is None:
            return 0
        now = now or utcnow()
        reclaim_expired(now)
        due = list(db.session.scalars(select(Notification.id).where(
            Notification.status == PENDING, Notification.next_attempt_at <= now)
            .order_by(Notification.next_attempt_at, Notification.id).limit(limit)))
        db.session.commit()
        base, sent, connection = base_url(app.config), 0, None
        try:
            for row_id in due:
                if not claim(row_id, claimer, now):
                    continue
                with db.engine.connect() as conn:
                    row = conn.execute(select(Notification.__table__, User.full_name)
                                       .join(User, User.id == Notification.recipient_id)
                                       .where(Notification.id == row_id)).mappings().one()
                try:
                    connection = connection or connect(mail)
                    connection.send_message(build_message(row, row["full_name"], mail, base))
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                    # This message was refused (smtplib has reset the session): the next one may go.
                    error, permanent = _refusal(exc)
                    app.logger.warning("Notice %s refused: %s", row_id, error)
                    _failed(row, error, permanent, now)
                    continue
                except OSError as exc:  # smtplib's other errors are OSErrors too: the connection is unusable
                    # The server is away or will not have us: this row waits, the others are not tried now.
                    app.logger.warning("Notice %s not sent: %s", row_id, exc)
                    _failed(row, f"{type(exc).__name__}: {exc}", False, now)
                    if connection is not None:
                        connection.close()
                    connection = None
                    break
                # The server has the message: mark it now, before anything else (the one duplicate window).
                _set(row_id, status=SENT, sent_at=utcnow(), claimed_by="", next_attempt_at=None, last_error="")
                sent += 1
        finally:
            if connection is not None:
                with contextlib.suppress(OSError):  # smtplib's errors are OSErrors too
                    connection.quit()
            db.session.remove()
        return sent
