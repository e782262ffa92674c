"""Enrolment: a care center starts watching an elder, with their consent recorded at once.

- ``enrol`` stores a new elder with the consent record in one unit of work; a center staff
  member enrols into their own center, a municipality admin into a center of their
  municipality, an operator anywhere. Without the center's consent line nothing is stored:
  an elder is never created unwatchable by mistake.
- ``update_profile`` and ``reconfirm_consent`` change an elder in scope (audited); after a
  withdrawal neither is allowed (``ElderNotWatched``).
- ``list_elders`` and ``elder_detail`` serve the JSON API (audited).
- ``import_elders`` enrols every row of a CSV file, or none when any row is bad.

Every check returns Japanese messages by field, used next to the form's fields and in the
CSV report (``LINE: column: what is wrong``). Audit entries carry ids and field names only.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TypedDict

from backend.domain import consent as vocabulary
from backend.domain.model import CareCenter, Consent, Elder, Share, StaffRole, StaffUser
from backend.domain.staff import AuditEntry
from backend.services.access import (
    actor_of,
    audit,
    center_in_scope,
    centers_of,
    elder_in_scope,
    sees_center,
    sees_elder,
)
from backend.services.audit import record, record_view
from backend.services.context import Services
from backend.services.elder_admin import ElderNotWatched
from backend.services.retry import retry_when_busy

NAME_MAX = 50
DISTRICT_MAX = 30
EXPLAINED_MAX = 50
SHARE_TEXT_MAX = 100
RECONFIRM_MAX_YEARS = 3
_KANA = re.compile(r"^[ぁ-ゖァ-ヺー・ 　]+$")
_OTHER_LINE = re.compile(r"^([^:：]+)[:：](.+)$")

MESSAGES = {
    "required": "{label}を入力してください。",
    "too_long": "{label}は{max}文字までにしてください。",
    "not_kana": "ふりがなは、ひらがなかカタカナで入力してください。",
    "bad_date": "日付は 2026-11-23 のように入力してください。",
    "future": "同意日が未来の日付です（今日は {today}）。",
    "reconfirm_before": "再確認日は同意日より後の日付にしてください。",
    "reconfirm_far": "再確認日は同意日から{years}年以内にしてください。",
    "center_share": "見守りには、センターの職員が毎日のお答えを見ることへの同意が必要です。",
    "unknown_share": "不明な共有先です（{keys} のいずれか）。",
    "bad_other": "「相手：内容」の形で1行に1つずつ書いてください（{line}行目）。",
    "other_too_long": "相手と内容はそれぞれ{max}文字までにしてください（{line}行目）。",
    "unknown_center": "この市町村のセンターではありません。",
}

LABELS = {
    "name": "お名前",
    "kana": "ふりがな",
    "district": "地区",
    "center_id": "センター",
    "consented_on": "同意日",
    "explained_by": "説明した職員",
    "reconfirm_on": "再確認日",
    "shares": "だれが何を見るか",
    "other_shares": "ほかの共有先",
}


class Invalid(ValueError):
    """What is wrong with the input, by field (Japanese messages); nothing was stored."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class ConsentInput:
    """A consent record as typed in the form or the CSV file (text, not yet checked)."""

    consented_on: str
    explained_by: str
    shares: tuple[str, ...]  # keys of ``vocabulary.STANDARD_SHARES``
    reconfirm_on: str = ""  # empty: a year after the consent
    other_shares: str = ""  # one "相手：内容" per line


# --- checks ---------------------------------------------------------------------------------


def _text(errors: dict[str, str], field: str, value: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = MESSAGES["required"].format(label=LABELS[field])
    elif len(value) > limit:
        errors[field] = MESSAGES["too_long"].format(label=LABELS[field], max=limit)
    return value


class Profile(TypedDict):
    """The elder's profile fields as cleaned from a form or a CSV row."""

    name: str
    kana: str
    district: str


def check_profile(name: str, kana: str, district: str) -> tuple[Profile, dict[str, str]]:
    """Return the cleaned profile (name, kana, district) and what is wrong with it by field."""
    errors: dict[str, str] = {}
    clean: Profile = {
        "name": _text(errors, "name", name, NAME_MAX),
        "kana": _text(errors, "kana", kana, NAME_MAX),
        "district": _text(errors, "district", district, DISTRICT_MAX),
    }
    if "kana" not in errors and not _KANA.match(clean["kana"]):
        errors["kana"] = MESSAGES["not_kana"]
    return clean, errors


def _day(errors: dict[str, str], field: str, value: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = MESSAGES["bad_date"]
        return None


def _other_shares(errors: dict[str, str], text: str) -> list[Share]:
    found = []
    for n, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _OTHER_LINE.match(line)
        if not match or not match.group(1).strip() or not match.group(2).strip():
            errors["other_shares"] = MESSAGES["bad_other"].format(line=n)
            return []
        recipient, what = match.group(1).strip(), match.group(2).strip()
        if len(recipient) > SHARE_TEXT_MAX or len(what) > SHARE_TEXT_MAX:
            errors["other_shares"] = MESSAGES["other_too_long"].format(max=SHARE_TEXT_MAX, line=n)
            return []
        found.append(Share(recipient, what))
    return found


def check_consent(given: ConsentInput, today: date) -> tuple[Consent | None, dict[str, str]]:
    """Return the consent record of the input, or None and what is wrong with it by field."""
    errors: dict[str, str] = {}
    consented_on = _day(errors, "consented_on", given.consented_on)
    if consented_on is None and "consented_on" not in errors:
        errors["consented_on"] = MESSAGES["required"].format(label=LABELS["consented_on"])
    elif consented_on is not None and consented_on > today:
        errors["consented_on"] = MESSAGES["future"].format(today=today.isoformat())
    explained_by = _text(errors, "explained_by", given.explained_by, EXPLAINED_MAX)
    reconfirm_on = _day(errors, "reconfirm_on", given.reconfirm_on)
    if consented_on is not None and "reconfirm_on" not in errors:
        if reconfirm_on is None:
            reconfirm_on = vocabulary.default_reconfirm_on(consented_on)
        elif reconfirm_on <= consented_on:
            errors["reconfirm_on"] = MESSAGES["reconfirm_before"]
        elif reconfirm_on > consented_on + timedelta(days=366 * RECONFIRM_MAX_YEARS):
            errors["reconfirm_on"] = MESSAGES["reconfirm_far"].format(years=RECONFIRM_MAX_YEARS)
    keys = [k.strip() for k in given.shares if k.strip()]
    unknown = [k for k in keys if k not in vocabulary.STANDARD_SHARES]
    if unknown:
        errors["shares"] = MESSAGES["unknown_share"].format(
            keys=" / ".join(vocabulary.STANDARD_SHARES)
        )
    elif any(k not in keys for k in vocabulary.REQUIRED_SHARES):
        errors["shares"] = MESSAGES["center_share"]
    others = _other_shares(errors, given.other_shares)
    if errors:
        return None, errors
    assert consented_on is not None
    shares = [vocabulary.STANDARD_SHARES[k] for k in vocabulary.STANDARD_SHARES if k in keys]
    shares += [s for s in others if s not in shares]
    return Consent(consented_on, explained_by, tuple(shares), reconfirm_on), {}


# --- enrolment ------------------------------------------------------------------------------


def enrolment_centers(svc: Services, user: StaffUser) -> list[CareCenter]:
    """Return the centers the user may enrol into (their own center for center staff)."""
    return [c for c in centers_of(svc, user) if sees_center(user, c)]


def _new_id() -> str:
    return f"e{secrets.token_hex(6)}"


def _checked(
    svc: Services, user: StaffUser, name: str, kana: str, district: str, given: ConsentInput
) -> tuple[Profile, Consent]:
    profile, errors = check_profile(name, kana, district)
    consent, consent_errors = check_consent(given, svc.now().astimezone(svc.tz).date())
    errors.update(consent_errors)
    if errors:
        raise Invalid(errors)
    assert consent is not None
    return profile, consent


@retry_when_busy
def enrol(
    svc: Services,
    user: StaffUser,
    *,
    center_id: str,
    name: str,
    kana: str,
    district: str,
    consent: ConsentInput,
) -> Elder:
    """Enrol a new elder with their consent at a center in scope (audited); return them.

    NotFound when the center is outside the user's scope; Invalid (nothing stored) when a
    field is wrong.
    """
    center = center_in_scope(svc, user, center_id)
    profile, record = _checked(svc, user, name, kana, district, consent)
    elder = Elder(
        id=_new_id(),
        municipality_code=center.municipality_code,
        center_id=center.id,
        consent=record,
        **profile,
    )
    with svc.uow() as uow:
        uow.elders.add(elder)
        audit(
            uow,
            user,
            svc.now(),
            "enrol_elder",
            elder.id,
            center_id=center.id,
            consented_on=record.consented_on.isoformat(),
            reconfirm_on=record.reconfirm_on.isoformat() if record.reconfirm_on else None,
            shares=len(record.shares),
        )
        uow.commit()
    return elder


@retry_when_busy
def update_profile(
    svc: Services, user: StaffUser, elder_id: str, *, name: str, kana: str, district: str
) -> Elder:
    """Change the name, kana and district of an elder in scope (audited: which fields)."""
    profile, errors = check_profile(name, kana, district)
    with svc.uow() as uow:
        elder = elder_in_scope(uow, user, elder_id)
        if elder.withdrawn:
            raise ElderNotWatched(f"elder {elder.id} withdrew consent")
        if errors:
            raise Invalid(errors)
        changed = sorted(k for k, v in profile.items() if getattr(elder, k) != v)
        updated = replace(elder, **profile)
        uow.elders.update(updated)
        audit(uow, user, svc.now(), "edit_profile", elder.id, fields=changed)
        uow.commit()
    return updated


@retry_when_busy
def reconfirm_consent(
    svc: Services, user: StaffUser, elder_id: str, consent: ConsentInput
) -> Elder:
    """Record a re-confirmed (or first) consent of an elder in scope: date, shares (audited).

    ElderNotWatched after a withdrawal (a new enrolment is needed); Invalid when wrong.
    """
    record, errors = check_consent(consent, svc.now().astimezone(svc.tz).date())
    with svc.uow() as uow:
        elder = elder_in_scope(uow, user, elder_id)
        if elder.withdrawn:
            raise ElderNotWatched(f"elder {elder.id} withdrew consent")
        if errors:
            raise Invalid(errors)
        assert record is not None
        first = elder.consent is None
        updated = replace(elder, consent=record)
        uow.elders.update(updated)
        audit(
            uow,
            user,
            svc.now(),
            "record_consent" if first else "reconfirm_consent",
            elder.id,
            consented_on=record.consented_on.isoformat(),
            reconfirm_on=record.reconfirm_on.isoformat() if record.reconfirm_on else None,
            shares=len(record.shares),
        )
        uow.commit()
    return updated


# --- the JSON API ---------------------------------------------------------------------------


def list_elders(svc: Services, user: StaffUser, center_id: str | None = None) -> list[Elder]:
    """Return the elders in the user's scope (of one center when asked), by kana (audited)."""
    center = center_in_scope(svc, user, center_id) if center_id else None
    with svc.uow() as uow:
        if center is not None:
            found = uow.elders.list_for_center(center.id)
        elif user.role is StaffRole.CENTER_STAFF:
            found = uow.elders.list_for_center(user.center_id or "")
        elif user.role is StaffRole.MUNICIPALITY_ADMIN:
            found = uow.elders.list_for_municipality(user.municipality_code or "")
        else:
            found = uow.elders.list_all()
        found = [e for e in found if sees_elder(user, e)]
    scope = center.id if center else None
    record(svc, _entry(svc, user, "list_elders", center_id=scope, n=len(found)))
    return sorted(found, key=lambda e: (e.kana, e.id))


def _entry(svc: Services, user: StaffUser, action: str, **detail: object) -> AuditEntry:
    return AuditEntry(svc.now(), actor_of(user), action, None, detail)


def elder_detail(svc: Services, user: StaffUser, elder_id: str) -> Elder:
    """Return one elder in scope (profile and consent), audited; NotFound outside it."""
    with svc.uow() as uow:
        elder = elder_in_scope(uow, user, elder_id)
    parts = ["profile", "consent"]
    record_view(svc, user, svc.now(), "view_elder", elder.id, parts=parts, via="api")
    return elder


# --- CSV import -----------------------------------------------------------------------------

IMPORT_COLUMNS = (
    "name",
    "kana",
    "district",
    "center_id",
    "consented_on",
    "explained_by",
    "shares",
)
IMPORT_OPTIONAL = ("reconfirm_on", "other_shares")
IMPORT_HEADER = (*IMPORT_COLUMNS, *IMPORT_OPTIONAL)
IMPORT_MAX_ROWS = 5000

FILE_MESSAGES = {
    "not_utf8": "UTF-8 として読めません（Excel の「CSV UTF-8」などで保存し直してください）",
    "empty_file": "空のファイルです（1 行目に見出し {header} が必要です）",
    "bad_csv": "CSV として読めません: {error}",
    "missing_column": "見出しにこの列がありません（見出しは {header}）",
    "unknown_column": "不明な列です（使える列は {header}）",
    "no_rows": "データの行がありません",
    "too_many_rows": "{max} 行までにしてください",
    "cells": "列の数が見出しと違います（見出しは {count} 列、この行は {found} 列）",
    "not_admin": "利用者の一括登録は市町村担当だけができます",
    "duplicate": "{line} 行目と同じ方（お名前・ふりがな・センター）です",
}


class ImportRefused(ValueError):
    """A file with problems: one ``LINE: column: what is wrong`` per problem; nothing stored."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _split_keys(text: str) -> tuple[str, ...]:
    return tuple(k for k in re.split(r"[\s;、,]+", text or "") if k)


def _rows(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ImportRefused([f"1: {FILE_MESSAGES['not_utf8']}"]) from err
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as err:
        raise ImportRefused([f"1: {FILE_MESSAGES['bad_csv'].format(error=err)}"]) from err
    numbered = [(n, row) for n, row in enumerate(rows, start=1) if any(c.strip() for c in row)]
    if not numbered:
        header = ",".join(IMPORT_COLUMNS)
        raise ImportRefused([f"1: {FILE_MESSAGES['empty_file'].format(header=header)}"])
    (_, head), body = numbered[0], numbered[1:]
    return [h.strip().lower() for h in head], body


def _import_problems(head: list[str]) -> list[str]:
    problems = []
    header = ",".join(IMPORT_HEADER)
    for column in IMPORT_COLUMNS:
        if column not in head:
            problems.append(f"1: {column}: {FILE_MESSAGES['missing_column'].format(header=header)}")
    for column in head:
        if column not in IMPORT_HEADER:
            problems.append(f"1: {column}: {FILE_MESSAGES['unknown_column'].format(header=header)}")
    return problems


def import_elders(svc: Services, user: StaffUser, data: bytes) -> list[Elder]:
    """Enrol every elder of a CSV file (municipality admins only), or none when a row is bad.

    ImportRefused lists every problem as ``LINE: column: what is wrong``.
    """
    if user.role is not StaffRole.MUNICIPALITY_ADMIN:
        raise ImportRefused([f"1: {FILE_MESSAGES['not_admin']}"])
    head, body = _rows(data)
    problems = _import_problems(head)
    if problems:
        raise ImportRefused(problems)
    if not body:
        raise ImportRefused([f"2: {FILE_MESSAGES['no_rows']}"])
    if len(body) > IMPORT_MAX_ROWS:
        raise ImportRefused([f"1: {FILE_MESSAGES['too_many_rows'].format(max=IMPORT_MAX_ROWS)}"])
    centers = {c.id: c for c in enrolment_centers(svc, user)}
    today = svc.now().astimezone(svc.tz).date()
    elders: list[Elder] = []
    seen: dict[tuple[str, str, str], int] = {}  # (name, kana, center) -> first line
    for line, cells in body:
        if len(cells) != len(head):
            count, found = len(head), len(cells)
            problems.append(f"{line}: {FILE_MESSAGES['cells'].format(count=count, found=found)}")
            continue
        row = dict(zip(head, (c.strip() for c in cells), strict=True))
        profile, errors = check_profile(row["name"], row["kana"], row["district"])
        record, consent_errors = check_consent(
            ConsentInput(
                consented_on=row["consented_on"],
                explained_by=row["explained_by"],
                shares=_split_keys(row["shares"]),
                reconfirm_on=row.get("reconfirm_on", ""),
                other_shares="\n".join(p for p in row.get("other_shares", "").split("|")),
            ),
            today,
        )
        errors.update(consent_errors)
        center = centers.get(row["center_id"])
        if center is None:
            errors["center_id"] = (
                MESSAGES["required"].format(label=LABELS["center_id"])
                if not row["center_id"]
                else MESSAGES["unknown_center"]
            )
        for column in IMPORT_HEADER:
            if column in errors:
                problems.append(f"{line}: {column}: {errors[column]}")
        same = (profile["name"], profile["kana"], row["center_id"])
        if not errors and same in seen:
            problems.append(f"{line}: name: {FILE_MESSAGES['duplicate'].format(line=seen[same])}")
            continue
        seen.setdefault(same, line)
        if not errors and center is not None and record is not None:
            elders.append(
                Elder(
                    id=_new_id(),
                    municipality_code=center.municipality_code,
                    center_id=center.id,
                    consent=record,
                    **profile,
                )
            )
    if problems:
        raise ImportRefused(problems)
    _store_all(svc, user, elders)
    return elders


@retry_when_busy
def _store_all(svc: Services, user: StaffUser, elders: Iterable[Elder]) -> None:
    now = svc.now()
    with svc.uow() as uow:
        for elder in elders:
            uow.elders.add(elder)
            audit(uow, user, now, "enrol_elder", elder.id, center_id=elder.center_id, via="csv")
        uow.commit()


def elder_for_form(svc: Services, user: StaffUser, elder_id: str, part: str) -> Elder:
    """Return an elder in scope to show in the profile or consent form (the view is audited)."""
    with svc.uow() as uow:
        elder = elder_in_scope(uow, user, elder_id)
    record_view(svc, user, svc.now(), "view_elder", elder.id, parts=[part])
    return elder
