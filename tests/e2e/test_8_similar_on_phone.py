"""Journey 8: on a phone, an author typing a title sees the similar applied initiatives at once,
just under the title, and opens one to read it without leaving the form; writing the solution
further down, the box follows, under the solution and above the save button."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import CONTEST_NEXT_YEAR
from tests.e2e.test_4_public_results import PHONE, assert_no_horizontal_overflow

TITLE = "Tổ lưu động giải quyết thủ tục hành chính tại các thôn vùng sâu"
SOLUTION = "Hằng tháng, tổ lưu động gồm công chức tư pháp, địa chính đến từng thôn vùng sâu tiếp nhận hồ sơ."
REGISTRY_MATCH = "Tổ lưu động giải quyết thủ tục hành chính định kỳ hằng tháng tại các thôn vùng sâu, vùng xa"


@pytest.mark.browser_context_args(**PHONE)
def test_author_on_a_phone_sees_and_opens_similar_initiatives_while_typing_the_title(page: Page, sign_in) -> None:
    sign_in(page, "canbo4")
    page.goto("/entries/")
    page.get_by_role("listitem").filter(has_text=CONTEST_NEXT_YEAR).get_by_role(
        "link", name="Viết sáng kiến mới").tap()
    title = page.get_by_label("Tên sáng kiến, giải pháp")
    title.press_sequentially(TITLE, delay=5)

    suggestions = page.locator("#similar-suggestions")
    match = suggestions.get_by_role("listitem").filter(has_text=REGISTRY_MATCH)
    expect(match).to_be_visible()
    # On a 360 px screen the box comes right under the title, not below the whole form.
    title_box = title.bounding_box()
    box = suggestions.bounding_box()
    save = page.get_by_role("button", name="Lưu bản nháp").bounding_box()
    assert title_box and box and save
    assert title_box["y"] < box["y"] < save["y"], (title_box, box, save)
    assert box["y"] - (title_box["y"] + title_box["height"]) < 400, "the suggestions are far below the title"

    # Open it: the applied initiative's summary shows in place.
    summary_text = match.locator("details p")
    expect(summary_text).to_be_hidden()
    match.locator("summary").tap()
    expect(summary_text).to_be_visible()
    expect(summary_text).not_to_be_empty()
    assert_no_horizontal_overflow(page)

    # Further down the form, writing the solution: the box comes with it, right under the field
    # being written and above the save button, not 2,700 px away under the title.
    solution = page.get_by_label("Nội dung giải pháp")
    solution.tap()
    solution.press_sequentially(SOLUTION, delay=2)
    expect(match).to_be_visible()
    solution_box, box = solution.bounding_box(), suggestions.bounding_box()
    effect = page.get_by_label("Hiệu quả đạt được").bounding_box()
    save = page.get_by_role("button", name="Lưu bản nháp").bounding_box()
    assert solution_box and box and effect and save
    assert solution_box["y"] < box["y"] < effect["y"] < save["y"], (solution_box, box, effect, save)
    assert box["y"] - (solution_box["y"] + solution_box["height"]) < 100, "the suggestions are not under the solution"
    # On the screen while the author writes: the box starts within a phone's height of the field.
    viewport = page.viewport_size
    assert viewport and box["y"] - solution_box["y"] < viewport["height"], (solution_box, box, viewport)
    assert_no_horizontal_overflow(page)
