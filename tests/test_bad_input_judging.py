"""The judging forms under any input: never a 500, a refusal names the field, and what was saved stays."""
from __future__ import annotations

from typing import Any, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from test_bad_input import SETTINGS, _client, junk

from contest.accounts.models import JUDGE, PARTICIPANT, SECRETARY, User
from contest.contests.models import Contest
from contest.db import db
from judging.operations import assign_panel, save_sheet
from tests.conftest import accept_fewer_sheets

points = st.one_of(junk, st.floats(allow_nan=True, allow_infinity=True).map(str), st.integers(-50, 150).map(str))


def sheets_as_stored() -> list[tuple]:
    """Every sheet and score as the database holds them."""
    return db.session.execute(text(
        "SELECT s.id, s.judge_id, s.status, s.version, c.criterion_id, c.points, c.comment "
        "FROM score_sheet s LEFT JOIN score c ON c.sheet_id = s.id ORDER BY s.id, c.criterion_id")).all()


def panel_as_stored() -> list[tuple]:
    members = db.session.execute(text(
        "SELECT judge_id, is_chair, fields FROM panel_member ORDER BY judge_id")).all()
    assignments = db.session.execute(text("SELECT entry_id, judge_id FROM assignment ORDER BY entry_id, judge_id")).all()
    reminders = db.session.execute(text("SELECT judge_id, message FROM reminder ORDER BY id")).all()
    return [*members, *assignments, *reminders]


@pytest.fixture
def judged(app, make_user: Callable[..., User], make_contest: Callable[..., Contest], make_entry) -> dict[str, Any]:
    """A contest in judging: two judges on one entry; the second has submitted, the first holds a draft."""
    author = make_user(PARTICIPANT)
    judges = [make_user(JUDGE), make_user(JUDGE)]
    secretary = make_user(SECRETARY)
    contest = make_contest()
    entry = make_entry(contest, author)
    assign_panel(secretary, contest)
    save_sheet(judges[0], entry, {c.id: (20, "Bản nháp") for c in contest.criteria})
    save_sheet(judges[1], entry, {c.id: (25, "Đã nộp") for c in contest.criteria}, submit=True)
    db.session.commit()
    return {"contest": contest, "entry": entry, "judges": judges, "secretary": secretary}


def field_names(contest: Contest) -> list[str]:
    return [f"{kind}_{c.id}" for c in contest.criteria for kind in ("points", "band", "comment")] + ["action", "version"]


def assert_refusal_names_a_field(html: str, labels: list[str]) -> None:
    assert any(f"{label}:" in html for label in labels), html[-2000:]


@SETTINGS
@given(data=st.data())
def test_sheet_form_never_500_and_a_refusal_changes_nothing(app, judged, data) -> None:
    contest, entry = judged["contest"], judged["entry"]
    client = _client(app, judged["judges"][0])
    form = data.draw(st.dictionaries(st.sampled_from(field_names(contest)), points))
    submitted_elsewhere = [row for row in sheets_as_stored() if row[1] == judged["judges"][1].id]
    before = sheets_as_stored()
    response = client.post(f"/judging/entries/{entry.id}", data=form)
    assert response.status_code in (200, 302, 400), response.status_code
    db.session.expire_all()
    if response.status_code != 302:
        assert sheets_as_stored() == before
        labels = [c.name for c in contest.criteria]
        if "đã khoá" not in (html := response.get_data(as_text=True)) and "phiên bản" not in html.lower():
            assert_refusal_names_a_field(html, labels + ["Phiếu chấm"])
    assert [row for row in sheets_as_stored() if row[1] == judged["judges"][1].id] == submitted_elsewhere


@SETTINGS
@given(data=st.data())
def test_panel_forms_never_500_and_a_refusal_changes_nothing(app, judged, data) -> None:
    contest, judges = judged["contest"], judged["judges"]
    client = _client(app, judged["secretary"])
    ids = [str(j.id) for j in judges] + ["0", "-1", "999999", "abc", ""]
    route, form = data.draw(st.one_of(
        st.tuples(st.just("panel/members"), st.dictionaries(
            st.sampled_from([f"member_{j.id}" for j in judges] + [f"fields_{j.id}" for j in judges] + ["chair"]),
            st.one_of(junk, st.sampled_from(ids + contest.fields)))),
        st.tuples(st.just("assignments"), st.dictionaries(st.sampled_from(["entry_id", "judge_id", "reason"]),
                                                           st.one_of(junk, st.sampled_from(ids), st.integers().map(str)))),
        st.tuples(st.just("reopen"), st.dictionaries(st.sampled_from(["sheet_id", "reason"]),
                                                      st.one_of(junk, st.integers().map(str)))),
        st.tuples(st.just("remind"), st.dictionaries(st.sampled_from(["judges", "message"]),
                                                      st.one_of(junk, st.sampled_from(ids)))),
    ))
    sheets, panel = sheets_as_stored(), panel_as_stored()
    response = client.post(f"/judging/contests/{contest.id}/{route}", data=form)
    assert response.status_code in (200, 302, 400), response.status_code
    db.session.expire_all()
    if response.status_code == 400:
        assert (sheets_as_stored(), panel_as_stored()) == (sheets, panel)
        html = response.get_data(as_text=True)
        assert "alert-danger" in html and ("Hãy chọn" in html or ":" in html)


@SETTINGS
@given(reason=junk)
def test_conflict_declaration_never_500_and_a_refusal_changes_nothing(app, judged, reason) -> None:
    client = _client(app, judged["judges"][0])
    sheets, panel = sheets_as_stored(), panel_as_stored()
    response = client.post(f"/judging/entries/{judged['entry'].id}/conflict", data={"reason": reason})
    # 403 once an earlier example's declaration took the judge off the entry
    assert response.status_code in (200, 302, 400, 403), response.status_code
    db.session.expire_all()
    if response.status_code in (200, 400):
        assert (sheets_as_stored(), panel_as_stored()) == (sheets, panel)
        assert "Lý do" in response.get_data(as_text=True)


@SETTINGS
@given(data=st.dictionaries(st.sampled_from(["result_id", "rank", "prize", "recognised", "reason"]),
                            st.one_of(junk, st.integers().map(str), st.sampled_from(["nhat", "kk", "y"]))))
def test_amend_form_never_500_and_a_refusal_changes_nothing(app, judged, data) -> None:
    from judging.models import Result
    from judging.operations import close_judging

    contest = judged["contest"]
    if contest.status == "judging":
        accept_fewer_sheets(contest)
        close_judging(judged["secretary"], contest)
        db.session.commit()
    client = _client(app, judged["secretary"])
    results = lambda: db.session.execute(text(  # noqa: E731
        "SELECT id, rank, prize, recognised, amend_reason FROM result ORDER BY id")).all()
    before = results()
    assert before and db.session.scalar(db.select(Result)) is not None
    response = client.post(f"/judging/contests/{contest.id}/amend", data=data)
    assert response.status_code in (200, 302, 400), response.status_code
    db.session.expire_all()
    if response.status_code != 302:
        assert results() == before
        assert "alert-danger" in response.get_data(as_text=True)
