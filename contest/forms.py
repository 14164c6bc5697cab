"""Forms of the submission side; every message names the field, in the reader's language."""
from __future__ import annotations

import uuid

from flask_babel import gettext, lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    FloatField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from .db import db
from .errors import OperationError
from .marks import N_
from .models import COLLECTIVE, INDIVIDUAL, REGISTRY_SUMMARY_MAX, REGISTRY_TITLE_MAX, Contest, Entry, FormSubmission

# WTForms ships no Vietnamese catalogue; its built-in messages are translated here (and from
# these Vietnamese ids into the reader's language by the catalogues).
_VI = {
    "Not a valid float value.": N_("Phải là một số (dùng dấu chấm cho phần thập phân, ví dụ 12.5)."),
    "Not a valid decimal value.": N_("Phải là một số."),
    "Not a valid integer value.": N_("Phải là một số nguyên."),
    "Not a valid date value.": N_("Ngày không hợp lệ (dạng ngày/tháng/năm)."),
    "Not a valid datetime value.": N_("Ngày giờ không hợp lệ."),
    "Not a valid choice.": N_("Lựa chọn không hợp lệ."),
    "Invalid Choice: could not coerce.": N_("Lựa chọn không hợp lệ."),
    "This field is required.": N_("Không được để trống."),
    "Invalid input.": N_("Giá trị không hợp lệ."),
}


class VietnameseMessages:
    """A gettext-like object that WTForms asks for its built-in messages."""

    def gettext(self, text: str) -> str:
        return gettext(_VI[text]) if text in _VI else text

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if "characters long" in singular:
            if "between" in singular:
                return gettext("Độ dài không hợp lệ (%(min)d–%(max)d ký tự).")
            return gettext("Quá dài.")
        return self.gettext(singular if n == 1 else plural)


VI_MESSAGES = VietnameseMessages()


# C0 control characters other than tab and line breaks: invisible, refused by PostgreSQL (NUL), never meant.
_CONTROL = {code: None for code in range(32) if chr(code) not in "\t\n\r"} | {0x0B: "\n", 0x0C: "\n", 0x7F: None}


def clean_text(value: object) -> object:
    """Typed or pasted text without invisible control characters (Word's line break becomes a newline)."""
    return value.translate(_CONTROL) if isinstance(value, str) else value


class VietnameseMeta:
    """Form Meta that makes WTForms speak Vietnamese (then the reader's language) and cleans every text field."""

    def get_translations(self, form: object) -> VietnameseMessages:
        return VI_MESSAGES

    def bind_field(self, form: Form, unbound_field: object, options: dict[str, object]) -> object:
        if issubclass(unbound_field.field_class, StringField):  # type: ignore[attr-defined]
            options = {**options, "filters": [*unbound_field.kwargs.get("filters", ()), clean_text]}  # type: ignore[attr-defined]
        return unbound_field.bind(form=form, **options)  # type: ignore[attr-defined]


class PlainErrors:
    """After validation, every error message is a plain str: a lazy message is rendered in the
    reader's language once, and templates and JSON see text, not a LazyString."""

    def validate(self, extra_validators: object = None) -> bool:
        valid = super().validate(extra_validators)  # type: ignore[misc]
        for field in self:  # type: ignore[attr-defined]
            if isinstance(field.errors, list):  # a FormField's errors are its subform's dict
                field.errors = [str(e) if isinstance(e, LazyString) else e for e in field.errors]
        return valid


class BaseForm(PlainErrors, FlaskForm):
    """Every top-level form: CSRF from Flask-WTF, messages in the reader's language."""

    class Meta(VietnameseMeta):
        pass


def _new_token() -> str:
    return uuid.uuid4().hex


class CreateForm(BaseForm):
    """A form that creates something: it carries a one-time token against double submission."""

    once = HiddenField(default=_new_token)

    def first_submission(self) -> bool:
        """Record the token in the session's transaction; False when it was used before."""
        token = (self.once.data or "")[:64]
        if not token:
            return True
        if db.session.get(FormSubmission, token) is not None:
            return False
        db.session.add(FormSubmission(token=token))
        return True


class SubForm(PlainErrors, Form):
    """A repeated row inside a form (no CSRF of its own)."""

    class Meta(VietnameseMeta):
        pass


def _required(label: LazyString) -> DataRequired:
    return DataRequired(_l("%(field)s: không được để trống.", field=label))


class CriterionForm(SubForm):
    """One rubric row."""

    code = StringField(_l("Mã"), validators=[Optional(), Length(max=40)])
    name = StringField(_l("Tên tiêu chí"), validators=[Optional(), Length(max=200)])
    max_points = FloatField(_l("Điểm tối đa"),
                            validators=[Optional(), NumberRange(0, 1000, _l("Điểm tối đa: từ 0 đến 1000."))])
    description = StringField(_l("Mô tả"), validators=[Optional(), Length(max=1000)])
    bands = TextAreaField(_l("Các mức điểm (mỗi dòng “thấp-cao: mô tả”)"), validators=[Optional(), Length(max=3000)])


class ContestForm(CreateForm):
    """The organising committee's settings of a contest."""

    title = StringField(_l("Tên cuộc thi"), validators=[_required(_l("Tên cuộc thi")), Length(max=300)])
    year = IntegerField(_l("Năm"), validators=[InputRequired(_l("Năm: không được để trống.")),
                                               NumberRange(2000, 2100, _l("Năm: từ 2000 đến 2100."))])
    fields = TextAreaField(_l("Các lĩnh vực (mỗi dòng một lĩnh vực)"), validators=[_required(_l("Lĩnh vực"))])
    submission_deadline = DateTimeLocalField(_l("Hạn nộp bài (giờ Việt Nam)"), format="%Y-%m-%dT%H:%M",
                                             validators=[InputRequired(_l("Hạn nộp bài: cần chọn ngày giờ hợp lệ."))])
    judging_deadline = DateTimeLocalField(_l("Hạn chấm (giờ Việt Nam)"), format="%Y-%m-%dT%H:%M",
                                          validators=[InputRequired(_l("Hạn chấm: cần chọn ngày giờ hợp lệ."))])
    criteria = FieldList(FormField(CriterionForm), min_entries=5, max_entries=5)
    threshold = FloatField(_l("Ngưỡng công nhận (điểm)"), default=50,
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
    duplicate_threshold = FloatField(
        _l("Ngưỡng cảnh báo trùng lặp (0–100, để trống = mặc định)"),
        validators=[Optional(), NumberRange(0, 100, _l("Ngưỡng trùng lặp: từ 0 đến 100."))])
    collective_prizes = StringField(
        _l("Số giải riêng cho tập thể: Nhất, Nhì, Ba, Khuyến khích (để trống = xếp chung)"),
        validators=[Optional(), Length(max=50)])
    acceptance_rule = SelectField(_l("Cách công nhận"), choices=[
        SelectChoice("threshold", _l("Đạt ngưỡng điểm")),
        SelectChoice("vote", _l("Đạt ngưỡng điểm và được Ban giám khảo biểu quyết tán thành"))],
        default="threshold")
    vote_share = FloatField(_l("Tỷ lệ thành viên tán thành cần có (%)"), default=66.67,
                            validators=[Optional(), NumberRange(1, 100, _l("Tỷ lệ tán thành: từ 1 đến 100%%."))])
    community_vote = BooleanField(
        _l("Tổ chức bình chọn của cán bộ, người dân cho các sáng kiến đạt giải đã công bố"))
    panel_weight = FloatField(_l("Trọng số điểm Ban giám khảo"), default=80,
                              validators=[Optional(), NumberRange(0, 100, _l("Trọng số: từ 0 đến 100."))])
    vote_weight = FloatField(_l("Trọng số bình chọn"), default=20,
                             validators=[Optional(), NumberRange(0, 100, _l("Trọng số: từ 0 đến 100."))])
    blind = BooleanField(_l("Chấm kín: giám khảo không thấy tên tác giả, đơn vị"))
    assignment_mode = SelectField(_l("Cách phân công"), choices=[
        SelectChoice("all", _l("Mọi giám khảo chấm mọi sáng kiến")),
        SelectChoice("balanced", _l("Mỗi sáng kiến một số giám khảo, cân bằng theo số bài và lĩnh vực"))],
        default="all")
    judges_per_entry = IntegerField(_l("Số giám khảo mỗi sáng kiến (khi phân công cân bằng)"), default=2,
                                    validators=[Optional(),
                                                NumberRange(1, 20, _l("Số giám khảo mỗi sáng kiến: từ 1 đến 20."))])
    arbitration_limit = FloatField(
        _l("Chênh lệch tối đa giữa hai giám khảo trước khi mời giám khảo thứ ba (để trống = không)"),
        validators=[Optional(), NumberRange(0, 1000, _l("Chênh lệch tối đa: từ 0 đến 1000."))])
    disagreement_threshold = FloatField(
        _l("Độ chênh tổng điểm để đánh dấu cần thảo luận (để trống = không)"), default=20,
        validators=[Optional(), NumberRange(0, 1000, _l("Độ chênh: từ 0 đến 1000."))])
    aggregation = SelectField(_l("Cách tính điểm"), choices=[
        SelectChoice("mean", _l("Trung bình cộng các phiếu")),
        SelectChoice("trimmed", _l("Bỏ điểm cao nhất và thấp nhất (khi có từ 5 phiếu)"))], default="mean")
    score_step = SelectField(_l("Bước điểm"),
                             choices=[SelectChoice("0.5", _l("0,5 điểm")), SelectChoice("1", _l("1 điểm"))],
                             coerce=float, default=0.5)


class CoAuthorForm(SubForm):
    """One co-author row."""

    full_name = StringField(_l("Họ và tên"), validators=[Optional(), Length(max=200)])
    position = StringField(_l("Chức vụ, đơn vị"), validators=[Optional(), Length(max=200)])
    share = FloatField(_l("Tỷ lệ đóng góp (%)"),
                       validators=[Optional(), NumberRange(0, 100, _l("Tỷ lệ đóng góp: từ 0 đến 100%%."))])


class EntryForm(CreateForm):
    """The initiative description (bản mô tả sáng kiến)."""

    kind = SelectField(_l("Hình thức dự thi"),
                       choices=[SelectChoice(INDIVIDUAL, _l("Cá nhân")), SelectChoice(COLLECTIVE, _l("Tập thể"))],
                       validators=[InputRequired(_l("Hình thức dự thi: hãy chọn cá nhân hoặc tập thể."))])
    collective_name = StringField(_l("Tên tập thể (nếu dự thi tập thể)"), validators=[Optional(), Length(max=200)])
    title = StringField(_l("Tên sáng kiến, giải pháp"), validators=[_required(_l("Tên sáng kiến")), Length(max=500)])
    field = SelectField(_l("Lĩnh vực"), validators=[InputRequired(_l("Lĩnh vực: hãy chọn một lĩnh vực."))],
                        validate_choice=False)
    situation = TextAreaField(_l("Thực trạng"), validators=[Optional(), Length(max=20000)])
    solution = TextAreaField(_l("Nội dung giải pháp"), validators=[Optional(), Length(max=20000)])
    effect = TextAreaField(_l("Hiệu quả đạt được"), validators=[Optional(), Length(max=20000)])
    scope = TextAreaField(_l("Phạm vi, khả năng nhân rộng"), validators=[Optional(), Length(max=10000)])
    applied_where = StringField(_l("Nơi đã áp dụng hoặc áp dụng thử"), validators=[Optional(), Length(max=300)])
    applied_since = DateField(_l("Áp dụng từ ngày"), validators=[Optional()], format="%Y-%m-%d")
    benefit = TextAreaField(_l("Lợi ích thu được khi áp dụng"), validators=[Optional(), Length(max=10000)])
    coauthors = FieldList(FormField(CoAuthorForm), min_entries=3, max_entries=10)
    # Filling the form from a Word description: the file, then the token of the kept copy that saving attaches.
    description_file = FileField(_l("Tệp bản mô tả sáng kiến (.docx)"))
    description_token = HiddenField()


def entry_form(contest: Contest, entry: Entry | None = None, formdata: object = None) -> EntryForm:
    """The entry form for a contest (its fields to choose from), from the request or from `formdata` when given."""
    form = EntryForm(formdata=formdata, obj=entry) if formdata is not None else EntryForm(obj=entry)
    form.field.choices = [SelectChoice(f, f) for f in contest.fields]
    # Always one empty co-author row to fill (up to the limit), however many are saved.
    filled = sum(1 for row in form.coauthors if (row.form.full_name.data or "").strip())
    while len(form.coauthors) < min(max(3, filled + 1), form.coauthors.max_entries):
        form.coauthors.append_entry()
    return form


class AttachmentForm(BaseForm):
    """Upload one file to a draft."""

    file = FileField(_l("Tệp đính kèm (PDF hoặc DOCX)"))


class FlagDecisionForm(BaseForm):
    """The secretary's decision on a duplicate flag."""

    # Starts on neither choice: the destructive one must be picked, never left as the default.
    decision = SelectField(_l("Kết luận"), choices=[SelectChoice("", _l("— Chọn kết luận —")),
                                                    SelectChoice("confirm", _l("Xác nhận trùng lặp (loại khỏi chấm)")),
                                                    SelectChoice("clear", _l("Không trùng lặp (bỏ cảnh báo)"))],
                           validators=[InputRequired(_l("Kết luận: hãy chọn."))])
    reason = TextAreaField(_l("Lý do"), validators=[_required(_l("Lý do")), Length(max=2000)])


class RegistryItemForm(CreateForm):
    """One applied initiative, entered by hand."""

    code = StringField(_l("Mã số"), validators=[Optional(), Length(max=50)])
    title = StringField(_l("Tên sáng kiến"), validators=[_required(_l("Tên sáng kiến")), Length(max=REGISTRY_TITLE_MAX)])
    summary = TextAreaField(_l("Tóm tắt (thực trạng, giải pháp, kết quả)"),
                            validators=[Optional(), Length(max=REGISTRY_SUMMARY_MAX)])
    unit = StringField(_l("Đơn vị áp dụng"), validators=[Optional(), Length(max=300)])
    year = IntegerField(_l("Năm áp dụng"),
                        validators=[Optional(), NumberRange(1990, 2100, _l("Năm áp dụng: từ 1990 đến 2100."))])
    field = StringField(_l("Lĩnh vực"), validators=[Optional(), Length(max=200)])


class RegistryImportForm(BaseForm):
    """A CSV or XLSX file of applied initiatives."""

    file = FileField(_l("Tệp CSV hoặc Excel (.xlsx)"))


def attach_error(form: BaseForm, error: OperationError) -> None:
    """Show an operation's refusal next to its field, or at the top of the form."""
    target = getattr(form, error.field, None) if error.field else None
    if target is not None and not isinstance(target, FieldList) and hasattr(target, "errors"):
        target.errors = [*target.errors, error.message]
    else:
        form.form_errors.append(error.message)
