"""The bridge between the database and the pure matcher: build indexes, find matches.

Each organisation's registry has an index of its own (a ward's import rebuilds only that ward's);
a bank is a set of them searched together: a ward's entries are flagged against its own registry
and shown, as a lower tier, what the rest of its town's bank holds; the town's round is flagged
against the whole bank (`banks_of`)."""
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
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional

from flask import Flask, current_app, has_request_context
from sqlalchemy import func, select

from contest.accounts.models import TOWN, Organisation
from contest.accounts.queries import ward_ids_of
from contest.contests.models import Contest
from contest.db import db
from contest.entries.models import EXCLUDED, SUBMITTED, Entry
from contest.matching import (
    DEFAULT_THRESHOLD,
    SIMILAR_FLOOR,
    Document,
    Match,
    Matcher,
    fingerprint,
)
from contest.registry.models import RegistryItem

log = logging.getLogger(__name__)

# One index per organisation's registry per database per process. Searches and updates share the
# lock: an index is a set of dicts that a search must not see half-updated.
_lock = threading.RLock()
_cache: dict[str, "_Cached"] = {}
# How many matches under the flag line an entry keeps as "similar, worth a look".
SIMILAR_TOP = 3
# What each index of a town's bank rescores for an author's live suggestions (the matcher's own
# bound is 40 an index: a town of 15 wards would rescore 700 documents a keystroke). A true match
# is among the first few an index preselects; flagging, done once per entry, keeps the full bound.
SUGGESTION_CANDIDATES = 12
# The copy on disk is written again once this many items were added since it was written
# (or a tenth of it, whichever is more), so a new process has little left to add.
_RESTORE_AFTER = 500
# Indexing costs about 0.6 ms an item (two minutes for 200,000). A request brings the index up to
# date itself only when this few items changed; beyond that a thread of its own catches up, and
# meanwhile requests search the index as far as it goes (index_coverage() says how far).
INLINE_CHANGES = 1000
# Items indexed per hold of the lock while catching up: a search waits a fraction of a second at most.
_CHUNK = 500
_refreshing = threading.Lock()  # one refresher per process at a time
_threads: dict[str, threading.Thread] = {}
_STORE_FORMAT = 3  # in the stored file's name: a file of an older layout is never read


@dataclass
class _Cached:
    version: Optional[tuple]  # the registry's version it is complete for; None while it catches up
    matcher: Matcher
    ids: set[int]
    last_id: int = 0
    first_change: object = None
    stored_count: int = 0  # items the copy on disk holds; 0 when there is none


def registry_document(item: RegistryItem) -> Document:
    """A registry item as the matcher sees it."""
    return Document(id=f"R{item.id}", title=item.title, body=item.summary)


def entry_document(entry: Entry) -> Document:
    """An entry as the matcher sees it: its solution is the core another entry must repeat."""
    return Document(id=f"E{entry.id}", title=entry.title, body=entry.body, core=entry.solution)


def banks_of(organisation: Organisation) -> tuple[list[int], list[int]]:
    """(the organisations whose registries flag an entry of this organisation, the rest of its
    town's bank, shown as "similar elsewhere" and never flagging). A ward: its own, then its town
    and sibling wards; the town: every registry of the town."""
    town = organisation if organisation.level == TOWN else organisation.parent
    bank = [town.id, *ward_ids_of(town)] if town is not None else [organisation.id]
    if organisation.level == TOWN:
        return bank, []
    return [organisation.id], [o for o in bank if o != organisation.id]


def _items(organisation_id: int) -> Any:
    return RegistryItem.organisation_id == organisation_id


def _registry_versions(organisation_ids: list[int]) -> dict[int, tuple[int, int, object]]:
    """What identifies each organisation's registry cheaply: count, last id, last change (one
    query for a whole bank)."""
    rows = db.session.execute(
        select(RegistryItem.organisation_id, func.count(RegistryItem.id), func.max(RegistryItem.id),
               func.max(RegistryItem.created_at))
        .where(RegistryItem.organisation_id.in_(organisation_ids)).group_by(RegistryItem.organisation_id))
    found = {org: (count or 0, last_id or 0, last_change) for org, count, last_id, last_change in rows}
    return {org: found.get(org, (0, 0, None)) for org in organisation_ids}


def _registry_version(organisation_id: int) -> tuple[int, int, object]:
    return _registry_versions([organisation_id])[organisation_id]


def _key(organisation_id: int) -> str:
    return f"{db.engine.url}#{organisation_id}"


def _current_index(organisation_id: int, version: Optional[tuple] = None) -> Optional[_Cached]:
    """The registry's index, up to date, or as far as it goes while a thread brings it up to date.

    Every call compares the database's version with the index's, so a worker process never
    serves an index older than the registry it reads without knowing it. Code outside a request
    (a job, a command) waits for the whole index; a request never builds more than INLINE_CHANGES
    items, so no page, and no save holding the write lock, waits minutes for a big import.
    """
    version = version or _registry_version(organisation_id)
    key = _key(organisation_id)
    if version[0] == 0:  # an empty registry (most wards' until their first import): nothing to search
        _cache.pop(key, None)
        return None
    cached = _cache.get(key)
    if cached and cached.version == version:
        return cached
    if not has_request_context():
        refresh_index(organisation_id)
        return _cache.get(key)
    small = (cached is None and version[0] <= INLINE_CHANGES) or (
        cached is not None and abs(version[0] - len(cached.ids)) + max(version[1] - cached.last_id, 0) <= INLINE_CHANGES)
    if small and _refreshing.acquire(blocking=False):
        try:
            with _stored_index_lock(organisation_id, blocking=False) as locked:
                if locked:
                    return _refresh(organisation_id, cached or _load_stored(organisation_id), background=False)
        finally:
            _refreshing.release()
    _catch_up_in_background(current_app._get_current_object(), [organisation_id])
    return cached


def refresh_index(organisation_id: int, own_session: bool = False) -> None:
    """Bring an organisation's index up to date, however much changed (jobs, commands, the warm-up thread).

    With `own_session` (a thread of its own, or a job that committed its work) the session's read
    is ended between chunks; otherwise the caller's transaction, and what it has not committed, stay.
    """
    with _refreshing, _stored_index_lock(organisation_id, blocking=True):
        _refresh(organisation_id, _cache.get(_key(organisation_id)) or _load_stored(organisation_id),
                 background=own_session)


def index_coverage(organisation_ids: list[int]) -> tuple[int, int]:
    """(items the indexes hold, items in those registries): equal unless an index is still catching
    up. Asking brings a small change in, or starts the catch-up, as a search would."""
    held = total = 0
    for organisation_id, version in _registry_versions(organisation_ids).items():
        cached = _current_index(organisation_id, version)
        held += len(cached.ids) if cached else 0
        total += version[0]
    return held, total


def _catch_up_in_background(app: Flask, organisation_ids: list[int]) -> None:
    """Start the thread that brings these indexes up to date, one after the other, unless one
    runs already for the first of them."""
    key = _key(organisation_ids[0])
    with _lock:
        thread = _threads.get(key)
        if thread is not None and thread.is_alive():
            return

        def catch_up() -> None:
            with app.app_context():
                try:
                    for organisation_id in organisation_ids:
                        refresh_index(organisation_id, own_session=True)
                except Exception:  # logged; the next search starts another
                    log.exception("could not bring the registry index up to date")
                finally:
                    db.session.remove()

        thread = threading.Thread(target=catch_up, name="registry-index", daemon=True)
        for organisation_id in organisation_ids:
            _threads[_key(organisation_id)] = thread
        thread.start()


def warm_index(app: Flask) -> None:
    """Load or build every organisation's index in the background, so the server's first searches
    find them ready."""
    with app.app_context():
        organisation_ids = list(db.session.scalars(select(RegistryItem.organisation_id).distinct()))
        db.session.remove()
        if organisation_ids:
            _catch_up_in_background(app, sorted(organisation_ids))


def _refresh(organisation_id: int, cached: Optional[_Cached], background: bool) -> _Cached:
    """`cached` brought to the registry as it is now: items gone removed, new ones added a chunk at a
    time under the lock (a search in between sees a whole index, only a shorter one). A registry
    replaced behind the index (a restored backup), or one that lost many items, is indexed anew.
    The index is published at once, so searches use what is already indexed."""
    key = _key(organisation_id)
    version = _registry_version(organisation_id)
    if cached is not None and cached.version == version:
        _cache[key] = cached
        return cached
    first = db.session.scalar(select(func.min(RegistryItem.created_at)).where(_items(organisation_id)))
    ids = set(db.session.scalars(select(RegistryItem.id).where(_items(organisation_id))))
    if background:
        db.session.rollback()  # a reader holding one snapshot for minutes keeps SQLite's log growing
    if cached is not None:
        gone = cached.ids - ids
        if cached.first_change != first or len(gone) > max(INLINE_CHANGES, len(cached.ids) // 10):
            cached = None  # removing is slow per item, and a replaced registry shares nothing
    if cached is None:
        cached = _Cached(None, Matcher(), set(), 0, first)
    with _lock:
        for item_id in cached.ids - ids:
            cached.matcher.remove(f"R{item_id}")
        cached.ids &= ids
        cached.version = None
        _cache[key] = cached
    added = 0
    new = sorted(ids - cached.ids)
    for start in range(0, len(new), _CHUNK):
        chunk = new[start:start + _CHUNK]
        docs = [registry_document(i) for i in db.session.scalars(select(RegistryItem).where(RegistryItem.id.in_(chunk)))]
        if background:
            db.session.rollback()
        with _lock:
            for doc in docs:
                cached.matcher.add(doc)
                cached.ids.add(int(doc.id[1:]))
            cached.last_id = max(cached.last_id, chunk[-1])
        added += len(docs)
    with _lock:
        cached.version = version
    if cached.ids and (cached.stored_count == 0
                       or abs(len(cached.ids) - cached.stored_count) >= max(_RESTORE_AFTER, cached.stored_count // 10)):
        _store(organisation_id, cached)  # (an empty registry's index costs nothing to build: never stored)
    if added > INLINE_CHANGES:
        # The index is hundreds of thousands of long-lived objects: keep the cyclic collector from
        # walking them on every full collection (which otherwise shows as slow requests at p95).
        gc.freeze()
    return cached


# --- the index kept on disk between processes ----------------------------------------------
# Building the index costs about 0.6 ms an item (two minutes for 200,000); loading the pickled
# index a few per cent of that. The file is only ever written by the app itself, in its own
# instance folder, and is named after the database and the matcher's fingerprint, so a new
# matcher or word list never reads an old index. What it holds is checked against the registry
# exactly as the in-memory index is.

def _stored_path(organisation_id: int) -> Optional[Path]:
    """Where an organisation's index is kept (INDEX_CACHE_FOLDER; empty: nowhere)."""
    folder = current_app.config.get("INDEX_CACHE_FOLDER")
    if not folder:
        return None
    name = hashlib.sha256(f"{db.engine.url}|{fingerprint()}|{_STORE_FORMAT}".encode()).hexdigest()[:20]
    return Path(folder) / f"registry-{name}-{organisation_id}.pickle"


@contextlib.contextmanager
def _stored_index_lock(organisation_id: int, blocking: bool) -> Iterator[bool]:
    """An exclusive lock on an organisation's stored index, shared by the processes of one host;
    yields False when `blocking` is off and another process holds it."""
    path = _stored_path(organisation_id)
    if path is None:
        yield True
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _load_stored(organisation_id: int) -> Optional[_Cached]:
    """The index a process stored, if it is there and whole."""
    path = _stored_path(organisation_id)
    if path is None or not path.exists():
        return None
    try:
        with path.open("rb") as handle:
            header = pickle.load(handle)
            matcher = Matcher.load(handle)
    except Exception as error:  # truncated or unreadable: it is built again
        log.warning("ignoring the stored matcher index %s: %s", path, error)
        return None
    return _Cached(header["version"], matcher, header["ids"], header["last_id"], header["first_change"],
                   stored_count=len(header["ids"]))


def _store(organisation_id: int, cached: _Cached) -> None:
    """Write the index for the next process (atomically: a reader never sees half a file)."""
    path = _stored_path(organisation_id)
    if path is None:
        return
    draft = None
    try:
        handle, draft = tempfile.mkstemp(dir=path.parent, prefix=".registry-")
        with os.fdopen(handle, "wb") as out:  # only a refresher changes an index, and it holds _refreshing
            pickle.dump({"version": cached.version, "ids": cached.ids, "last_id": cached.last_id,
                         "first_change": cached.first_change}, out, protocol=pickle.HIGHEST_PROTOCOL)
            cached.matcher.save(out)
        os.replace(draft, path)
        cached.stored_count = len(cached.ids)
    except OSError as error:  # a full or read-only disk costs the next process a build, nothing more
        log.warning("could not store the matcher index in %s: %s", path, error)
        if draft and os.path.exists(draft):
            os.unlink(draft)


def search_registry(organisation_ids: list[int], title: str, body: str, limit: int, threshold: float,
                    core: str = "", candidates: Optional[int] = None) -> list[Match]:
    """The items of these organisations' registries most like a text, best first, from their
    indexes (each as far as it goes while it catches up); `candidates` bounds the documents each
    index rescores (the matcher's own bound when None)."""
    if not organisation_ids:
        return []
    how = {"threshold": threshold, "core": core, **({"candidates": candidates} if candidates else {})}
    indexes = [(organisation_id, cached) for organisation_id, version in _registry_versions(organisation_ids).items()
               if (cached := _current_index(organisation_id, version)) is not None]
    if len(indexes) == 1:
        with _lock:
            return indexes[0][1].matcher.search(title, body, limit=limit, **how)
    # Rank every index, keep the best `limit` overall (in the matcher's own order), then explain
    # only those: the evidence (shared phrases, what differs) costs more than the ranking.
    ranked: list[tuple[float, float, str, int]] = []
    found: list[Match] = []
    with _lock:  # one hold: no index changes between ranking and explaining
        for n, (_, cached) in enumerate(indexes):
            ranked += [(sim, score, doc_id, n) for sim, score, doc_id in
                       cached.matcher.rank(title, body, limit=limit, **how)]
        ranked.sort(key=lambda r: (-r[0], -r[1], r[2]))
        for n, count in Counter(n for *_, n in ranked[:limit]).items():
            found += indexes[n][1].matcher.search(title, body, limit=count, **how)
    order = {doc_id: i for i, (_, _, doc_id, _) in enumerate(ranked)}
    return sorted(found, key=lambda m: order.get(m.id, len(order)))


def threshold_for(contest: Optional[Contest]) -> float:
    """The contest's flag threshold, or the matcher's tuned default."""
    if contest is not None and contest.duplicate_threshold is not None:
        return contest.duplicate_threshold
    return DEFAULT_THRESHOLD


@dataclass(frozen=True)
class Found:
    """A match resolved to what it points at; `elsewhere` when it is in another organisation's
    registry of the town's bank (shown, never a flag)."""

    match: Match
    registry_item_id: Optional[int] = None
    other_entry_id: Optional[int] = None
    elsewhere: bool = False


def find_duplicates(entry: Entry, threshold: float) -> list[Found]:
    """What an entry is checked against, best first: the registries that flag it and the other
    entries of its contest, then the rest of the town's bank.

    Every match at or over the line, then the best SIMILAR_TOP under it that share a phrase with
    the entry (the "similar, worth a look" tier, so a strict reader never misses the one ranked
    third), then the best SIMILAR_TOP of the rest of the bank worth a look ("similar elsewhere").
    """
    own, wider = banks_of(entry.contest.organisation)
    found = [
        Found(m, registry_item_id=int(m.id[1:]))
        for m in search_registry(own, entry.title, entry.body, limit=10, threshold=0.0, core=entry.solution)
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
    elsewhere = [Found(m, registry_item_id=int(m.id[1:]), elsewhere=True)
                 for m in search_registry(wider, entry.title, entry.body, limit=10, threshold=0.0, core=entry.solution)
                 if m.score >= threshold or worth_a_look(m)] if wider else []
    return flagged + sorted(under, key=lambda f: -f.match.similarity)[:SIMILAR_TOP] + elsewhere[:SIMILAR_TOP]


def worth_a_look(match: Match) -> bool:
    """A match under the line that is still worth showing: alike beyond generic words, a phrase shared."""
    return match.similarity >= SIMILAR_FLOOR and bool(match.shared_phrases)


def similar_registry_items(organisation: Organisation, title: str, body: str, limit: int = SIMILAR_TOP,
                           solution: str = "") -> list[tuple[RegistryItem, Match, bool]]:
    """The applied initiatives of the town's bank most like a draft, best first, for the author's
    suggestions: those worth a look by the same rule as the secretary's similar tier (a flag-level
    match always is), each with whether it is elsewhere (another organisation's, never a flag)."""
    own, wider = banks_of(organisation)
    bank = own + wider
    matches = [m for m in search_registry(bank, title, body, limit=limit + 2, threshold=0.0, core=solution,
                                          candidates=SUGGESTION_CANDIDATES if len(bank) > 2 else None)
               if worth_a_look(m)][:limit]
    items = {i.id: i for i in db.session.scalars(
        select(RegistryItem).where(RegistryItem.id.in_([int(m.id[1:]) for m in matches]))
    )}
    return [(items[i], m, items[i].organisation_id not in own) for m in matches if (i := int(m.id[1:])) in items]
