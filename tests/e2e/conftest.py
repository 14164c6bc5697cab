"""Browser journeys: a real `sangkien serve` process with the demo, driven by Debian's Chromium.

Each journey (one per file) gets a server of its own over a fresh demo database, so journeys
run alone, in any order or with -k, and none sees what another changed; one browser serves the
whole session, and every test gets a fresh browser context (no cookies), so each journey signs
in as its own user.

On failure, a screenshot and the HTML of every open page are kept in test-artifacts/e2e/.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from contest.db import utcnow
from contest.demo import demo_years

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
DEMO_PASSWORD = "sangkien2024"
# The demo names its contests by the year it is loaded in (contest.demo.demo_years): this year's
# (Trung Lương's being judged, Đậu Liêu's published, the town's round) and next year's (open).
THIS_YEAR, NEXT_YEAR = demo_years(utcnow())
CONTEST_THIS_YEAR = re.compile(f"năm {THIS_YEAR}")
CONTEST_NEXT_YEAR = re.compile(f"năm {NEXT_YEAR}")
CONTEST_2024 = CONTEST_THIS_YEAR  # its name when the demo's contests were 2024's, kept for older journeys

# A page's own waits (expect(...), clicks) give up after this, so a broken journey fails fast.
expect.set_options(timeout=10_000)


def in_ci() -> bool:
    """True on CI (CI=true), where browser tests must run, never skip."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium; skipped locally when missing, a failure on CI."""
    if not CHROMIUM.exists():
        message = (f"{CHROMIUM} is missing: the browser tests use Debian's Chromium. Install it with "
                   "`apt-get update -qq && apt-get install -y -qq chromium` (never `playwright install`).")
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict, chromium: Path) -> dict:
    """pytest-playwright launches /usr/bin/chromium (browser downloads are impossible here)."""
    return {**browser_type_launch_args, "executable_path": str(chromium), "args": CHROMIUM_ARGS}


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sangkien() -> list[str]:
    """The installed `sangkien` command of this interpreter's environment."""
    script = Path(sys.executable).with_name("sangkien")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from contest.cli import main; main()"]


@pytest.fixture(scope="module")
def live_server(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`sangkien serve` on a free port over its own SQLite file with the demo; its base URL."""
    workdir = tmp_path_factory.mktemp("e2e")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'e2e.db'}", "SANGKIEN_ENV": "development",
           "SANGKIEN_UPLOAD_FOLDER": str(workdir / "uploads"), "SANGKIEN_INDEX_CACHE_FOLDER": str(workdir / "index-cache")}
    for command in (["init-db"], ["demo"]):
        done = subprocess.run([*_sangkien(), *command], env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, f"sangkien {command[0]} failed:\n{done.stdout}\n{done.stderr}"
    port = free_port()
    log_path = workdir / "server.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen([*_sangkien(), "serve", "--port", str(port)], env=env,
                                  stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/auth/login", timeout=2):
                    break
            except OSError:
                assert server.poll() is None, f"the server stopped:\n{log_path.read_text(errors='replace')}"
                assert time.monotonic() < deadline, "the server did not answer within 60 s"
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser_context_args(browser_context_args: dict, live_server: str) -> dict:
    """Vietnamese browser, Vietnam's clock, downloads allowed; relative page.goto("/…") goes to
    this journey's server."""
    return {**browser_context_args, "base_url": live_server, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh",
            "accept_downloads": True}


@pytest.fixture(scope="session")
def _artifacts_folder() -> Path:
    """test-artifacts/e2e/, emptied once per session so it only holds this run's failures."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    return ARTIFACTS


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Keep each phase's report on the test item, for the page fixture to see a failure."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"e2e_report_{report.when}", report)


def _keep_artifacts(folder: Path, name: str, browser: Browser) -> None:
    """A full-page screenshot and the HTML of every page the test still has open."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = [p for ctx in browser.contexts for p in ctx.pages if not p.is_closed()]
    for index, open_page in enumerate(pages):
        stem = folder / (name if len(pages) == 1 else f"{name}-{index + 1}")
        try:
            open_page.screenshot(path=f"{stem}.png", full_page=True, timeout=10_000)
            Path(f"{stem}.html").write_text(f"<!-- {open_page.url} -->\n{open_page.content()}", encoding="utf-8")
        except Exception as error:  # a crashed page must not hide the test's own failure
            Path(f"{stem}.txt").write_text(f"{open_page.url}: could not keep the page: {error}", encoding="utf-8")


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest, _artifacts_folder: Path) -> Iterator[Page]:
    """pytest-playwright's page, kept as a screenshot + HTML in test-artifacts/e2e/ when the test fails."""
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "e2e_report_call", None)
    if report is None or report.failed:
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.nodeid.split("::", 1)[-1]).strip("-")
        _keep_artifacts(_artifacts_folder, name, context.browser)


def sign_in(page: Page, username: str) -> None:
    """Sign in through the form as one of the demo accounts."""
    page.goto("/auth/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    # signed in: the sign-out button is in the menu (folded behind "Mở menu" on a phone)
    expect(page.get_by_role("button", name="Đăng xuất", include_hidden=True)).to_have_count(1)
    expect(page.get_by_label("Tên đăng nhập")).to_have_count(0)


def accept_dialogs(page: Page) -> list[str]:
    """Accept every confirm() of the page; returns the list its messages are collected in."""
    messages: list[str] = []

    def accept(dialog: Any) -> None:
        messages.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return messages


def open_contest(page: Page, title: re.Pattern) -> None:
    """As staff: Cuộc thi → the contest whose title matches."""
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Cuộc thi").click()
    page.get_by_role("link", name=title).first.click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()


def accept_as_chair(page: Page, contest: re.Pattern, chair: str = "giamkhao1") -> None:
    """In a context of their own, the panel's chair accepts every entry still short of sheets, with one reason."""
    origin = re.match(r"https?://[^/]+", page.url).group(0)
    context = page.context.browser.new_context(base_url=origin)
    try:
        own = context.new_page()
        sign_in(own, chair)
        own.goto("/judging/")
        own.get_by_role("link", name=re.compile("Trang Trưởng ban: .*" + contest.pattern)).first.click()
        own.get_by_label(re.compile("Chấp nhận cùng lúc")).fill("Giám khảo chưa chấm kịp; Ban thống nhất xếp hạng theo phiếu đã nộp.")
        own.get_by_role("button", name="Chấp nhận tất cả").click()
        expect(own.get_by_role("alert").filter(has_text="được xếp hạng với số phiếu hiện có")).to_be_visible()
    finally:
        context.close()


def close_despite_open_flags(page: Page) -> None:
    """On the panel page: the flags the demo leaves for people to review stay open; tick that judging closes anyway."""
    despite = page.get_by_label(re.compile("^Vẫn kết thúc chấm"))
    if despite.count():
        despite.check()


def close_and_publish(page: Page, contest: re.Pattern = CONTEST_THIS_YEAR) -> None:
    """As the secretary: end judging of the contest (if still judging), then publish its results."""
    dialogs = accept_dialogs(page)
    open_contest(page, contest)
    page.get_by_role("link", name="2. Ban giám khảo, tiến độ chấm").click()
    close = page.get_by_role("button", name="Kết thúc chấm và xếp hạng")
    if close.count():
        if page.locator("#close-short").count():  # entries short of sheets: the chair accepts them first
            accept_as_chair(page, contest)
            page.reload()
            page.wait_for_load_state("load")
        close_despite_open_flags(page)
        close.click()
        expect(page.get_by_role("alert").filter(has_text="Đã kết thúc chấm")).to_be_visible()
        assert any("Kết thúc chấm?" in m for m in dialogs), dialogs
    else:
        page.get_by_role("link", name="Xem bảng xếp hạng").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("Bảng xếp hạng"))).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Công bố (lại )?kết quả$")).click()
    expect(page.get_by_role("heading", name="Các lần công bố")).to_be_visible()


@pytest.fixture
def published_this_year(browser: Browser, browser_context_args: dict, live_server: str) -> None:
    """Trung Lương's results of this year are on the public page: published by journey 3, or here by the secretary."""
    with urllib.request.urlopen(f"{live_server}/results/", timeout=10) as response:
        if f"phường Trung Lương năm {THIS_YEAR}" in response.read().decode("utf-8"):  # (Đậu Liêu's is there too)
            return
    context = browser.new_context(**browser_context_args)
    try:
        page = context.new_page()
        sign_in(page, "thuky")
        close_and_publish(page)
    finally:
        context.close()


@pytest.fixture
def published_2024(published_this_year: None) -> None:
    """published_this_year under its name from when the demo's judged contest was 2024's."""


@pytest.fixture(name="sign_in")
def sign_in_fixture() -> Callable[[Page, str], None]:
    """sign_in(page, username): through the login form, with the demo password."""
    return sign_in


@pytest.fixture(name="open_contest")
def open_contest_fixture() -> Callable[[Page, re.Pattern], None]:
    """open_contest(page, title): as staff, Cuộc thi → that contest."""
    return open_contest


@pytest.fixture(name="close_and_publish")
def close_and_publish_fixture() -> Callable[..., None]:
    """close_and_publish(page): as the secretary, end judging of this year's contest and publish it."""
    return close_and_publish
