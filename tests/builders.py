"""Builders of domain objects for tests: valid defaults, override what matters."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from backend.domain.model import (
    Alert,
    AlertChange,
    AlertStatus,
    Answer,
    AnswerSource,
    AwayKind,
    AwayPeriod,
    CareCenter,
    CheckIn,
    CheckInStatus,
    Consent,
    DeviceBinding,
    Elder,
    ElderStatus,
    Event,
    EventKind,
    Municipality,
    OutboxMessage,
    Outcome,
    PairingCode,
    Reading,
    ReadingKind,
    Recipient,
    Severity,
    Share,
    StaffRole,
    StaffUser,
)
from backend.ports import AbstractUnitOfWork
from notices.model import (
    Audience,
    Notice,
    NoticeKind,
    NoticeStatus,
    Priority,
    Recurrence,
    TimeWindow,
)

JST = timezone(timedelta(hours=9), "JST")

MUNICIPALITY_CODE = "032158"  # passes the check digit
OTHER_MUNICIPALITY_CODE = "131016"  # passes the check digit
CENTER_ID = "center-1"
ELDER_ID = "elder-1"
DAY = date(2025, 4, 1)

_WITH_CONSENT: Any = object()


def jst(
    day: date = DAY, hour: int = 8, minute: int = 0, second: int = 0, micro: int = 0
) -> datetime:
    """Return an aware datetime in Japan time."""
    return datetime.combine(day, time(hour, minute, second, micro), tzinfo=JST)


def make_municipality(code: str = MUNICIPALITY_CODE, name: str = "見守り市") -> Municipality:
    return Municipality(code=code, name=name)


def make_center(
    id: str = CENTER_ID,
    municipality_code: str = MUNICIPALITY_CODE,
    name: str = "見守り市北地域包括支援センター",
) -> CareCenter:
    return CareCenter(id=id, municipality_code=municipality_code, name=name)


def make_consent(
    consented_on: date = date(2025, 3, 1),
    explained_by: str = "staff-1",
    shares: tuple[Share, ...] = (
        Share(recipient="center", what="answers"),
        Share(recipient="family", what="alerts"),
    ),
    reconfirm_on: date | None = date(2026, 3, 1),
) -> Consent:
    return Consent(
        consented_on=consented_on,
        explained_by=explained_by,
        shares=shares,
        reconfirm_on=reconfirm_on,
    )


def make_elder(
    id: str = ELDER_ID,
    *,
    name: str = "山田 花子",
    kana: str = "やまだ はなこ",
    municipality_code: str = MUNICIPALITY_CODE,
    center_id: str = CENTER_ID,
    district: str = "北地区",
    status: ElderStatus = ElderStatus.ACTIVE,
    consent: Consent | None = _WITH_CONSENT,
    overrides: dict[str, Any] | None = None,
) -> Elder:
    """Return an elder; with a consent record unless ``consent=None`` is passed."""
    return Elder(
        id=id,
        name=name,
        kana=kana,
        municipality_code=municipality_code,
        center_id=center_id,
        district=district,
        status=status,
        consent=make_consent() if consent is _WITH_CONSENT else consent,
        overrides=dict(overrides or {}),
    )


def make_checkin(
    id: str = "checkin-1",
    *,
    elder_id: str = ELDER_ID,
    day: date = DAY,
    slot: str = "morning",
    status: CheckInStatus = CheckInStatus.STARTED,
    started_at: datetime | None = None,
    completed_at: datetime | None = None,
) -> CheckIn:
    return CheckIn(
        id=id,
        elder_id=elder_id,
        date=day,
        slot=slot,
        status=status,
        started_at=started_at or jst(day, 8),
        completed_at=completed_at,
    )


def make_answer(
    *,
    checkin_id: str = "checkin-1",
    elder_id: str = ELDER_ID,
    day: date = DAY,
    question_id: str = "mood",
    question_version: int = 1,
    value: Any = "good",
    raw: str = "元気です",
    source: AnswerSource = AnswerSource.VOICE,
    answered_at: datetime | None = None,
    skipped: str | None = None,
    request_id: str | None = None,
) -> Answer:
    return Answer(
        checkin_id=checkin_id,
        elder_id=elder_id,
        date=day,
        question_id=question_id,
        question_version=question_version,
        value=value,
        raw=raw,
        source=source,
        answered_at=answered_at or jst(day, 8, 1),
        skipped=skipped,
        request_id=request_id,
    )


def make_event(
    id: str = "event-1",
    *,
    elder_id: str = ELDER_ID,
    kind: EventKind = EventKind.EMERGENCY,
    at: datetime | None = None,
    detail: dict[str, Any] | None = None,
) -> Event:
    return Event(
        id=id,
        elder_id=elder_id,
        kind=kind,
        at=at or jst(DAY, 9),
        detail=dict(detail if detail is not None else {"words": "たすけて"}),
    )


def make_pairing_code(
    code: str = "123456",
    *,
    elder_id: str = ELDER_ID,
    expires_at: datetime | None = None,
    used_at: datetime | None = None,
) -> PairingCode:
    return PairingCode(
        code=code,
        elder_id=elder_id,
        expires_at=expires_at or jst(DAY, 10),
        used_at=used_at,
    )


def make_binding(
    *,
    alexa_user_id: str = "amzn1.ask.account.TEST",
    device_id: str = "amzn1.ask.device.TEST",
    elder_id: str = ELDER_ID,
    bound_at: datetime | None = None,
) -> DeviceBinding:
    return DeviceBinding(
        alexa_user_id=alexa_user_id,
        device_id=device_id,
        elder_id=elder_id,
        bound_at=bound_at or jst(DAY, 9, 30),
    )


def make_user(
    id: str = "user-1",
    *,
    login: str = "sato.hanako",
    display_name: str = "佐藤 花子",
    role: StaffRole = StaffRole.CENTER_STAFF,
    municipality_code: str | None = MUNICIPALITY_CODE,
    center_id: str | None = CENTER_ID,
    password_hash: str = "hash-of-a-password",
    created_at: datetime | None = None,
    active: bool = True,
) -> StaffUser:
    """Return a staff user; by default center staff of the default center."""
    return StaffUser(
        id=id,
        login=login,
        display_name=display_name,
        role=role,
        municipality_code=municipality_code,
        center_id=center_id,
        password_hash=password_hash,
        created_at=created_at or jst(DAY, 7),
        active=active,
    )


def make_away(
    id: str = "away-1",
    *,
    elder_id: str = ELDER_ID,
    kind: AwayKind = AwayKind.HOSPITAL,
    start: datetime | None = None,
    end: datetime | None = None,
    set_by: str = "staff:user-1",
    created_at: datetime | None = None,
) -> AwayPeriod:
    """Return an away period starting at 00:00 of ``DAY``; open-ended unless ``end`` is given."""
    return AwayPeriod(
        id=id,
        elder_id=elder_id,
        kind=kind,
        start=start or jst(DAY, 0),
        end=end,
        set_by=set_by,
        created_at=created_at or jst(DAY - timedelta(days=1), 17),
    )


def make_reading(
    *,
    elder_id: str = ELDER_ID,
    measured_at: datetime | None = None,
    kind: ReadingKind = ReadingKind.WEIGHT,
    value: Any = 52.5,
    source: str = "import",
) -> Reading:
    return Reading(
        elder_id=elder_id,
        measured_at=measured_at or jst(DAY, 7),
        kind=kind,
        value=value,
        source=source,
    )


def make_alert(
    id: str = "alert-1",
    *,
    elder_id: str = ELDER_ID,
    rule: str = "missed_checkin",
    period: str = "2025-04-01/morning",
    severity: Severity = Severity.SAME_DAY,
    evidence: dict[str, Any] | None = None,
    created_at: datetime | None = None,
    status: AlertStatus = AlertStatus.OPEN,
    stage: int = 0,
    claimed_by: str | None = None,
    claimed_at: datetime | None = None,
    outcome: Outcome | None = None,
    note: str = "",
    resolved_at: datetime | None = None,
) -> Alert:
    """Return an open alert of the default elder (a missed morning check-in of ``DAY``)."""
    return Alert(
        id=id,
        elder_id=elder_id,
        rule=rule,
        period=period,
        severity=severity,
        evidence=dict(evidence if evidence is not None else {"slot": "morning", "missed": 1}),
        created_at=created_at or jst(DAY, 10),
        status=status,
        stage=stage,
        claimed_by=claimed_by,
        claimed_at=claimed_at,
        outcome=outcome,
        note=note,
        resolved_at=resolved_at,
    )


def make_alert_change(
    *,
    alert_id: str = "alert-1",
    at: datetime | None = None,
    actor: str = "system",
    action: str = "opened",
    detail: dict[str, Any] | None = None,
) -> AlertChange:
    return AlertChange(
        alert_id=alert_id,
        at=at or jst(DAY, 10),
        actor=actor,
        action=action,
        detail=dict(detail or {}),
    )


def make_recipient(
    id: str = "recipient-1",
    *,
    center_id: str = CENTER_ID,
    elder_id: str | None = ELDER_ID,
    name: str = "山田 太郎",
    relation: str = "長男",
    channel: str = "email",
    address: str = "taro@example.jp",
    quiet_start: str | None = None,
    quiet_end: str | None = None,
    active: bool = True,
) -> Recipient:
    """Return a family recipient of the default elder (e-mail, no quiet hours)."""
    return Recipient(
        id=id,
        center_id=center_id,
        elder_id=elder_id,
        name=name,
        relation=relation,
        channel=channel,
        address=address,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        active=active,
    )


def make_center_inbox(
    id: str = "inbox-1",
    *,
    center_id: str = CENTER_ID,
    name: str = "北センター 代表",
    address: str = "kita-center@example.jp",
    **kw: Any,
) -> Recipient:
    """Return a care center's own recipient (no elder)."""
    return make_recipient(
        id,
        center_id=center_id,
        elder_id=None,
        name=name,
        relation="センター",
        address=address,
        **kw,
    )


def make_outbox_message(
    id: str = "msg-1",
    *,
    recipient_id: str = "recipient-1",
    channel: str = "email",
    subject: str = "【みまもり】山田 花子さんの朝のお返事がありません",
    body: str = "山田 花子さんから、けさ（4月1日）の朝のお返事がまだありません。\nご様子をご確認ください。",
    urgent: bool = False,
    created_at: datetime | None = None,
    not_before: datetime | None = None,
    attempts: int = 0,
    next_attempt_at: datetime | None = None,
    sent_at: datetime | None = None,
    last_error: str | None = None,
    alert_id: str | None = None,
    last_attempt_at: datetime | None = None,
) -> OutboxMessage:
    """Return a fresh (never tried) message to the default recipient, queued at 10:00."""
    created = created_at or jst(DAY, 10)
    return OutboxMessage(
        id=id,
        recipient_id=recipient_id,
        channel=channel,
        subject=subject,
        body=body,
        urgent=urgent,
        created_at=created,
        not_before=not_before or created,
        attempts=attempts,
        next_attempt_at=next_attempt_at,
        sent_at=sent_at,
        last_error=last_error,
        alert_id=alert_id,
        last_attempt_at=last_attempt_at,
    )


def seed(uow: AbstractUnitOfWork, *elders: Elder, centers: tuple[CareCenter, ...] = ()) -> None:
    """Add the default municipality and center (and ``centers``), then the elders.

    Adds nothing it finds already there; does not commit.
    """
    if uow.municipalities.get(MUNICIPALITY_CODE) is None:
        uow.municipalities.add(make_municipality())
    for center in (make_center(), *centers):
        if uow.municipalities.get(center.municipality_code) is None:
            uow.municipalities.add(make_municipality(center.municipality_code, "ほか市"))
        if uow.centers.get(center.id) is None:
            uow.centers.add(center)
    for elder in elders:
        if uow.elders.get(elder.id) is None:
            uow.elders.add(elder)


def make_notice(
    id: str = "032158/notice-1",
    *,
    municipality_code: str = MUNICIPALITY_CODE,
    title: str = "燃えるごみの日",
    speech: str = "今日は燃えるごみの日です。",
    priority: Priority = Priority.NORMAL,
    audience: Audience | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    recurrence: Recurrence | None = None,
    status: NoticeStatus = NoticeStatus.PUBLISHED,
    image_url: str | None = None,
) -> Notice:
    """Return a published notice (from 2026-11-01, no end) for the default municipality."""
    start = starts_at or jst(date(2026, 11, 1), 0)
    return Notice(
        id=id,
        municipality_code=municipality_code,
        title=title,
        speech=speech,
        screen_text=speech,
        priority=priority,
        audience=audience or Audience(),
        starts_at=start,
        ends_at=ends_at,
        created_at=start,
        updated_at=start,
        recurrence=recurrence,
        image_url=image_url,
        status=status,
        published_at=start if status is NoticeStatus.PUBLISHED else None,
    )


def make_exercise(
    id: str = "032158/taiso",
    *,
    title: str = "いきいき百歳体操",
    weekdays: tuple[int, ...] = (1, 4),
    at: time = time(10, 0),
    start: time | None = None,
    end: time = time(11, 30),
    speech: str = "",
    audience: Audience | None = None,
    status: NoticeStatus = NoticeStatus.PUBLISHED,
) -> Notice:
    """Return a published 体操 notice (Tuesday and Friday at 10:00, read 10:00-11:30)."""
    begins = jst(date(2026, 11, 1), 0)
    return Notice(
        id=id,
        municipality_code=MUNICIPALITY_CODE,
        title=title,
        speech=speech,
        screen_text=title,
        priority=Priority.NORMAL,
        audience=audience or Audience(),
        starts_at=begins,
        ends_at=None,
        created_at=begins,
        updated_at=begins,
        recurrence=Recurrence(weekdays=weekdays),
        status=status,
        published_at=begins if status is NoticeStatus.PUBLISHED else None,
        kind=NoticeKind.EXERCISE,
        window=TimeWindow(at, start or at, end),
    )
