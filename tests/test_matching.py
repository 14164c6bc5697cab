"""Tests of contest.matching: the Vietnamese normaliser, the index, the evidence, the evaluation."""
from __future__ import annotations

import random
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contest.matching import (
    DEFAULT_THRESHOLD,
    Document,
    Match,
    Matcher,
    explain,
    fold,
    highlight_spans,
    normalize,
    tokens,
)
from contest.matching.evaluate import evaluate, metrics, tune
from contest.matching.normalize import abbreviations, analyze, stop_weight

# --- a small inline registry (no file from outside the package is needed) -------------------

REGISTRY = [
    Document(
        "R1",
        "Ứng dụng mã QR trên giấy hẹn trả kết quả để người dân tự tra cứu tình trạng hồ sơ",
        "Người dân phải đến trụ sở hoặc gọi điện nhiều lần để hỏi hồ sơ đã giải quyết đến đâu. "
        "Bộ phận Một cửa in mã QR riêng cho từng hồ sơ lên giấy hẹn; người dân quét mã là biết hồ sơ "
        "đang ở bước nào, ai đang xử lý. Số cuộc gọi hỏi tiến độ giảm khoảng 70%.",
    ),
    Document(
        "R2",
        "Thanh toán phí, lệ phí thủ tục hành chính bằng mã QR chuyển khoản tại quầy một cửa",
        "Thu tiền mặt phí chứng thực mất thời gian kiểm đếm, dễ sai sót. Phường đặt mã QR chuyển khoản "
        "tại từng quầy, người dân quét mã bằng ứng dụng ngân hàng, hệ thống tự đối soát và xuất biên lai "
        "điện tử. Hơn 65% khoản phí được thanh toán không dùng tiền mặt.",
    ),
    Document(
        "R3",
        "Tổ lưu động giải quyết thủ tục hành chính hằng tháng tại các thôn vùng sâu, vùng xa",
        "Các thôn vùng cao cách trung tâm xã 20 - 30 km, đồng bào ngại đi làm thủ tục. Xã lập tổ lưu động "
        "gồm công chức tư pháp, địa chính, mang máy tính, máy in, con dấu, mỗi tháng một ngày đến nhà văn "
        "hóa từng thôn để tiếp nhận, giải quyết ngay các thủ tục hộ tịch, chứng thực.",
    ),
    Document(
        "R4",
        "Kênh Zalo OA của UBND xã phát hành thông báo chính thức đến người dân thay cho dán giấy",
        "Thông báo dán ở bảng tin thôn ít người đọc, loa phát thanh nhiều khi không nghe rõ. UBND xã lập "
        "tài khoản Zalo Official Account để gửi thông báo chính thức như lịch tiếp công dân, lịch cắt điện, "
        "chính sách hỗ trợ mới. Người dân quan tâm tài khoản là nhận tin ngay trên điện thoại.",
    ),
    Document(
        "R5",
        "Chi trả trợ cấp xã hội hằng tháng qua tài khoản ngân hàng của người hưởng",
        "Người hưởng trợ cấp bảo trợ xã hội phải đến điểm chi trả xếp hàng nhận tiền mặt. Phường vận động "
        "người hưởng mở tài khoản ngân hàng, chuyển sang chi trả qua tài khoản vào ngày cố định hằng tháng.",
    ),
]

# A duplicate of R3 typed without diacritics, with another place and abbreviations.
DUP_R3_TITLE = "To luu dong giai quyet TTHC hang thang tai cac cu lao xa trung tam xa"
DUP_R3_BODY = (
    "Nguoi dan song tren cac cu lao ngai di lam thu tuc. Xa lap to luu dong gom cong chuc tu phap, "
    "dia chinh, mang may tinh, may in, con dau, moi thang mot ngay den tung cu lao de tiep nhan, "
    "giai quyet ngay cac thu tuc ho tich, chung thuc."
)


# --- normaliser -------------------------------------------------------------------------------


def test_nfd_input_is_composed_before_splitting_words() -> None:
    text = "Thủ tục hành chính được số hóa"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    assert normalize(nfd) == normalize(text) == "thủ tục hành chính được số hóa"
    assert len(tokens(nfd)) == 7


@pytest.mark.parametrize(
    ("old", "new"),
    [("hoà", "hòa"), ("thuỷ", "thủy"), ("xoá", "xóa"), ("toả", "tỏa"), ("uỷ", "ủy"), ("khoẻ", "khỏe")],
)
def test_old_and_new_tone_placement_agree(old: str, new: str) -> None:
    assert old != new
    assert normalize(old) == normalize(new)


def test_tone_placement_keeps_words_that_differ() -> None:
    # a different tone is a different word; "quý" keeps its mark on y (qu is the onset)
    assert normalize("hòa") != normalize("hóa")
    assert normalize("quý") == "quý"
    assert normalize("người") == "người"
    assert normalize("Hoà Khánh") == "hòa khánh"


def test_case_and_punctuation() -> None:
    assert normalize("  MÃ QR, tại   quầy!!! (một-cửa) ") == "mã qr tại quầy một cửa"
    assert normalize("...;;") == ""


def test_fold_removes_marks_and_d_stroke() -> None:
    assert fold("Đăng ký thường trú ĐỒNG BẰNG") == "dang ky thuong tru dong bang"
    assert fold("đđĐĐ") == "dddd"
    assert fold("giấy hẹn") == fold("giay hen")


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("UBND", "ủy ban nhân dân"),
        ("HĐND", "hội đồng nhân dân"),
        ("HDND", "hội đồng nhân dân"),
        ("TTHC", "thủ tục hành chính"),
        ("CCHC", "cải cách hành chính"),
        ("DVCQG", "dịch vụ công quốc gia"),
        ("BPMC", "bộ phận một cửa"),
        ("CBCC", "cán bộ công chức"),
        ("VBQPPL", "văn bản quy phạm pháp luật"),
        ("CCCD", "căn cước công dân"),
    ],
)
def test_abbreviations_expand_so_both_spellings_meet(short: str, full: str) -> None:
    assert normalize(short) == full
    assert fold(f"{short} xã") == fold(f"{full} xã")


def test_ambiguous_abbreviations_only_in_upper_case() -> None:
    # "CA" is công an, but "ca" is an ordinary word (ca làm việc)
    assert normalize("CA xã") == "công an xã"
    assert normalize("ca làm việc") == "ca làm việc"
    assert normalize("CC phụ trách") == "công chức phụ trách"


def test_abbreviation_table_is_loaded_from_data_file() -> None:
    table = abbreviations()
    assert len(table) >= 20
    for key in ("UBND", "TTHC", "HDND", "TTDT", "DDDT", "GKS", "GCN", "MTTQ", "CKS", "TTND"):
        assert key in table, key


def test_stop_words_weighted_down_not_removed() -> None:
    toks = analyze("Giải pháp nâng cao hiệu quả số hóa hồ sơ của người dân")
    weights = {t.folded: t.weight for t in toks}
    assert "giai" in weights and "cua" in weights  # kept
    assert weights["giai"] < 0.5 and weights["cua"] < 0.5 and weights["hieu"] < 0.5
    assert weights["so"] == 1.0 and weights["ho"] == 1.0
    assert stop_weight("và") < stop_weight("hồ sơ") == 1.0
    # no-diacritics text is weighted the same way
    assert stop_weight("giai phap") == stop_weight("giải pháp")


def test_accented_text_keeps_markless_word_distinct() -> None:
    # in a text typed with marks, "xa" (far) is not "xã" (commune); typed without marks it may be
    marked = analyze("bà con ở xa trung tâm", canonical=True)
    assert [t.text for t in marked][3] == "xa"
    assert next(t for t in marked if t.folded == "xa").weight == 1.0


def test_canonical_layer_numbers_and_synonyms() -> None:
    def canon(s: str) -> str:
        return " ".join(t.folded for t in analyze(s, canonical=True))

    assert canon("một trăm năm mươi lượt") == "150 luot"
    assert canon("bảy phần mười") == canon("70 phần trăm") == "70"
    assert canon("hơn 1.200 hồ sơ") == canon("hơn một nghìn hai trăm hồ sơ")
    assert canon("mỗi năm một lần") == canon("hằng năm một lần")  # "năm" alone is the year
    assert canon("tạm trú") == "tam tru"  # not "8 tru"
    assert canon("nộp qua mạng") == canon("nộp trực tuyến") == canon("nop truc tuyen")
    # plain normalize() does not rewrite synonyms
    assert normalize("qua mạng") == "qua mạng"


def test_markless_words_are_not_taken_for_spelled_out_numbers() -> None:
    def canon(s: str) -> str:
        return " ".join(t.folded for t in analyze(s, canonical=True))

    # typed without marks, "ngan hang" is ngân hàng (a bank), not "1000 hang"
    assert canon("ngan hang") == canon("ngân hàng") == "ngan hang"
    assert canon("Truong thu hoc phi qua ngan hang") == canon("Trường thu học phí qua ngân hàng")
    # "tram y te" is trạm y tế (a health station), not "100 y te"; "ba tram y te" is three of them
    assert canon("tram y te") == canon("trạm y tế") == "tram y te"
    assert canon("ba tram y te") == canon("ba trạm y tế") == "ba tram y te"
    assert canon("ngan sach xa") == canon("ngân sách xã") == "ngan sach xa"
    assert canon("tram xa") == "tram xa" and canon("tram ho tro") == "tram ho tro"
    assert canon("muoi tieu") == "muoi tieu"  # muối tiêu
    assert canon("tu tram y te") == "tu tram y te" and canon("khong tram nguoi") == "khong tram nguoi"
    # even with marks, "triệu tập" (to convene) is no million
    assert canon("triệu tập cuộc họp") == canon("trieu tap cuoc hop") == "trieu tap cuoc hop"
    # in a text typed with marks a markless "ngan" is not "ngàn"
    assert "1000" not in canon("Phối hợp với ngan hàng để thu phí")
    # real numbers still work, with or without marks, when the context says they are numbers
    assert canon("ba tram nguoi") == canon("ba trăm người") == "300 nguoi"
    assert canon("nam muoi ngay") == canon("năm mươi ngày") == "50 ngay"
    assert canon("mot tram nam muoi luot") == canon("một trăm năm mươi lượt") == "150 luot"
    assert canon("hai trieu dong") == canon("hai triệu đồng") == "2000000 dong"
    assert canon("hang nghin ho so") == canon("hàng nghìn hồ sơ") == "hang 1000 ho so"
    assert canon("hon mot nghin hai tram ho so") == canon("hơn 1.200 hồ sơ")
    assert canon("bay phan muoi") == canon("bảy phần mười") == "70"
    assert canon("một trăm năm mươi") == "150"  # marked numerals need no context


def test_spans_point_into_the_source() -> None:
    text = "Cổng DVCQG của UBND"
    for t in analyze(text):
        assert 0 <= t.start < t.end <= len(text)
    assert {text[t.start : t.end] for t in analyze(text)} == {"Cổng", "DVCQG", "của", "UBND"}


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalizer_is_idempotent_and_never_raises(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    f = fold(text)
    assert fold(f) == f
    assert f.isascii() or any(ord(c) > 127 for c in f)  # folding never crashes on exotic scripts
    tokens(text)
    analyze(text, canonical=True)


_VI_CHARS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ "


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_VI_CHARS + _VI_CHARS.upper() + ".,;-%0123456789", max_size=80))
def test_vietnamese_like_text_properties(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert normalize(unicodedata.normalize("NFD", text)) == once
    assert fold(text) == fold(once)
    assert fold(text).isascii()
    assert once == once.lower()


# --- index ------------------------------------------------------------------------------------


def test_finds_duplicate_written_without_diacritics() -> None:
    m = Matcher(REGISTRY)
    assert len(m) == 5
    res = m.search(DUP_R3_TITLE, DUP_R3_BODY)
    assert res and res[0].id == "R3"
    assert res[0].score >= DEFAULT_THRESHOLD
    assert all(isinstance(x, Match) for x in res)
    assert [x.score for x in res] == sorted((x.score for x in res), reverse=True)
    assert 0.0 <= res[0].title_score <= 100.0 and 0.0 <= res[0].body_score <= 100.0


def test_result_does_not_depend_on_registry_order() -> None:
    baseline = Matcher(REGISTRY).search(DUP_R3_TITLE, DUP_R3_BODY, limit=5)
    for seed in range(5):
        docs = REGISTRY[:]
        random.Random(seed).shuffle(docs)
        assert Matcher(docs).search(DUP_R3_TITLE, DUP_R3_BODY, limit=5) == baseline


def test_unrelated_query_is_not_flagged() -> None:
    m = Matcher(REGISTRY)
    res = m.search(
        "Quỹ hỗ trợ khởi nghiệp cho thanh niên nông thôn",
        "Đoàn xã vận động lập quỹ cho vay không lãi, mời chuyên gia tư vấn lập phương án kinh doanh.",
        threshold=DEFAULT_THRESHOLD,
    )
    assert res == []


def test_same_tool_for_another_problem_scores_below_the_real_duplicate() -> None:
    m = Matcher(REGISTRY)
    # QR code again, but for paying fees: must rank R2 above R1
    res = m.search("Quét mã QR chuyển khoản để nộp lệ phí chứng thực tại quầy", "")
    assert res[0].id == "R2"


def test_add_remove_and_threshold_limit_exclude() -> None:
    m = Matcher(REGISTRY[:2])
    assert m.search(DUP_R3_TITLE, DUP_R3_BODY, threshold=DEFAULT_THRESHOLD) == []
    m.add(REGISTRY[2])
    assert len(m) == 3
    assert m.search(DUP_R3_TITLE, DUP_R3_BODY, limit=1)[0].id == "R3"
    assert m.search(DUP_R3_TITLE, DUP_R3_BODY, exclude=["R3"], threshold=DEFAULT_THRESHOLD) == []
    m.remove("R3")
    assert len(m) == 2
    assert all(x.id != "R3" for x in m.search(DUP_R3_TITLE, DUP_R3_BODY))
    m.remove("missing")  # no error
    # re-adding under the same id replaces
    m.add(REGISTRY[2])
    m.add(REGISTRY[2])
    assert len(m) == 3
    assert [x.id for x in m.search(DUP_R3_TITLE, DUP_R3_BODY, limit=10)].count("R3") == 1
    assert m.search(DUP_R3_TITLE, DUP_R3_BODY, limit=0) == []
    assert len(m.search("thủ tục hành chính", "", limit=2)) <= 2


def test_the_decision_holds_when_the_registry_grows() -> None:
    """Weights come from the registry at hand (IDF), but a duplicate stays over the line and an
    unrelated text under it whether the registry has 5 items or 305."""
    small = Matcher(REGISTRY)
    filler = [
        Document(f"F{i}", f"Sáng kiến số {i} về vệ sinh môi trường khu phố {i}",
                 f"Tổ dân phố {i} tổ chức ra quân dọn rác, trồng cây xanh, lập nhóm tự quản số {i}.")
        for i in range(300)
    ]
    big = Matcher(REGISTRY + filler)
    a = small.search(DUP_R3_TITLE, DUP_R3_BODY, limit=1)[0]
    b = big.search(DUP_R3_TITLE, DUP_R3_BODY, limit=1)[0]
    assert a.id == b.id == "R3"
    assert a.score >= DEFAULT_THRESHOLD and b.score >= DEFAULT_THRESHOLD
    unrelated = ("Tủ sách pháp luật lưu động cho học sinh", "Thư viện trường luân chuyển sách pháp luật "
                 "giữa các lớp. Mỗi lớp giữ một hộp sách trong hai tuần rồi chuyển cho lớp khác.")
    assert all(m.score < DEFAULT_THRESHOLD for mt in (small, big) for m in mt.search(*unrelated))


def test_long_entry_is_not_penalised_for_its_length() -> None:
    m = Matcher(REGISTRY)
    short = m.search(DUP_R3_TITLE, DUP_R3_BODY, limit=1)[0]
    extra = " Thực trạng: địa bàn rộng, giao thông cách trở, nhiều hộ nghèo. " * 3
    long = m.search(DUP_R3_TITLE, DUP_R3_BODY + extra + " Hiệu quả: người dân hài lòng, tiết kiệm chi phí đi lại.", limit=1)[0]
    assert long.id == short.id == "R3" and long.score >= DEFAULT_THRESHOLD
    assert long.score >= short.score - 5  # the added, unrelated sentences cost little


def test_title_only_query() -> None:
    m = Matcher(REGISTRY)
    res = m.search("Kênh Zalo OA của Ủy ban nhân dân xã phát hành thông báo chính thức")
    assert res[0].id == "R4" and res[0].score >= DEFAULT_THRESHOLD


def test_empty_and_odd_input() -> None:
    m = Matcher()
    assert len(m) == 0 and m.search("bất kỳ") == []
    m.add(Document("X", "", ""))
    assert m.search("", "") == []
    assert isinstance(Matcher(REGISTRY).search("\x00\ud800 🙂", "…"), list)


# --- explanation and highlighting -------------------------------------------------------------


def test_explain_returns_shared_phrases_in_query_spelling() -> None:
    q = "To luu dong giai quyet TTHC hang thang tai cac cu lao"
    other = REGISTRY[2].title
    phrases = explain(q, other)
    assert "To luu dong giai quyet TTHC" in phrases  # stop words ("hằng tháng", "tại các") trimmed
    assert all(p in q for p in phrases)  # the query's own spelling
    assert explain("khác hẳn nhau", other) == ()


def test_explain_does_not_cross_punctuation() -> None:
    phrases = explain("Tổ lưu động. Giải quyết hồ sơ", "tổ lưu động giải quyết hồ sơ")
    assert "Tổ lưu động" in phrases and "Giải quyết hồ sơ" in phrases
    assert not any("." in p for p in phrases)


def test_highlight_spans_cover_text_and_mark_any_spelling() -> None:
    text = "Tổ lưu động giải quyết THỦ TỤC HÀNH CHÍNH tại thôn; UBND xã duyệt."
    spans = highlight_spans(text, ["thu tuc hanh chinh", "uy ban nhan dan"])
    assert "".join(s for s, _ in spans) == text
    marked = [s for s, is_shared in spans if is_shared]
    assert marked == ["THỦ TỤC HÀNH CHÍNH", "UBND"]
    # alternating pieces, never two neighbours with the same flag
    assert all(a[1] != b[1] for a, b in zip(spans, spans[1:]))
    assert highlight_spans("", ["x"]) == []
    assert highlight_spans("không có gì", []) == [("không có gì", False)]


def test_search_match_carries_highlightable_phrases() -> None:
    res = Matcher(REGISTRY).search(DUP_R3_TITLE, DUP_R3_BODY, limit=1)[0]
    assert res.shared_phrases
    spans = highlight_spans(DUP_R3_TITLE + " " + DUP_R3_BODY, res.shared_phrases)
    assert any(flag for _, flag in spans)
    reg_spans = highlight_spans(REGISTRY[2].body, res.shared_phrases)
    assert any(flag for _, flag in reg_spans)  # found in the registry's accented spelling too


# --- evaluation -------------------------------------------------------------------------------


def _dataset() -> dict:
    reg = [{"id": d.id, "title": d.title, "summary": d.body} for d in REGISTRY]
    return {
        "registry": reg,
        "queries": [
            {"id": "Q1", "title": DUP_R3_TITLE, "summary": DUP_R3_BODY, "duplicate_of": ["R3"], "kind": "no_diacritics"},
            {"id": "Q2", "title": REGISTRY[3].title.replace("UBND", "Ủy ban nhân dân"), "summary": REGISTRY[3].body,
             "duplicate_of": ["R4"], "kind": "abbreviation"},
            {"id": "Q3", "title": "Quỹ khởi nghiệp thanh niên", "summary": "Cho vay không lãi để mở xưởng nhỏ.",
             "duplicate_of": [], "kind": "novel"},
        ],
    }


def test_evaluate_on_small_dataset() -> None:
    m = evaluate(_dataset())
    assert set(m) == {"threshold", "precision", "recall", "f1", "recall_at_3", "hard_negative_false_flag_rate",
                      "flagged_per_100", "recall_by_kind", "false_flags_by_kind", "latency_ms", "queries"}
    assert m["queries"] == 3
    assert m["precision"] == m["recall"] == m["f1"] == m["recall_at_3"] == 1.0
    assert m["recall_by_kind"] == {"no_diacritics": 1.0, "abbreviation": 1.0}
    assert set(m["latency_ms"]) == {"p50", "p95"} and m["latency_ms"]["p95"] >= m["latency_ms"]["p50"] >= 0


def _m(id_: str, score: float) -> Match:
    return Match(id_, score, 0.0, 0.0, ())


def test_metrics_definitions() -> None:
    results = [
        ({"duplicate_of": ["A"], "kind": "paraphrase"}, [_m("A", 90), _m("B", 80)]),  # TP
        ({"duplicate_of": ["A"], "kind": "paraphrase"}, [_m("B", 70), _m("C", 60), _m("A", 40)]),  # FP, miss, in top 3
        ({"duplicate_of": ["A", "D"], "kind": "merged"}, [_m("D", 55)]),  # TP via the second id
        ({"duplicate_of": ["A"], "kind": "typo"}, [_m("B", 20), _m("C", 10), _m("E", 5), _m("A", 4)]),  # miss, not top 3
        ({"duplicate_of": [], "kind": "hard_negative"}, [_m("A", 51)]),  # FP + hard-negative flag
        ({"duplicate_of": [], "kind": "hard_negative"}, [_m("A", 49)]),  # quiet
        ({"duplicate_of": [], "kind": "novel"}, []),
    ]
    m = metrics(results, threshold=50)
    # TP = 2, FP = 2 → precision 0.5; 4 duplicate queries → recall 0.5
    assert m["precision"] == 0.5 and m["recall"] == 0.5 and m["f1"] == 0.5
    assert m["recall_at_3"] == 0.75
    assert m["hard_negative_false_flag_rate"] == 0.5
    assert m["recall_by_kind"] == {"paraphrase": 0.5, "merged": 1.0, "typo": 0.0}
    assert m["queries"] == 7
    # a lower threshold flags more: the second query now has a correct flagged match
    assert metrics(results, threshold=30)["recall"] == 0.75


def test_tune_reports_each_threshold() -> None:
    rows = tune(_dataset(), [10, 50, 99.9])
    assert [r["threshold"] for r in rows] == [10, 50, 99.9]
    assert rows[0]["recall"] >= rows[-1]["recall"]


def test_cli_json_and_table(tmp_path) -> None:
    import json

    from click.testing import CliRunner

    from contest.matching.cli import dedup_eval

    path = tmp_path / "set.json"
    path.write_text(json.dumps(_dataset(), ensure_ascii=False), encoding="utf-8")
    res = CliRunner().invoke(dedup_eval, [str(path), "--json", "--threshold", "50"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["f1"] == 1.0 and data["queries"] == 3
    res = CliRunner().invoke(dedup_eval, [str(path)])
    assert res.exit_code == 0 and "F1" in res.output and "recall@3" in res.output


def test_registry_of_titles_only() -> None:
    # a ward registry kept in Excel may have titles and no summaries
    m = Matcher(Document(d.id, d.title, "") for d in REGISTRY)
    res = m.search(REGISTRY[3].title.replace("UBND", "Ủy ban nhân dân"), REGISTRY[3].body)
    assert res[0].id == "R4" and res[0].score >= DEFAULT_THRESHOLD
    assert m.search("Quỹ khởi nghiệp cho thanh niên", "Cho vay không lãi.", threshold=DEFAULT_THRESHOLD) == []
