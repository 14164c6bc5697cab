"""Files uploaded to fill the entry form, kept until the author saves the form that will attach them.

They wait in ``<upload folder>/pending/`` under a random token, with a small JSON note of who
uploaded them and when; only that user can claim one, and only for a day. Nothing here
touches the database: attaching is ``operations.add_attachment``'s job once the entry is saved.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import time
from typing import Optional

from contest.uploads import MAX_PENDING_PER_USER

PENDING_DIR = "pending"
MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _paths(upload_dir: str, token: str) -> tuple[str, str]:
    folder = os.path.join(upload_dir, PENDING_DIR)
    return os.path.join(folder, f"{token}.upload"), os.path.join(folder, f"{token}.json")


def _sweep(folder: str, now: float) -> None:
    """Forget what nobody saved within a day (an abandoned form leaves its file behind)."""
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        try:
            if now - os.path.getmtime(path) > MAX_AGE_SECONDS:
                os.remove(path)
        except OSError:
            pass  # another worker removed it first


def keep(upload_dir: str, user_id: int, original_name: str, data: bytes) -> str:
    """Store the file for that user; the token that claims it."""
    folder = os.path.join(upload_dir, PENDING_DIR)
    os.makedirs(folder, exist_ok=True)
    _sweep(folder, time.time())
    _keep_newest(upload_dir, folder, user_id, MAX_PENDING_PER_USER - 1)  # room for this one
    token = secrets.token_hex(16)
    data_path, note_path = _paths(upload_dir, token)
    with open(data_path, "xb") as fh:
        fh.write(data)
    with open(note_path, "x", encoding="utf-8") as fh:
        json.dump({"user_id": user_id, "name": original_name, "created": time.time()}, fh, ensure_ascii=False)
    return token


def _keep_newest(upload_dir: str, folder: str, user_id: int, count: int) -> None:
    """Discard that user's oldest waiting files beyond the newest `count` (a draft's page then says
    its earlier file is no longer valid)."""
    mine = []
    for name in os.listdir(folder):
        if not name.endswith(".json"):
            continue
        try:
            with open(os.path.join(folder, name), encoding="utf-8") as fh:
                note = json.load(fh)
        except (OSError, ValueError):
            continue
        if note.get("user_id") == user_id:
            mine.append((float(note.get("created", 0)), name[: -len(".json")]))
    for _, token in sorted(mine, reverse=True)[count:]:
        discard(upload_dir, token)


def name_of(upload_dir: str, token: str, user_id: int) -> Optional[str]:
    """The original file name behind a token, when it is that user's and still kept."""
    if not _TOKEN.match(token or ""):
        return None
    data_path, note_path = _paths(upload_dir, token)
    try:
        with open(note_path, encoding="utf-8") as fh:
            note = json.load(fh)
    except (OSError, ValueError):
        return None
    if note.get("user_id") != user_id or time.time() - float(note.get("created", 0)) > MAX_AGE_SECONDS:
        return None
    return str(note.get("name", "")) if os.path.exists(data_path) else None


def load(upload_dir: str, token: str, user_id: int) -> Optional[tuple[str, bytes]]:
    """(original name, content) of that user's kept file, or None for a stale or foreign token."""
    name = name_of(upload_dir, token, user_id)
    if name is None:
        return None
    try:
        with open(_paths(upload_dir, token)[0], "rb") as fh:
            return name, fh.read()
    except OSError:
        return None


def discard(upload_dir: str, token: str) -> None:
    """Remove a kept file once it is attached (or replaced by another upload)."""
    if not _TOKEN.match(token or ""):
        return
    for path in _paths(upload_dir, token):
        try:
            os.remove(path)
        except OSError:
            pass
