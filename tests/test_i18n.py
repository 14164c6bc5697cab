"""The interface in two languages: every text through the catalogues, Vietnamese by default.

Message ids are the Vietnamese text itself. Extraction runs here with Babel's own API and the
project's babel.cfg, so a string added without a translation fails (a); a template with text
outside `_()` fails (b); a user who switches to English reads English (c), and the switch is
audited (d).
"""
from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from conftest import post_form
from jinja2 import Environment

from contest.accounts.models import PARTICIPANT, SECRETARY
from contest.audit.models import AuditLog
from contest.db import db

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "contest" / "translations"
# The keywords `make translations` passes to pybabel extract, besides Babel's defaults (_, gettext, N_...).
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None, "lazy_pgettext": ((1, "c"), 2)}

VIETNAMESE = re.compile(r"[\u00C0-\u1EF9]")  # letters with diacritics: Vietnamese text, not CSS or code
HUMAN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "label", "data-confirm", "data-heading",
                    "data-score-label"}
TAG = "\u00a7"  # stands for a Jinja tag or expression in the text the HTML parser reads


Key = tuple[str | None, str]  # (context, msgid)


def extracted_ids() -> dict[Key, str]:
    """Every message in the Python code and templates, with where it was first found."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found: dict[Key, str] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault((context, msgid), f"{filename}:{lineno}")
    return found


def catalogue(language: str) -> dict[Key, tuple[str, bool]]:
    """(context, msgid) -> (msgstr, fuzzy) of one language's .po file."""
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as fh:
        po = read_po(fh)
    return {(m.context, m.id): (m.string, m.fuzzy) for m in po if m.id and isinstance(m.id, str)}


def templates() -> list[Path]:
    return sorted((ROOT / "templates").rglob("*.html"))


class _TextFinder(HTMLParser):
    """Collects the human text left in markup: text between tags, and human attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if value and (name in HUMAN_ATTRIBUTES and re.search(r"[^\W\d_]", value.replace(TAG, ""))
                          or VIETNAMESE.search(value)):
                self.found.append(f'{tag} {name}="{value}"')

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and re.search(r"[^\W\d_]", data.replace(TAG, "")):
            self.found.append(data.strip())


def hard_coded_text(source: str) -> list[str]:
    """Human text of a template outside `_()`: in its data tokens, or in string literals of its tags."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    markup: list[str] = []
    problems: list[str] = []
    previous: list[str] = []
    for lineno, kind, value in env.lex(source):
        if kind == "data":
            markup.append(value)
            continue
        if kind in ("variable_begin", "block_begin", "comment_begin"):
            markup.append(TAG)
        translated = previous[-2:] == ["_", "("] or previous[-4:-2] == ["pgettext", "("] and previous[-1:] == [","]
        if kind == "string" and VIETNAMESE.search(value) and not translated:
            problems.append(f"line {lineno}: literal {value} outside _()")
        if kind not in ("whitespace",):
            previous.append(value)
    finder = _TextFinder()
    finder.feed("".join(markup))
    finder.close()
    return problems + [f"text {text!r}" for text in finder.found]


# ------------------------------------------------------------------- (a) the catalogues


def test_every_message_has_a_vietnamese_and_an_english_translation() -> None:
    ids = extracted_ids()
    assert len(ids) > 300, "extraction found too little: is babel.cfg right?"
    for language in ("vi", "en"):
        po = catalogue(language)
        missing = [f"{where}: {key[1]!r}" for key, where in ids.items()
                   if key not in po or not po[key][0] or po[key][1]]
        assert not missing, (f"{len(missing)} messages without a {language} translation "
                             "(run `make translations` and translate them):\n" + "\n".join(missing[:40]))


def test_the_vietnamese_catalogue_is_the_ids_themselves() -> None:
    wrong = [msgid for (_context, msgid), (text, _fuzzy) in catalogue("vi").items() if text != msgid]
    assert not wrong, wrong[:20]


def test_english_keeps_every_placeholder() -> None:
    placeholder = re.compile(r"%\(\w+\)[sd]")
    wrong = [msgid for (_context, msgid), (text, _fuzzy) in catalogue("en").items()
             if sorted(placeholder.findall(msgid)) != sorted(placeholder.findall(text))]
    assert not wrong, wrong[:20]


def test_english_adds_no_markup() -> None:
    """Templates render a translation as markup (it may sit in an attribute): it adds no <, >, & or "."""
    wrong = [msgid for (_context, msgid), (text, _fuzzy) in catalogue("en").items()
             if any(text.count(ch) > msgid.count(ch) for ch in '<>&"')]
    assert not wrong, wrong[:20]


def test_the_compiled_catalogues_are_current() -> None:
    """The .mo files that run time reads hold what the .po files say (`make install` compiles them)."""
    from babel.messages.mofile import read_mo

    for language in ("vi", "en"):
        mo_path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo"
        assert mo_path.exists(), f"{mo_path} missing: run `make install` (pybabel compile)"
        with open(mo_path, "rb") as fh:
            compiled = {(m.context, m.id): m.string for m in read_mo(fh) if m.id}
        source = {key: text for key, (text, fuzzy) in catalogue(language).items() if not fuzzy}
        assert compiled == source, f"{language}: messages.mo is older than messages.po; run pybabel compile"


# ------------------------------------------------------------------- (b) no text outside _()


@pytest.mark.parametrize("path", templates(), ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_no_hard_coded_text_in_templates(path: Path) -> None:
    problems = hard_coded_text(path.read_text(encoding="utf-8"))
    assert not problems, "\n".join(problems)


def test_the_checker_catches_text_and_attributes() -> None:
    assert hard_coded_text('<p class="x">{{ _("Lưu") }} · {{ n }}</p>') == []
    assert hard_coded_text("<p>Lưu</p>")
    assert hard_coded_text('<input placeholder="Search here">')
    assert hard_coded_text('{{ post_button(url, "Nộp bài") }}')
    assert hard_coded_text('<a href="{{ url }}" data-confirm="{{ _("Xoá?") }}">{{ _("Xoá") }}</a>') == []


# ------------------------------------------------------------------- (c) English for who chooses it


def switch(client, language: str, page: str = "/auth/password") -> object:
    return post_form(client, "/auth/language", {"language": language, "next": page}, page=page)


def test_vietnamese_is_the_default(client, signed_in: Callable) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="vi">' in page and "Đăng nhập" in page and "Sign in" not in page
    participant, user = signed_in(PARTICIPANT)
    assert user.language == "vi"
    page = participant.get("/entries/").get_data(as_text=True)
    assert '<html lang="vi">' in page and "Sáng kiến của tôi" in page and "My initiatives" not in page


def test_a_user_who_switches_to_english_reads_english(app, signed_in: Callable, make_contest: Callable) -> None:
    make_contest()
    participant, user = signed_in(PARTICIPANT)
    response = switch(participant, "en", page="/entries/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/entries/")
    page = participant.get("/entries/").get_data(as_text=True)
    assert '<html lang="en">' in page
    for english in ("My initiatives", "Published results", "Sign out", "Contests open for entries",
                    "Write a new initiative"):
        assert english in page, english
    assert "Sáng kiến của tôi" not in page and "Đăng xuất" not in page
    assert "Current password" in participant.get("/auth/password").get_data(as_text=True)
    # A form's messages follow too.
    refused = post_form(participant, "/auth/password", {"current": "", "new": "x", "confirm": "y"})
    assert "Current password: must not be empty." in refused.get_data(as_text=True)
    # Back to Vietnamese; anonymous visitors and other users were never affected.
    switch(participant, "vi")
    assert "Sáng kiến của tôi" in participant.get("/entries/").get_data(as_text=True)


def test_english_is_only_for_the_user_who_chose_it(app, signed_in: Callable) -> None:
    english, _user = signed_in(SECRETARY)
    switch(english, "en")
    other, _ = signed_in(SECRETARY)
    assert "No contests yet." in english.get("/contests/").get_data(as_text=True)
    assert "Chưa có cuộc thi nào." in other.get("/contests/").get_data(as_text=True)
    anonymous = app.test_client()
    assert "Kết quả cuộc thi đã công bố" in anonymous.get("/results/").get_data(as_text=True)


# ------------------------------------------------------------------- (d) the switch is a state change


def test_the_switch_is_audited_and_refuses_unknown_languages(app, signed_in: Callable) -> None:
    client, user = signed_in(PARTICIPANT)
    switch(client, "en")
    record = db.session.scalar(db.select(AuditLog).order_by(AuditLog.id.desc()))
    assert (record.action, record.actor_id, record.object_id) == ("user.language", user.id, user.id)
    assert (record.before, record.after) == ({"language": "vi"}, {"language": "en"})
    count = db.session.scalar(db.select(db.func.count(AuditLog.id)))
    switch(client, "fr")
    switch(client, "en")  # no change, no record
    assert db.session.scalar(db.select(db.func.count(AuditLog.id))) == count
    db.session.refresh(user)
    assert user.language == "en"


def test_next_is_only_followed_within_the_site(signed_in: Callable) -> None:
    client, _ = signed_in(PARTICIPANT)
    response = switch(client, "en", page="/auth/password")
    assert response.headers["Location"].endswith("/auth/password")
    response = post_form(client, "/auth/language", {"language": "vi", "next": "https://example.com/"},
                         page="/auth/password")
    assert not response.headers["Location"].startswith("https://example.com")


def recorded_actions() -> set[str]:
    """Every action code the verbs pass to audit.record, read from the code (a literal, or a name bound to literals)."""
    codes: set[str] = set()
    for path in [*Path("contest").rglob("*.py"), *Path("judging").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bound: dict[str, list[ast.expr]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        bound.setdefault(target.id, []).append(node.value)
        def literals(node: ast.expr) -> list[str]:
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                return [node.value]
            if isinstance(node, ast.IfExp):
                return literals(node.body) + literals(node.orelse)
            if isinstance(node, ast.Name):
                return [code for value in bound.get(node.id, []) for code in literals(value)]
            raise AssertionError(f"{path}: an action code that is not a literal: {ast.dump(node)}")
        for node in ast.walk(tree):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None) if isinstance(node, ast.Call) else None
            if name == "record" and len(node.args) > 1:
                codes.update(literals(node.args[1]))
    return codes


def test_every_audited_action_has_a_name_on_the_audit_page() -> None:
    from contest.web import AUDIT_ACTIONS

    codes = recorded_actions()
    assert {"judging.submit_sheet", "judging.save_sheet", "judging.remind_judges"} <= codes  # the reader sees through names
    assert sorted(codes - AUDIT_ACTIONS.keys()) == []
    assert sorted(AUDIT_ACTIONS.keys() - codes) == []
