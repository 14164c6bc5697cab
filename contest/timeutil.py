"""Time in the ward: stored in UTC, entered and shown in Asia/Ho_Chi_Minh."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def to_utc(local: datetime) -> datetime:
    """A naive local (Vietnam) time as naive UTC, the way it is stored."""
    return local.replace(tzinfo=LOCAL_TZ).astimezone(timezone.utc).replace(tzinfo=None)


def to_local(utc: datetime) -> datetime:
    """A stored naive UTC time as naive Vietnam time, for display and forms."""
    return utc.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ).replace(tzinfo=None)


def format_datetime(value: datetime | None) -> str:
    """dd/mm/yyyy HH:MM in Vietnam time; empty for None."""
    return to_local(value).strftime("%d/%m/%Y %H:%M") if value else ""


def format_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy; datetimes are taken as stored UTC and shown in Vietnam time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return value.strftime("%d/%m/%Y")


def format_number(value: float | int | None, digits: int = 2) -> str:
    """Vietnamese separators: 1.234,5 (dot for thousands, comma for decimals)."""
    if value is None:
        return ""
    text = f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"
    if isinstance(value, float) and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_size(size: int) -> str:
    """A file size as people read it: 16 byte, 12 KB, 1,5 MB."""
    if size < 1024:
        return f"{size} byte"
    if size < 1024 * 1024:
        return f"{format_number(round(size / 1024))} KB"
    return f"{format_number(round(size / 1024 / 1024, 1), 1)} MB"
