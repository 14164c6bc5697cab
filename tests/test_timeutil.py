"""Dates and numbers as Vietnamese users read them."""
from datetime import date, datetime

from contest.timeutil import (
    format_date,
    format_datetime,
    format_number,
    to_local,
    to_utc,
)


def test_vietnam_time_round_trip() -> None:
    local = datetime(2024, 4, 30, 23, 59)
    assert to_utc(local) == datetime(2024, 4, 30, 16, 59)
    assert to_local(to_utc(local)) == local
    assert format_datetime(datetime(2024, 4, 30, 16, 59)) == "30/04/2024 23:59"
    assert format_date(date(2024, 5, 1)) == "01/05/2024"


def test_vietnamese_number_separators() -> None:
    assert format_number(1234567) == "1.234.567"
    assert format_number(78.5) == "78,5"
    assert format_number(80.0) == "80"
    assert format_number(None) == ""
