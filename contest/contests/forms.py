"""The contest form and its rubric rows."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from contest.forms import BaseForm, CreateForm, DecimalCommaField, SubForm, required


class CriterionForm(SubForm):
    """One rubric row."""

    # Internal (tie-breaks and default bands go by it): carried, never shown; a new row gets one on save.
    code = HiddenField(validators=[Optional(), Length(max=40)])
    name = StringField(_l("Tên tiêu chí"), validators=[Optional(), Length(max=200)])
    max_points = DecimalCommaField(_l("Điểm tối đa"),
                            validators=[Optional(), NumberRange(0, 1000, _l("Điểm tối đa: từ 0 đến 1000."))])
    description = StringField(_l("Mô tả"), validators=[Optional(), Length(max=1000)])
    bands = TextAreaField(_l("Các mức điểm (mỗi dòng “thấp-cao: mô tả”)"), validators=[Optional(), Length(max=3000)])


class ContestForm(CreateForm):
    """The organising committee's settings of a contest."""

    title = StringField(_l("Tên cuộc thi"), validators=[required(_l("Tên cuộc thi")), Length(max=300)])
    year = IntegerField(_l("Năm"), validators=[InputRequired(_l("Năm: không được để trống.")),
                                               NumberRange(2000, 2100, _l("Năm: từ 2000 đến 2100."))])
    fields = TextAreaField(_l("Các lĩnh vực (mỗi dòng một lĩnh vực)"), validators=[required(_l("Lĩnh vực"))])
    submission_deadline = DateTimeLocalField(_l("Hạn nộp bài (giờ Việt Nam)"), format="%Y-%m-%dT%H:%M",
                                             validators=[InputRequired(_l("Hạn nộp bài: cần chọn ngày giờ hợp lệ."))])
    judging_deadline = DateTimeLocalField(_l("Hạn chấm (giờ Việt Nam)"), format="%Y-%m-%dT%H:%M",
                                          validators=[InputRequired(_l("Hạn chấm: cần chọn ngày giờ hợp lệ."))])
    criteria = FieldList(FormField(CriterionForm), min_entries=5, max_entries=5)
    threshold = DecimalCommaField(_l("Ngưỡng công nhận (điểm)"), default=50,
                           validators=[InputRequired(_l("Ngưỡng công nhận: cần một số."))])
    forward_count = IntegerField(_l("Số sáng kiến gửi Hội đồng thị xã"), default=3,
                                 validators=[InputRequired(_l("Số sáng kiến gửi Hội đồng: cần một số.")),
                                             NumberRange(0, 1000, _l("Số sáng kiến gửi Hội đồng: từ 0 đến 1000."))])
    prize_first = IntegerField(_l("Số giải Nhất"), default=1,
                               validators=[NumberRange(0, 100, _l("Số giải Nhất: từ 0 đến 100."))])
    prize_second = IntegerField(_l("Số giải Nhì"), default=2,
                                validators=[NumberRange(0, 100, _l("Số giải Nhì: từ 0 đến 100."))])
    prize_third = IntegerField(_l("Số giải Ba"), default=3,
                               validators=[NumberRange(0, 100, _l("Số giải Ba: từ 0 đến 100."))])
    prize_consolation = IntegerField(_l("Số giải Khuyến khích"), default=4,
                                     validators=[NumberRange(0, 100, _l("Số giải Khuyến khích: từ 0 đến 100."))])
    duplicate_threshold = DecimalCommaField(
        _l("Ngưỡng cảnh báo trùng lặp (0–100, để trống = mặc định)"),
        validators=[Optional(), NumberRange(0, 100, _l("Ngưỡng trùng lặp: từ 0 đến 100."))])
    collective_prizes = StringField(
        _l("Số giải riêng cho tập thể: Nhất, Nhì, Ba, Khuyến khích (để trống = xếp chung)"),
        validators=[Optional(), Length(max=50)])
    acceptance_rule = SelectField(_l("Cách công nhận"), choices=[
        SelectChoice("threshold", _l("Đạt ngưỡng điểm")),
        SelectChoice("vote", _l("Đạt ngưỡng điểm và được Ban giám khảo biểu quyết tán thành"))],
        default="threshold")
    vote_share = DecimalCommaField(_l("Tỷ lệ thành viên tán thành cần có (%)"), default=66.67,
                            validators=[Optional(), NumberRange(1, 100, _l("Tỷ lệ tán thành: từ 1 đến 100%%."))])
    community_vote = BooleanField(
        _l("Tổ chức bình chọn của cán bộ, người dân cho các sáng kiến đạt giải đã công bố"))
    panel_weight = DecimalCommaField(_l("Trọng số điểm Ban giám khảo"), default=80,
                              validators=[Optional(), NumberRange(0, 100, _l("Trọng số: từ 0 đến 100."))])
    vote_weight = DecimalCommaField(_l("Trọng số bình chọn"), default=20,
                             validators=[Optional(), NumberRange(0, 100, _l("Trọng số: từ 0 đến 100."))])
    share_comments = BooleanField(
        _l("Sau khi công bố, cho tác giả xem nhận xét của Ban giám khảo theo từng tiêu chí (không ghi tên giám khảo)"))
    blind = BooleanField(_l("Chấm kín: giám khảo không thấy tên tác giả, đơn vị"))
    assignment_mode = SelectField(_l("Cách phân công"), choices=[
        SelectChoice("all", _l("Mọi giám khảo chấm mọi sáng kiến")),
        SelectChoice("balanced", _l("Mỗi sáng kiến một số giám khảo, cân bằng theo số bài và lĩnh vực"))],
        default="all")
    judges_per_entry = IntegerField(_l("Số giám khảo mỗi sáng kiến (khi phân công cân bằng)"), default=2,
                                    validators=[Optional(),
                                                NumberRange(1, 20, _l("Số giám khảo mỗi sáng kiến: từ 1 đến 20."))])
    min_judges = IntegerField(
        _l("Số phiếu chấm tối thiểu của mỗi sáng kiến (khi phân công cân bằng; khi mọi giám khảo cùng chấm: cả ban)"),
        default=2, validators=[Optional(), NumberRange(1, 20, _l("Số phiếu chấm tối thiểu: từ 1 đến 20."))])
    arbitration_limit = DecimalCommaField(
        _l("Chênh lệch tối đa giữa hai giám khảo trước khi mời giám khảo thứ ba (để trống = không)"),
        validators=[Optional(), NumberRange(0, 1000, _l("Chênh lệch tối đa: từ 0 đến 1000."))])
    disagreement_threshold = DecimalCommaField(
        _l("Độ chênh tổng điểm để đánh dấu cần thảo luận (để trống = không)"), default=20,
        validators=[Optional(), NumberRange(0, 1000, _l("Độ chênh: từ 0 đến 1000."))])
    aggregation = SelectField(_l("Cách tính điểm"), choices=[
        SelectChoice("mean", _l("Trung bình cộng các phiếu")),
        SelectChoice("trimmed", _l("Bỏ điểm cao nhất và thấp nhất (khi có từ 5 phiếu)"))], default="mean")
    score_step = SelectField(_l("Bước điểm"),
                             choices=[SelectChoice("0.5", _l("0,5 điểm")), SelectChoice("1", _l("1 điểm"))],
                             coerce=float, default=0.5)


class PlanForm(BaseForm):
    """The contest's signed plan (kế hoạch), one PDF."""

    plan = FileField(_l("Tệp PDF kế hoạch đã ký"))
