"""The forms' shared base: every message names the field, in the reader's language; a creation
form's one-time token makes a double submit create one thing."""
from __future__ import annotations

import uuid
from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import (
    FieldList,
    FloatField,
    Form,
    HiddenField,
    StringField,
)
from wtforms.validators import DataRequired
from wtforms.widgets import TextInput

from contest.db import db, utcnow
from contest.errors import OperationError
from contest.marks import N_


class FormSubmission(db.Model):
    """A creation form's one-time token: a double-submitted form creates one thing, not two."""

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


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
    "Invalid choice(s): one or more data inputs could not be coerced.": N_("Lựa chọn không hợp lệ."),
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


class DecimalCommaField(FloatField):
    """A number as Vietnamese write it: shown with a decimal comma ("66,67"), read with a comma or a
    dot, never with a thousands separator (the values it holds are small: points, percentages).
    A text input with a decimal keypad: a browser's number input would show "66,67" as empty."""

    widget = TextInput()

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs["render_kw"] = {"inputmode": "decimal", **(kwargs.get("render_kw") or {})}  # type: ignore[dict-item]
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return f"{self.data:.2f}".rstrip("0").rstrip(".").replace(".", ",")

    def process_formdata(self, valuelist: list) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).strip().replace(" ", "")
        if not text:
            self.data = None
            return
        try:
            if text.count(",") + text.count(".") > 1:
                raise ValueError(text)
            self.data = float(text.replace(",", "."))
        except ValueError:
            self.data = None
            raise ValueError(gettext("Phải là một số (phần thập phân sau dấu phẩy, ví dụ 66,67).")) from None


def required(label: LazyString) -> DataRequired:
    return DataRequired(_l("%(field)s: không được để trống.", field=label))


def attach_error(form: BaseForm, error: OperationError) -> None:
    """Show an operation's refusal next to its field, or at the top of the form."""
    target = getattr(form, error.field, None) if error.field else None
    if target is not None and not isinstance(target, FieldList) and hasattr(target, "errors"):
        target.errors = [*target.errors, error.message]
    else:
        form.form_errors.append(error.message)
