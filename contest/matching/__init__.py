"""Duplicate-initiative matching: Vietnamese normalisation, an index of the registry, evidence.

Pure Python (rapidfuzz + stdlib); no Flask or database imports, so it can be used and tested alone.
"""

from .index import DEFAULT_THRESHOLD, Document, Match, Matcher, explain, fingerprint, highlight_spans
from .normalize import fold, normalize, tokens

__all__ = [
    "DEFAULT_THRESHOLD",
    "Document",
    "Match",
    "Matcher",
    "explain",
    "fingerprint",
    "highlight_spans",
    "normalize",
    "fold",
    "tokens",
]
