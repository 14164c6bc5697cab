"""The guides as data: Markdown files in guides/, read into blocks that the page and the PDF both draw.

Pure: no Flask, no database. The Markdown is a small subset, enough for a page of steps:
`#`/`##`/`###` headings, paragraphs, `-` and `1.` lists, `> ` notes, `![alt](image.webp)` on a
line of its own (an image in static/help/), and `**bold**` for what the screen itself says.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import ClassVar, Optional, Union

from contest.accounts.models import ADMIN, JUDGE, PARTICIPANT, SECRETARY


@dataclass(frozen=True)
class Guide:
    """One guide: its address, the roles it is written for, and its Markdown file."""

    slug: str
    roles: tuple[str, ...]
    filename: str


# In the order the menu lists them when none is the reader's own.
GUIDES = (
    Guide("nop-sang-kien", (PARTICIPANT,), "nop-sang-kien.md"),
    Guide("sang-loc-trung-lap", (SECRETARY, ADMIN), "sang-loc-trung-lap.md"),
    Guide("cham-diem", (JUDGE,), "cham-diem.md"),
    Guide("ket-thuc-cong-bo", (SECRETARY, ADMIN), "ket-thuc-cong-bo.md"),
)
AUTHORS_GUIDE = GUIDES[0]  # the one anonymous visitors may read: how to take part


def find_guide(slug: str) -> Optional[Guide]:
    """The guide at this address, or None."""
    return next((g for g in GUIDES if g.slug == slug), None)


def guides_for(role: Optional[str]) -> list[Guide]:
    """Every guide, the reader's own role's first (None: nobody signed in, the usual order)."""
    return sorted(GUIDES, key=lambda g: role not in g.roles)


# --- The Markdown subset -------------------------------------------------------------------

Span = tuple[str, bool]  # (text, bold)


@dataclass(frozen=True)
class Heading:
    kind: ClassVar[str] = "heading"
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Note:
    """A tip set apart from the steps (`> ` lines)."""

    kind: ClassVar[str] = "note"
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class ListBlock:
    kind: ClassVar[str] = "list"
    ordered: bool
    items: tuple[tuple[Span, ...], ...]


@dataclass(frozen=True)
class Image:
    kind: ClassVar[str] = "image"
    src: str  # a file name in static/help/
    alt: str


Block = Union[Heading, Paragraph, Note, ListBlock, Image]

_IMAGE = re.compile(r"^!\[([^\]]*)\]\(([\w.-]+)\)$")
_ITEM = re.compile(r"^(?:(-)|(\d+)\.)\s+(.*)$")


def spans(text: str) -> tuple[Span, ...]:
    """`**bold**` pieces of a line of text; everything else is plain."""
    parts = text.split("**")
    if len(parts) % 2 == 0:  # an unmatched ** is kept as written
        parts[-2:] = ["**".join(parts[-2:])]
    return tuple((part, index % 2 == 1) for index, part in enumerate(parts) if part)


def parse(markdown: str) -> list[Block]:
    """The blocks of a guide, in order."""
    blocks: list[Block] = []
    lines: list[str] = []  # the paragraph, note or list being gathered
    kind = ""

    def flush() -> None:
        nonlocal lines, kind
        if kind == "p":
            blocks.append(Paragraph(spans(" ".join(lines))))
        elif kind == "note":
            blocks.append(Note(spans(" ".join(lines))))
        elif kind in ("ul", "ol"):
            blocks.append(ListBlock(kind == "ol", tuple(spans(item) for item in lines)))
        lines, kind = [], ""

    for raw in markdown.splitlines():
        line = raw.strip()
        item = _ITEM.match(line)
        if not line:
            flush()
        elif line.startswith("#"):
            flush()
            level = len(line) - len(line.lstrip("#"))
            blocks.append(Heading(min(level, 3), line[level:].strip()))
        elif _IMAGE.match(line):
            flush()
            alt, src = _IMAGE.match(line).groups()  # type: ignore[union-attr]
            blocks.append(Image(src, alt))
        elif line.startswith(">"):
            if kind != "note":
                flush()
                kind = "note"
            lines.append(line.lstrip("> ").strip())
        elif item:
            wanted = "ul" if item.group(1) else "ol"
            if kind != wanted:
                flush()
                kind = wanted
            lines.append(item.group(3))
        elif kind in ("ul", "ol") and raw[:1].isspace():
            lines[-1] += " " + line  # a list item carried on to the next line
        else:
            if kind != "p":
                flush()
                kind = "p"
            lines.append(line)
    flush()
    return blocks


@cache
def load(guide: Guide) -> tuple[str, tuple[Block, ...]]:
    """(title, blocks after the title) of a guide: its first heading is its title."""
    text = resources.files("contest.help").joinpath("guides", guide.filename).read_text("utf-8")
    blocks = parse(text)
    if not blocks or not isinstance(blocks[0], Heading):
        raise ValueError(f"{guide.filename}: a guide starts with its title (# …)")
    return blocks[0].text, tuple(blocks[1:])


def images(blocks: tuple[Block, ...]) -> list[str]:
    """The image files a guide shows."""
    return [b.src for b in blocks if isinstance(b, Image)]


# --- The screenshots -------------------------------------------------------------------------


@dataclass(frozen=True)
class Screen:
    """A screenshot's size in pixels and the screen density it was taken at (a phone's is 1.5)."""

    width: int
    height: int
    density: float = 1.0

    @property
    def css_width(self) -> int:
        """How wide the page shows it: as wide as it was on the screen it was taken on."""
        return round(self.width / self.density)

    @property
    def css_height(self) -> int:
        return round(self.height / self.density)


def screens(manifest: dict[str, list]) -> dict[str, Screen]:
    """The sizes recorded by scripts/help_screens.py (static/help/screens.json): {file: Screen}."""
    return {name: Screen(int(w), int(h), float(d)) for name, (w, h, d) in manifest.items()}
