"""Languages of the interface: Vietnamese by default, English for a user who chooses it.

Message ids are the Vietnamese text itself, so a page reads right even where a catalogue
lacks an entry; `contest/translations/` holds the catalogues (vi and en).
"""
from __future__ import annotations

from flask_babel import Babel, gettext

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT_LANGUAGE = "vi"

babel = Babel()


def select_locale() -> str:
    """The signed-in user's language, else Vietnamese."""
    from flask_login import current_user

    language = getattr(current_user, "language", None) if current_user else None
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def translate_label(label: object) -> object:
    """A Vietnamese label marked with N_ in the reader's language; anything else as it is."""
    return gettext(label) if isinstance(label, str) and label else label
