"""The bridge between the database and the pure matcher: build indexes, find matches."""
from __future__ import annotations

import gc
import threading
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import func, select

from .db import db
from .matching import DEFAULT_THRESHOLD, Document, Match, Matcher
from .models import EXCLUDED, SUBMITTED, Contest, Entry, RegistryItem

# One index per database per process. Searches and updates share the lock: an index is a
# set of dicts that a search must not see half-updated.
_lock = threading.RLock()
_cache: dict[str, "_Cached"] = {}


@dataclass
class _Cached:
    version: tuple
    matcher: Matcher
    count: int
    last_id: int
    first_change: object = None


def registry_document(item: RegistryItem) -> Document:
    """A registry item as the matcher sees it."""
    return Document(id=f"R{item.id}", title=item.title, body=item.summary)


def entry_document(entry: Entry) -> Document:
    """An entry as the matcher sees it."""
    return Document(id=f"E{entry.id}", title=entry.title, body=entry.body)


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
    count, last_id, _ = version
    cached = _cache.get(key)
    if cached and cached.version == version:
        return cached
    if cached and last_id > cached.last_id and _unchanged_up_to(cached):
        added = db.session.scalars(select(RegistryItem).where(RegistryItem.id > cached.last_id)).all()
        if cached.count + len(added) == count:  # only additions since: index them, keep the rest
            for item in added:
                cached.matcher.add(registry_document(item))
            cached.version, cached.count, cached.last_id = version, count, last_id
            return cached
    items = db.session.scalars(select(RegistryItem)).all()
    first = min((i.created_at for i in items), default=None)
    cached = _Cached(version, Matcher(registry_document(i) for i in items), count, last_id, first)
    _cache[key] = cached
    # The index is hundreds of thousands of long-lived objects: keep the cyclic collector from
    # walking them on every full collection (which otherwise shows as slow requests at p95).
    gc.freeze()
    return cached


def _unchanged_up_to(cached: "_Cached") -> bool:
    """The items the index holds are still those rows (not a restored or recreated registry)."""
    count, first, last = db.session.execute(
        select(func.count(RegistryItem.id), func.min(RegistryItem.created_at), func.max(RegistryItem.created_at))
        .where(RegistryItem.id <= cached.last_id)
    ).one()
    return (count, last) == (cached.count, cached.version[2]) and first == cached.first_change


def search_registry(title: str, body: str, limit: int, threshold: float) -> list[Match]:
    """The registry items most like a text, from the up-to-date index."""
    with _lock:
        return _current_index().matcher.search(title, body, limit=limit, threshold=threshold)


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
    """Registry items and other entries of the same contest that the entry likely repeats."""
    found = [
        Found(m, registry_item_id=int(m.id[1:]))
        for m in search_registry(entry.title, entry.body, limit=10, threshold=threshold)
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
            for m in peers.search(entry.title, entry.body, limit=10, threshold=threshold)
        ]
    return found


def similar_registry_items(title: str, body: str, limit: int = 5) -> list[tuple[RegistryItem, Match]]:
    """The applied initiatives most like a draft, for the participant's live suggestions."""
    matches = search_registry(title, body, limit=limit, threshold=0.0)
    items = {i.id: i for i in db.session.scalars(
        select(RegistryItem).where(RegistryItem.id.in_([int(m.id[1:]) for m in matches]))
    )}
    return [(items[int(m.id[1:])], m) for m in matches if int(m.id[1:]) in items]
