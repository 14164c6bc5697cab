"""The town round: a ward's published entries transferred into the town council's round, judged
there like any contest, and the town's verdict flowing back to the ward and the author."""
from __future__ import annotations

import io
import os
import re
import zipfile
from datetime import date, timedelta
from typing import Any, Callable

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from contest.accounts.models import Organisation, Unit, WARD
from contest.accounts.naming import document_names
from contest.accounts.operations import add_membership
from contest.audit.models import AuditLog
from contest.db import db, utcnow
from contest.demo import DEMO_PDF
from contest.entries import operations as entry_ops
from contest.entries.models import Entry
from contest.entries.operations import CoAuthorData, EntryData
from judging import operations
from judging.assignment import SAME_WARD, EntryInfo, JudgeInfo, conflict_kind
from judging.dossier import build_dossier, gather_dossier
from judging.dossier_routes import verify_url
from judging.models import Result, Transfer
from judging.queries import conflicts, contest_assignments

from tests.conftest import ADMIN, JUDGE, PARTICIPANT, SECRETARY, post_form

BASE_URL = "https://sangkien.hongLinh.gov.vn"
ROUND_TITLE = "Sáng kiến CCHC cấp thị xã Hồng Lĩnh năm 2024"


@pytest.fixture(autouse=True)
def public_address(app: Any) -> None:
    app.config["BASE_URL"] = BASE_URL


@pytest.fixture
def scene(app: Any, town: Organisation, ward: Organisation, make_user: Callable, make_contest: Callable) -> dict[str, Any]:
    """A ward contest judged and published (two recognised entries, one with a co-author and a file),
    the town's open round, and the town's staff and judges."""
    unit = Unit(name="Bộ phận Một cửa UBND phường Trung Lương", organisation=ward)
    db.session.add(unit)
    db.session.commit()
    author = make_user(PARTICIPANT, unit=unit, full_name="Võ Thị Mai")
    secretary = make_user(SECRETARY, full_name="Trần Thu Hà")
    judges = [make_user(JUDGE, full_name="Lê Văn Minh"), make_user(JUDGE, full_name="Phạm Thị Lan")]
    contest = make_contest(forward_count=2)
    upload_dir = app.config["UPLOAD_FOLDER"]
    entries = []
    for title in ("Tra cứu hồ sơ bằng mã QR trên giấy hẹn", "Sổ tay điện tử thủ tục hành chính", "Zalo OA trả lời người dân"):
        entry = entry_ops.save_entry(author, contest, EntryData(
            kind="individual", title=title, field=contest.fields[0], situation="Người dân phải hỏi nhiều lần.",
            solution=f"Giải pháp: {title}.", effect="Giảm một nửa số lần đi lại.", scope="Toàn thị xã.",
            applied_where="UBND phường Trung Lương", applied_since=date(2024, 3, 1), benefit="Tiết kiệm thời gian.",
            coauthors=[CoAuthorData("Nguyễn Văn Bình", "Công chức Văn phòng", 30)]))
        entry_ops.add_attachment(author, entry, "Ban mo ta.pdf", DEMO_PDF, upload_dir, 10 * 1024 * 1024)
        entry_ops.submit_entry(author, entry)
        entries.append(entry)
    operations.set_panel(secretary, contest, judges, chair=judges[0])
    operations.assign_panel(secretary, contest)
    marks = [(38, 30, 22), (30, 25, 15), (10, 8, 5)]
    for entry, (n, u, r) in zip(entries, marks):
        for judge in judges:
            values = {c.id: (p, "Nhận xét của giám khảo.") for c, p in zip(contest.criteria, (n, u, r))}
            operations.save_sheet(judge, entry, values, submit=True)
    operations.close_judging(secretary, contest)
    operations.publish_results(secretary, contest)
    db.session.commit()
    town_round = make_contest(organisation=town, title=ROUND_TITLE, forward_count=0)
    return {
        "ward": ward, "town": town, "contest": contest, "entries": entries, "author": author, "secretary": secretary,
        "round": town_round, "upload_dir": upload_dir, "judges": judges,
        "town_secretary": make_user(SECRETARY, organisation=town, full_name="Lý Thị Ngọc"),
        "town_admin": make_user(ADMIN, organisation=town, full_name="Phan Văn Hải"),
        "town_judges": [make_user(JUDGE, organisation=town, full_name="Trịnh Quang Vinh"),
                        make_user(JUDGE, organisation=town, full_name="Đoàn Thị Hoa")],
    }


def forward(scene: dict[str, Any], entry_ids: Any = None) -> list[Transfer]:
    transfers = operations.forward_entries(scene["secretary"], scene["contest"], scene["round"], entry_ids,
                                           scene["upload_dir"], b"PK\x05\x06" + b"\0" * 18)
    db.session.commit()
    return transfers


def standings(contest: Any) -> str:
    return f"/judging/contests/{contest.id}/standings"


def test_forwarding_transfers_a_read_only_copy_with_files_result_and_dossier(scene: dict, signed_in: Callable) -> None:
    contest, town_round, first = scene["contest"], scene["round"], scene["entries"][0]
    client, _ = signed_in(SECRETARY, user=scene["secretary"])
    page = client.get(standings(contest)).get_data(as_text=True)
    assert ROUND_TITLE in page and "Chuyển lên vòng thị xã" in page
    response = post_form(client, f"/judging/contests/{contest.id}/forward", page=standings(contest),
                         data={"round": town_round.id, "entries": [first.id]})
    assert response.status_code == 302
    db.session.expire_all()

    transfer = db.session.scalar(select(Transfer))
    copy = transfer.target_entry
    assert copy.contest_id == town_round.id and copy.status == "submitted" and copy.id != first.id
    assert (copy.title, copy.solution, copy.author_id) == (first.title, first.solution, first.author_id)
    assert [(c.full_name, c.share) for c in copy.coauthors] == [("Nguyễn Văn Bình", 30.0)]
    assert len(copy.attachments) == 1 and copy.attachments[0].stored_name != first.attachments[0].stored_name
    with open(os.path.join(scene["upload_dir"], copy.attachments[0].stored_name), "rb") as fh:
        assert fh.read() == DEMO_PDF
    result = db.session.scalar(select(Result).filter_by(contest_id=contest.id, entry_id=first.id))
    assert result.forwarded and transfer.ward_rank == result.rank == 1 and transfer.ward_mean_total == result.mean_total
    assert transfer.ward_prize == result.prize and transfer.source_organisation_id == scene["ward"].id
    assert first.transfers_out == [transfer] and copy.transfer_in == transfer  # linked both ways
    assert copy.unit_display == "Bộ phận Một cửa UBND phường Trung Lương – Phường Trung Lương"
    # Each side's chain records its half.
    chains = {(r.action, r.organisation_id) for r in db.session.scalars(select(AuditLog))}
    assert ("judging.forward", scene["ward"].id) in chains and ("entry.received", scene["town"].id) in chains

    # The town's secretariat reads the copy, the ward's result and the ward's dossier.
    town, _ = signed_in(SECRETARY, user=scene["town_secretary"])
    html = town.get(f"/entries/{copy.id}").get_data(as_text=True)
    assert 'id="transfer-in"' in html and "Do Phường Trung Lương chuyển lên" in html and "hạng 1" in html
    dossier = town.get(f"/dossier/transfers/{transfer.id}.zip")
    assert dossier.status_code == 200 and dossier.mimetype == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(dossier.data)).namelist()  # the real dossier, built at forwarding
    assert ROUND_TITLE in town.get(f"/contests/{town_round.id}").get_data(as_text=True)
    # The ward cannot open the town's copy; the town cannot open the ward's original.
    assert client.get(f"/entries/{copy.id}").status_code in (403, 404)
    assert town.get(f"/entries/{first.id}").status_code in (403, 404)


def test_the_dossier_stored_at_forwarding_is_the_wards(scene: dict, signed_in: Callable) -> None:
    client, _ = signed_in(SECRETARY, user=scene["secretary"])
    post_form(client, f"/judging/contests/{scene['contest'].id}/forward", page=standings(scene["contest"]),
              data={"round": scene["round"].id, "entries": [scene["entries"][0].id]})
    transfer = db.session.scalar(select(Transfer))
    names = zipfile.ZipFile(io.BytesIO(client.get(f"/dossier/transfers/{transfer.id}.zip").data)).namelist()
    assert any(n.startswith("giay-chung-nhan/") for n in names) and any(n.endswith(".docx") for n in names)


def test_another_wards_secretary_reaches_no_transfer(scene: dict, make_user: Callable, signed_in: Callable) -> None:
    transfer = forward(scene)[0]
    other = Organisation(name="Phường Đậu Liêu", level=WARD, parent=scene["town"], **document_names("Phường Đậu Liêu"))
    db.session.add(other)
    db.session.commit()
    stranger, _ = signed_in(SECRETARY, user=make_user(SECRETARY, organisation=other))
    assert stranger.get(f"/dossier/transfers/{transfer.id}.zip").status_code == 404
    response = post_form(stranger, f"/judging/transfers/{transfer.id}/withdraw", page="/contests/")
    assert response.status_code in (403, 404)
    db.session.expire_all()
    assert transfer.active and transfer.target_entry.status == "submitted"


def test_forwarding_is_refused_unpublished_twice_or_to_a_closed_round(scene: dict, signed_in: Callable) -> None:
    contest, town_round, first = scene["contest"], scene["round"], scene["entries"][0]
    client, _ = signed_in(SECRETARY, user=scene["secretary"])
    url = f"/judging/contests/{contest.id}/forward"

    def refused(message: str, **data: Any) -> None:
        before = db.session.scalar(select(db.func.count(Entry.id)))
        response = post_form(client, url, page=standings(contest), data={"round": town_round.id, **data})
        assert response.status_code == 400 and message in response.get_data(as_text=True)
        db.session.expire_all()
        assert db.session.scalar(select(db.func.count(Entry.id))) == before  # nothing copied

    refused("chưa chọn sáng kiến nào")  # nothing ticked
    refused("chỉ chuyển được sáng kiến đã được công nhận", entries=[scene["entries"][2].id])  # not recognised
    forward(scene, [first.id])
    refused("đã được chuyển lên vòng thị xã", entries=[first.id])  # twice
    town_round.submission_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    refused("không còn nhận sáng kiến", entries=[scene["entries"][1].id])
    town_round.submission_deadline = utcnow() + timedelta(days=5)
    contest.status = "closed"  # results not published (yet, or again)
    db.session.commit()
    refused("sau khi đã công bố kết quả", entries=[scene["entries"][1].id])
    # A round of another body (the ward's own contest here) is no town round.
    contest.status = "published"
    db.session.commit()
    response = post_form(client, url, page=standings(contest), data={"round": contest.id, "entries": [scene["entries"][1].id]})
    assert response.status_code == 400 and "hãy chọn một vòng chấm do" in response.get_data(as_text=True)


def test_the_ward_withdraws_until_the_town_assigns_its_panel(scene: dict, signed_in: Callable) -> None:
    transfers = forward(scene)
    assert len(transfers) == 2  # forward_count: the top two recognised
    client, _ = signed_in(SECRETARY, user=scene["secretary"])
    assert "Mọi sáng kiến được công nhận đã được chuyển lên." in client.get(standings(scene["contest"])).get_data(as_text=True)
    first = transfers[0]
    response = post_form(client, f"/judging/transfers/{first.id}/withdraw", page=standings(scene["contest"]))
    assert response.status_code == 302
    db.session.expire_all()
    assert not first.active and first.target_entry.status == "withdrawn"
    assert not db.session.scalar(select(Result).filter_by(entry_id=first.source_entry_id)).forwarded
    again = forward(scene, [first.source_entry_id])  # withdrawn, so it may be sent again
    assert again[0].target_entry_id != first.target_entry_id

    operations.assign_panel(scene["town_secretary"], scene["round"], scene["town_judges"])
    db.session.commit()
    second = transfers[1]
    response = post_form(client, f"/judging/transfers/{second.id}/withdraw", page=standings(scene["contest"]))
    assert response.status_code == 400 and "đã phân công giám khảo" in response.get_data(as_text=True)
    db.session.expire_all()
    assert second.active and second.target_entry.status == "submitted"


def test_a_judge_of_the_authors_ward_is_in_conflict(scene: dict, make_user: Callable) -> None:
    assert conflict_kind(EntryInfo(1, 10, ward_id=7), JudgeInfo(2, organisation_ids=(3, 7))) == SAME_WARD
    assert conflict_kind(EntryInfo(1, 10, ward_id=7), JudgeInfo(2, organisation_ids=(3,))) is None
    assert conflict_kind(EntryInfo(1, 10), JudgeInfo(2, organisation_ids=(7,))) is None  # a ward's own contest

    transfers = forward(scene)
    neighbour = scene["town_judges"][0]
    add_membership(None, scene["judges"][0], JUDGE, scene["town"])  # a Trung Lương judge on the town council
    db.session.commit()
    town_round = scene["round"]
    operations.set_panel(scene["town_secretary"], town_round, [neighbour, scene["judges"][0]])
    db.session.commit()
    found = conflicts(town_round)
    for t in transfers:
        assert found.get((t.target_entry_id, scene["judges"][0].id)) == SAME_WARD
        assert (t.target_entry_id, neighbour.id) not in found
    operations.assign_panel(scene["town_secretary"], town_round)
    db.session.commit()
    assigned = {(a.entry_id, a.judge_id) for a in contest_assignments(town_round)}
    assert all((t.target_entry_id, scene["judges"][0].id) not in assigned for t in transfers)
    assert all((t.target_entry_id, neighbour.id) in assigned for t in transfers)


def judge_town_round(scene: dict) -> list[Transfer]:
    transfers = forward(scene)
    town_round, secretary = scene["round"], scene["town_secretary"]
    operations.set_panel(secretary, town_round, scene["town_judges"], chair=scene["town_judges"][0])
    operations.assign_panel(secretary, town_round)
    for t, marks in zip(transfers, ((39, 33, 24), (20, 15, 10))):
        for judge in scene["town_judges"]:
            operations.save_sheet(judge, t.target_entry,
                                  {c.id: (p, "Nhận xét của giám khảo.") for c, p in zip(town_round.criteria, marks)}, submit=True)
    operations.close_judging(secretary, town_round)
    db.session.commit()
    return transfers


def test_results_flow_back_to_the_ward_and_the_author_once_the_town_publishes(scene: dict, signed_in: Callable,
                                                                               client: Any) -> None:
    transfers = judge_town_round(scene)
    first = transfers[0].source_entry
    author, _ = signed_in(PARTICIPANT, user=scene["author"])
    html = author.get(f"/entries/{first.id}").get_data(as_text=True)
    town = re.search(r'id="town-outcome".*?</(dd|section)>', html, re.S).group(0)  # the ward's own prize shows beside it
    assert "Đang chấm ở vòng thị xã" in town and "Giải Nhất" not in town

    operations.publish_results(scene["town_secretary"], scene["round"])
    db.session.commit()
    html = author.get(f"/entries/{first.id}").get_data(as_text=True)
    assert "Được công nhận sáng kiến cấp thị xã" in html and "Giải Nhất" in html
    ward, _ = signed_in(SECRETARY, user=scene["secretary"])
    page = ward.get(f"/contests/{scene['contest'].id}").get_data(as_text=True)
    assert 'id="town-round"' in page and "Được công nhận sáng kiến cấp thị xã" in page
    assert "Không được công nhận ở vòng thị xã" in page  # the second scored under the threshold
    public = client.get(f"/results/{scene['contest'].id}").get_data(as_text=True)
    assert "Vòng thị xã: Được công nhận sáng kiến cấp thị xã" in public


def test_the_town_certificate_is_issued_in_the_towns_name_with_the_recognition_level(scene: dict, app: Any,
                                                                                      client: Any) -> None:
    transfers = judge_town_round(scene)
    operations.publish_results(scene["town_secretary"], scene["round"])
    db.session.commit()
    with app.test_request_context():
        data = gather_dossier(scene["round"], app.config["SECRET_KEY"], verify_url, utcnow().date())
    assert data.recognition == "cấp thị xã" and data.authority == "UBND THỊ XÃ HỒNG LĨNH"
    files = build_dossier(data)
    pdf = next(v for k, v in files.items() if k.startswith("giay-chung-nhan/"))
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "UBND THỊ XÃ HỒNG LĨNH" in text and "công nhận là sáng kiến cấp thị xã" in text
    assert "Phường Trung Lương" in text  # the author's ward beside the unit
    winner = next(e for e in data.entries if e.prize)
    assert winner.entry_id == transfers[0].target_entry_id
    page = client.get(f"/dossier/verify/{winner.certificate_code}").get_data(as_text=True)
    assert 'id="recognition"' in page and "Sáng kiến cấp thị xã" in page and "Thị xã Hồng Lĩnh" in page


def test_hostile_forward_forms_get_a_named_vietnamese_refusal(scene: dict, signed_in: Callable) -> None:
    contest, first = scene["contest"], scene["entries"][0]
    client, _ = signed_in(SECRETARY, user=scene["secretary"])
    url = f"/judging/contests/{contest.id}/forward"
    for data, message in (({"round": "abc", "entries": [first.id]}, "Vòng thị xã: hãy chọn vòng chấm nhận sáng kiến."),
                          ({"round": "9" * 30, "entries": [first.id]}, "Vòng thị xã: hãy chọn một vòng chấm do"),
                          ({"round": scene["round"].id, "entries": ["x"]}, "Sáng kiến chuyển lên: Lựa chọn không hợp lệ."),
                          ({"round": scene["round"].id, "entries": ["9" * 30]}, "chỉ chuyển được sáng kiến đã được công nhận")):
        response = post_form(client, url, page=standings(contest), data=data)
        assert response.status_code == 400 and message in response.get_data(as_text=True), data
    db.session.expire_all()
    assert db.session.scalar(select(db.func.count(Transfer.id))) == 0 and not first.transfers_out


def test_once_the_contests_number_is_sent_nothing_more_comes_ticked(scene: dict, signed_in: Callable) -> None:
    scene["contest"].forward_count = 1
    db.session.commit()
    forward(scene, [scene["entries"][0].id])
    client, _ = signed_in(SECRETARY, user=scene["secretary"])
    form = client.get(standings(scene["contest"])).get_data(as_text=True).split('id="forward"', 1)[1].split("</form>")[0]
    assert "Đã chuyển đủ 1 sáng kiến" in form and scene["entries"][1].title in form and "checked" not in form


def test_the_forward_form_says_the_real_number_when_fewer_are_recognised(scene: dict, signed_in: Callable) -> None:
    """The contest plans 3 for the council, but only 2 entries are recognised: the form says 2, not 3."""
    scene["contest"].forward_count = 3
    db.session.commit()
    client, _ = signed_in(SECRETARY, user=scene["secretary"])
    form = client.get(standings(scene["contest"])).get_data(as_text=True).split('id="forward"', 1)[1].split("</form>")[0]
    hint = form.split('id="forward-hint"', 1)[1].split("</p>")[0]
    assert "Đã đánh dấu sẵn cả 2 sáng kiến" in hint and "chỉ có 2 sáng kiến được công nhận" in hint
    assert "3 sáng kiến điểm cao nhất" not in hint
    assert form.count("checked") == 2
    forward(scene)  # the two go; the same press again says how many went, and the contest's plan
    with pytest.raises(operations.JudgingError) as refused:
        forward(scene)
    assert "đã chuyển 2 sáng kiến (số cuộc thi định gửi là 3)" in refused.value.message
