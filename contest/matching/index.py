"""Duplicate-initiative matcher: an inverted index over a registry, built once, searched per entry.

Features are diacritic-folded syllable unigrams and bigrams of the canonical text (normalize.py,
with synonyms and spelled-out numbers rewritten). Every feature has a FIXED weight — 1 for a
content word, the stop-word weight for filler, the geometric mean of its two words for a bigram —
so a score never depends on the registry's size or vocabulary (no IDF). Search = candidate
generation from the postings (rarest features first, under a fixed work budget) → exact
rescoring of the best candidates → one calibrated score 0–100.
"""

from __future__ import annotations

import heapq
import math
from array import array
from functools import lru_cache
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

from rapidfuzz import fuzz

from .normalize import Token, _safe_nfc, analyze

__all__ = ["Document", "Match", "Matcher", "DEFAULT_THRESHOLD", "explain", "highlight_spans", "calibrate"]


@dataclass(frozen=True)
class Document:
    """One text to compare: a registry initiative or a contest entry."""

    id: str  # opaque, e.g. "R001" or "entry:12"
    title: str
    body: str  # situation + solution + effect concatenated, or a registry summary


@dataclass(frozen=True)
class Match:
    """One registry item that looks like the query, with the evidence."""

    id: str
    score: float  # 0–100 calibrated; DEFAULT_THRESHOLD is the flag line
    title_score: float  # 0–100 similarity of the titles
    body_score: float  # 0–100 similarity of the bodies
    shared_phrases: tuple[str, ...]  # in the query's spelling, for highlighting


# --- scoring constants (fixed, see module docstring; tuned once on the dev set) -------------
# Raw similarity = F · (T + _T_FLOOR) ** _T_EXP, where F is the weighted Dice overlap of the
# whole texts and T that of the titles: the title names the core idea, so a body that copies the
# problem statement of another initiative but under a different title is held back.
_T_FLOOR = 0.05
_T_EXP = 0.25
# Beyond this ratio of sizes, the longer text's extra length no longer lowers the similarity.
_LENGTH_CAP = 1.5
# A shared word spelt with different marks on both sides ("bán"/"bạn") counts this much.
_ACCENT_MISMATCH = 0.6
# Calibration: score = 100 / (1 + exp(-(raw - _CAL_MID) / _CAL_SCALE)); the flag line is 50.
_CAL_MID = 0.305
_CAL_SCALE = 0.04
DEFAULT_THRESHOLD: float = 50.0

# Candidate generation: at most this many postings are read per query (rarest features first),
# so latency is bounded whatever the registry size; features so common that their postings
# exceed the cap are not used to find candidates (they still count when rescoring).
_POSTINGS_BUDGET = 60_000
_POSTINGS_CAP = 20_000
_CANDIDATES = 40
# Only features at least this heavy are indexed (stop-word features are for rescoring only).
_INDEX_MIN_WEIGHT = 0.3


def calibrate(raw: float) -> float:
    """Map a raw similarity (0–1) to the calibrated 0–100 score."""
    z = (raw - _CAL_MID) / _CAL_SCALE
    if z < -60:
        return 0.0
    return 100.0 / (1.0 + math.exp(-z))


# --- text analysis -----------------------------------------------------------------------


@dataclass(slots=True)
class _Analyzed:
    """Feature view of one text: folded feature → weight, plus accented spellings."""

    feats: dict[str, float]
    accented: dict[str, str]  # folded feature → accented spelling (first seen)
    marked: bool  # typed with diacritics, so accent disagreement is meaningful
    total: float


def _analyze(text: str) -> tuple[list[Token], _Analyzed]:
    """Tokens and features of a text."""
    toks = analyze(text, canonical=True)
    return toks, _features(toks)


def _features(toks: Sequence[Token]) -> _Analyzed:
    """Unigram and bigram features with fixed weights (max weight wins for repeats)."""
    feats: dict[str, float] = {}
    acc: dict[str, str] = {}
    nmarked = 0
    for t in toks:
        if t.text != t.folded:
            nmarked += 1
        k = t.folded
        if feats.get(k, -1.0) < t.weight:
            feats[k] = t.weight
            acc[k] = t.text
    for a, b in zip(toks, toks[1:]):
        k = a.folded + " " + b.folded
        w = math.sqrt(a.weight * b.weight)
        if feats.get(k, -1.0) < w:
            feats[k] = w
            acc[k] = a.text + " " + b.text
    letters = sum(1 for t in toks if not t.folded.isdigit())
    marked = letters > 0 and nmarked >= 0.15 * letters
    return _Analyzed(feats, acc, marked, sum(feats.values()))


def _merge(a: _Analyzed, b: _Analyzed) -> _Analyzed:
    """Union of two feature views (title + body = the whole text)."""
    feats = dict(b.feats)
    acc = dict(b.accented)
    for k, w in a.feats.items():
        if feats.get(k, -1.0) < w:
            feats[k] = w
            acc[k] = a.accented[k]
    return _Analyzed(feats, acc, a.marked or b.marked, sum(feats.values()))


def _overlap(q: _Analyzed, d: _Analyzed) -> float:
    """Weighted overlap; a word spelt with different marks on both sides counts less."""
    both_marked = q.marked and d.marked
    s = 0.0
    small, large = (q, d) if len(q.feats) <= len(d.feats) else (d, q)
    for k, w in small.feats.items():
        w2 = large.feats.get(k)
        if w2 is None:
            continue
        w = w if w < w2 else w2
        if both_marked:
            a, b = small.accented[k], large.accented[k]
            # Only when both spellings carry marks: a missing mark is a typo, not another word.
            if a != b and a != k and b != k:
                w *= _ACCENT_MISMATCH
        s += w
    return s


def _dice(q: _Analyzed, d: _Analyzed) -> float:
    """Weighted Dice coefficient in [0, 1], with each side's size capped at _LENGTH_CAP × the other's.

    A contest entry (situation + solution + effect, pages long) compared with a registry summary
    of three sentences must not look unrelated just because it is longer: beyond the cap the
    extra length stops counting, and the measure turns into containment of the shorter text.
    """
    qt, dt = q.total, d.total
    denom = min(qt, _LENGTH_CAP * dt) + min(dt, _LENGTH_CAP * qt)
    return min(1.0, 2.0 * _overlap(q, d) / denom) if denom > 0 else 0.0


def _title_fuzz(qt: Sequence[Token], dt: Sequence[Token]) -> float:
    """rapidfuzz similarity of the content words of two titles, robust to misspelt syllables.

    token_set_ratio is 100 whenever one word set contains the other (a short title inside a long
    one), so it is damped by the length ratio; token_sort_ratio needs no guard.
    """
    a = [t.folded for t in qt if t.weight >= 0.5]
    b = [t.folded for t in dt if t.weight >= 0.5]
    if not a or not b:
        return 0.0
    sa, sb = " ".join(a), " ".join(b)
    sort = fuzz.token_sort_ratio(sa, sb) / 100.0
    guard = min(len(a), len(b)) / max(len(a), len(b))
    tset = fuzz.token_set_ratio(sa, sb) / 100.0 * guard
    return max(sort, tset)


@dataclass(slots=True)
class _Entry:
    """What the index keeps per document."""

    doc: Document
    num: int  # internal number used in postings
    title: _Analyzed
    body: _Analyzed
    full: _Analyzed
    title_tokens: tuple[Token, ...]
    keys: tuple[int, ...]  # indexed feature ids, for removal


@dataclass(slots=True)
class _Query:
    """Analysed query."""

    title_tokens: list[Token]
    body_tokens: list[Token]
    title: _Analyzed
    body: _Analyzed
    full: _Analyzed


def _prepare_query(title: str, body: str) -> _Query:
    """Analyse a query once."""
    tt, ta = _analyze(title)
    bt, ba = _analyze(body)
    return _Query(tt, bt, ta, ba, _merge(ta, ba))


def _body_score(q: _Query, e: _Entry) -> float:
    """0–100 similarity of the bodies alone."""
    return round(100.0 * _dice(q.body, e.body), 1) if q.body.feats and e.body.feats else 0.0


def _score(q: _Query, e: _Entry) -> tuple[float, float]:
    """(calibrated score, title score) of a query against one entry."""
    full = _dice(q.full, e.full)
    title = _dice(q.title, e.title)
    tfuzz = _title_fuzz(q.title_tokens, e.title_tokens)
    if not q.body.feats or not e.body.feats:
        # One side has a title only: compare titles with titles (a title against a whole text
        # would always look unrelated), with rapidfuzz to forgive misspelt words.
        full = max(title, 0.9 * tfuzz)
    raw = full * (title + _T_FLOOR) ** _T_EXP
    tscore = 100.0 * max(title, 0.9 * tfuzz)
    return calibrate(raw), round(min(tscore, 100.0), 1)


class Matcher:
    """Index of documents (a registry) searched for near-duplicates of a new entry."""

    def __init__(self, documents: Iterable[Document] = ()) -> None:
        """Build the index once from the documents."""
        self._vocab: dict[str, int] = {}
        self._postings: list[array] = []
        self._entries: dict[str, _Entry] = {}
        self._by_num: dict[int, _Entry] = {}
        self._next = 0
        for doc in documents:
            self.add(doc)

    def __len__(self) -> int:
        """Number of documents in the index."""
        return len(self._entries)

    def __contains__(self, doc_id: object) -> bool:
        """True if a document with this id is indexed."""
        return doc_id in self._entries

    def __iter__(self) -> Iterator[Document]:
        """The indexed documents."""
        return (e.doc for e in self._entries.values())

    def add(self, doc: Document) -> None:
        """Index a document (replacing one with the same id)."""
        if doc.id in self._entries:
            self.remove(doc.id)
        tt, ta = _analyze(doc.title or "")
        _, ba = _analyze(doc.body or "")
        full = _merge(ta, ba)
        keys: list[int] = []
        num = self._next
        self._next += 1
        for k, w in full.feats.items():
            if w < _INDEX_MIN_WEIGHT:
                continue
            fid = self._vocab.get(k)
            if fid is None:
                fid = self._vocab[k] = len(self._postings)
                self._postings.append(array("l"))
            self._postings[fid].append(num)
            keys.append(fid)
        entry = _Entry(doc, num, ta, ba, full, tuple(tt), tuple(keys))
        self._entries[doc.id] = entry
        self._by_num[num] = entry

    def remove(self, doc_id: str) -> None:
        """Drop a document from the index (no error if absent)."""
        entry = self._entries.pop(doc_id, None)
        if entry is None:
            return
        del self._by_num[entry.num]
        for fid in entry.keys:
            plist = self._postings[fid]
            try:
                plist.remove(entry.num)
            except ValueError:  # pragma: no cover - index invariant
                pass

    def _candidates(self, q: _Query, exclude: set[str]) -> list[_Entry]:
        """Entries sharing the most (weighted) features with the query, rarest features first."""
        todo = []
        for k, w in q.full.feats.items():
            if w < _INDEX_MIN_WEIGHT:
                continue
            fid = self._vocab.get(k)
            if fid is None:
                continue
            plist = self._postings[fid]
            if 0 < len(plist) <= _POSTINGS_CAP:
                # Title words name the idea: let them count double when gathering candidates.
                todo.append((len(plist), k, w * (2.0 if k in q.title.feats else 1.0), plist))
        todo.sort(key=lambda x: (x[0], x[1]))
        acc: dict[int, float] = {}
        budget = _POSTINGS_BUDGET
        get = acc.get
        for n, _, w, plist in todo:
            if budget <= 0:
                break
            budget -= n
            for num in plist:
                acc[num] = get(num, 0.0) + w
        if not acc:
            return []
        by_num = self._by_num
        # Normalise by document size (Dice-like) so long bodies do not crowd out the real match.
        qtot = q.full.total
        scored = [(s / (qtot + by_num[num].full.total), num) for num, s in acc.items()]
        best = heapq.nlargest(_CANDIDATES + len(exclude), scored)
        out = []
        for _, num in best:
            e = by_num[num]
            if e.doc.id not in exclude:
                out.append(e)
        return out[:_CANDIDATES] if not exclude else out[: _CANDIDATES]

    def search(
        self,
        title: str,
        body: str = "",
        limit: int = 5,
        threshold: float = 0.0,
        exclude: Iterable[str] = (),
    ) -> list[Match]:
        """The best matches of an entry, score ≥ threshold, sorted by score (then id)."""
        if limit <= 0 or not self._entries:
            return []
        q = _prepare_query(title or "", body or "")
        excl = set(exclude)
        scored = []
        for e in self._candidates(q, excl):
            score, ts = _score(q, e)
            if score >= threshold:
                scored.append((score, e, ts))
        scored.sort(key=lambda x: (-x[0], x[1].doc.id))
        qtoks = _cached_tokens(_join(title, body))
        out = []
        for score, e, ts in scored[:limit]:
            phrases = _explain_tokens(qtoks, _cached_tokens(_join(e.doc.title, e.doc.body)))
            out.append(Match(e.doc.id, round(score, 2), ts, _body_score(q, e), phrases))
        return out

    def score_pair(self, title: str, body: str, doc_id: str) -> Match | None:
        """Score an entry against one indexed document directly (no candidate generation)."""
        e = self._entries.get(doc_id)
        if e is None:
            return None
        q = _prepare_query(title or "", body or "")
        score, ts = _score(q, e)
        return Match(doc_id, round(score, 2), ts, _body_score(q, e), explain(_join(title, body), _join(e.doc.title, e.doc.body)))


def _join(title: str, body: str) -> str:
    """Title and body as one text (a full stop keeps their words from forming a bigram)."""
    title = title or ""
    body = body or ""
    return f"{title}. {body}" if title and body else title or body


# --- explanation and highlighting ---------------------------------------------------------


def _is_salient(t: Token) -> bool:
    """A single shared word worth showing on its own: a content word that is not a plain syllable."""
    if t.weight < 1.0:
        return False
    f = t.folded
    return (f.isdigit() and len(f) >= 2) or len(f) >= 5 or (not f.isdigit() and any(c.isdigit() for c in f))


def _adjacent(src: str, a: Token, b: Token) -> bool:
    """True when two tokens belong to one phrase: only spaces between them (or one expanded word)."""
    return a.start == b.start or (b.start >= a.end and not src[a.end : b.start].strip())


def _shared_runs(
    src: str, qt: Sequence[Token], osrc: str, other: Sequence[Token]
) -> list[tuple[int, int]]:
    """Maximal token runs [i, j) of the query shared with the other text (runs of ≥2, or salient words).

    Runs never cross punctuation on either side, so a phrase is something a reader sees as one.
    """
    words = {t.folded for t in other}
    bigrams = {a.folded + " " + b.folded for a, b in zip(other, other[1:]) if _adjacent(osrc, a, b)}
    runs: list[tuple[int, int]] = []
    i = 0
    n = len(qt)
    while i < n:
        if qt[i].folded not in words:
            i += 1
            continue
        j = i + 1
        while j < n and _adjacent(src, qt[j - 1], qt[j]) and qt[j - 1].folded + " " + qt[j].folded in bigrams:
            j += 1
        # trim stop words at the edges: "của hồ sơ" → "hồ sơ"
        a, b = i, j
        while a < b and qt[a].weight < 0.5:
            a += 1
        while b > a and qt[b - 1].weight < 0.5:
            b -= 1
        if b - a >= 2 or (b - a == 1 and _is_salient(qt[a])):
            # an expanded abbreviation is one word on screen: require two source words or salience
            if qt[a].start != qt[b - 1].start or _is_salient(qt[a]) or b - a >= 2:
                runs.append((a, b))
        i = j
    return runs


@lru_cache(maxsize=2048)
def _cached_tokens(text: str) -> tuple[str, tuple[Token, ...]]:
    """NFC text and its canonical tokens (cached: the same registry texts are explained often)."""
    src = _safe_nfc(text)
    return src, tuple(analyze(src, canonical=True))


def _explain_tokens(query: tuple[str, tuple[Token, ...]], other: tuple[str, tuple[Token, ...]]) -> tuple[str, ...]:
    """explain() on analysed texts."""
    src, qt = query
    osrc, ot = other
    seen: set[str] = set()
    found: list[tuple[int, int, str]] = []
    for a, b in _shared_runs(src, qt, osrc, ot):
        start, end = qt[a].start, qt[b - 1].end
        if end <= start:
            continue
        phrase = src[start:end].strip()
        key = " ".join(t.folded for t in qt[a:b])
        if phrase and key not in seen:
            seen.add(key)
            found.append((b - a, start, phrase))
    found.sort(key=lambda x: (-x[0], x[1]))
    return tuple(p for _, _, p in found)


def explain(query_text: str, other_text: str) -> tuple[str, ...]:
    """Phrases the two texts share, in the query's original spelling, longest first, no repeats."""
    return _explain_tokens(_cached_tokens(query_text or ""), _cached_tokens(other_text or ""))


def highlight_spans(text: str, phrases: Iterable[str]) -> list[tuple[str, bool]]:
    """Split text into (segment, is_shared) pieces covering it exactly (after NFC).

    Phrases are matched on the normalised words, so a phrase found in one spelling is marked in
    any other ("thủ tục" marks "THỦ TỤC", "thu tuc", "TTHC"). Segments are plain text: a template
    escapes each and wraps the shared ones in <mark>.
    """
    src = _safe_nfc(text)
    if not src:
        return []
    toks = analyze(src, canonical=True)
    pats = []
    for p in phrases:
        key = tuple(t.folded for t in analyze(p, canonical=True))
        if key:
            pats.append(key)
    pats.sort(key=len, reverse=True)
    marked = [False] * len(src)
    folded = [t.folded for t in toks]
    for key in pats:
        m = len(key)
        for i in range(len(folded) - m + 1):
            if tuple(folded[i : i + m]) == key and all(
                _adjacent(src, toks[k], toks[k + 1]) for k in range(i, i + m - 1)
            ):
                for c in range(toks[i].start, toks[i + m - 1].end):
                    marked[c] = True
    # Join marks across the whitespace/punctuation between two marked words of one phrase.
    out: list[tuple[str, bool]] = []
    start = 0
    for i in range(1, len(src) + 1):
        if i == len(src) or marked[i] != marked[start]:
            out.append((src[start:i], marked[start]))
            start = i
    return out
