"""The bridge between the database and the pure matcher: build indexes, find matches."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import func, select

from .db import db
from .matching import DEFAULT_THRESHOLD, Document, Match, Matcher
from .models import EXCLUDED, SUBMITTED, Contest, Entry, RegistryItem

_lock = threading.Lock()
_cache: dict[str, tuple[tuple, Matcher]] = {}


def registry_document(item: RegistryItem) -> Document:
    """A registry item as the matcher sees it."""
    return Document(id=f"R{item.id}", title=item.title, body=item.summary)


def entry_document(entry: Entry) -> Document:
    """An entry as the matcher sees it."""
    return Document(id=f"E{entry.id}", title=entry.title, body=entry.body)


def _registry_version() -> tuple:
    """What identifies the registry's content cheaply: count, last id, last change."""
    row = db.session.execute(
        select(func.count(RegistryItem.id), func.max(RegistryItem.id), func.max(RegistryItem.created_at))
    ).one()
    return (str(db.engine.url), *row)


def registry_matcher() -> Matcher:
    """The registry's index, rebuilt when the registry has changed since it was built."""
    version = _registry_version()
    key = str(db.engine.url)
    with _lock:
        cached = _cache.get(key)
        if cached and cached[0] == version:
            return cached[1]
    items = db.session.scalars(select(RegistryItem)).all()
    matcher = Matcher(registry_document(i) for i in items)
    with _lock:
        _cache[key] = (version, matcher)
    return matcher


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
        for m in registry_matcher().search(entry.title, entry.body, limit=10, threshold=threshold)
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
    matches = registry_matcher().search(title, body, limit=limit, threshold=0.0)
    items = {i.id: i for i in db.session.scalars(
        select(RegistryItem).where(RegistryItem.id.in_([int(m.id[1:]) for m in matches]))
    )}
    return [(items[int(m.id[1:])], m) for m in matches if int(m.id[1:]) in items]
