"""The one normaliser of Vietnamese text used by everything in contest.matching that compares text.

Pipeline: NFC (NFD input would split words) → words (punctuation separates them) → domain
abbreviations expanded ("UBND" → "ủy ban nhân dân", abbreviations.txt) → lower case → tone
mark moved to one canonical vowel (so "hoà"/"hòa", "thuỷ"/"thủy" agree). ``fold`` drops every
mark (đ → d) for diacritics-insensitive comparison; ``analyze`` keeps both forms per token so
that agreement of marks can count when both texts were typed with them, and gives each token
its stop-word weight (stopwords.txt). ``analyze(text, canonical=True)`` adds the matcher's
layer: spelled-out numbers to digits and synonyms to one wording (synonyms.txt).
All functions are idempotent on their output and never raise, whatever the Unicode input.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

__all__ = [
    "Token",
    "normalize",
    "fold",
    "fold_token",
    "tokens",
    "analyze",
    "stop_weight",
    "has_diacritics",
    "abbreviations",
]

# Combining tone marks (the five Vietnamese tones other than "ngang").
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
# Combining marks that change the vowel itself (â ê ô / ă / ơ ư); they stay put.
_QUALITY = {"\u0302", "\u0306", "\u031b"}
_VOWELS = set("aeiouy")
# Anything that is not a letter, digit or combining mark separates words.
# Combining marks are kept inside words (an uncomposable mark must not split a word in two).
_WORD_RE = re.compile(
    r"[^\W_](?:[^\W_]|[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f])*", re.UNICODE
)


def _split_marks(word: str) -> tuple[list[str], list[set[str]], str | None, int]:
    """Decompose a word into base letters, their quality marks, its tone mark and the tone count."""
    bases: list[str] = []
    marks: list[set[str]] = []
    tone: str | None = None
    ntones = 0
    for ch in unicodedata.normalize("NFD", word):
        if unicodedata.combining(ch):
            if not bases:
                continue  # a stray mark at the start of a word: drop it
            if ch in _TONES:
                ntones += 1
                tone = ch
            else:
                marks[-1].add(ch)
        else:
            bases.append(ch)
            marks.append(set())
    return bases, marks, tone, ntones


def _tone_position(bases: list[str], marks: list[set[str]]) -> int | None:
    """Index of the vowel that carries the tone in the canonical (classic, "hòa") placement."""
    low = [b.lower() for b in bases]
    n = len(low)
    i = 0
    # Skip the initial consonant cluster; "qu" and "gi" (before another vowel) are onsets.
    while i < n and low[i] not in _VOWELS:
        i += 1
    if i >= n:
        return None
    if i > 0 and low[i - 1] == "q" and low[i] == "u":
        i += 1
    elif i > 0 and low[i - 1] == "g" and low[i] == "i" and i + 1 < n and low[i + 1] in _VOWELS:
        i += 1
    j = i
    while j < n and low[j] in _VOWELS:
        j += 1
    nucleus = list(range(i, j))
    if not nucleus:
        return None
    if j < n and not low[j].isalpha():
        return None  # digits inside the word: not a syllable
    quality = [k for k in nucleus if marks[k] & _QUALITY]
    if quality:
        return quality[-1]  # ươ → ơ, iê → ê, uô → ô, ưa → ư
    if j < n:
        return nucleus[-1]  # closed syllable: toàn, hoạch, huỳnh
    if len(nucleus) == 1:
        return nucleus[0]
    if len(nucleus) == 2:
        return nucleus[0]  # open: hòa, thủy, khỏe, mùa, mía, tài
    return nucleus[1]  # ngoài, xoáy, khuỷu


def _is_latin(ch: str) -> bool:
    """Latin letters, including the Vietnamese precomposed block."""
    o = ord(ch)
    return o < 0x250 or 0x1E00 <= o <= 0x1EFF


@lru_cache(maxsize=262144)
def _canon_tone(word: str) -> str:
    """Move the tone mark of a Vietnamese syllable to its canonical vowel; other words only get NFC."""
    if word.isascii():
        return word
    bases, marks, tone, ntones = _split_marks(word)
    if ntones != 1 or not all(_is_latin(b) for b in bases):
        return _retoken(unicodedata.normalize("NFC", word))
    pos = _tone_position(bases, marks)
    if pos is None:
        return _retoken(unicodedata.normalize("NFC", word))
    out = []
    for k, (b, m) in enumerate(zip(bases, marks)):
        out.append(b + "".join(sorted(m)) + (tone if k == pos else ""))
    return _retoken(unicodedata.normalize("NFC", "".join(out)))


def _retoken(word: str) -> str:
    """Re-split a transformed word so that output only holds characters the tokenizer keeps (idempotence)."""
    parts = _WORD_RE.findall(word)
    return parts[0] if len(parts) == 1 and parts[0] == word else " ".join(parts)


@lru_cache(maxsize=262144)
def _fold_chars(s: str) -> str:
    """Drop every combining mark and map đ to d (NFKD alone keeps đ)."""
    if s.isascii():
        return s
    s = s.replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in unicodedata.normalize("NFD", s) if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def abbreviations() -> dict[str, tuple[str, bool]]:
    """Abbreviation table: folded upper-case key → (expansion, case_sensitive), from abbreviations.txt."""
    table: dict[str, tuple[str, bool]] = {}
    text = resources.files(__package__).joinpath("abbreviations.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, expansion = line.partition("=")
        key = key.strip()
        case_sensitive = key.startswith("!")
        key = key.lstrip("!").strip()
        words = [_canon_tone(w) for w in _WORD_RE.findall(unicodedata.normalize("NFC", expansion).lower())]
        # Keys are stored folded so that "HĐND" and "HDND" (typed without đ) both hit.
        table[_fold_chars(key).upper()] = (" ".join(words), case_sensitive)
    return table


@lru_cache(maxsize=1)
def _stop_table() -> tuple[dict[tuple[str, ...], list[tuple[tuple[str, ...], float]]], int]:
    """Stop phrases keyed by folded words → [(accented words, weight)], and the longest length."""
    table: dict[tuple[str, ...], list[tuple[tuple[str, ...], float]]] = {}
    text = resources.files(__package__).joinpath("stopwords.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        weight = 0.2
        try:
            weight = float(parts[-1])
            parts = parts[:-1]
        except ValueError:
            pass
        if parts:
            key, acc = _phrase_key(" ".join(parts))
            if key:
                table.setdefault(key, []).append((acc, weight))
    longest = max((len(k) for k in table), default=1)
    return table, longest


class Token(NamedTuple):
    """One normalised word: accented form, folded form, its weight and its span in the source."""

    text: str  # accented, canonical tone, lower case
    folded: str  # no marks, đ → d
    weight: float  # 1.0 for content words, lower for stop words
    start: int  # character span in the NFC source text this token came from
    end: int


def _raw_words(text: str) -> list[tuple[str, int, int]]:
    """Words of the NFC text with their spans (punctuation separates words)."""
    return [(m.group(0), m.start(), m.end()) for m in _WORD_RE.finditer(text)]


def _expand(words: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Lower-case and canonicalise words, expanding abbreviations (each part keeps the source span)."""
    table = abbreviations()
    out: list[tuple[str, int, int]] = []
    for word, start, end in words:
        key = _fold_chars(word).upper()
        hit = table.get(key)
        if hit is not None and len(word) >= 2:
            expansion, case_sensitive = hit
            if not case_sensitive or word.isupper():
                for part in expansion.split():
                    out.append((part, start, end))
                continue
        for part in _canon_tone(word.lower()).split():
            out.append((part, start, end))
    return out


def _safe_nfc(text: object) -> str:
    """NFC of any input, never raising (None and non-str become text, lone surrogates dropped)."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    try:
        return unicodedata.normalize("NFC", text)
    except Exception:  # pragma: no cover - defensive: unicodedata handles all str
        return text.encode("utf-8", "ignore").decode("utf-8", "ignore")


def analyze(text: str, canonical: bool = False) -> list[Token]:
    """Normalised tokens with folded form, stop-word weight and source span.

    With ``canonical`` the matcher's extra layer is applied too: spelled-out numbers become
    digits and synonyms (synonyms.txt) are rewritten to one wording, so paraphrases compare equal.
    """
    nfc = _safe_nfc(text)
    # Some abbreviations contain "-" or "&" (KT-XH, TN&TKQ): join them before splitting on punctuation.
    words = _raw_words(nfc)
    words = _join_compound_abbrevs(nfc, words)
    expanded = [(w, f, s, e) for w, s, e in _expand(words) if (f := _fold_chars(w))]
    # judged on the words as typed (an expanded "UBND" must not make a markless text look marked)
    strict = _typed_with_marks([(w.lower(), _fold_chars(w.lower()), s, e) for w, s, e in words])
    if canonical:
        expanded = _merge_thousands(nfc, expanded)
        expanded = _numerals(expanded, nfc, strict)
        expanded = _synonyms(expanded, strict, nfc)
    folded = [f for _, f, _, _ in expanded]
    weights = [1.0] * len(expanded)
    table, _ = _stop_table()
    starts = _stop_starts()
    i = 0
    n = len(folded)
    while i < n:
        for length in starts.get(folded[i], ()):
            if i + length > n:
                continue
            entries = table.get(tuple(folded[i : i + length]))
            span = expanded[i : i + length]
            w = next((wt for acc, wt in entries or () if _compatible(span, acc, strict)), None)
            if w is not None and (length == 1 or _one_phrase(nfc, span)):
                for k in range(i, i + length):
                    weights[k] = min(weights[k], w)
                i += length
                break
        else:
            i += 1
    return [
        Token(text=w, folded=f, weight=wt, start=s, end=e)
        for (w, f, s, e), wt in zip(expanded, weights)
    ]


_Word = tuple[str, str, int, int]  # accented, folded, start, end


def _merge_thousands(nfc: str, words: list[_Word]) -> list[_Word]:
    """Join "1.200" (Vietnamese thousands separator) into one number token "1200"."""
    out: list[_Word] = []
    for w in words:
        if (
            out
            and w[1].isdigit()
            and len(w[1]) == 3
            and out[-1][1].isdigit()
            and nfc[out[-1][3] : w[2]] == "."
        ):
            prev = out.pop()
            merged = prev[1] + w[1]
            out.append((merged, merged, prev[2], w[3]))
        else:
            out.append(w)
    return out


# Spelled-out numerals by folded form, with the accented spellings that really are numerals
# (folded "tam" is also tạm, "muoi" also muối): an accented word must be one of these.
_UNITS: dict[str, tuple[int, frozenset[str]]] = {
    "khong": (0, frozenset({"không"})), "mot": (1, frozenset({"một", "mốt"})),
    "hai": (2, frozenset({"hai"})), "ba": (3, frozenset({"ba"})), "bon": (4, frozenset({"bốn"})),
    "tu": (4, frozenset({"tư"})), "nam": (5, frozenset({"năm"})), "lam": (5, frozenset({"lăm"})),
    "sau": (6, frozenset({"sáu"})), "bay": (7, frozenset({"bảy", "bẩy"})),
    "tam": (8, frozenset({"tám"})), "chin": (9, frozenset({"chín"})),
}
_MULTS: dict[str, tuple[int, frozenset[str]]] = {
    "muoi": (10, frozenset({"mươi", "mười"})), "tram": (100, frozenset({"trăm"})),
    "nghin": (1000, frozenset({"nghìn"})), "ngan": (1000, frozenset({"ngàn"})),
    "trieu": (1_000_000, frozenset({"triệu"})),
}


# Typed without marks, most numerals are also common words ("ngan hang" is ngân hàng, a bank;
# "tram y te" is trạm y tế; "nam" is south, "ba" a person, "sau" after, "muoi" salt), and even
# "triệu" starts "triệu tập" (to convene). Such a word is read as a number only inside an
# unambiguous numeric context: followed by a counting word (a unit or a counted noun) or in a
# fraction ("ba phần tư"). Folded words that are numerals and nothing else need no context.
_UNAMBIGUOUS_FOLDED = frozenset({"nghin"})
# Markless words that never begin a number (the numeral readings tư, không, lăm only follow
# another numeral) but often begin other phrases: tu (từ, from), khong (not), lam (làm, to do).
_NOT_A_START = frozenset({"tu", "khong", "lam"})
# Counting words (folded, one or two syllables) after which a spelled-out number is a number.
# Only words that do not themselves complete a common non-numeral compound with a numeral's
# homograph (so not "xa": "tram xa" is trạm xá; not "ho": trạm hỗ trợ; not "cap": trạm cấp nước;
# not "ha": trạm hạ áp; not "cu": trạm cũ; not "ban": bản/bạn/bán).
_COUNT_WORDS = frozenset(
    w.replace("_", " ")
    for w in """
    ngay thang nam tuan quy gio phut giay lan luot buoi dem km m met kg
    dong usd phan_tram nguoi ho_dan ho_gia ho_so truong_hop thu_tuc trang to ngoi thua
    bo chiec cai phieu hoc_sinh gia_dinh doanh_nghiep can_bo cong_chuc dau_sach
    cuoc_goi tin_nhan cay_so ki_lo_met ty trieu nghin ngan tram
    """.split()
)


def _numeral(word: _Word, strict: bool = True) -> tuple[str, int, bool] | None:
    """("unit"|"mult", value, sure) when the word may be a numeral, else None.

    A word typed with marks must carry a numeral's own marks ("ngân" is never "ngàn"). A markless
    word is a numeral candidate only in a text typed without marks (``strict`` False; in a marked
    text "ngan" is just a word), and then it is not ``sure``: the caller asks for a numeric context.
    """
    acc, f = word[0], word[1]
    for kind, table in (("unit", _UNITS), ("mult", _MULTS)):
        hit = table.get(f)
        if hit is None:
            continue
        if acc in hit[1]:
            return kind, hit[0], f != "trieu"  # "triệu tập": even the marked word needs context
        if acc == f and (not strict or f in _UNAMBIGUOUS_FOLDED):
            return kind, hit[0], f in _UNAMBIGUOUS_FOLDED
    return None


def _number_run(words: list[_Word], i: int, nfc: str, strict: bool = True) -> tuple[int, int, bool, bool] | None:
    """Value, length, whether it holds a multiplier and whether every word is surely a numeral,
    of the spelled-out number starting at i."""
    total = cur = 0
    unit: int | None = None
    has_mult = False
    sure = True
    j = i
    while j < len(words):
        num = _numeral(words[j], strict)
        if num is None or (j > i and not _one_phrase(nfc, words[j - 1 : j + 1])):
            break
        kind, v, certain = num
        if j == i and not certain and words[j][1] in _NOT_A_START:
            return None
        if kind == "unit":
            if unit is not None:
                break  # "hai ba" is two numbers, not one
            unit = v
        else:
            has_mult = True
            if v == 10:
                cur += (unit if unit is not None else 1) * 10
            elif v == 100:
                cur += (unit if unit is not None else 1) * 100
            else:
                total = (total + cur + (unit or 0) or 1) * v
                cur = 0
            unit = None
        # a surely-marked run stays sure through "triệu" once a number has begun ("hai triệu")
        if not certain and not (j > i and sure and words[j][1] == "trieu" and words[j][0] != words[j][1]):
            sure = False
        j += 1
    if j == i:
        return None
    if j - i >= 2 and any(w[1] in _UNAMBIGUOUS_FOLDED for w in words[i:j]):
        sure = True  # "mot nghin hai tram": a run with an unmistakable numeral in it
    # "một trăm năm" is a century, not 105: a trailing "năm" after hundreds/thousands is the noun.
    if unit == 5 and words[j - 1][1] == "nam" and j - i >= 2 and _numeral(words[j - 2], strict)[:2] == ("mult", 100):
        j -= 1
        unit = None
    return total + cur + (unit or 0), j - i, has_mult, sure


def _counted(words: list[_Word], k: int, nfc: str) -> bool:
    """True when words[k] (in one phrase with the word before it) is a counting word."""
    if k >= len(words) or not _one_phrase(nfc, words[k - 1 : k + 1]):
        return False
    if words[k][1] in _COUNT_WORDS or words[k][1].isdigit():
        return words[k][1] not in ("ngan", "tram", "trieu") or _numeral(words[k], True) is not None
    return k + 1 < len(words) and _one_phrase(nfc, words[k : k + 2]) and (
        words[k][1] + " " + words[k + 1][1] in _COUNT_WORDS
    )


def _numerals(words: list[_Word], nfc: str, strict: bool = True) -> list[_Word]:
    """Spelled-out numbers and fractions to digits: "một trăm năm mươi" → 150, "bảy phần mười" → 70.

    ``strict``: the text was typed with marks (a markless word in it is not a numeral).
    """
    out: list[_Word] = []
    i = 0
    n = len(words)
    while i < n:
        if words[i][1].isdigit():
            # "70 phần trăm" → 70, like "70%"
            k = i + 1
            if k + 1 < n and words[k][1] == "phan" and words[k + 1][1] == "tram":
                out.append((words[i][0], words[i][1], words[i][2], words[k + 1][3]))
                i = k + 2
                continue
            out.append(words[i])
            i += 1
            continue
        if words[i][1] in _NOT_A_START and not strict and words[i][0] == words[i][1]:
            # "khong tram ..." is không + a word, so the numeral-looking words after it stay words too
            k = i + 1
            while k < n and _numeral(words[k], strict) is not None and _one_phrase(nfc, words[k - 1 : k + 1]):
                k += 1
            out.extend(words[i:k])
            i = k
            continue
        run = _number_run(words, i, nfc, strict) if (words[i][1] in _UNITS or words[i][1] in _MULTS) else None
        if run is None:
            out.append(words[i])
            i += 1
            continue
        value, used, has_mult, sure = run
        k = i + used
        start, end = words[i][2], words[k - 1][3]
        converted = has_mult and (sure or _counted(words, k, nfc))
        if k < n and words[k][1] == "phan" and (k + 1 < n) and _one_phrase(nfc, words[k - 1 : k + 1]):
            if words[k + 1][1] == "tram" and _numeral(words[k + 1], strict) is not None:
                k, end, converted = k + 2, words[k + 1][3], True
            else:
                den = _number_run(words, k + 1, nfc, strict)
                if den is not None and den[0] > 0:
                    value = round(100 * value / den[0])
                    k, end, converted = k + 1 + den[1], words[k + den[1]][3], True
        if not converted:
            # A lone numeral ("một", "hai") stays a word: its folded form is too ambiguous; so does
            # a markless number without a numeric context ("ngan hang" is a bank, not 1000 hang).
            out.append(words[i])
            i += 1
            continue
        s = str(value)
        out.append((s, s, start, end))
        i = k
    return out


def _compatible(words: list[_Word] | tuple[_Word, ...], accented: tuple[str, ...], strict: bool) -> bool:
    """A text word matches a listed word if the accents agree; in a text typed without marks
    (``strict`` False) a markless word matches whatever the listed accents ("xa" may be "xã")."""
    return all(w[0] == a or (not strict and w[0] == w[1]) for w, a in zip(words, accented))


def _typed_with_marks(words: list[_Word]) -> bool:
    """True when the text was typed with Vietnamese marks (then a markless word really is markless)."""
    letters = [w for w in words if not w[1].isdigit()]
    if not letters:
        return False
    marked = sum(1 for w in letters if w[0] != w[1])
    return marked >= 0.15 * len(letters)


def _phrase_key(phrase: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(folded words, accented words) of a phrase from a data file."""
    words = _expand(_raw_words(unicodedata.normalize("NFC", phrase)))
    return tuple(_fold_chars(w) for w, _, _ in words), tuple(w for w, _, _ in words)


@lru_cache(maxsize=1)
def _synonym_table() -> tuple[dict[tuple[str, ...], list[tuple[tuple[str, ...], tuple[tuple[str, str], ...]]]], int]:
    """Folded variant → [(accented variant, canonical (accented, folded) words)], from synonyms.txt."""
    table: dict[tuple[str, ...], list[tuple[tuple[str, ...], tuple[tuple[str, str], ...]]]] = {}
    text = resources.files(__package__).joinpath("synonyms.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        phrases = [p.strip() for p in line.split("|") if p.strip()]
        if len(phrases) < 2:
            continue
        cf, ca = _phrase_key(phrases[0])
        canon = tuple(zip(ca, cf))
        for p in phrases:
            key, acc = _phrase_key(p)
            if key and all(acc != a for a, _ in table.get(key, [])):
                table.setdefault(key, []).append((acc, canon))
    longest = max((len(k) for k in table), default=1)
    return table, longest


def _starts(table: dict[tuple[str, ...], object]) -> dict[str, tuple[int, ...]]:
    """First folded word of every phrase → the phrase lengths starting with it, longest first."""
    starts: dict[str, set[int]] = {}
    for key in table:
        starts.setdefault(key[0], set()).add(len(key))
    return {k: tuple(sorted(v, reverse=True)) for k, v in starts.items()}


@lru_cache(maxsize=1)
def _synonym_starts() -> dict[str, tuple[int, ...]]:
    """Index of synonym phrases by first word (a speed-up: most words start no phrase)."""
    return _starts(_synonym_table()[0])


@lru_cache(maxsize=1)
def _stop_starts() -> dict[str, tuple[int, ...]]:
    """Index of stop phrases by first word."""
    return _starts(_stop_table()[0])


def _one_phrase(nfc: str, span: list[_Word]) -> bool:
    """True when the words are one phrase in the source: only spaces between them (or one expanded word)."""
    for a, b in zip(span, span[1:]):
        if a[2] != b[2] and (b[2] < a[3] or nfc[a[3] : b[2]].strip()):
            return False
    return True


def _synonyms(words: list[_Word], strict: bool, nfc: str) -> list[_Word]:
    """Rewrite every synonym variant to its canonical wording (longest match first, accent-aware)."""
    table, _ = _synonym_table()
    starts = _synonym_starts()
    out: list[_Word] = []
    i = 0
    n = len(words)
    while i < n:
        for length in starts.get(words[i][1], ()):
            if i + length > n:
                continue
            span = words[i : i + length]
            entries = table.get(tuple(w[1] for w in span))
            canon = next((c for acc, c in entries or () if _compatible(span, acc, strict)), None)
            if canon is not None and (length == 1 or _one_phrase(nfc, span)):
                start, end = words[i][2], words[i + length - 1][3]
                out.extend((a, f, start, end) for a, f in canon)
                i += length
                break
        else:
            out.append(words[i])
            i += 1
    return out


_COMPOUND_RE = re.compile(r"[^\W_]+(?:[-&][^\W_]+)+", re.UNICODE)


def _join_compound_abbrevs(nfc: str, words: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Merge "KT-XH"-like pieces back into one word when the whole is a known abbreviation."""
    if "-" not in nfc and "&" not in nfc:
        return words
    table = abbreviations()
    spans: dict[int, tuple[str, int, int]] = {}
    for m in _COMPOUND_RE.finditer(nfc):
        if _fold_chars(m.group(0)).upper() in table:
            spans[m.start()] = (m.group(0), m.start(), m.end())
    if not spans:
        return words
    out: list[tuple[str, int, int]] = []
    skip_until = -1
    for w in words:
        if w[1] < skip_until:
            continue
        if w[1] in spans:
            out.append(spans[w[1]])
            skip_until = spans[w[1]][2]
        else:
            out.append(w)
    return out


def normalize(text: str) -> str:
    """Accented normal form: NFC, canonical tones, abbreviations expanded, lower case, no punctuation."""
    return " ".join(t.text for t in analyze(text))


def fold(text: str) -> str:
    """Diacritic-free normal form of ``normalize`` (đ → d, every mark dropped)."""
    return " ".join(t.folded for t in analyze(text))


def fold_token(word: str) -> str:
    """Fold a single already-normalised word."""
    return _fold_chars(word)


def tokens(text: str) -> list[str]:
    """Folded tokens of the normalised text (stop words included; see ``analyze`` for weights)."""
    return [t.folded for t in analyze(text)]


def stop_weight(text: str) -> float:
    """Weight of a word or phrase as the matcher sees it (1.0 = content, lower = stop word)."""
    toks = analyze(text)
    return min((t.weight for t in toks), default=1.0)


def has_diacritics(text: str) -> bool:
    """True when the text carries Vietnamese marks (so accent agreement can be trusted)."""
    nfc = _safe_nfc(text)
    return _fold_chars(nfc) != nfc
