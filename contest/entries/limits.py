"""How long an entry's parts may be: one place for the form, the model, the Word filler and the messages.

Pure constants, importable by the model and by the pure Word reader alike.
"""
from __future__ import annotations

TITLE_MAX = 500  # characters of an entry's title (the column, the form, a title read from Word)
