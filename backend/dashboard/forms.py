"""The dashboard's forms: every one carries a CSRF token (Flask-WTF)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # types-WTForms lags
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


class PickField(SelectMultipleField):
    """Several choices from a list; a value not offered gets a Japanese error, never wtforms'."""

    def pre_validate(self, form: Any) -> None:
        """Refuse values that are not among the choices."""
        offered = {str(c[0]) for c in self.iter_choices()}
        if any(str(v) not in offered for v in self.data or ()):
            raise ValidationError(texts.NOT_A_CHOICE)


class MultiCheckboxField(PickField):
    """Several choices as a list of check boxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def split_list(text: str | None) -> list[str]:
    """Return the items of a list typed with commas (、 or ,) or spaces."""
    return [p for p in re.split(r"[,、\s]+", text or "") if p]


EXERCISE = "体操"  # the notice kind of an exercise invitation (notices.model.NoticeKind)


class NoticeForm(FlaskForm):
    """One municipal notice; checked by the loader of ``mimamori notices import``."""

    local_id = StringField("ID（半角の英小文字・数字・- _。空ならつけます）", [Length(max=60)])
    kind = SelectField(
        texts.NOTICE_KIND_LABEL,
        choices=[SelectChoice(k, label) for k, label in texts.NOTICE_KINDS.items()],
        default="お知らせ",
    )
    title = StringField("題名", [Length(max=200)])
    priority = SelectField(
        "種類", choices=[SelectChoice(p, p) for p in ("通常", "重要", "災害")], default="通常"
    )
    speech = TextAreaField("読み上げる文", [Length(max=5000)])
    screen = TextAreaField("画面に出す文（空なら読み上げる文）", [Length(max=5000)])
    image = StringField("画像の URL（https://、なくてもよい）", [Length(max=2000)])
    # Choices are the municipality's own (``set_audience``); none checked: everyone.
    districts = MultiCheckboxField("対象の地区（選ばなければ市町村の全員）", choices=[])
    centers = MultiCheckboxField("対象のセンター", choices=[])
    elders = PickField("対象のご本人（Ctrl キーを押しながら選ぶと複数）", choices=[])
    start = StringField("開始日時", [Length(max=40)])
    end = StringField("終了日時（この時刻まで。空なら取り下げるまで）", [Length(max=40)])
    weekdays = MultiCheckboxField(
        "繰り返す曜日（なければ1回だけ）",
        choices=[SelectChoice(d, f"{d}曜") for d in ("月", "火", "水", "木", "金", "土", "日")],
    )
    nth = MultiCheckboxField(
        "第何週だけ（なければ毎週）", choices=[SelectChoice(str(n), f"第{n}") for n in range(1, 6)]
    )
    dates = StringField("ほかに読み上げる日（2026-12-30 のように、読点区切り）", [Length(max=2000)])
    exercise_time = StringField(texts.EXERCISE_TIME_LABEL, [Length(max=10)])
    window_start = StringField(texts.EXERCISE_WINDOW_START_LABEL, [Length(max=10)])
    window_end = StringField(texts.EXERCISE_WINDOW_END_LABEL, [Length(max=10)])
    draft = BooleanField("下書きにする（まだ読み上げない）")

    def set_audience(
        self,
        districts: list[str],
        centers: list[tuple[str, str]],
        elders: list[tuple[str, str]],
    ) -> None:
        """Offer the municipality's districts, centers (id, name) and elders (id, label)."""
        self.districts.choices = [SelectChoice(d, d) for d in districts]
        self.centers.choices = [SelectChoice(i, name) for i, name in centers]
        self.elders.choices = [SelectChoice(i, label) for i, label in elders]

    def entry(self) -> dict[str, Any]:
        """Return the notice as one entry of a notice file."""
        exercise = self.kind.data == EXERCISE
        entry: dict[str, Any] = {"id": (self.local_id.data or "").strip()}
        if exercise:
            entry["kind"] = EXERCISE
        entry |= {"title": self.title.data or "", "priority": self.priority.data}
        if not exercise or (self.speech.data or "").strip():
            entry["speech"] = self.speech.data or ""  # a 体操 invitation may have no words
        if (self.screen.data or "").strip():
            entry["screen"] = self.screen.data
        image = (self.image.data or "").strip()
        if image:
            entry["image"] = image
        audience = {
            "districts": list(self.districts.data or ()),
            "centers": list(self.centers.data or ()),
            "elders": list(self.elders.data or ()),
        }
        if any(audience.values()):
            entry["audience"] = audience
        entry["from"] = (self.start.data or "").strip()
        end = (self.end.data or "").strip()
        if end:
            entry["to"] = end
        recurrence: dict[str, Any] = {}
        if self.weekdays.data:
            recurrence["weekdays"] = list(self.weekdays.data)
        if self.nth.data:
            recurrence["nth"] = [int(n) for n in self.nth.data]
        if split_list(self.dates.data):
            recurrence["dates"] = split_list(self.dates.data)
        if recurrence:
            entry["recurrence"] = recurrence
        entry |= self._exercise_entry()
        entry["draft"] = bool(self.draft.data)
        return entry

    def _exercise_entry(self) -> dict[str, str]:
        """Return ``time`` and ``window`` as written (the loader says what is wrong)."""
        at, start, end = (
            (f.data or "").strip() for f in (self.exercise_time, self.window_start, self.window_end)
        )
        found: dict[str, str] = {}
        if at:
            found["time"] = at
        if start or end:
            found["window"] = f"{start or at}-{end}"
        return found

    def fill(self, entry: dict[str, Any]) -> None:
        """Show a stored notice's entry in the form."""
        self.local_id.data = entry.get("id", "")
        self.kind.data = entry.get("kind", "お知らせ")
        self.title.data = entry.get("title", "")
        self.priority.data = entry.get("priority", "通常")
        self.speech.data = entry.get("speech", "")
        self.screen.data = entry.get("screen", "")
        self.image.data = entry.get("image", "")
        audience = entry.get("audience") or {}
        self.districts.data = list(audience.get("districts", []))
        self.centers.data = list(audience.get("centers", []))
        self.elders.data = list(audience.get("elders", []))
        self.start.data = entry.get("from", "")
        self.end.data = entry.get("to", "")
        recurrence = entry.get("recurrence") or {}
        self.weekdays.data = list(recurrence.get("weekdays", []))
        self.nth.data = [str(n) for n in recurrence.get("nth", [])]
        self.dates.data = "、".join(recurrence.get("dates", []))
        self.exercise_time.data = entry.get("time", "")
        start, _, end = str(entry.get("window", "")).partition("-")
        self.window_start.data, self.window_end.data = start, end
        self.draft.data = bool(entry.get("draft"))


# Where a problem of the notice file lands in the form: the first part of its path.
NOTICE_FIELDS = {
    "id": "local_id",
    "kind": "kind",
    "time": "exercise_time",
    "window": "window_start",
    "title": "title",
    "priority": "priority",
    "speech": "speech",
    "screen": "screen",
    "image": "image",
    "audience": "districts",
    "from": "start",
    "to": "end",
    "recurrence": "weekdays",
    "draft": "draft",
}


class MessageForm(FlaskForm):
    """A message from the center, read aloud to one elder."""

    text = TextAreaField(texts.MESSAGE_LABEL, [Length(max=2000)])
