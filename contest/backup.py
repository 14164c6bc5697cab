"""A consistent copy of a live SQLite database, and bringing one back."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from contest.errors import OperationError


def sqlite_path(url: str) -> Path:
    """The file of a sqlite:/// URL; other databases have their own tools (pg_dump)."""
    if not url.startswith("sqlite:///"):
        raise OperationError("Sao lưu: chỉ áp dụng cho SQLite; với PostgreSQL hãy dùng pg_dump / pg_restore.")
    return Path(url[len("sqlite:///"):])


def backup(url: str, target: Path) -> int:
    """Copy the database with SQLite's online backup API (safe while others write); returns pages copied."""
    source_path = sqlite_path(url)
    if not source_path.exists():
        raise OperationError(f"Sao lưu: không tìm thấy cơ sở dữ liệu {source_path}.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with sqlite3.connect(source_path, timeout=30) as source, sqlite3.connect(partial) as copy:
        source.backup(copy)
        pages = copy.execute("PRAGMA page_count").fetchone()[0]
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise OperationError("Sao lưu: bản sao không vượt qua kiểm tra toàn vẹn.")
    os.replace(partial, target)
    return pages


def restore(url: str, source: Path) -> None:
    """Replace the database's content with a backup's (the server should be stopped)."""
    target_path = sqlite_path(url)
    if not source.exists():
        raise OperationError(f"Khôi phục: không tìm thấy tệp {source}.")
    with sqlite3.connect(source) as backup_db:
        if backup_db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise OperationError("Khôi phục: tệp sao lưu bị hỏng (không qua kiểm tra toàn vẹn).")
        with sqlite3.connect(target_path, timeout=30) as live:
            backup_db.backup(live)
