"""A guide as a printable A4 PDF, drawn from the same blocks as its page (for offices that train on paper).

DejaVu Serif is embedded (full Vietnamese coverage, the fonts the certificates use); screenshots
are placed at a size that keeps their text legible and re-encoded as JPEG to keep the file small.
"""
from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from PIL import Image as PILImage

from contest.help.guides import (
    Block,
    Heading,
    Image,
    ListBlock,
    Note,
    Paragraph,
    Screen,
    Span,
)

FAMILY = "DejaVuSerif"
BODY, LINE = 10.5, 5.2  # pt, mm
MARGIN = 18  # mm
GREY, INK, ACCENT = (110, 110, 110), (20, 20, 20), (10, 88, 202)
MM_PER_CSS_PIXEL = 0.2  # a desktop screen (950 px) fills the text width, a phone's (360 px) takes 72 mm


class _GuidePdf(FPDF):
    """A4 portrait, DejaVu Serif, the guide's title and page number at the foot of each page."""

    def __init__(self, title: str, font_dir: Path) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.guide_title = title
        for style, name in (("", "DejaVuSerif.ttf"), ("B", "DejaVuSerif-Bold.ttf"), ("I", "DejaVuSerif-Italic.ttf")):
            self.add_font(FAMILY, style=style, fname=str(font_dir / name))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN)
        self.set_image_filter("DCTDecode")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"{self.guide_title} · Trang {self.page_no()}/{{nb}}", align="C")

    def spans(self, spans: tuple[Span, ...], size: float = BODY, italic: bool = False) -> None:
        """Running text with its bold pieces, wrapped at the current left margin."""
        for text, bold in spans:
            self.set_font(FAMILY, "B" if bold else "I" if italic else "", size)
            self.write(LINE, text)
        self.ln(LINE)

    def room(self, height: float) -> None:
        """A new page unless `height` mm still fit on this one."""
        if self.get_y() + height > self.h - MARGIN:
            self.add_page()


def guide_pdf(title: str, blocks: tuple[Block, ...], image_dir: Path, font_dir: Path,
              screens: dict[str, Screen] | None = None) -> bytes:
    """The guide as PDF bytes: its title, then each block as its page shows it (each screenshot
    at the size `screens` records, else one pixel to a CSS pixel)."""
    pdf = _GuidePdf(title, font_dir)
    pdf.set_title(title)
    pdf.set_author("Hệ thống cuộc thi Sáng kiến, giải pháp cải cách hành chính")
    pdf.set_subject("Hướng dẫn sử dụng")
    pdf.set_lang("vi")
    pdf.add_page()
    pdf.set_font(FAMILY, "", 9)
    pdf.set_text_color(*GREY)
    pdf.cell(0, 5, "HƯỚNG DẪN SỬ DỤNG · Cuộc thi Sáng kiến, giải pháp cải cách hành chính",
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 18)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    width = pdf.w - 2 * MARGIN
    for block in blocks:
        pdf.set_text_color(*INK)
        if isinstance(block, Heading):
            size = 13 if block.level <= 2 else 11.5
            pdf.ln(3)
            pdf.room(6 + 15)  # never a heading alone at the foot of a page
            pdf.set_font(FAMILY, "B", size)
            pdf.set_text_color(*ACCENT)
            pdf.multi_cell(0, 6.5, block.text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif isinstance(block, Paragraph):
            pdf.spans(block.spans)
            pdf.ln(1.5)
        elif isinstance(block, ListBlock):
            for number, item in enumerate(block.items, start=1):
                pdf.set_x(MARGIN + 1)
                pdf.set_font(FAMILY, "", BODY)
                pdf.cell(6, LINE, f"{number}." if block.ordered else "•")
                pdf.set_left_margin(MARGIN + 7)
                pdf.spans(item)
                pdf.set_left_margin(MARGIN)
                pdf.ln(0.8)
            pdf.ln(1)
        elif isinstance(block, Note):
            top = pdf.get_y()
            pdf.set_left_margin(MARGIN + 5)
            pdf.set_x(MARGIN + 5)
            pdf.set_text_color(*GREY)
            pdf.spans(block.spans, size=BODY - 0.5, italic=True)
            pdf.set_left_margin(MARGIN)
            if pdf.get_y() > top:  # the bar beside the note (when it did not run onto a new page)
                pdf.set_draw_color(*ACCENT)
                pdf.set_line_width(0.8)
                pdf.line(MARGIN + 1.5, top, MARGIN + 1.5, pdf.get_y())
            pdf.ln(2)
        elif isinstance(block, Image):
            with PILImage.open(image_dir / block.src) as picture:
                picture.load()
                screen = (screens or {}).get(block.src) or Screen(picture.width, picture.height)
                w = min(width, screen.css_width * MM_PER_CSS_PIXEL)
                h = w * picture.height / picture.width
                tallest = pdf.h - 2 * MARGIN - 10
                if h > tallest:
                    w, h = w * tallest / h, tallest
                pdf.room(h + 4)
                pdf.image(picture.convert("RGB"), x=MARGIN + (width - w) / 2, w=w, h=h, alt_text=block.alt)
            pdf.set_font(FAMILY, "I", 8.5)
            pdf.set_text_color(*GREY)
            pdf.multi_cell(0, 4.5, block.alt, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    return bytes(pdf.output())
