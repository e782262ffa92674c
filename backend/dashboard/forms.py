"""The dashboard's forms: every one carries a CSRF token (Flask-WTF)."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from backend.dashboard import texts
from backend.domain.model import AwayKind, Outcome


def _required(label: str) -> DataRequired:
    return DataRequired(message=texts.REQUIRED.format(label=label))


def parse_day(value: str | None) -> date | None:
    """Return the date of ``YYYY-MM-DD`` text (None when empty); raise ValidationError."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as err:
        raise ValidationError(texts.BAD_DATE) from err


class LoginForm(FlaskForm):
    """Sign in with a login and password."""

    login = StringField("ログインID", [_required("ログインID"), Length(max=100)])
    password = PasswordField("パスワード", [_required("パスワード"), Length(max=1000)])


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token (claim, end away, log out)."""


class ResolveForm(FlaskForm):
    """Close an alert with its outcome and a note."""

    outcome = SelectField(
        "対応の結果",
        choices=[SelectChoice("", "選んでください")]
        + [SelectChoice(o.value, o.value) for o in Outcome],
        validators=[_required("対応の結果")],
    )
    note = TextAreaField("メモ", [Length(max=2000, message=texts.NOTE_TOO_LONG)])


class AwayForm(FlaskForm):
    """Add an away period (入院・旅行・ショートステイ)."""

    kind = SelectField(
        "理由",
        choices=[SelectChoice(k.value, texts.AWAY_KINDS[k]) for k in AwayKind],
        validators=[_required("理由")],
    )
    start = StringField("開始日", [_required("開始日")])
    end = StringField("終了日（わかれば）")

    def validate_start(self, field: StringField) -> None:
        """Check the start date."""
        parse_day(field.data)

    def validate_end(self, field: StringField) -> None:
        """Check the end date, after the start."""
        end = parse_day(field.data)
        try:
            start = parse_day(self.start.data)
        except ValidationError:
            return
        if end is not None and start is not None and end < start:
            raise ValidationError(texts.END_BEFORE_START)


class ConfigForm(FlaskForm):
    """A question set or alert policy as YAML text (checked, then published)."""

    text = TextAreaField(
        texts.CONFIG_TEXT_LABEL,
        [
            DataRequired(message=texts.CONFIG_EMPTY),
            Length(max=200_000, message=texts.CONFIG_TOO_LONG),
        ],
    )
