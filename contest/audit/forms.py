"""The audit log's filters: a GET form, each bad value refused beside its field in Vietnamese."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Optional

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import NumberRange, ValidationError
from wtforms.validators import Optional as OptionalValue

from contest.accounts.models import Organisation
from contest.audit import queries
from contest.audit.labels import AUDIT_ACTIONS, AUDIT_OBJECTS
from contest.audit.queries import AuditFilter
from contest.forms import BaseForm
from contest.i18n import translate_label
from contest.timeutil import to_utc

# Browsers send a date input as 2026-12-07; a person typing one writes 07/12/2026.
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
FIRST_YEAR, LAST_YEAR = 2000, 2100


class AuditFilterForm(BaseForm):
    """Who, what kind of object (and which one), which action, between which days (Vietnam dates)."""

    class Meta:
        csrf = False  # a GET form that only reads

    actor = SelectField(_l("Người thực hiện"), choices=[], default="")
    object_type = SelectField(_l("Loại đối tượng"), choices=[], default="")
    object_id = IntegerField(_l("Mã đối tượng"), validators=[
        OptionalValue(), NumberRange(1, 2**63 - 1, _l("Mã đối tượng: phải là một số nguyên dương."))])
    action = SelectField(_l("Thao tác"), choices=[], default="")
    date_from = DateField(_l("Từ ngày"), format=DATE_FORMATS, validators=[OptionalValue()])
    date_to = DateField(_l("Đến ngày"), format=DATE_FORMATS, validators=[OptionalValue()])

    def __init__(self, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.actor.choices = [("", gettext("Mọi người")), (str(queries.SYSTEM), gettext("Hệ thống (tự động)"))] + [
            (str(u.id), f"{u.full_name} ({u.username})") for u in queries.audit_people(organisation)]
        self.object_type.choices = [("", gettext("Mọi loại"))] + sorted(
            ((code, str(translate_label(label))) for code, label in AUDIT_OBJECTS.items()), key=lambda c: c[1])
        self.action.choices = [("", gettext("Mọi thao tác"))] + sorted(
            ((code, str(translate_label(label))) for code, label in AUDIT_ACTIONS.items()), key=lambda c: c[1])

    def validate_object_id(self, field: IntegerField) -> None:
        if field.data is not None and not self.object_type.data:
            raise ValidationError(gettext("Mã đối tượng: cần chọn cả loại đối tượng."))

    def validate_date_from(self, field: DateField) -> None:
        _in_years(field)

    def validate_date_to(self, field: DateField) -> None:
        _in_years(field)
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(gettext("Đến ngày: phải từ “Từ ngày” trở về sau."))

    def wanted(self) -> AuditFilter:
        """The filter the valid form asks for; the days as UTC bounds of Vietnam's days."""
        return AuditFilter(
            actor_id=int(self.actor.data) if self.actor.data else None,
            object_type=self.object_type.data or None,
            object_id=self.object_id.data,
            action=self.action.data or None,
            since=_start_of(self.date_from.data),
            until=_start_of(self.date_to.data + timedelta(days=1)) if self.date_to.data else None,
        )


def _in_years(field: DateField) -> None:
    if field.data and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(gettext("%(field)s: chọn một ngày từ năm %(first)s đến năm %(last)s.",
                                 field=field.label.text, first=FIRST_YEAR, last=LAST_YEAR))


def _start_of(day: Optional[date]) -> Optional[datetime]:
    """Midnight of a Vietnam day, in UTC as stored."""
    return to_utc(datetime.combine(day, time())) if day else None
