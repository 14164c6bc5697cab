"""One bank for the town: each organisation's registry indexed apart, a ward's entries flagged
against its own registry and shown the rest of the town's bank as a lower tier, the town's round
flagged against the whole bank and against the entries the other wards sent."""
from __future__ import annotations

from typing import Any, Callable

import pytest
from sqlalchemy import select

from contest.accounts.models import TOWN, WARD, Organisation
from contest.accounts.naming import document_names
from contest.db import db
from contest.screening import duplicates
from contest.screening.models import FLAG_ELSEWHERE, FLAG_OPEN, DuplicateFlag
from contest.screening.operations import flag_duplicates
from tests.conftest import PARTICIPANT, SECRETARY

QR = ("Ứng dụng mã QR trên giấy hẹn trả kết quả để người dân tự tra cứu hồ sơ",
      "In mã QR lên giấy hẹn trả kết quả; người dân quét mã bằng điện thoại để xem hồ sơ đang ở bước nào.")
MAIL = ("Tiếp nhận và trả hồ sơ đất đai qua dịch vụ bưu chính công ích tại nhà",
        "Nhân viên bưu điện đến nhà nhận hồ sơ đất đai và mang kết quả về, người dân không phải đến phường.")


def organisation(name: str, level: str = WARD, parent: Any = None) -> Organisation:
    org = Organisation(name=name, level=level, parent=parent, **document_names(name))
    db.session.add(org)
    db.session.commit()
    return org


@pytest.fixture
def town_bank(town: Organisation, ward: Organisation, make_registry_item: Callable) -> dict[str, Any]:
    """Trung Lương (the test ward) holds the QR idea; its sibling Đậu Liêu the postal one; a ward of
    another town holds the postal one too."""
    sibling = organisation("Phường Đậu Liêu", parent=town)
    elsewhere_town = organisation("Thị xã Kỳ Anh", level=TOWN)
    stranger = organisation("Phường Sông Trí", parent=elsewhere_town)
    return {
        "town": town, "ward": ward, "sibling": sibling, "stranger": stranger,
        "own": make_registry_item(title=QR[0], summary=QR[1]),
        "sibling_item": make_registry_item(title=MAIL[0], summary=MAIL[1], organisation=sibling),
        "stranger_item": make_registry_item(title=MAIL[0], summary=MAIL[1], organisation=stranger),
    }


def test_a_ward_is_flagged_by_its_own_registry_and_shown_the_rest_of_its_town(town_bank: dict, make_user: Callable,
                                                                                make_contest: Callable,
                                                                                make_entry: Callable,
                                                                                signed_in: Callable) -> None:
    ward, town, sibling = town_bank["ward"], town_bank["town"], town_bank["sibling"]
    assert duplicates.banks_of(ward) == ([ward.id], [town.id, sibling.id])
    assert duplicates.banks_of(town) == ([town.id, ward.id, sibling.id], [])
    contest = make_contest()
    author = make_user(PARTICIPANT)
    qr = make_entry(contest, author, title=QR[0], situation="", solution=QR[1], effect="")
    mail = make_entry(contest, author, title=MAIL[0], situation="", solution=MAIL[1], effect="")
    flag_duplicates(None, qr)
    flag_duplicates(None, mail)
    db.session.commit()
    by_item = {(f.entry_id, f.registry_item_id): f.status for f in db.session.scalars(select(DuplicateFlag))}
    assert by_item[(qr.id, town_bank["own"].id)] == FLAG_OPEN
    assert by_item[(mail.id, town_bank["sibling_item"].id)] == FLAG_ELSEWHERE  # however close: never a flag
    assert (mail.id, town_bank["stranger_item"].id) not in by_item  # another town's bank is not ours
    assert not any(s == FLAG_OPEN for (e, _), s in by_item.items() if e == mail.id)

    client, _ = signed_in(SECRETARY)
    html = client.get(f"/screening/{contest.id}").get_data(as_text=True)
    tier = html.split('id="elsewhere"', 1)[1]
    assert MAIL[0] in tier and "Phường Đậu Liêu" in tier and QR[0] not in tier
    assert 'id="nothing-forwarded"' not in client.get(f"/contests/{contest.id}").get_data(as_text=True)


def test_the_authors_suggestions_come_from_the_towns_bank_only(town_bank: dict, signed_in: Callable) -> None:
    client, _ = signed_in(PARTICIPANT)
    matches = client.get("/entries/similar", query_string={"title": MAIL[0], "solution": MAIL[1]}).get_json()["matches"]
    assert [m["id"] for m in matches if m["title"] == MAIL[0]] == [town_bank["sibling_item"].id]
    found = next(m for m in matches if m["id"] == town_bank["sibling_item"].id)
    assert found["elsewhere"] and not found["flag"] and "Phường Đậu Liêu" in found["meta"]
    own = client.get("/entries/similar", query_string={"title": QR[0], "solution": QR[1]}).get_json()["matches"]
    assert own[0]["id"] == town_bank["own"].id and own[0]["flag"] and not own[0]["elsewhere"]


def test_the_town_round_is_flagged_against_the_whole_bank_and_the_other_wards_entries(
        town_bank: dict, make_user: Callable, make_contest: Callable, make_entry: Callable) -> None:
    town, sibling = town_bank["town"], town_bank["sibling"]
    town_round = make_contest(organisation=town, title="Vòng thị xã")
    author = make_user(PARTICIPANT)
    first = make_entry(town_round, author, title=QR[0], situation="", solution=QR[1], effect="")
    sent_twice = make_entry(town_round, make_user(PARTICIPANT, organisation=sibling), title=QR[0],
                            situation="", solution=QR[1], effect="")
    mail = make_entry(town_round, author, title=MAIL[0], situation="", solution=MAIL[1], effect="")
    for entry in (first, sent_twice, mail):
        flag_duplicates(None, entry)
    db.session.commit()
    flags = {(f.entry_id, f.registry_item_id, f.other_entry_id): f.status for f in db.session.scalars(select(DuplicateFlag))}
    assert flags[(mail.id, town_bank["sibling_item"].id, None)] == FLAG_OPEN  # a ward's registry flags in the town round
    assert flags[(first.id, town_bank["own"].id, None)] == FLAG_OPEN
    assert flags[(sent_twice.id, None, first.id)] == FLAG_OPEN  # the same idea sent by two wards
    assert not any(item == town_bank["stranger_item"].id for _, item, _ in flags)


def test_a_change_in_one_wards_registry_rebuilds_no_other_index(app: Any, town_bank: dict, make_registry_item: Callable,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    ward, sibling = town_bank["ward"], town_bank["sibling"]
    assert duplicates.search_registry([ward.id, sibling.id], QR[0], QR[1], limit=3, threshold=0)
    ours = duplicates._cache[duplicates._key(ward.id)]
    added: list[str] = []
    real_add = duplicates.Matcher.add
    monkeypatch.setattr(duplicates.Matcher, "add", lambda self, doc: (added.append(doc.id), real_add(self, doc))[1])
    new = make_registry_item(title="Loa phát thanh thủ tục hành chính hằng tuần", organisation=sibling)
    found = duplicates.search_registry([ward.id, sibling.id], "Loa phát thanh thủ tục hành chính", "", limit=3, threshold=0)
    assert found[0].id == f"R{new.id}"
    assert added == [f"R{new.id}"]  # only the sibling's index took the new item
    assert duplicates._cache[duplicates._key(ward.id)] is ours and len(ours.ids) == 1


def test_ranking_without_evidence_orders_as_the_search_does() -> None:
    """A bank's search ranks every index cheaply, then explains the few it keeps: the ranking must
    be the search's own order and scores."""
    from contest.matching import Document, Matcher

    docs = [Document(id=f"R{i}", title=t, body=b) for i, (t, b) in enumerate([
        QR, MAIL, ("Mã QR tra cứu thủ tục tại bộ phận một cửa", "Dán mã QR tại quầy để tra cứu thủ tục."),
        ("Tổ lưu động cấp căn cước tại nhà", "Đến tận nhà người cao tuổi làm căn cước."),
        ("Zalo OA trả lời người dân", "Trả lời câu hỏi về thủ tục qua Zalo OA của phường.")])]
    matcher = Matcher(docs)
    for title, body in (QR, MAIL, ("Tra cứu hồ sơ bằng mã QR", "")):
        found = matcher.search(title, body, limit=4)
        ranked = matcher.rank(title, body, limit=4)
        assert [i for _, _, i in ranked] == [m.id for m in found]
        assert all(abs(s - m.score) < 0.01 for (_, s, _), m in zip(ranked, found))
        fewer = matcher.search(title, body, limit=4, candidates=2)
        assert len(fewer) <= 2 and fewer[0].id == found[0].id  # a tighter bound still finds the best


def test_the_suggestions_take_any_contest_parameter_without_failing(town_bank: dict, signed_in: Callable) -> None:
    client, _ = signed_in(PARTICIPANT)
    for contest in ("9" * 30, "-1", "abc", "0"):
        response = client.get("/entries/similar", query_string={"title": MAIL[0], "contest": contest})
        assert response.status_code == 200 and response.get_json()["matches"], contest
