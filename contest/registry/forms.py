"""Forms of the registry of applied initiatives."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional

from contest.forms import BaseForm, CreateForm, required
from contest.registry.models import REGISTRY_SUMMARY_MAX, REGISTRY_TITLE_MAX


class RegistryItemForm(CreateForm):
    """One applied initiative, entered by hand."""

    code = StringField(_l("Mã số"), validators=[Optional(), Length(max=50)])
    title = StringField(_l("Tên sáng kiến"), validators=[required(_l("Tên sáng kiến")), Length(max=REGISTRY_TITLE_MAX)])
    summary = TextAreaField(_l("Tóm tắt (thực trạng, giải pháp, kết quả)"),
                            validators=[Optional(), Length(max=REGISTRY_SUMMARY_MAX)])
    unit = StringField(_l("Đơn vị áp dụng"), validators=[Optional(), Length(max=300)])
    year = IntegerField(_l("Năm áp dụng"),
                        validators=[Optional(), NumberRange(1990, 2100, _l("Năm áp dụng: từ 1990 đến 2100."))])
    field = StringField(_l("Lĩnh vực"), validators=[Optional(), Length(max=200)])


class RegistryImportForm(BaseForm):
    """A CSV or XLSX file of applied initiatives."""

    file = FileField(_l("Tệp CSV hoặc Excel (.xlsx)"))
