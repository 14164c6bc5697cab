"""The in-app guides (Hướng dẫn): a page per role's guide, the menu that lists them, and their PDFs."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Callable

import pytest
from conftest import ADMIN, JUDGE, PARTICIPANT, SECRETARY
from flask import Flask
from pypdf import PdfReader

from contest.help import guides
from contest.help.guides import Heading, Image, ListBlock, Note, Paragraph, parse

ROOT = Path(__file__).resolve().parent.parent
SCREENS = ROOT / "static" / "help"
OWN_GUIDES = {PARTICIPANT: ["nop-sang-kien"], JUDGE: ["cham-diem"],
              SECRETARY: ["sang-loc-trung-lap", "ket-thuc-cong-bo"], ADMIN: ["sang-loc-trung-lap", "ket-thuc-cong-bo"]}
TITLES = {"nop-sang-kien": "Viết và nộp sáng kiến", "sang-loc-trung-lap": "Sàng lọc sáng kiến trùng lặp",
          "cham-diem": "Chấm điểm sáng kiến", "ket-thuc-cong-bo": "Phân công, kết thúc chấm và công bố kết quả"}


def menu_guides(html: str) -> list[str]:
    """The guides the menu links to, in its order."""
    nav = html[html.index('aria-label="Điều hướng chính"'):html.index("</nav>")]
    return re.findall(r'href="/help/([\w-]+)"', nav)


@pytest.mark.parametrize("role", [PARTICIPANT, JUDGE, SECRETARY, ADMIN])
def test_each_role_reads_its_guide_with_its_screens_and_finds_it_first_in_the_menu(role: str, signed_in: Callable) -> None:
    client, _ = signed_in(role)
    for slug in OWN_GUIDES[role]:
        page = client.get(f"/help/{slug}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert f"<h1 class=\"h3 mb-0\">{TITLES[slug]}</h1>" in html
        assert f'href="/help/{slug}.pdf"' in html
        shown = re.findall(r'src="/static/help/([\w.-]+\.webp)"', html)
        assert shown and shown == guides.images(guides.load(guides.find_guide(slug))[1])
        # Each picture is drawn at the size it had on its screen, so the page does not jump as it loads.
        assert len(re.findall(r'<img [^>]*width="\d+" height="\d+"', html)) == len(shown)
    menu = menu_guides(client.get("/help/").get_data(as_text=True))
    assert menu[:len(OWN_GUIDES[role])] == OWN_GUIDES[role]
    assert sorted(menu) == sorted(TITLES), "every guide is listed once"


def test_a_visitor_reads_the_authors_guide_and_is_asked_to_sign_in_for_the_others(client) -> None:
    page = client.get("/help/nop-sang-kien")
    assert page.status_code == 200
    assert "Viết và nộp sáng kiến" in page.get_data(as_text=True)
    assert client.get("/help/nop-sang-kien.pdf").status_code == 200
    for slug in ("cham-diem", "sang-loc-trung-lap", "ket-thuc-cong-bo"):
        for url in (f"/help/{slug}", f"/help/{slug}.pdf"):
            answer = client.get(url)
            assert answer.status_code == 302 and "/auth/login" in answer.headers["Location"], url
    # The menu's Hướng dẫn goes straight to the author's guide; the index lists only what a visitor may open.
    assert menu_guides(client.get("/results/").get_data(as_text=True)) == ["nop-sang-kien"]
    index = client.get("/help/").get_data(as_text=True)
    assert "/help/nop-sang-kien" in index and "/help/cham-diem" not in index


def test_an_unknown_guide_is_not_found(client) -> None:
    assert client.get("/help/khong-co").status_code == 404
    assert client.get("/help/khong-co.pdf").status_code == 404


@pytest.mark.parametrize("slug", list(TITLES))
def test_each_guide_prints_as_a_pdf_with_its_vietnamese_headings_and_screens(slug: str, signed_in: Callable) -> None:
    client, _ = signed_in(SECRETARY)
    answer = client.get(f"/help/{slug}.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(answer.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    title, blocks = guides.load(guides.find_guide(slug))
    assert title == TITLES[slug] and title in text
    headings = [b.text for b in blocks if isinstance(b, Heading)]
    assert headings and all(h in text for h in headings), "every heading, diacritics intact"
    assert sum(len(page.images) for page in reader.pages) == len(guides.images(blocks))
    assert reader.metadata.title == title
    assert len(answer.data) < 600_000, "a guide to print, not an archive"


def test_the_markdown_subset() -> None:
    blocks = parse("# Tiêu đề\n\nMột **nút** và chữ\nnối dòng.\n\n1. Bước một\n   còn tiếp\n2. Bước **hai**\n"
                   "- chấm\n\n> Ghi chú\n> hai dòng\n![Ảnh màn hình](a-1.webp)\n## Mục\nlỗi ** không đóng")
    assert blocks == [
        Heading(1, "Tiêu đề"),
        Paragraph((("Một ", False), ("nút", True), (" và chữ nối dòng.", False))),
        ListBlock(True, ((("Bước một còn tiếp", False),), (("Bước ", False), ("hai", True)))),
        ListBlock(False, ((("chấm", False),),)),
        Note((("Ghi chú hai dòng", False),)),
        Image("a-1.webp", "Ảnh màn hình"),
        Heading(2, "Mục"),
        Paragraph((("lỗi ** không đóng", False),)),
    ]


def test_the_screens_are_the_guides_own_small_and_measured() -> None:
    used = {src for g in guides.GUIDES for src in guides.images(guides.load(g)[1])}
    on_disk = {p.name for p in SCREENS.glob("*.webp")}
    assert used == on_disk, "every screenshot a guide shows exists, and none lies unused"
    sizes = json.loads((SCREENS / "screens.json").read_text("utf-8"))
    assert set(sizes) == on_disk
    assert sum((SCREENS / name).stat().st_size for name in on_disk) < 400 * 1024


def _sources() -> str:
    texts = [p.read_text("utf-8") for p in (ROOT / "templates").rglob("*.html")]
    texts += [p.read_text("utf-8") for package in ("contest", "judging") for p in (ROOT / package).rglob("*.py")]
    return "\n".join(texts)


def test_what_the_guides_quote_in_bold_is_what_the_screens_say() -> None:
    """A label renamed in a template leaves the guide that quotes it wrong: this fails until it is
    updated (and `make help-screens` run again)."""
    sources = _sources()
    missing = []
    for guide in guides.GUIDES:
        for block in guides.load(guide)[1]:
            pieces = block.spans if isinstance(block, (Paragraph, Note)) else (
                [s for item in block.items for s in item] if isinstance(block, ListBlock) else [])
            for text, bold in pieces:
                label = text.strip().lstrip("← ")
                if bold and label not in sources:
                    missing.append(f"{guide.filename}: {text}")
    assert not missing, missing


def test_the_guides_are_package_data(app: Flask) -> None:
    """The guides ship with the package (pyproject's package-data), as the catalogues do."""
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    assert '"help/guides/*.md"' in pyproject
    assert all((ROOT / "contest" / "help" / "guides" / g.filename).exists() for g in guides.GUIDES)
