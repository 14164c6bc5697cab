"""The bridge between the database and the pure matcher: build indexes, find matches."""
from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import logging
import os
import pickle
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

from flask import current_app
from sqlalchemy import func, select

from .db import db
from .matching import DEFAULT_THRESHOLD, SIMILAR_FLOOR, Document, Match, Matcher, fingerprint
from .models import EXCLUDED, SUBMITTED, Contest, Entry, RegistryItem

log = logging.getLogger(__name__)

# One index per database per process. Searches and updates share the lock: an index is a
# set of dicts that a search must not see half-updated.
_lock = threading.RLock()
_cache: dict[str, "_Cached"] = {}
# How many matches under the flag line an entry keeps as "similar, worth a look".
SIMILAR_TOP = 3
# The copy on disk is written again once this many items were added since it was written
# (or a tenth of it, whichever is more), so a new process has little left to add.
_RESTORE_AFTER = 500


@dataclass
class _Cached:
    version: tuple
    matcher: Matcher
    count: int
    last_id: int
    first_change: object = None
    stored_count: int = 0  # items the copy on disk holds; 0 when there is none


def registry_document(item: RegistryItem) -> Document:
    """A registry item as the matcher sees it."""
    return Document(id=f"R{item.id}", title=item.title, body=item.summary)


def entry_document(entry: Entry) -> Document:
    """An entry as the matcher sees it: its solution is the core another entry must repeat."""
    return Document(id=f"E{entry.id}", title=entry.title, body=entry.body, core=entry.solution)


def _registry_version() -> tuple[int, int, object]:
    """What identifies the registry's content cheaply: count, last id, last change."""
    count, last_id, last_change = db.session.execute(
        select(func.count(RegistryItem.id), func.max(RegistryItem.id), func.max(RegistryItem.created_at))
    ).one()
    return count or 0, last_id or 0, last_change


def _current_index() -> _Cached:
    """The registry's index, brought up to date: new items are added, anything else rebuilds it.

    Every call compares the database's version with the index's, so a worker process never
    serves an index older than the registry it reads.
    """
    key = str(db.engine.url)
    version = _registry_version()
    cached = _cache.get(key)
    if cached and cached.version == version:
        return cached
    with _stored_index_lock():  # processes of one host: one builds, the others load what it stored
        cached = _refreshed(cached or _load_stored(), version)
    _cache[key] = cached
    # The index is hundreds of thousands of long-lived objects: keep the cyclic collector from
    # walking them on every full collection (which otherwise shows as slow requests at p95).
    gc.freeze()
    return cached


def _refreshed(cached: Optional[_Cached], version: tuple) -> _Cached:
    """`cached` brought to `version`: the items added since indexed, or else the whole registry again."""
    count, last_id, _ = version
    if cached and cached.version == version:
        return cached
    if cached and last_id > cached.last_id and _unchanged_up_to(cached):
        added = db.session.scalars(select(RegistryItem).where(RegistryItem.id > cached.last_id)).all()
        if cached.count + len(added) == count:  # only additions since: index them, keep the rest
            for item in added:
                cached.matcher.add(registry_document(item))
            cached.version, cached.count, cached.last_id = version, count, last_id
            if count - cached.stored_count >= max(_RESTORE_AFTER, cached.stored_count // 10):
                _store(cached)
            return cached
    items = db.session.scalars(select(RegistryItem)).all()
    first = min((i.created_at for i in items), default=None)
    cached = _Cached(version, Matcher(registry_document(i) for i in items), count, last_id, first)
    _store(cached)
    return cached


# --- the index kept on disk between processes ----------------------------------------------
# Building the index costs about 1.5 ms an item (minutes for a province's registry); loading
# the pickled index costs a few per cent of that. The file is only ever written by the app
# itself, in its own instance folder, and is named after the database and the matcher's
# fingerprint, so a new matcher or word list never reads an old index. What it holds is
# checked against the registry exactly as the in-memory index is.

def _stored_path() -> Optional[Path]:
    """Where this database's index is kept (INDEX_CACHE_FOLDER; empty: nowhere)."""
    folder = current_app.config.get("INDEX_CACHE_FOLDER")
    if not folder:
        return None
    name = hashlib.sha256(f"{db.engine.url}|{fingerprint()}".encode()).hexdigest()[:20]
    return Path(folder) / f"registry-{name}.pickle"


@contextlib.contextmanager
def _stored_index_lock() -> Iterator[None]:
    """An exclusive lock on this database's stored index, shared by the processes of one host."""
    path = _stored_path()
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _load_stored() -> Optional[_Cached]:
    """The index a process stored, if it is there and whole."""
    path = _stored_path()
    if path is None or not path.exists():
        return None
    try:
        with path.open("rb") as handle:
            stored = pickle.load(handle)
    except Exception as error:  # truncated or unreadable: it is built again
        log.warning("ignoring the stored matcher index %s: %s", path, error)
        return None
    if not isinstance(stored, _Cached) or not isinstance(stored.matcher, Matcher):
        return None
    stored.stored_count = stored.count
    return stored


def _store(cached: _Cached) -> None:
    """Write the index for the next process (atomically: a reader never sees half a file)."""
    path = _stored_path()
    if path is None:
        return
    draft = None
    try:
        handle, draft = tempfile.mkstemp(dir=path.parent, prefix=".registry-")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(cached, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(draft, path)
        cached.stored_count = cached.count
    except OSError as error:  # a full or read-only disk costs the next process a build, nothing more
        log.warning("could not store the matcher index in %s: %s", path, error)
        if draft and os.path.exists(draft):
            os.unlink(draft)


def _unchanged_up_to(cached: "_Cached") -> bool:
    """The items the index holds are still those rows (not a restored or recreated registry)."""
    count, first, last = db.session.execute(
        select(func.count(RegistryItem.id), func.min(RegistryItem.created_at), func.max(RegistryItem.created_at))
        .where(RegistryItem.id <= cached.last_id)
    ).one()
    return (count, last) == (cached.count, cached.version[2]) and first == cached.first_change


def search_registry(title: str, body: str, limit: int, threshold: float, core: str = "") -> list[Match]:
    """The registry items most like a text, from the up-to-date index."""
    with _lock:
        return _current_index().matcher.search(title, body, limit=limit, threshold=threshold, core=core)


def threshold_for(contest: Optional[Contest]) -> float:
    """The contest's flag threshold, or the matcher's tuned default."""
    if contest is not None and contest.duplicate_threshold is not None:
        return contest.duplicate_threshold
    return DEFAULT_THRESHOLD


@dataclass(frozen=True)
class Found:
    """A match resolved to what it points at."""

    match: Match
    registry_item_id: Optional[int] = None
    other_entry_id: Optional[int] = None


def find_duplicates(entry: Entry, threshold: float) -> list[Found]:
    """What an entry is checked against, best first: registry items and other entries of its contest.

    Every match at or over the line, then the best SIMILAR_TOP under it that share a phrase with
    the entry (the "similar, worth a look" tier, so a strict reader never misses the one ranked third).
    """
    found = [
        Found(m, registry_item_id=int(m.id[1:]))
        for m in search_registry(entry.title, entry.body, limit=10, threshold=0.0, core=entry.solution)
    ]
    others = db.session.scalars(
        select(Entry).where(
            Entry.contest_id == entry.contest_id,
            Entry.id != entry.id,
            Entry.status.in_((SUBMITTED, EXCLUDED)),
        )
    ).all()
    if others:
        peers = Matcher(entry_document(e) for e in others)
        found += [
            Found(m, other_entry_id=int(m.id[1:]))
            for m in peers.search(entry.title, entry.body, limit=10, core=entry.solution)
        ]
    flagged = [f for f in found if f.match.score >= threshold]
    under = [f for f in found if f.match.score < threshold and worth_a_look(f.match)]
    return flagged + sorted(under, key=lambda f: -f.match.similarity)[:SIMILAR_TOP]


def worth_a_look(match: Match) -> bool:
    """A match under the line that is still worth showing: alike beyond generic words, a phrase shared."""
    return match.similarity >= SIMILAR_FLOOR and bool(match.shared_phrases)


def similar_registry_items(title: str, body: str, limit: int = SIMILAR_TOP,
                           solution: str = "") -> list[tuple[RegistryItem, Match]]:
    """The applied initiatives most like a draft, best first, for the author's suggestions: those
    worth a look by the same rule as the secretary's similar tier (a flag-level match always is)."""
    matches = [m for m in search_registry(title, body, limit=limit + 2, threshold=0.0, core=solution)
               if worth_a_look(m)][:limit]
    items = {i.id: i for i in db.session.scalars(
        select(RegistryItem).where(RegistryItem.id.in_([int(m.id[1:]) for m in matches]))
    )}
    return [(items[int(m.id[1:])], m) for m in matches if int(m.id[1:]) in items]
