"""The decision form of a duplicate flag."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    SelectChoice,
    SelectField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length

from contest.forms import BaseForm, required


class FlagDecisionForm(BaseForm):
    """The secretary's decision on a duplicate flag."""

    # Starts on neither choice: the destructive one must be picked, never left as the default.
    decision = SelectField(_l("Kết luận"), choices=[SelectChoice("", _l("— Chọn kết luận —")),
                                                    SelectChoice("confirm", _l("Xác nhận trùng lặp (loại khỏi chấm)")),
                                                    SelectChoice("clear", _l("Không trùng lặp (bỏ cảnh báo)"))],
                           validators=[InputRequired(_l("Kết luận: hãy chọn."))])
    reason = TextAreaField(_l("Lý do"), validators=[required(_l("Lý do")), Length(max=2000)])
