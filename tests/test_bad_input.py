"""Whatever a form receives, the server answers without a 500 and keeps what was saved."""
from __future__ import annotations

from conftest import login
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from contest.accounts.models import ADMIN, JUDGE, PARTICIPANT, SECRETARY, User
from contest.contests.models import Contest
from contest.db import db
from contest.entries.models import Entry
from contest.registry.models import RegistryItem

junk = st.one_of(st.text(max_size=300), st.sampled_from(["", " ", "-1", "1e309", "NaN", "0x10", "99999999999999999999",
                                                         "2024-13-45", "<script>", "'; DROP TABLE user;--", "\x00"]))
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _client(app, user):
    """A client signed in through the real form, then posting without CSRF (the subject here is the data)."""
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    login(client, user)
    app.config["WTF_CSRF_ENABLED"] = False
    return client


@SETTINGS
@given(data=st.dictionaries(st.sampled_from([
    "title", "year", "fields", "submission_deadline", "judging_deadline", "threshold", "forward_count", "prize_first",
    "prize_consolation", "criteria-0-max_points", "criteria-0-name", "criteria-0-bands", "criteria-4-max_points",
    "duplicate_threshold", "collective_prizes", "acceptance_rule", "vote_share", "community_vote", "panel_weight",
    "vote_weight", "blind", "assignment_mode", "judges_per_entry", "arbitration_limit", "disagreement_threshold",
    "aggregation", "score_step", "share_comments"]), junk, min_size=1))
def test_contest_form_never_500(app, make_user, data) -> None:
    admin = db.session.scalar(select(User).filter_by(role=ADMIN)) or make_user(ADMIN)
    client = _client(app, admin)
    before = db.session.scalar(select(func.count(Contest.id)))
    response = client.post("/contests/new", data=data)
    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code != 302:
        assert db.session.scalar(select(func.count(Contest.id))) == before


@SETTINGS
@given(data=st.dictionaries(st.sampled_from(["kind", "collective_name", "title", "field", "situation", "solution",
                                             "applied_since", "coauthors-0-share", "coauthors-0-full_name",
                                             "coauthors-9-share"]), junk))
def test_entry_form_never_500(app, make_user, make_contest, data) -> None:
    contest = db.session.scalar(select(Contest)) or make_contest()
    author = db.session.scalar(select(User).filter_by(role=PARTICIPANT)) or make_user(PARTICIPANT)
    client = _client(app, author)
    before = db.session.scalar(select(func.count(Entry.id)))
    response = client.post(f"/entries/new/{contest.id}", data=data)
    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code != 302:
        assert db.session.scalar(select(func.count(Entry.id))) == before


@SETTINGS
@given(data=st.dictionaries(st.sampled_from(["title", "summary", "unit", "year", "field", "code"]), junk),
       query=junk)
def test_registry_forms_never_500(app, make_user, data, query) -> None:
    secretary = db.session.scalar(select(User).filter_by(role=SECRETARY)) or make_user(SECRETARY)
    client = _client(app, secretary)
    before = db.session.scalar(select(func.count(RegistryItem.id)))
    response = client.post("/registry/new", data=data)
    assert response.status_code in (302, 400), response.status_code
    if response.status_code != 302:
        assert db.session.scalar(select(func.count(RegistryItem.id))) == before
    assert client.get("/registry/", query_string={"q": query, "page": query}).status_code == 200
    assert client.get("/entries/similar", query_string={"title": query}).status_code in (200, 403)


@SETTINGS
@given(query=junk)
def test_public_and_judge_pages_never_500(app, make_user, query) -> None:
    judge = db.session.scalar(select(User).filter_by(role=JUDGE)) or make_user(JUDGE)
    client = _client(app, judge)
    for url in ("/judging/", "/results/", "/auth/login", "/audit"):
        assert client.get(url, query_string={"page": query, "next": query}).status_code in (200, 302, 403)


def test_invisible_control_characters_are_cleaned_before_saving_and_searching(app, make_user) -> None:
    # PostgreSQL refuses NUL in text; Word pastes its line break as a vertical tab. Both stores must answer alike.
    secretary = make_user(SECRETARY)
    client = _client(app, secretary)
    response = client.post("/registry/new", data={"title": "Một cửa\x00 điện tử\x0bliên thông", "year": "2023"})
    assert response.status_code == 302
    item = db.session.scalar(select(RegistryItem).filter_by(year=2023))
    assert item.title == "Một cửa điện tử\nliên thông"
    page = client.get("/registry/", query_string={"q": "điện\x00 tử"})
    assert page.status_code == 200
    assert "Một cửa điện tử" in page.get_data(as_text=True)
    assert client.get("/entries/similar", query_string={"title": "\x00" * 20}).status_code in (200, 403)


def _row(model, id_: int) -> tuple:
    """A row as stored, column by column."""
    db.session.expire_all()
    obj = db.session.get(model, id_)
    return tuple(getattr(obj, c.key) for c in model.__table__.columns)


@SETTINGS
@given(data=st.dictionaries(st.sampled_from(["username", "full_name", "role", "unit", "position", "active",
                                             "password"]), junk, min_size=1), edit=st.booleans())
def test_account_forms_never_500(app, make_user, data, edit) -> None:
    admin = db.session.scalar(select(User).filter_by(role=ADMIN)) or make_user(ADMIN)
    other = db.session.scalar(select(User).filter_by(role=PARTICIPANT)) or make_user(PARTICIPANT)
    client = _client(app, admin)
    before, count = _row(User, other.id), db.session.scalar(select(func.count(User.id)))
    response = client.post(f"/users/{other.id}" if edit else "/users/new", data=data)
    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code != 302:
        assert (_row(User, other.id), db.session.scalar(select(func.count(User.id)))) == (before, count)


@SETTINGS
@given(data=st.dictionaries(st.sampled_from(["current", "new", "confirm"]), junk, min_size=1))
def test_password_form_never_500(app, make_user, data) -> None:
    user = db.session.scalar(select(User).filter_by(role=JUDGE)) or make_user(JUDGE)
    client = _client(app, user)
    before = _row(User, user.id)
    response = client.post("/auth/password", data=data)
    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code != 302:
        assert _row(User, user.id) == before


@SETTINGS
@given(data=st.dictionaries(st.sampled_from(["decision", "reason"]), st.one_of(junk, st.sampled_from(["confirm",
                                                                                                      "clear"]))))
def test_flag_decision_form_never_500(app, make_user, make_contest, make_entry, make_registry_item, data) -> None:
    from contest.screening.models import DuplicateFlag

    flag = db.session.scalar(select(DuplicateFlag))
    if flag is None:
        contest = make_contest()
        item = make_registry_item()
        entry = make_entry(contest, make_user(PARTICIPANT), title=item.title, solution=item.summary)
        db.session.add(DuplicateFlag(entry=entry, registry_item=item, score=95.0))
        db.session.commit()
        flag = db.session.scalar(select(DuplicateFlag))
    secretary = db.session.scalar(select(User).filter_by(role=SECRETARY)) or make_user(SECRETARY)
    client = _client(app, secretary)
    before = _row(DuplicateFlag, flag.id)
    response = client.post(f"/screening/flags/{flag.id}", data=data)
    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code != 302:
        assert _row(DuplicateFlag, flag.id) == before
