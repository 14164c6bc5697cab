"""Duplicate-initiative matcher: an inverted index over a registry, built once, searched per entry.

Features are diacritic-folded syllable unigrams and bigrams of the canonical text (normalize.py,
with synonyms and spelled-out numbers rewritten). Every feature has a FIXED weight — 1 for a
content word, the stop-word weight for filler, the geometric mean of its two words for a bigram —
so a score never depends on the registry's size or vocabulary (no IDF). Search = candidate
generation from the postings (rarest features first, under a fixed work budget) → exact
rescoring of the best candidates → one calibrated score 0–100.
"""

from __future__ import annotations

import hashlib
import math
import zlib
from array import array
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Callable, Iterable, Iterator, NamedTuple, Sequence

from rapidfuzz import fuzz

from .normalize import Token, _safe_nfc, analyze

__all__ = ["Document", "Match", "Matcher", "DEFAULT_THRESHOLD", "explain", "highlight_spans", "calibrate", "fingerprint"]


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
# whole texts and T the similarity of the titles (word overlap averaged with rapidfuzz): the
# title names the core idea, so a body that copies the problem statement of another initiative
# under a different title is held back, while a reworded body under a close title still counts.
_T_FLOOR = 0.05
_T_EXP = 0.75
# A title alone is weaker evidence than a whole text: title-only comparisons are scaled by this
# (checked on the dev set with the registry reduced to its titles; 0.7 when _CAL_MID was 0.27,
# scaled with it so that a title-only comparison keeps the same flag line).
_TITLE_ONLY = 0.6
# Beyond this ratio of sizes, the longer text's extra length no longer lowers the similarity.
_LENGTH_CAP = 1.5
# A shared word spelt with different marks on both sides ("bán"/"bạn") counts this much.
_ACCENT_MISMATCH = 0.6
# The whole-text similarity F blends the weighted Dice overlap with a rapidfuzz score of the
# bodies' content words (token_set_ratio, which forgives reworded and reordered sentences and
# misspelt syllables). token_set_ratio is 100 whenever one word set contains the other, so it is
# damped by the ratio of the distinct word counts, forgiven up to _BODY_FUZZ_LENGTH_CAP (a long
# entry that repeats itself or adds a little is not a different text). Unrelated Vietnamese bodies
# already score about 0.5–0.6 on it, so only the part above _BODY_FUZZ_FLOOR counts, rescaled to 0–1.
_BODY_FUZZ_WEIGHT = 0.3
_BODY_FUZZ_FLOOR = 0.65
_BODY_FUZZ_LENGTH_CAP = 1.2
# Calibration: score = 100 / (1 + exp(-(raw - _CAL_MID) / _CAL_SCALE)); the flag line is 50.
_CAL_MID = 0.23
_CAL_SCALE = 0.05
DEFAULT_THRESHOLD: float = 50.0

# Candidate generation: at most this many postings are read per query (rarest features first,
# title features counted twice), so latency is bounded whatever the registry size; features so
# common that their postings exceed the cap are not used to find candidates (they still count
# when rescoring).
_POSTINGS_BUDGET = 30_000
_POSTINGS_CAP = 20_000
_PRESELECT = 200  # best raw counts kept before normalising by document size
_CANDIDATES = 24  # rescored exactly
# Only features at least this heavy are indexed (stop-word features are for rescoring only).
_INDEX_MIN_WEIGHT = 0.3
_INDEX_MIN_Q = int(round(_INDEX_MIN_WEIGHT * 200))  # the same in stored units (weights × 200)


def calibrate(raw: float) -> float:
    """Map a raw similarity (0–1) to the calibrated 0–100 score."""
    z = (raw - _CAL_MID) / _CAL_SCALE
    if z < -60:
        return 0.0
    return 100.0 / (1.0 + math.exp(-z))


# --- text analysis -----------------------------------------------------------------------

# Weights are stored as integers in 0.._WQ (one byte per feature in the index).
_WQ = 200
_FeatMap = dict  # feature id → (quantised weight, crc32 of the accented spelling or 0 if unmarked)


@dataclass(slots=True)
class _Text:
    """Features of one analysed text, keyed by folded feature string."""

    feats: dict[str, tuple[int, int]]
    marked: bool  # typed with diacritics, so accent disagreement is meaningful
    total: float
    content: str  # folded content words, for rapidfuzz
    ncontent: int
    ndistinct: int  # distinct content words (the size token_set_ratio sees)


def _features(toks: Sequence[Token]) -> _Text:
    """Unigram and bigram features with fixed weights (max weight wins for repeats)."""
    feats: dict[str, tuple[int, int]] = {}
    nmarked = 0
    letters = 0
    content = []
    for t in toks:
        f = t.folded
        if not f.isdigit():
            letters += 1
            if t.text != f:
                nmarked += 1
        if t.weight >= 0.5:
            content.append(f)
        w = int(round(t.weight * _WQ))
        old = feats.get(f)
        if old is None or old[0] < w:
            feats[f] = (w, 0 if t.text == f else zlib.crc32(t.text.encode("utf-8")))
    for a, b in zip(toks, toks[1:]):
        k = a.folded + " " + b.folded
        w = int(round(math.sqrt(a.weight * b.weight) * _WQ))
        old = feats.get(k)
        if old is None or old[0] < w:
            acc = a.text + " " + b.text
            feats[k] = (w, 0 if acc == k else zlib.crc32(acc.encode("utf-8")))
    marked = letters > 0 and nmarked >= 0.15 * letters
    total = sum(v[0] for v in feats.values()) / _WQ
    return _Text(feats, marked, total, " ".join(content), len(content), len(set(content)))


def _merge_maps(a: dict, b: dict) -> dict:
    """Union of two feature maps, the heavier weight winning (title + body = the whole text)."""
    out = dict(b)
    for k, v in a.items():
        old = out.get(k)
        if old is None or old[0] < v[0]:
            out[k] = v
    return out


def _overlap(q: dict, d: dict, both_marked: bool) -> float:
    """Weighted overlap; a word spelt with different marks on both sides counts less."""
    s = 0.0
    for k in q.keys() & d.keys():
        wq, aq = q[k]
        wd, ad = d[k]
        w = wq if wq < wd else wd
        # Only when both spellings carry marks: a missing mark is a typo, not another word.
        if both_marked and aq != ad and aq and ad:
            w *= _ACCENT_MISMATCH
        s += w
    return s / _WQ


def _dice(overlap: float, qt: float, dt: float) -> float:
    """Weighted Dice coefficient in [0, 1], with each side's size capped at _LENGTH_CAP × the other's.

    A contest entry (situation + solution + effect, pages long) compared with a registry summary
    of three sentences must not look unrelated just because it is longer: beyond the cap the
    extra length stops counting, and the measure turns into containment of the shorter text.
    """
    denom = min(qt, _LENGTH_CAP * dt) + min(dt, _LENGTH_CAP * qt)
    return min(1.0, 2.0 * overlap / denom) if denom > 0 else 0.0


def _title_fuzz(a: str, na: int, b: str, nb: int) -> float:
    """rapidfuzz similarity of the content words of two titles, robust to misspelt syllables.

    token_set_ratio is 100 whenever one word set contains the other (a short title inside a long
    one), so it is damped by the length ratio; token_sort_ratio needs no guard.
    """
    if not na or not nb:
        return 0.0
    sort = fuzz.token_sort_ratio(a, b) / 100.0
    tset = fuzz.token_set_ratio(a, b) / 100.0 * (min(na, nb) / max(na, nb))
    return max(sort, tset)


def _body_fuzz(a: str, na: int, b: str, nb: int) -> float:
    """rapidfuzz similarity of the content words of two bodies (na, nb: their distinct word
    counts), 0–1, guarded and floored.

    token_set_ratio is 100 whenever one word set contains the other, so it is damped by the
    ratio of the distinct word counts (a three-word body inside a long one is no evidence of a
    copy), forgiven up to _BODY_FUZZ_LENGTH_CAP.
    """
    if not na or not nb:
        return 0.0
    guard = min(1.0, _BODY_FUZZ_LENGTH_CAP * min(na, nb) / max(na, nb))
    tset = fuzz.token_set_ratio(a, b) / 100.0 * guard
    return max(0.0, (tset - _BODY_FUZZ_FLOOR) / (1.0 - _BODY_FUZZ_FLOOR))


class _Entry(NamedTuple):
    """What the index keeps per document: compact arrays, rebuilt into maps when rescored.

    A tuple of strings, numbers and arrays only, so the garbage collector can stop tracking it:
    a 100,000-item index then adds nothing to the cost of a full collection.
    """

    id: str
    title: str
    body: str
    num: int  # internal number used in postings
    t_ids: array  # title features
    t_w: bytes
    t_acc: array | None  # None when the text was typed without marks
    f_ids: array  # features of the whole text (title ∪ body)
    f_w: bytes
    f_acc: array | None
    t_total: float
    b_total: float
    f_total: float
    marked: bool
    t_content: str
    t_n: int
    b_content: str  # folded content words of the body, for rapidfuzz
    b_n: int  # its distinct words

    def title_map(self) -> dict:
        """Title features: id → (weight, accent hash)."""
        return _unpack(self.t_ids, self.t_w, self.t_acc)

    def full_map(self) -> dict:
        """Whole-text features: id → (weight, accent hash)."""
        return _unpack(self.f_ids, self.f_w, self.f_acc)


def _unpack(ids: array, wts: bytes, acc: array | None) -> dict:
    """Feature map from the stored arrays."""
    if acc is None:
        return {i: (w, 0) for i, w in zip(ids, wts)}
    return dict(zip(ids, zip(wts, acc)))


@dataclass(slots=True)
class _Query:
    """Analysed query, its features mapped onto the index vocabulary."""

    title: _Text
    body: _Text
    t_map: dict
    b_map: dict
    f_map: dict
    f_total: float
    marked: bool


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """A digest of what an index is made from: the matcher's code and its word lists.

    An index kept on disk is only reused by a matcher with the same fingerprint.
    """
    digest = hashlib.sha256()
    package = resources.files(__package__)
    for name in ("index.py", "normalize.py", "abbreviations.txt", "stopwords.txt", "synonyms.txt"):
        digest.update(name.encode() + b"\0" + package.joinpath(name).read_bytes())
    return digest.hexdigest()[:16]


class Matcher:
    """Index of documents (a registry) searched for near-duplicates of a new entry."""

    def __init__(self, documents: Iterable[Document] = ()) -> None:
        """Build the index once from the documents."""
        self._vocab: dict[str, int] = {}
        self._postings: list[array] = []
        self._entries: dict[str, _Entry] = {}
        self._by_num: dict[int, _Entry] = {}
        self._nidx: list[int] = []  # per internal number: how many features it has in the postings
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
        return (Document(e.id, e.title, e.body) for e in self._entries.values())

    def _ids(self, feats: dict[str, tuple[int, int]]) -> tuple[array, bytes, array]:
        """Intern features into the vocabulary; return (ids, weights, accent hashes)."""
        vocab = self._vocab
        ids = array("I")
        wts = bytearray()
        acc = array("I")
        for k, (w, h) in feats.items():
            fid = vocab.get(k)
            if fid is None:
                fid = vocab[k] = len(self._postings)
                self._postings.append(array("I"))
            ids.append(fid)
            wts.append(w)
            acc.append(h)
        return ids, bytes(wts), acc

    def add(self, doc: Document) -> None:
        """Index a document (replacing one with the same id)."""
        if doc.id in self._entries:
            self.remove(doc.id)
        t = _features(analyze(doc.title or "", canonical=True))
        b = _features(analyze(doc.body or "", canonical=True))
        full = _merge_maps(t.feats, b.feats)
        t_ids, t_w, t_acc = self._ids(t.feats)
        f_ids, f_w, f_acc = self._ids(full)
        marked = t.marked or b.marked
        num = len(self._nidx)
        indexed = 0
        postings = self._postings
        for fid, w in zip(f_ids, f_w):
            if w >= _INDEX_MIN_Q:
                postings[fid].append(num)
                indexed += 1
        self._nidx.append(indexed)
        entry = _Entry(
            str(doc.id), doc.title or "", doc.body or "", num,
            t_ids, t_w, t_acc if marked else None, f_ids, f_w, f_acc if marked else None,
            t.total, b.total, sum(v[0] for v in full.values()) / _WQ, marked, t.content, t.ncontent,
            b.content, b.ndistinct,
        )
        self._entries[doc.id] = entry
        self._by_num[num] = entry

    def remove(self, doc_id: str) -> None:
        """Drop a document from the index (no error if absent)."""
        entry = self._entries.pop(doc_id, None)
        if entry is None:
            return
        del self._by_num[entry.num]
        self._nidx[entry.num] = 0
        for fid, w in zip(entry.f_ids, entry.f_w):
            if w >= _INDEX_MIN_Q:
                try:
                    self._postings[fid].remove(entry.num)
                except ValueError:  # pragma: no cover - index invariant
                    pass

    def _query(self, title: str, body: str) -> tuple[_Query, tuple[str, tuple[Token, ...]]]:
        """Analyse a query once (features for scoring, tokens for the evidence)."""
        analysed = _cached_tokens(_join(title, body))
        t_toks, b_toks = _split_title(analysed, title)
        t = _features(t_toks)
        b = _features(b_toks)
        vocab = self._vocab
        t_map = {vocab[k]: v for k, v in t.feats.items() if k in vocab}
        b_map = {vocab[k]: v for k, v in b.feats.items() if k in vocab}
        full_keys = _merge_maps(t.feats, b.feats)
        f_total = sum(v[0] for v in full_keys.values()) / _WQ
        q = _Query(t, b, t_map, b_map, _merge_maps(t_map, b_map), f_total, t.marked or b.marked)
        return q, analysed

    def _candidates(self, q: _Query, exclude: set[str]) -> list[_Entry]:
        """Entries sharing the most features with the query, rarest features first, bounded work."""
        todo = []
        postings = self._postings
        for fid, (w, _) in q.f_map.items():
            if w < _INDEX_MIN_Q:
                continue
            plist = postings[fid]
            n = len(plist)
            if 0 < n <= _POSTINGS_CAP:
                todo.append((n, fid, plist))
        todo.sort(key=lambda x: (x[0], x[1]))
        counts: Counter[int] = Counter()
        budget = _POSTINGS_BUDGET
        t_map = q.t_map
        for n, fid, plist in todo:
            if budget <= 0:
                break
            counts.update(plist)  # counted in C
            budget -= n
            if fid in t_map:
                counts.update(plist)  # title words name the idea: they count double here
                budget -= n
        if not counts:
            return []
        # Keep the documents with the highest counts (at least _PRESELECT of them, ties included):
        # a histogram of the counts, built in C, gives the cut-off without sorting every document.
        hist = Counter(counts.values())
        kept = 0
        cutoff = 0
        for c in sorted(hist, reverse=True):
            kept += hist[c]
            cutoff = c
            if kept >= _PRESELECT:
                break
        top = [(num, c) for num, c in counts.items() if c >= cutoff]
        # Normalise by document size (Dice-like) so long bodies do not crowd out the real match.
        qn = sum(1 for w, _ in q.f_map.values() if w >= _INDEX_MIN_Q) + sum(
            1 for w, _ in q.t_map.values() if w >= _INDEX_MIN_Q
        )
        nidx = self._nidx
        by_num = self._by_num
        scored = sorted(
            ((c / (qn + nidx[num]), by_num[num].id, num) for num, c in top),
            key=lambda x: (-x[0], x[1]),
        )
        out = []
        for _, doc_id, num in scored:
            if doc_id in exclude:
                continue
            out.append(by_num[num])
            if len(out) >= _CANDIDATES:
                break
        return out

    def _score(self, q: _Query, e: _Entry) -> tuple[float, float]:
        """(calibrated score, title score) of a query against an entry."""
        both = q.marked and e.marked
        title = _dice(_overlap(q.t_map, e.title_map(), both), q.title.total, e.t_total)
        tfuzz = _title_fuzz(q.title.content, q.title.ncontent, e.t_content, e.t_n)
        # Title similarity: word overlap averaged with rapidfuzz (which forgives misspelt words).
        tsim = 0.5 * (title + tfuzz)
        if not q.body.feats or e.b_total <= 0:
            # One side has a title only (a registry kept as a list of titles): titles are compared
            # with titles, since a title against a whole text would always look unrelated.
            full = _TITLE_ONLY * tsim
        else:
            full = _dice(_overlap(q.f_map, e.full_map(), both), q.f_total, e.f_total)
            bfuzz = _body_fuzz(q.body.content, q.body.ndistinct, e.b_content, e.b_n)
            full = (1.0 - _BODY_FUZZ_WEIGHT) * full + _BODY_FUZZ_WEIGHT * bfuzz
        raw = full * (tsim + _T_FLOOR) ** _T_EXP
        return calibrate(raw), round(min(100.0 * tsim, 100.0), 1)

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
        title = title or ""
        body = body or ""
        q, qtoks = self._query(title, body)
        excl = set(exclude)
        scored = []
        for e in self._candidates(q, excl):
            score, ts = self._score(q, e)
            if score >= threshold:
                scored.append((score, e.id, e, ts))
        scored.sort(key=lambda x: (-x[0], x[1]))
        return [self._match(q, qtoks, e, score, ts) for score, _, e, ts in scored[:limit]]

    def _match(self, q: _Query, qtoks: tuple[str, tuple[Token, ...]], e: _Entry, score: float, ts: float) -> Match:
        """A Match with its evidence, from the stored features (the registry text is not re-analysed)."""
        fmap = e.full_map()
        vocab = self._vocab

        def has(key: str) -> bool:
            fid = vocab.get(key)
            return fid is not None and fid in fmap

        phrases = _phrases(qtoks, _shared_runs(qtoks[0], qtoks[1], has))
        body = 0.0
        if q.b_map and e.b_total > 0:
            # the registry side is its whole text (title words included), sized as its body
            body = 100.0 * _dice(_overlap(q.b_map, fmap, q.marked and e.marked), q.body.total, e.b_total)
        return Match(e.id, round(score, 2), ts, round(min(body, 100.0), 1), phrases)

    def score_pair(self, title: str, body: str, doc_id: str) -> Match | None:
        """Score an entry against one indexed document directly (no candidate generation)."""
        e = self._entries.get(doc_id)
        if e is None:
            return None
        q, qtoks = self._query(title or "", body or "")
        score, ts = self._score(q, e)
        return self._match(q, qtoks, e, score, ts)


def _split_title(analysed: tuple[str, tuple[Token, ...]], title: str) -> tuple[list[Token], list[Token]]:
    """Tokens of _join(title, body) split back into the title's and the body's."""
    cut = len(_safe_nfc(title))
    toks = analysed[1]
    t = [x for x in toks if x.start < cut]
    b = [x for x in toks if x.start >= cut]
    return t, b


def _join(title: str, body: str) -> str:
    """Title and body as one text (a full stop keeps their words from forming one phrase)."""
    title = title or ""
    body = body or ""
    return f"{title}. {body}" if body else title


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


def _shared_runs(src: str, qt: Sequence[Token], has: Callable[[str], bool]) -> list[tuple[int, int]]:
    """Maximal token runs [i, j) of the query shared with the other text (runs of ≥2, or salient words).

    ``has(key)`` tells whether the other text contains a folded word or a "word word" bigram.
    Runs never cross punctuation in the query, so a phrase is something a reader sees as one.
    """
    runs: list[tuple[int, int]] = []
    i = 0
    n = len(qt)
    while i < n:
        if not has(qt[i].folded):
            i += 1
            continue
        j = i + 1
        while j < n and _adjacent(src, qt[j - 1], qt[j]) and has(qt[j - 1].folded + " " + qt[j].folded):
            j += 1
        # trim stop words at the edges: "của hồ sơ" → "hồ sơ"
        a, b = i, j
        while a < b and qt[a].weight < 0.5:
            a += 1
        while b > a and qt[b - 1].weight < 0.5:
            b -= 1
        if b - a >= 2 or (b - a == 1 and _is_salient(qt[a])):
            runs.append((a, b))
        i = j
    return runs


@lru_cache(maxsize=2048)
def _cached_tokens(text: str) -> tuple[str, tuple[Token, ...]]:
    """NFC text and its canonical tokens (cached: the same texts are explained often)."""
    src = _safe_nfc(text)
    return src, tuple(analyze(src, canonical=True))


def _phrases(query: tuple[str, tuple[Token, ...]], runs: list[tuple[int, int]]) -> tuple[str, ...]:
    """The runs as phrases in the query's spelling, longest first, no repeats."""
    src, qt = query
    seen: set[str] = set()
    found: list[tuple[int, int, str]] = []
    for a, b in runs:
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
    query = _cached_tokens(query_text or "")
    osrc, ot = _cached_tokens(other_text or "")
    keys = {t.folded for t in ot}
    keys.update(a.folded + " " + b.folded for a, b in zip(ot, ot[1:]) if _adjacent(osrc, a, b))
    return _phrases(query, _shared_runs(query[0], query[1], keys.__contains__))


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
