"""The server-drawn charts: pure functions first, then the dashboard and the public page through the web."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any, Callable

import pytest

from contest.accounts.models import Unit, User
from contest.contests.models import Contest
from contest.db import db
from contest.entries.models import Entry
from judging import charts
from judging.operations import assign_panel, close_judging, publish_results, save_sheet
from tests.conftest import ADMIN, JUDGE, PARTICIPANT, SECRETARY

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & \'Đoàn\''


def parse(markup: Any) -> ET.Element:
    """The chart as XML: it must be well-formed, whatever its labels held."""
    return ET.fromstring(str(markup))


def rows(svg: ET.Element) -> list[ET.Element]:
    return [g for g in svg.iter(f"{SVG}g") if g.get("class") == "chart-row"]


def bar_widths(row: ET.Element) -> list[float]:
    return [float(r.get("width")) for r in row.iter(f"{SVG}rect") if r.get("class") == "chart-bar"]


def dots(row: ET.Element) -> list[float]:
    return [float(c.get("cx")) for c in row.iter(f"{SVG}circle") if c.get("class") == "chart-dot"]


def every_chart(label: str) -> list[Any]:
    """One of each chart, all labelled with the same text."""
    return [
        charts.judge_totals_chart([charts.Series(label, (40.0, 60.0))], 100),
        charts.criterion_chart([charts.CriterionPoints(label, 40, (30.0, 20.0))]),
        charts.field_chart([charts.Bar(label, 3)]),
        charts.progress_chart([charts.Progress(label, 1, 1, 1)]),
        charts.winners_chart([charts.Bar(label, 89.0, label)], 100),
    ]


def test_every_chart_is_an_accessible_scalable_image() -> None:
    for markup in every_chart("Trần Văn Bình"):
        svg = parse(markup)
        assert svg.get("role") == "img" and svg.get("width") == "100%"
        assert svg.get("viewBox").startswith(f"0 0 {charts.WIDTH} ")
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert title is not None and title.text and desc is not None and "Trần Văn Bình" in desc.text
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert "style=" not in str(markup) and "<script" not in str(markup)  # the CSP would block inline styles


def test_hostile_labels_are_escaped_everywhere() -> None:
    for markup in every_chart(HOSTILE):
        text = str(markup)
        assert "<script" not in text and "&lt;script&gt;" in text
        svg = parse(markup)  # still well-formed XML
        assert any(HOSTILE in (t.text or "") for t in svg.iter())  # and the text reads as written
    assert "<script" not in str(charts.empty_chart("x", HOSTILE))
    assert '"><script' not in str(charts.empty_chart('x"><script>', "t"))


@pytest.mark.parametrize("markup", [
    charts.judge_totals_chart([], 100),
    charts.judge_totals_chart([charts.Series("Bình", ())], 100),
    charts.criterion_chart([charts.CriterionPoints("Tính mới", 40, ())]),
    charts.field_chart([]),
    charts.field_chart([charts.Bar("Chính quyền số", 0)]),
    charts.progress_chart([]),
    charts.progress_chart([charts.Progress("Bình", 0, 0, 0)]),
    charts.winners_chart([], 100),
])
def test_empty_data_gives_a_chart_that_says_so(markup: Any) -> None:
    svg = parse(markup)
    assert svg.get("role") == "img" and "Chưa có dữ liệu" in str(markup)
    assert not rows(svg)


def test_field_bars_are_proportional_to_counts() -> None:
    svg = parse(charts.field_chart([charts.Bar("Cải cách TTHC", 4), charts.Bar("Chính quyền số", 2),
                                    charts.Bar("Tuyên truyền", 0)]))
    (four,), (two,), zero = (bar_widths(r) for r in rows(svg))
    assert four == pytest.approx(2 * two, abs=0.2) and zero == []
    assert "Tổng 6 sáng kiến" in svg.find(f"{SVG}desc").text


def test_winner_bars_are_proportional_to_the_score_out_of_the_maximum() -> None:
    svg = parse(charts.winners_chart([charts.Bar("Mã QR", 90.0, "Giải Nhất"), charts.Bar("Sổ tay", 45.0, "Giải Nhì"),
                                      charts.Bar("Zalo", 100.0, "Giải Ba")], 100))
    (ninety,), (half,), (full,) = (bar_widths(r) for r in rows(svg))
    assert ninety == pytest.approx(2 * half, abs=0.2) and full == pytest.approx(ninety / 0.9, abs=0.2)
    text = "".join(svg.itertext())
    assert "Giải Nhất — Mã QR" in text and "90" in text


def test_winner_labels_are_wrapped_and_cut_not_lost() -> None:
    title = "Ứng dụng mã QR trên giấy hẹn để người dân tự tra cứu tiến độ hồ sơ thủ tục hành chính " * 3
    svg = parse(charts.winners_chart([charts.Bar(title, 72.5, "Giải Nhì")], 100))
    lines = [t for t in rows(svg)[0].iter(f"{SVG}text") if t.get("font-size") == str(charts.FONT)]
    assert len(lines) == 2 and "".join(lines[-1].itertext()).endswith("…")
    assert title.strip() in (lines[0].find(f"{SVG}title").text or "")  # the whole title as a tooltip
    assert "72,5" in svg.find(f"{SVG}desc").text


def test_progress_segments_are_stacked_in_proportion() -> None:
    svg = parse(charts.progress_chart([charts.Progress("Cả ban", 4, 2, 2),
                                       charts.Progress("Bình", 2, 0, 2, late=True)]))
    panel, judge = rows(svg)
    submitted, draft, pending = bar_widths(panel)
    assert submitted == pytest.approx(2 * draft, abs=0.2) and draft == pytest.approx(pending, abs=0.2)
    assert sum(bar_widths(judge)) == pytest.approx(sum(bar_widths(panel)) / 2, abs=0.2)
    assert "quá hạn" in svg.find(f"{SVG}desc").text


def test_a_harsh_judges_dots_sit_left_of_a_lenient_judges() -> None:
    markup = charts.judge_totals_chart([
        charts.Series("Khắt khe", (35.0, 40.0, 45.5)), charts.Series("Dễ dãi", (80.0, 85.0, 90.0)),
    ], 100)
    svg = parse(markup)
    harsh, lenient = rows(svg)
    assert max(dots(harsh)) < min(dots(lenient))
    reference = next(line for line in svg.iter(f"{SVG}line") if line.get("class") == "chart-reference")
    assert max(dots(harsh)) < float(reference.get("x1")) < min(dots(lenient))  # the overall mean between them
    desc = svg.find(f"{SVG}desc").text
    assert "Chấm chặt nhất: Khắt khe" in desc and "dễ nhất: Dễ dãi" in desc and "40,2" in desc  # Vietnamese decimals


def test_criterion_points_are_shown_as_a_share_of_the_maximum() -> None:
    svg = parse(charts.criterion_chart([charts.CriterionPoints("Tính mới", 40, (20.0,)),
                                        charts.CriterionPoints("Khả năng nhân rộng", 25, (12.5,))]))
    novelty, replicability = rows(svg)
    assert dots(novelty) == pytest.approx(dots(replicability))  # 20/40 and 12,5/25 are both 50 %
    assert "50%" in svg.find(f"{SVG}desc").text


def test_numbers_read_the_vietnamese_way() -> None:
    assert charts.num(62.5) == "62,5" and charts.num(1234.56) == "1.234,6" and charts.num(89.0) == "89"
    assert charts.num(72.333, 2) == "72,33"


# -- through the web ------------------------------------------------------------------------

@pytest.fixture
def scored(ward: Any, make_user: Callable[..., User], make_contest: Callable[..., Contest],
           make_entry: Callable[..., Entry]) -> dict[str, Any]:
    """A contest in judging: two entries scored by a harsh and a lenient judge, the harsh one chairing."""
    unit = Unit(name="Văn phòng HĐND-UBND phường", organisation=ward)
    db.session.add(unit)
    db.session.commit()
    author = make_user(PARTICIPANT, unit=unit, full_name="Nguyễn Thị Lan")
    contest = make_contest(fields=["Cải cách TTHC", HOSTILE])
    entries = [make_entry(contest, author, title="Ứng dụng mã QR tra cứu hồ sơ"),
               make_entry(contest, author, title="Sổ tay điện tử <b>TTHC</b>", field=HOSTILE)]
    harsh, lenient = make_user(JUDGE, full_name="Khắt Khe <i>"), make_user(JUDGE, full_name="Dễ Dãi")
    secretary = make_user(SECRETARY, full_name="Phạm Thư Ký")
    assign_panel(secretary, contest)
    from judging.models import PanelMember

    db.session.scalar(db.select(PanelMember).filter_by(judge_id=harsh.id)).is_chair = True
    c = {cr.code: cr.id for cr in contest.criteria}
    for entry, (low, high) in zip(entries, [((20, 15, 10), (38, 32, 22)), ((15, 10, 5), (30, 28, 20))]):
        for judge, marks in ((harsh, low), (lenient, high)):
            codes = ("novelty", "usefulness", "replicability")
            values = {c[code]: (points, "Nhận xét") for code, points in zip(codes, marks)}
            save_sheet(judge, entry, values, submit=True)
    db.session.commit()
    return {"contest": contest, "entries": entries, "harsh": harsh, "lenient": lenient, "secretary": secretary,
            "author": author}


def test_dashboard_draws_four_charts_for_the_secretary(scored: dict, signed_in: Callable) -> None:
    contest = scored["contest"]
    secretary, _ = signed_in(SECRETARY, user=scored["secretary"])
    response = secretary.get(f"/judging/contests/{contest.id}/dashboard")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for chart_id in ("chart-judges", "chart-criteria", "chart-fields", "chart-progress"):
        assert f'id="{chart_id}"' in html
    assert html.count('role="img"') == 4 and "Chưa có dữ liệu" not in html
    assert "<script>alert" not in html and "Khắt Khe <i>" not in html and "Khắt Khe &lt;i&gt;" in html
    assert "Xem dạng bảng" in html and "Dễ Dãi" in html
    panel = secretary.get(f"/judging/contests/{contest.id}/panel").get_data(as_text=True)
    assert f"/judging/contests/{contest.id}/dashboard" in panel  # a tab of the contest's nav


def test_dashboard_data_puts_the_harsh_judge_left(scored: dict) -> None:
    from contest.db import utcnow
    from judging.queries import dashboard_data

    data = dashboard_data(scored["contest"], utcnow())
    totals = {s.label: s.values for s in data.judges}
    assert sorted(totals["Khắt Khe <i>"]) == [30.0, 45.0] and sorted(totals["Dễ Dãi"]) == [78.0, 92.0]
    assert [(f.label, f.value) for f in data.fields] == [("Cải cách TTHC", 1), (HOSTILE, 1)]
    assert data.progress[0].label == "Cả ban" and data.progress[0].submitted == 4 and data.progress[0].pending == 0
    assert [len(c.points) for c in data.criteria] == [4, 4, 4]
    svg = parse(charts.judge_totals_chart(data.judges, data.max_total))
    by_label = {r.get("data-row").split(" — ")[0]: dots(r) for r in rows(svg)}
    assert max(by_label["Khắt Khe <i>"]) < min(by_label["Dễ Dãi"])


def test_dashboard_is_staff_only_even_for_the_chair(scored: dict, signed_in: Callable, client: Any) -> None:
    url = f"/judging/contests/{scored['contest'].id}/dashboard"
    chair, _ = signed_in(JUDGE, user=scored["harsh"])
    judge, _ = signed_in(JUDGE, user=scored["lenient"])
    author, _ = signed_in(PARTICIPANT, user=scored["author"])
    admin, _ = signed_in(ADMIN)
    assert chair.get(url).status_code == 403 and judge.get(url).status_code == 403
    assert author.get(url).status_code == 403 and client.get(url).status_code == 302
    assert admin.get(url).status_code == 200
    close_judging(scored["secretary"], scored["contest"])
    db.session.commit()
    assert chair.get(url).status_code == 403  # closing does not open it to judges either
    assert admin.get(url).status_code == 200


def test_dashboard_of_a_contest_without_entries_says_there_is_no_data(make_contest: Callable,
                                                                       signed_in: Callable) -> None:
    contest = make_contest()
    secretary, _ = signed_in(SECRETARY)
    response = secretary.get(f"/judging/contests/{contest.id}/dashboard")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.count("Chưa có dữ liệu</text>") == 4
    assert "Xem dạng bảng" not in html  # no empty tables under empty charts


def test_public_page_draws_the_winners_from_the_snapshot_only(scored: dict, client: Any) -> None:
    contest, entries = scored["contest"], scored["entries"]
    assert client.get(f"/results/{contest.id}").status_code == 404
    close_judging(scored["secretary"], contest)
    publish_results(scored["secretary"], contest)
    db.session.commit()
    entries[0].title = "Tên sửa sau khi công bố"  # live data changes; the published page must not
    db.session.commit()
    html = client.get(f"/results/{contest.id}").get_data(as_text=True)
    assert 'id="chart-winners"' in html and 'role="img"' in html
    assert "Giải Nhất — Ứng dụng mã QR tra cứu hồ sơ" in html and "Tên sửa sau khi công bố" not in html
    assert "Sổ tay điện tử <b>" not in html and "Giải Nhì — Sổ tay điện tử &lt;b&gt;" in html
    assert "68,5" in html  # (45 + 92) / 2, with a decimal comma


def test_public_page_without_winners_has_no_chart(scored: dict, client: Any) -> None:
    contest = scored["contest"]
    contest.threshold = 99  # nobody is recognised, so nobody wins a prize
    close_judging(scored["secretary"], contest)
    publish_results(scored["secretary"], contest)
    db.session.commit()
    html = client.get(f"/results/{contest.id}").get_data(as_text=True)
    assert "Không có sáng kiến nào đạt giải" in html and 'id="chart-winners"' not in html
