"""The catalogue marker for labels, importable by pure modules (no Flask, no Babel)."""
from __future__ import annotations


def N_(text: str) -> str:
    """Mark a label for the catalogues without translating it: it is stored and exported in
    Vietnamese, and translated only where a page shows it (the `tr` template filter)."""
    return text
