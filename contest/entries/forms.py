"""The entry form, its co-authors and attachments."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    FieldList,
    FloatField,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from contest.contests.models import Contest
from contest.entries.limits import TITLE_MAX
from contest.entries.models import COLLECTIVE, INDIVIDUAL, Entry
from contest.forms import BaseForm, CreateForm, SubForm, required


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
    # No Length validator: it would render maxlength, and the browser would cut a pasted title
    # silently; a title over the limit is refused by save_entry, beside the field, with the limit.
    title = StringField(_l("Tên sáng kiến, giải pháp"), validators=[required(_l("Tên sáng kiến"))],
                        description=_l("Tối đa %(max)s ký tự.", max=TITLE_MAX))  # shown as its help
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
