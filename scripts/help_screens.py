"""The screenshots of the in-app guides (`make help-screens`): static/help/*.webp.

A real `sangkien serve` over a fresh demo database on a free loopback port (as tests/e2e does),
driven by Debian's Chromium through Playwright; each picture is a region of one screen with the
control the guide names outlined, saved as a small WebP. Run it again after changing a screen
the guides show; nothing else is touched.

    .venv/bin/python scripts/help_screens.py [--out static/help] [--keep-server]
"""
from __future__ import annotations

import argparse
import io
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Locator, Page, sync_playwright

from contest.db import utcnow
from contest.demo import DEMO_PDF, demo_years

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PASSWORD = "sangkien2024"
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 1.5, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1040, "height": 800}, "device_scale_factor": 1}
QUALITY = 55  # WebP: the text stays sharp enough to read, a screen weighs 15–40 KB
OUTLINE = "3px solid #d63384"
# The demo names its contests by the year it is loaded in: this year's are judged or published, next year's open.
THIS_YEAR, NEXT_YEAR = demo_years(utcnow())
JUDGED = re.compile(f"phường Trung Lương năm {THIS_YEAR}")
PUBLISHED = re.compile(f"phường Đậu Liêu năm {THIS_YEAR}")
SIMILAR_TITLE = "Tổ lưu động giải quyết thủ tục hành chính tại các thôn vùng sâu"


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(workdir: Path) -> tuple[str, subprocess.Popen]:
    """init-db, the demo and `sangkien serve` over a database in `workdir`; (base URL, server)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'screens.db'}", "SANGKIEN_ENV": "development",
           "SANGKIEN_UPLOAD_FOLDER": str(workdir / "uploads"), "SANGKIEN_INDEX_CACHE_FOLDER": str(workdir / "index")}
    script = Path(sys.executable).with_name("sangkien")
    sangkien = [str(script)] if script.exists() else [sys.executable, "-c", "from contest.cli import main; main()"]
    for command in (["init-db"], ["demo"]):
        subprocess.run([*sangkien, *command], env=env, check=True, capture_output=True, timeout=300)
    port = free_port()
    with open(workdir / "server.log", "wb") as log:  # the child keeps its own copy of the file
        server = subprocess.Popen([*sangkien, "serve", "--port", str(port)], env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/auth/login", timeout=2):
                return url, server
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit((workdir / "server.log").read_text(errors="replace"))
            time.sleep(0.2)


class Camera:
    """Saves regions of pages as WebP files in one folder, and says what it saved."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.saved: list[tuple[str, int, tuple[int, int]]] = []
        self.sizes: dict[str, list[float]] = {}  # static/help/screens.json: [width, height, density] by file

    def shoot(self, page: Page, name: str, *regions: Locator, outline: Locator | None = None, pad: int = 8,
              max_height: int = 760) -> None:
        """The smallest rectangle around `regions` (with `outline` drawn around one control)."""
        if outline is not None:
            outline.evaluate(f"e => {{ e.style.outline = '{OUTLINE}'; e.style.outlineOffset = '2px'; }}")
        boxes = []
        for region in regions:
            region.scroll_into_view_if_needed()
            box = region.bounding_box()
            assert box, f"{name}: {region} is not on the screen"
            scroll_y = page.evaluate("window.scrollY")
            boxes.append((box["x"], box["y"] + scroll_y, box["x"] + box["width"], box["y"] + box["height"] + scroll_y))
        width = page.evaluate("document.documentElement.clientWidth")
        left, top = max(min(b[0] for b in boxes) - pad, 0), max(min(b[1] for b in boxes) - pad, 0)
        right, bottom = min(max(b[2] for b in boxes) + pad, width), max(b[3] for b in boxes) + pad
        clip = {"x": left, "y": top, "width": right - left, "height": min(bottom - top, max_height)}
        png = page.screenshot(clip=clip, full_page=True, animations="disabled", caret="hide")
        if outline is not None:
            outline.evaluate("e => { e.style.outline = ''; e.style.outlineOffset = ''; }")
        image = Image.open(io.BytesIO(png)).convert("RGB")
        target = self.out / f"{name}.webp"
        image.save(target, "WEBP", quality=QUALITY, method=6)
        self.saved.append((target.name, target.stat().st_size, image.size))
        density = page.evaluate("window.devicePixelRatio")
        self.sizes[target.name] = [image.width, image.height, density]

    def write_sizes(self) -> None:
        """The pictures' sizes, for the page's width/height attributes and the PDF's layout."""
        lines = [f"  {json.dumps(name)}: {json.dumps(size)}" for name, size in sorted(self.sizes.items())]
        (self.out / "screens.json").write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")


def sign_in(page: Page, username: str) -> None:
    """Through the sign-in form, as a demo account."""
    page.goto("/auth/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("button", name="Đăng xuất", include_hidden=True).wait_for(state="attached")


def author(page: Page, camera: Camera) -> None:
    """Guide 1: writing and submitting an entry, on a phone."""
    sign_in(page, "canbo1")
    page.goto("/entries/")
    row = page.get_by_role("listitem").filter(has_text=re.compile(f"năm {NEXT_YEAR}"))
    write = row.get_by_role("link", name="Viết sáng kiến mới")
    camera.shoot(page, "nop-1-sang-kien-cua-toi", page.get_by_role("heading", level=1),
                 page.get_by_role("heading", name="Bài của tôi"), outline=write)
    write.tap()
    title = page.get_by_label("Tên sáng kiến, giải pháp")
    title.press_sequentially(SIMILAR_TITLE, delay=5)
    suggestions = page.locator("#similar-suggestions")
    first = suggestions.locator("details").first
    first.wait_for()
    first.locator("summary").tap()
    camera.shoot(page, "nop-2-sang-kien-tuong-tu", page.locator("label[for=title]"), suggestions,
                 outline=suggestions.locator("li").first)
    page.get_by_label("Lĩnh vực").select_option(index=1)
    page.get_by_label("Thực trạng").fill("Người dân ở các thôn xa phải đi nhiều lần lên phường để nộp hồ sơ.")
    page.get_by_label("Nội dung giải pháp").fill("Tổ lưu động nhận hồ sơ tại nhà văn hóa thôn vào thứ Bảy.")
    page.get_by_label("Hiệu quả đạt được").fill("Người dân không phải lên phường; hồ sơ trả đúng hẹn.")
    page.get_by_label("Nơi đã áp dụng hoặc áp dụng thử").fill("Các thôn vùng sâu của phường")
    page.get_by_role("button", name="Lưu bản nháp").click()
    missing = page.locator("#missing")
    camera.shoot(page, "nop-3-con-thieu", missing, outline=missing.get_by_role("link").first, pad=5)
    page.locator("input#file").set_input_files(files=[{
        "name": "Ban mo ta sang kien.pdf", "mimeType": "application/pdf", "buffer": DEMO_PDF}])
    submit = page.get_by_role("button", name="Nộp bài")
    camera.shoot(page, "nop-4-dinh-kem-va-nop", page.get_by_role("heading", name="Tệp đính kèm"), submit,
                 outline=submit, pad=5)


def author_result(page: Page, camera: Camera) -> None:
    """Guide 1 again: an author of the published ward reads their entry's result, on a phone."""
    sign_in(page, "dauliu_canbo1")
    page.goto("/entries/")
    page.locator("a.list-group-item").filter(has_text=PUBLISHED).filter(has_text="Giải Nhất").first.tap()
    result = page.locator("#my-result")
    camera.shoot(page, "nop-5-ket-qua", result.locator("h2"), result.locator("dl"), outline=result.locator("h2"))


def open_contest(page: Page, title: re.Pattern) -> None:
    """As staff: Cuộc thi → the contest."""
    page.goto("/contests/")
    page.get_by_role("link", name=title).first.click()
    page.get_by_role("heading", level=1, name=title).wait_for()


def screening(page: Page, camera: Camera) -> None:
    """Guide 2: the secretariat screening duplicates, on a desktop."""
    sign_in(page, "thuky")
    open_contest(page, JUDGED)
    step = page.get_by_role("link", name=re.compile("^1. Sàng lọc trùng lặp"))
    camera.shoot(page, "loc-1-cac-buoc", page.get_by_role("heading", name="Các bước"), step.locator(".."), outline=step)
    step.click()
    table = page.locator("table").first
    camera.shoot(page, "loc-2-danh-sach", page.get_by_role("heading", level=1), table, max_height=470,
                 outline=table.get_by_role("link", name="Xem xét").first)
    table.get_by_role("link", name="Xem xét").first.click()
    form = page.locator("form").filter(has=page.get_by_role("button", name="Ghi nhận kết luận"))
    camera.shoot(page, "loc-3-so-sanh", page.get_by_role("heading", level=1), page.locator(".row.g-3.mb-4"),
                 max_height=440)
    camera.shoot(page, "loc-4-ket-luan", form, outline=page.get_by_label("Kết luận"))


def judge(page: Page, camera: Camera) -> None:
    """Guide 3: a judge's queue and score sheet, on a desktop."""
    sign_in(page, "giamkhao3")
    page.goto("/judging/")
    pending = page.locator("a.list-group-item").filter(has_text="Chưa chấm").first
    camera.shoot(page, "cham-1-bai-can-cham", page.get_by_role("heading", level=1),
                 page.locator(".list-group").first, max_height=400, outline=pending)
    pending.click()
    sheet = page.locator("section[aria-labelledby=sheet-title]")
    first = sheet.locator("fieldset").first
    band = first.get_by_label("Mức đánh giá")
    band.select_option(index=3)
    first.get_by_label(re.compile("^Điểm")).fill("28")
    first.get_by_label(re.compile("^Nhận xét")).fill("Giải pháp mới ở phường, chưa đơn vị nào áp dụng.")
    camera.shoot(page, "cham-2-phieu-cham", sheet.locator("h2"), first, outline=band)
    buttons = sheet.get_by_role("button", name="Lưu nháp").locator("..")
    camera.shoot(page, "cham-3-luu-va-nop", sheet.locator("fieldset").last, buttons,
                 outline=sheet.get_by_role("button", name="Nộp phiếu chấm"))
    conflict = page.locator("section[aria-labelledby=conflict-title]")
    camera.shoot(page, "cham-4-xung-dot", conflict)


def closing(page: Page, camera: Camera) -> None:
    """Guide 4: the panel, the entries short of judges, the progress; on a desktop."""
    sign_in(page, "thuky")
    open_contest(page, JUDGED)
    page.get_by_role("link", name="2. Ban giám khảo, tiến độ chấm").click()
    page.get_by_text("Chọn giám khảo, Trưởng ban và lĩnh vực chuyên môn").click()
    search = page.get_by_label("Lọc theo tên hoặc đơn vị")
    search.press_sequentially("Lan", delay=5)
    search.blur()
    camera.shoot(page, "ket-1-ban-giam-khao", page.get_by_role("heading", name="Thành viên Ban giám khảo"),
                 page.get_by_role("button", name="Lưu Ban giám khảo"), outline=search)
    assign = page.get_by_role("button", name="Phân công Ban giám khảo chấm các sáng kiến đã nộp")
    # Every demo entry lacks the judges of its author's unit, and no other judge is free: take one
    # pending sheet off a judge, so the list proposes that judge back, then put it back.
    judge = "Hoàng Đức Anh"
    column = page.locator("table.table-bordered thead th").all_inner_texts().index(judge)
    row = page.locator("table.table-bordered tbody tr").filter(
        has=page.locator(f"td:nth-child({column + 1})", has_text="Chưa chấm")).first
    title = row.locator("td").first.inner_text()
    row.locator(f"td:nth-child({column + 1})").get_by_role("button", name="Bỏ").click()
    short = page.locator("#short")
    proposed = page.get_by_role("button", name=f"Phân công {judge}")
    item = short.locator("li").filter(has=proposed)
    assert title in item.inner_text()
    again = item.get_by_role("button", name=f"Phân công {judge}")
    # The picture shows that entry alone: the others say the same thing for the demo's two units.
    short.locator("li").filter(has_not=proposed).evaluate_all("items => items.forEach(i => i.hidden = true)")
    camera.shoot(page, "ket-2-chua-du-giam-khao", assign, short, outline=again)
    again.click()
    page.get_by_role("heading", name="Giám khảo", exact=True).wait_for()
    camera.shoot(page, "ket-3-tien-do", page.get_by_role("heading", name="Giám khảo", exact=True),
                 page.locator("section[aria-labelledby=remind-title]"), max_height=480,
                 outline=page.get_by_role("button", name="Gửi lời nhắc"))


def chair(page: Page, camera: Camera) -> None:
    """Guide 3 again: the chair accepts the entries short of sheets, on a desktop."""
    sign_in(page, "giamkhao1")
    page.goto("/judging/")
    page.get_by_role("link", name=re.compile("^Trang Trưởng ban")).first.click()
    short = page.locator("#short")
    accept_all = short.get_by_role("button", name="Chấp nhận tất cả")
    short.get_by_label(re.compile("^Chấp nhận cùng lúc")).fill(
        "Ban giám khảo có ba thành viên thuộc hai đơn vị; giám khảo cùng đơn vị với tác giả không chấm.")
    camera.shoot(page, "cham-5-truong-ban", short.locator("h2"), short.locator(".card").nth(1), outline=accept_all)
    accept_all.click()
    page.get_by_text("Đã chấp nhận").first.wait_for()


def closing_close(page: Page, camera: Camera) -> None:
    """Guide 4 again: closing, once the chair has accepted the entries short of sheets."""
    sign_in(page, "thuky")
    open_contest(page, JUDGED)
    page.get_by_role("link", name="2. Ban giám khảo, tiến độ chấm").click()
    close = page.get_by_role("button", name="Kết thúc chấm và xếp hạng")
    camera.shoot(page, "ket-4-ket-thuc-cham", page.get_by_role("heading", name="Kết thúc chấm"), close, outline=close)


def publishing(page: Page, camera: Camera) -> None:
    """Guide 4 again: a ward whose contest is closed, published and forwarded."""
    sign_in(page, "dauliu_thuky")
    open_contest(page, PUBLISHED)
    dossier = page.get_by_role("link", name=re.compile("^4. Hồ sơ"))
    camera.shoot(page, "ket-5-ho-so", page.get_by_role("heading", name="Các bước"), dossier.locator(".."), outline=dossier)
    page.get_by_role("link", name="3. Kết quả, công bố, gửi Hội đồng").click()
    publish = page.get_by_role("button", name=re.compile("^Công bố (lại )?kết quả$"))
    camera.shoot(page, "ket-6-cong-bo", publish.locator("xpath=ancestor::div[1]"), outline=publish)
    forward = page.get_by_role("button", name="Chuyển lên vòng thị xã")
    camera.shoot(page, "ket-7-chuyen-thi-xa", page.locator("#forward form.border"), outline=forward)


SHOTS: list[tuple[dict[str, Any], Callable[[Page, Camera], None]]] = [
    (PHONE, author), (PHONE, author_result), (DESKTOP, screening), (DESKTOP, judge), (DESKTOP, closing),
    (DESKTOP, chair), (DESKTOP, closing_close), (DESKTOP, publishing),
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "static" / "help")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    camera = Camera(args.out)
    with tempfile.TemporaryDirectory(prefix="help-screens-") as tmp:
        url, server = serve(Path(tmp))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for device, take in SHOTS:
                    context = browser.new_context(**device, base_url=url, locale="vi-VN",
                                                  timezone_id="Asia/Ho_Chi_Minh")
                    context.set_default_timeout(15_000)
                    page = context.new_page()
                    page.on("dialog", lambda dialog: dialog.accept())
                    take(page, camera)
                    context.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    camera.write_sizes()
    total = 0
    for name, size, (w, h) in camera.saved:
        total += size
        print(f"{name:<32} {w:>5}×{h:<5} {size / 1024:6.1f} KB")
    print(f"{len(camera.saved)} ảnh, tổng {total / 1024:.0f} KB, trong {args.out}")


if __name__ == "__main__":
    main()
