"""Duplicate-initiative matching: Vietnamese normalisation, an index of the registry, evidence.

Pure Python (stdlib only; rapidfuzz serves as a baseline in the benchmark); no Flask or database
imports, so it can be used and tested alone.
"""

from .index import (
    DEFAULT_THRESHOLD,
    SIMILAR_FLOOR,
    Document,
    Match,
    Matcher,
    core_spans,
    differences,
    evidence_spans,
    explain,
    fingerprint,
    highlight_spans,
)
from .normalize import fold, normalize, tokens

__all__ = [
    "DEFAULT_THRESHOLD",
    "SIMILAR_FLOOR",
    "Document",
    "Match",
    "Matcher",
    "core_spans",
    "differences",
    "evidence_spans",
    "explain",
    "fingerprint",
    "highlight_spans",
    "normalize",
    "fold",
    "tokens",
]
