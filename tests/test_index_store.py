"""The matcher's index kept on disk: a new process loads it instead of building, and never trusts it blindly."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest
from sqlalchemy import delete, select

from contest.accounts.models import Organisation
from contest.db import db
from contest.matching import Matcher
from contest.registry.models import RegistryItem
from contest.screening import duplicates

QR = "Ứng dụng mã QR trên giấy hẹn trả kết quả để người dân tự tra cứu tình trạng hồ sơ"
MAIL = "Tiếp nhận hồ sơ đất đai qua dịch vụ bưu chính công ích"


def the_ward() -> Organisation:
    return db.session.scalar(select(Organisation).filter_by(name="Phường Trung Lương"))


def titles(title: str) -> list[str]:
    return [item.title for item, *_ in duplicates.similar_registry_items(the_ward(), title, "", limit=3)]


def stored() -> Any:
    """The ward's index as a new process would load it from disk, or None."""
    return duplicates._load_stored(the_ward().id)


def stored_files(app: Any) -> list[Path]:
    return sorted(Path(app.config["INDEX_CACHE_FOLDER"]).glob("registry-*.pickle"))


def new_process() -> None:
    """What a freshly started worker has: no index in memory."""
    duplicates._cache.clear()


@pytest.fixture
def no_building(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """After calling it, building an index from scratch fails the test."""

    def forbid() -> None:
        def built(*_: Any, **__: Any) -> None:
            raise AssertionError("the index was built again")
        monkeypatch.setattr(Matcher, "__init__", built)  # unpickling does not call it
    return forbid


def test_a_new_process_loads_the_stored_index_and_adds_what_came_since(app, make_registry_item, no_building) -> None:
    make_registry_item(title=QR)
    assert titles(QR)[0] == QR
    assert len(stored_files(app)) == 1
    new_process()
    no_building()
    assert titles(QR)[0] == QR  # from the file
    make_registry_item(title=MAIL)
    assert titles(MAIL)[0] == MAIL  # added to the loaded index, not built


def test_a_damaged_file_is_ignored_and_written_again(app, make_registry_item) -> None:
    make_registry_item(title=QR)
    titles(QR)
    [path] = stored_files(app)
    path.write_bytes(path.read_bytes()[:40])  # a write cut short by a crash
    new_process()
    assert titles(QR)[0] == QR
    new_process()
    assert stored() is not None and titles(QR)[0] == QR


def test_another_matcher_version_never_reads_an_old_index(app, make_registry_item, monkeypatch) -> None:
    make_registry_item(title=QR)
    titles(QR)
    new_process()
    monkeypatch.setattr(duplicates, "fingerprint", lambda: "a-changed-word-list")
    assert stored() is None
    assert titles(QR)[0] == QR and len(stored_files(app)) == 2


def test_a_registry_replaced_behind_the_file_is_indexed_again(app, make_registry_item) -> None:
    make_registry_item(title=QR)
    titles(QR)
    db.session.execute(delete(RegistryItem))  # e.g. a restored backup
    db.session.commit()
    make_registry_item(title=MAIL)
    new_process()
    assert titles(MAIL)[0] == MAIL and QR not in titles(QR)


def test_no_folder_keeps_nothing_on_disk(app, make_registry_item) -> None:
    app.config["INDEX_CACHE_FOLDER"] = ""
    make_registry_item(title=QR)
    assert titles(QR)[0] == QR and stored() is None
