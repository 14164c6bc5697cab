"""An author reads their entry's result once it is published: place, points, prize, recognition,
the town's round; and the panel's comments per criterion, without judges' names, only when the
contest shares them. Nobody else reads this block."""
from __future__ import annotations

import re
from typing import Any, Callable

import pytest
from sqlalchemy import select

from contest.accounts.models import Unit, User
from contest.audit.models import AuditLog
from contest.contests.models import Contest
from contest.db import db
from contest.entries.models import Entry
from judging import feedback
from judging.models import Publication, Result, ScoreSheet
from judging.operations import (
    amend_result,
    assign_panel,
    close_judging,
    forward_entries,
    publish_results,
    reopen_sheet,
    save_sheet,
)
from tests.conftest import ADMIN, JUDGE, PARTICIPANT, SECRETARY, post_form

JUDGE_NAMES = ["Trần Văn Bình", "Lê Thị Cúc", "Hoàng Minh Đức"]
# Each judge's marks (novelty, usefulness, replicability) for entries 0, 1, 2: entry 0 wins with
# (38+30+22 + 36+32+20 + 37+31+21) / 3 = 89; entry 1 scores 73; entry 2 scores 30, under the threshold.
MARKS = {0: [(38, 30, 22), (36, 32, 20), (37, 31, 21)],
         1: [(30, 25, 15), (28, 22, 18), (32, 24, 25)],
         2: [(15, 10, 5), (12, 10, 8), (14, 9, 7)]}


def comment(entry: int, judge: int, code: str) -> str:
    """A comment no other sheet has, naming nobody."""
    return f"Nhận xét {code} bài {entry + 1} phiếu {'XYZ'[judge]}"


@pytest.fixture
def world(ward: Any, make_user: Callable[..., User], make_contest: Callable[..., Contest],
          make_entry: Callable[..., Entry]) -> dict[str, Any]:
    """A ward's contest, three entries of one author scored by three judges, one excluded entry,
    another author's entry; closed, not yet published."""
    unit = Unit(name="Văn phòng HĐND-UBND phường", organisation=ward)
    db.session.add(unit)
    db.session.commit()
    author = make_user(PARTICIPANT, unit=unit, full_name="Nguyễn Thị Lan")
    other = make_user(PARTICIPANT, full_name="Đinh Văn Khác")
    contest = make_contest(forward_count=2)
    entries = [make_entry(contest, author, title="Ứng dụng mã QR tra cứu hồ sơ"),
               make_entry(contest, author, title="Sổ tay điện tử thủ tục hành chính"),
               make_entry(contest, other, title="Zalo OA trả lời người dân")]
    excluded = make_entry(contest, author, title="Trùng với sáng kiến cũ", status="excluded",
                          exclusion_reason="Trùng sáng kiến SK-2022-003")
    judges = [make_user(JUDGE, full_name=name) for name in JUDGE_NAMES]
    secretary = make_user(SECRETARY, full_name="Phạm Thư Ký")
    assign_panel(secretary, contest)
    for index, per_judge in MARKS.items():
        for j, (judge, marks) in enumerate(zip(judges, per_judge)):
            values = {c.id: (points, comment(index, j, c.code)) for c, points in zip(contest.criteria, marks)}
            save_sheet(judge, entries[index], values, submit=True)
    close_judging(secretary, contest)
    db.session.commit()
    return {"contest": contest, "entries": entries, "excluded": excluded, "author": author, "other": other,
            "judges": judges, "secretary": secretary}


def result_block(html: str) -> str:
    """The entry page's result section, or "" when there is none."""
    found = re.search(r'<section[^>]*id="my-result".*?</section>', html, re.S)
    return found.group(0) if found else ""


def main(html: str) -> str:
    """The page's own content, without the menu (whose guides' titles say "chấm điểm")."""
    found = re.search(r"<main.*?</main>", html, re.S)
    return found.group(0) if found else html


def text(html: str) -> str:
    """The words of some HTML, as read: bold runs into its line, other tags and runs of blanks are a space."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"</?strong>", "", html))).strip()


def publish(world: dict) -> Publication:
    publication = publish_results(world["secretary"], world["contest"])
    db.session.commit()
    return publication


def all_comments() -> list[str]:
    return [comment(e, j, code) for e in MARKS for j in range(3) for code in ("novelty", "usefulness", "replicability")]


def test_nothing_about_scores_before_publication_then_the_published_result(world: dict, signed_in: Callable) -> None:
    first, second = world["entries"][:2]
    author, _ = signed_in(user=world["author"])
    page = author.get(f"/entries/{first.id}").get_data(as_text=True)
    block = text(result_block(page))
    assert "Kết quả chưa được công bố" in block and "Đã kết thúc chấm" in block
    for leak in ("89", "Giải Nhất", "Hạng", "Được công nhận", "Giám khảo"):
        assert leak not in text(page).replace(first.title, ""), leak
    listing = text(main(author.get("/entries/").get_data(as_text=True)))
    assert "Hạng" not in listing and "điểm" not in listing

    publish(world)
    block = text(result_block(author.get(f"/entries/{first.id}").get_data(as_text=True)))
    assert "Xếp hạng 1 trên 3 sáng kiến" in block
    assert "Điểm trung bình 89/100 · 3 phiếu chấm" in block
    assert "Giải Giải Nhất" in block
    assert "Công nhận Được công nhận" in block
    assert "Vòng thị xã Chưa chuyển lên vòng thị xã" in block
    assert "Tính mới 37/40" in block and "Tính hữu ích, hiệu quả 31/35" in block  # the published criterion means

    block = text(result_block(author.get(f"/entries/{second.id}").get_data(as_text=True)))
    assert "Xếp hạng 2 trên 3 sáng kiến" in block and "Điểm trung bình 73/100" in block
    assert "Giải Giải Nhì" in block and "Công nhận Được công nhận" in block

    listing = text(author.get("/entries/").get_data(as_text=True))
    assert "Giải Nhất Hạng 1/3 · 89/100 điểm · Được công nhận" in listing
    assert "Hạng 2/3 · 73/100 điểm" in listing
    assert "Zalo OA" not in listing  # another author's entry


def test_a_low_entry_says_not_recognised_and_not_forwarded(world: dict, signed_in: Callable) -> None:
    publish(world)
    other, _ = signed_in(user=world["other"])
    block = text(result_block(other.get(f"/entries/{world['entries'][2].id}").get_data(as_text=True)))
    assert "Xếp hạng 3 trên 3 sáng kiến" in block and "Điểm trung bình 30/100" in block
    assert "Giải Không đạt giải" in block
    assert "Công nhận Không được công nhận (ngưỡng 50 điểm)" in block
    assert "Không chuyển lên (chỉ sáng kiến được công nhận mới được chuyển)" in block


def test_excluded_entries_say_so_plainly(world: dict, signed_in: Callable) -> None:
    publish(world)
    author, _ = signed_in(user=world["author"])
    block = text(result_block(author.get(f"/entries/{world['excluded'].id}").get_data(as_text=True)))
    assert "Bài bị loại (trùng lặp) nên không được chấm và xếp hạng." in block
    assert "Hạng" not in block


def test_forwarded_then_the_towns_verdict(world: dict, signed_in: Callable, make_contest: Callable, town: Any,
                                          app: Any) -> None:
    publish(world)
    first = world["entries"][0]
    town_round = make_contest(organisation=town, title="Sáng kiến CCHC thị xã Hồng Lĩnh năm 2024")
    forward_entries(world["secretary"], world["contest"], town_round, [first.id], app.config["UPLOAD_FOLDER"])
    db.session.commit()
    author, _ = signed_in(user=world["author"])
    page = author.get(f"/entries/{first.id}").get_data(as_text=True)
    block = text(result_block(page))
    assert f"Đã chuyển lên “{town_round.title}”: Chờ chấm" in block
    assert page.count('id="town-outcome"') == 1  # said once, in the result block
    listing = text(author.get("/entries/").get_data(as_text=True))
    assert "Được công nhận · Vòng thị xã: Chờ chấm" in listing


def test_comments_stay_hidden_unless_the_contest_shares_them(world: dict, signed_in: Callable) -> None:
    publish(world)
    first = world["entries"][0]
    author, _ = signed_in(user=world["author"])
    page = author.get(f"/entries/{first.id}").get_data(as_text=True)
    assert "Xếp hạng" in text(result_block(page))
    for words in all_comments() + ["Giám khảo 1", "Nhận xét"]:
        assert words not in page, words


def test_the_admin_turns_sharing_on_audited_and_the_author_reads_the_comments_anonymised(
        world: dict, signed_in: Callable) -> None:
    contest, first = world["contest"], world["entries"][0]
    publish(world)
    admin, _ = signed_in(ADMIN)
    form_page = admin.get(f"/contests/{contest.id}/edit").get_data(as_text=True)
    assert "cho tác giả xem nhận xét của Ban giám khảo" in form_page and "Giám khảo 1, 2…" in form_page
    assert not re.search(r'<input[^>]*name="share_comments"[^>]*checked', form_page)  # off by default
    data = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form_page))
    data.update({k: v for k, v in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', form_page)})
    data.update({name: re.search(r'<option[^>]*selected[^>]*value="([^"]*)"|<option value="([^"]*)"[^>]*selected',
                                 block).group(1) or "" for name, block in
                 re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form_page, re.S)})
    data = {k: v.replace("&#10;", "\n").strip() for k, v in data.items()
            if k not in ("blind", "community_vote", "share_comments")}
    data["share_comments"] = "y"
    response = post_form(admin, f"/contests/{contest.id}/edit", data)
    assert response.status_code == 302, text(response.get_data(as_text=True))[:800]
    db.session.expire_all()
    assert contest.share_comments is True
    log = db.session.scalars(select(AuditLog).filter_by(action="contest.update")).all()[-1]
    assert log.before["share_comments"] is False and log.after["share_comments"] is True
    assert re.search(r'<input[^>]*checked[^>]*name="share_comments"|<input[^>]*name="share_comments"[^>]*checked',
                     admin.get(f"/contests/{contest.id}/edit").get_data(as_text=True))

    author, _ = signed_in(user=world["author"])
    page = author.get(f"/entries/{first.id}").get_data(as_text=True)
    block = result_block(page)
    words = text(block)
    for j in range(3):
        for code in ("novelty", "usefulness", "replicability"):
            assert comment(0, j, code) in words
    assert all(comment(1, j, "novelty") not in page for j in range(3))  # another entry's comments
    for name in JUDGE_NAMES + [j.username for j in world["judges"]]:
        assert name not in page
    # Grouped by criterion, each with its mean, each judge as "Giám khảo n" across criteria.
    novelty = words[words.index("Tính mới"):words.index("Tính hữu ích")]
    assert novelty.startswith("Tính mới 37/40")
    assert sorted(re.findall(r"Giám khảo (\d)", novelty)) == ["1", "2", "3"]
    numbers = {re.search(rf"Giám khảo (\d): {re.escape(comment(0, j, 'novelty'))}", words).group(1) for j in range(3)}
    assert numbers == {"1", "2", "3"}
    for j in range(3):
        n = re.search(rf"Giám khảo (\d): {re.escape(comment(0, j, 'novelty'))}", words).group(1)
        assert f"Giám khảo {n}: {comment(0, j, 'usefulness')}" in words  # the same number on every criterion
    again = text(result_block(author.get(f"/entries/{first.id}").get_data(as_text=True)))
    assert again == words  # the same numbers from one visit to the next
    assert "Giám khảo" not in text(author.get("/entries/").get_data(as_text=True))  # the list shows no comments


def test_nobody_else_reads_the_block(world: dict, signed_in: Callable, client: Any) -> None:
    contest, first = world["contest"], world["entries"][0]
    contest.share_comments = True
    db.session.commit()
    publish(world)
    other, _ = signed_in(user=world["other"])
    assert other.get(f"/entries/{first.id}").status_code == 403
    assert comment(0, 0, "novelty") not in other.get("/entries/").get_data(as_text=True)
    judge, _ = signed_in(user=world["judges"][0])  # assigned, contest not blind: may open the entry page
    page = judge.get(f"/entries/{first.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="my-result"' not in html and all(c not in html for c in all_comments())
    anonymous = client.get(f"/entries/{first.id}")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    public = client.get(f"/results/{contest.id}").get_data(as_text=True)
    assert all(c not in public for c in all_comments())
    # The secretariat, who read every sheet, read what the author reads.
    secretary, _ = signed_in(user=world["secretary"])
    assert comment(0, 1, "usefulness") in secretary.get(f"/entries/{first.id}").get_data(as_text=True)


def test_an_amendment_under_way_does_not_change_what_the_author_reads(world: dict, signed_in: Callable) -> None:
    contest, first = world["contest"], world["entries"][0]
    contest.share_comments = True
    db.session.commit()
    publish(world)
    result = db.session.scalar(select(Result).filter_by(entry_id=first.id))
    amend_result(world["secretary"], result, 2, "nhi", True, "Biên bản họp Ban giám khảo ngày 5/12")
    sheet = db.session.scalar(select(ScoreSheet).filter_by(entry_id=first.id, judge_id=world["judges"][0].id))
    reopen_sheet(world["secretary"], sheet, "Xem lại tiêu chí tính mới")
    save_sheet(world["judges"][0], first, {c.id: (10, "Ý kiến mới chưa công bố") for c in contest.criteria})
    db.session.commit()
    assert contest.status == "judging"
    author, _ = signed_in(user=world["author"])
    block = text(result_block(author.get(f"/entries/{first.id}").get_data(as_text=True)))
    assert "Xếp hạng 1 trên 3 sáng kiến" in block and "Giải Giải Nhất" in block and "89/100" in block
    assert comment(0, 0, "novelty") in block and "Ý kiến mới chưa công bố" not in block


def test_a_publication_older_than_frozen_comments_reads_them_from_the_counted_sheets(world: dict,
                                                                                      signed_in: Callable) -> None:
    contest, first = world["contest"], world["entries"][0]
    contest.share_comments = True
    publication = publish(world)
    frozen = publication.snapshot["comments"][str(first.id)]
    publication.snapshot = {k: v for k, v in publication.snapshot.items() if k != "comments"}
    db.session.commit()
    author, _ = signed_in(user=world["author"])
    block = text(result_block(author.get(f"/entries/{first.id}").get_data(as_text=True)))
    for n, words in frozen["novelty"]:
        assert f"Giám khảo {n}: {words}" in block  # the same numbers as a publication would have frozen


def test_judge_numbers_are_stable_keyed_and_not_the_id_order() -> None:
    key, ids = b"k" * 32, [3, 7, 11]
    assert feedback.judge_numbers(5, ids, key) == feedback.judge_numbers(5, list(reversed(ids)), key)
    assert sorted(feedback.judge_numbers(5, ids, key).values()) == [1, 2, 3]
    orders = {tuple(sorted(ids, key=feedback.judge_numbers(e, ids, key).get)) for e in range(1, 40)}
    assert len(orders) > 1 and orders != {tuple(ids)}  # per entry, and not by id
    assert any(feedback.judge_numbers(e, ids, key) != feedback.judge_numbers(e, ids, b"x" * 32) for e in range(1, 10))


def test_anonymous_comments_drop_blanks_and_number_every_judge() -> None:
    rows = [(1, 10, "novelty", "Tốt"), (1, 20, "novelty", "  "), (1, 20, "usefulness", "Khá"), (2, 10, "novelty", "")]
    out = feedback.anonymous_comments(rows, b"k")
    numbers = feedback.judge_numbers(1, [10, 20], b"k")
    assert out == {"1": {"novelty": [[numbers[10], "Tốt"]], "usefulness": [[numbers[20], "Khá"]]}}
