"""Accessibility: axe-core finds no serious or critical WCAG 2 A/AA problem on each role's main pages.

Every page is checked on a desktop (1280×800) and on a 360 px phone, as the people who use it
would see it: signed in as that role, the app's own Content-Security-Policy in force. axe-core
(tests/e2e/vendor/axe-core/, test-only) is served to the page from the page's own origin by a
Playwright route, since the CSP refuses inline scripts; the app never serves it.

The cases run in order on this module's server: the judge's pages before the public results
page publishes this year's contest (which ends judging), the standings after it (so they have a
ranking to show); a case chosen alone with -k publishes what it needs itself.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from tests.e2e.conftest import CONTEST_NEXT_YEAR, CONTEST_THIS_YEAR, THIS_YEAR

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_PATH = "/__e2e__/axe.min.js"  # intercepted by the route below; no such URL in the app
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")
REGISTRY_LIKE = "Tổ lưu động giải quyết thủ tục hành chính tại các thôn vùng sâu, vùng xa"
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "360px": {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True},
}


# How to reach each page, as its user would: from a top-level URL, then by the page's own links.
def login(page: Page) -> None:
    page.goto("/auth/login")


def entries_list(page: Page) -> None:
    page.goto("/entries/")
    expect(page.get_by_role("heading", level=1, name="Sáng kiến của tôi")).to_be_visible()


def entry_form(page: Page) -> None:
    entries_list(page)
    page.get_by_role("listitem").filter(has_text=CONTEST_NEXT_YEAR).get_by_role("link", name="Viết sáng kiến mới").click()
    expect(page.get_by_role("heading", level=1, name="Viết sáng kiến mới")).to_be_visible()


def entry_form_with_suggestions(page: Page) -> None:
    """The form once the live suggestions of similar applied initiatives have appeared beside it."""
    entry_form(page)
    page.get_by_label("Tên sáng kiến, giải pháp").fill(REGISTRY_LIKE)
    expect(page.locator("#similar-suggestions").get_by_role("listitem").first).to_be_visible()


def entry_page(page: Page) -> None:
    entries_list(page)
    page.locator(".list-group a.list-group-item").first.click()
    expect(page.get_by_role("heading", level=2, name="Tệp đính kèm")).to_be_visible()


def judge_queue(page: Page) -> None:
    page.goto("/judging/")
    expect(page.get_by_role("heading", level=1, name="Bài cần chấm")).to_be_visible()


def score_sheet(page: Page) -> None:
    """The first entry of the judge's queue; once judging has ended (the queue is empty), the first
    entry the judge was assigned, read-only."""
    judge_queue(page)
    links = page.locator(".list-group a.list-group-item")
    if links.count():
        links.first.click()
    else:
        opened = next((i for i in range(1, 80) if page.request.get(f"/judging/entries/{i}").ok), None)
        assert opened is not None, "the judge may open no entry's score sheet"
        page.goto(f"/judging/entries/{opened}")
    expect(page.get_by_role("heading", level=2, name=re.compile("Phiếu chấm điểm"))).to_be_visible()


def contests_list(page: Page) -> None:
    page.goto("/contests/")
    expect(page.get_by_role("heading", level=1, name="Cuộc thi")).to_be_visible()


def open_menu(page: Page) -> None:
    """The staff menu, opened where it is collapsed (on the phone)."""
    contests_list(page)
    menu = page.get_by_role("button", name="Mở menu")
    if menu.is_visible():
        menu.click()
    expect(page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Cuộc thi")).to_be_visible()


def contest_page(page: Page) -> None:
    contests_list(page)
    page.get_by_role("link", name=CONTEST_THIS_YEAR).first.click()
    expect(page.get_by_role("heading", level=1, name=CONTEST_THIS_YEAR)).to_be_visible()


def screening_list(page: Page) -> None:
    contest_page(page)
    page.get_by_role("link", name=re.compile(r"^1\. Sàng lọc trùng lặp")).click()
    expect(page.get_by_role("heading", level=1, name="Sàng lọc trùng lặp")).to_be_visible()


def screening_flag(page: Page) -> None:
    screening_list(page)
    page.get_by_role("link", name=re.compile(r"^(Xem xét|Xem)$")).first.click()
    expect(page.get_by_role("heading", level=1, name=re.compile("Cảnh báo trùng lặp"))).to_be_visible()


def panel(page: Page) -> None:
    contest_page(page)
    page.get_by_role("link", name="2. Ban giám khảo, tiến độ chấm").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("Ban giám khảo và tiến độ chấm"))).to_be_visible()


def standings(page: Page) -> None:
    contest_page(page)
    page.get_by_role("link", name=re.compile(r"^3\. Kết quả")).click()
    expect(page.get_by_role("heading", level=1, name=re.compile("Bảng xếp hạng"))).to_be_visible()


def dashboard(page: Page) -> None:
    """The secretariat's charts, with their data tables opened."""
    contest_page(page)
    page.get_by_role("link", name="Tổng quan bằng biểu đồ").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("Tổng quan cuộc thi"))).to_be_visible()
    for summary in page.get_by_text("Xem dạng bảng").all():
        summary.click()


def registry(page: Page) -> None:
    page.goto("/registry/")
    expect(page.get_by_role("heading", level=1, name="Ngân hàng sáng kiến đã áp dụng")).to_be_visible()


def audit(page: Page) -> None:
    page.goto("/audit")
    expect(page.get_by_role("heading", level=1, name="Nhật ký thao tác")).to_be_visible()


def results_list(page: Page) -> None:
    page.goto("/results/")
    expect(page.get_by_role("heading", level=1, name="Kết quả cuộc thi đã công bố")).to_be_visible()


def result_page(page: Page) -> None:
    results_list(page)
    page.get_by_role("link", name=re.compile(f"Trung Lương năm {THIS_YEAR}")).click()
    expect(page.get_by_role("heading", level=1, name=CONTEST_THIS_YEAR)).to_be_visible()


def author_result(page: Page) -> None:
    """An author's entry of Đậu Liêu's published contest, its result block at the top."""
    entries_list(page)
    page.get_by_role("link").filter(has_text=re.compile(r"Hạng \d+/\d+")).first.click()
    expect(page.get_by_role("region", name="Kết quả của bài")).to_be_visible()


def contest_rules(page: Page) -> None:
    """The public rules (thể lệ) of the open contest, from the sign-in page."""
    login(page)
    page.get_by_role("region", name="Cuộc thi đang nhận bài").get_by_role("link", name=CONTEST_NEXT_YEAR).first.click()
    expect(page.get_by_role("heading", level=1, name=CONTEST_NEXT_YEAR)).to_be_visible()


# (name, user or None for a visitor, how to get there, needs this year's results published), in run order.
PAGES: list[tuple[str, str | None, Callable[[Page], None], bool]] = [
    ("login", None, login, False),
    ("contest-rules", None, contest_rules, False),
    ("entries-list", "canbo1", entries_list, False),
    ("entry-form", "canbo1", entry_form, False),
    ("entry-form-suggestions", "canbo1", entry_form_with_suggestions, False),
    ("entry-page", "canbo1", entry_page, False),
    ("author-result", "dauliu_canbo1", author_result, False),
    ("judge-queue", "giamkhao1", judge_queue, False),
    ("score-sheet", "giamkhao1", score_sheet, False),
    ("contests-list", "thuky", contests_list, False),
    ("menu", "thuky", open_menu, False),
    ("contest-page", "thuky", contest_page, False),
    ("screening-list", "thuky", screening_list, False),
    ("screening-flag", "thuky", screening_flag, False),
    ("panel", "thuky", panel, False),
    ("dashboard", "thuky", dashboard, False),
    ("registry", "thuky", registry, False),
    ("audit", "bantochuc", audit, False),
    ("results-list", None, results_list, True),
    ("result-page", None, result_page, True),
    ("standings", "thuky", standings, True),
]
CASES = [pytest.param(name, user, go, published, viewport, id=f"{name}-{viewport}")
         for name, user, go, published in PAGES for viewport in VIEWPORTS]


@pytest.fixture(scope="module")
def signed_in_state(browser: Browser, browser_context_args: dict) -> Iterator[Callable[[str], dict]]:
    """state(username): the cookies of that demo user signed in once through the form, for new contexts."""
    from tests.e2e.conftest import sign_in

    states: dict[str, dict] = {}

    def state(username: str) -> dict:
        if username not in states:
            context = browser.new_context(**browser_context_args)
            try:
                page = context.new_page()
                sign_in(page, username)
                states[username] = context.storage_state()
            finally:
                context.close()
        return states[username]

    yield state


def _serve_axe(route: Route) -> None:
    route.fulfill(status=200, content_type="text/javascript; charset=utf-8", body=AXE.read_bytes())


def axe_violations(page: Page, base_url: str) -> list[dict]:
    """axe-core's WCAG 2 A/AA violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=base_url + AXE_PATH)
    return page.evaluate(
        """async (tags) => {
             const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
             return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                                                  nodes: v.nodes.map(n => ({target: n.target.join(" "),
                                                                            summary: n.failureSummary || ""}))}));
           }""",
        WCAG_TAGS,
    )


def describe(violations: list[dict], where: str) -> str:
    """One paragraph per violated rule: id, impact, help, help URL, then each target (the first 8) and why."""
    lines = [f"{where}: {len(violations)} serious/critical axe-core violation(s):"]
    for v in violations:
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:8]:
            # failureSummary is "Fix any/all of the following:" then the reasons, one a line.
            reasons = [line.strip() for line in node["summary"].splitlines()[1:] if line.strip()]
            lines.append(f"    {node['target']}: {reasons[0] if reasons else ''}".rstrip())
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


@pytest.mark.parametrize("name, user, go, published, viewport", CASES)
def test_page_has_no_serious_accessibility_violations(
        name: str, user: str | None, go: Callable[[Page], None], published: bool, viewport: str,
        browser: Browser, browser_context_args: dict, live_server: str, signed_in_state: Callable[[str], dict],
        request: pytest.FixtureRequest) -> None:
    if published:
        request.getfixturevalue("published_this_year")
    extra = {"storage_state": signed_in_state(user)} if user else {}
    context: BrowserContext = browser.new_context(**{**browser_context_args, **VIEWPORTS[viewport], **extra})
    try:
        context.set_default_timeout(10_000)
        context.route("**" + AXE_PATH, _serve_axe)
        page = context.new_page()
        go(page)
        page.wait_for_load_state("load")
        violations = axe_violations(page, live_server)
        minor = [f"{v['id']} [{v['impact']}]" for v in violations if v["impact"] not in BLOCKING]
        if minor:
            print(f"{name} at {viewport}: moderate/minor: {', '.join(minor)}")
        blocking = [v for v in violations if v["impact"] in BLOCKING]
        if blocking:
            pytest.fail(describe(blocking, f"{name} ({page.url}) at {viewport}"), pytrace=False)
    finally:
        context.close()
