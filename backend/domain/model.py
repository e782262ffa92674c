"""Entities of the watch-over domain."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from questions.codes import validate_municipality_code


class Slot(StrEnum):
    """Time slot of a check-in."""

    MORNING = "morning"
    NOON = "noon"
    EVENING = "evening"


class ElderStatus(StrEnum):
    """Whether an elder is being watched."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    ENDED = "ended"


class CheckInStatus(StrEnum):
    """Progress of one check-in."""

    STARTED = "started"
    PARTIAL = "partial"
    COMPLETED = "completed"


class AnswerSource(StrEnum):
    """How an answer reached us."""

    VOICE = "voice"
    TOUCH = "touch"
    IMPORT = "import"


class EventKind(StrEnum):
    """Kinds of recorded events."""

    EMERGENCY = "emergency"
    # A sign of life that is no answer: the skill opened outside a slot, a notice or a family
    # message heard (``detail["what"]``). The missed check-in rule counts it.
    CONTACT = "contact"
    UNHEARD = "unheard"  # words the skill could not understand twice: kept for staff
    QUIZ = "quiz"  # a quiz answer after the check-in: ``detail`` has the question and verdict
    EXERCISE = "exercise"  # an answer to a 体操 notice: ``detail`` has the notice and answer
    # The medication reminder on the speaker: ``detail["action"]`` is offered, declined, set
    # (with ``alert_token`` and ``time``), removed or failed (with ``reason``).
    REMINDER = "reminder"


@dataclass(frozen=True)
class Municipality:
    """A municipality (市町村) identified by its local government code."""

    code: str
    name: str

    def __post_init__(self) -> None:
        validate_municipality_code(self.code)


@dataclass(frozen=True)
class CareCenter:
    """A regional comprehensive support center (地域包括支援センター)."""

    id: str
    municipality_code: str
    name: str


@dataclass(frozen=True)
class Share:
    """One line of a consent record: who sees what."""

    recipient: str
    what: str


class WithdrawalMethod(StrEnum):
    """How the elder (or their proxy) withdrew consent."""

    WRITTEN = "書面"
    IN_PERSON = "口頭（面談）"
    PHONE = "電話"
    PROXY = "代理人から"
    OTHER = "その他"


@dataclass(frozen=True)
class Withdrawal:
    """A withdrawal of consent: when, who recorded it, how; and when the data was erased."""

    at: datetime
    recorded_by: str  # "staff:<user id>"
    method: WithdrawalMethod
    note: str = ""
    erased_at: datetime | None = None  # personal data deleted after the retention period


@dataclass(frozen=True)
class Consent:
    """The elder's recorded consent to being watched (and its withdrawal, if any)."""

    consented_on: date
    explained_by: str
    shares: tuple[Share, ...]
    reconfirm_on: date | None = None
    withdrawal: Withdrawal | None = None


@dataclass(frozen=True)
class Elder:
    """An elder who lives alone and is watched over."""

    id: str
    name: str
    kana: str
    municipality_code: str
    center_id: str
    district: str
    status: ElderStatus = ElderStatus.ACTIVE
    consent: Consent | None = None
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def is_watchable(self) -> bool:
        """Return True when the elder may be asked and recorded (active, with consent)."""
        return (
            self.status is ElderStatus.ACTIVE
            and self.consent is not None
            and self.consent.withdrawal is None
        )

    @property
    def withdrawn(self) -> bool:
        """Return True when the elder withdrew consent (watching stopped for good)."""
        return self.consent is not None and self.consent.withdrawal is not None


@dataclass(frozen=True)
class DeviceBinding:
    """An Alexa user and device bound to one elder."""

    alexa_user_id: str
    device_id: str
    elder_id: str
    bound_at: datetime


@dataclass(frozen=True)
class PairingCode:
    """A short-lived 6-digit code that binds a speaker to an elder."""

    code: str
    elder_id: str
    expires_at: datetime
    used_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        """Return True when the code is unused and not expired at ``now``."""
        return self.used_at is None and now < self.expires_at


@dataclass(frozen=True)
class CheckIn:
    """One elder's check-in for one date and slot."""

    id: str
    elder_id: str
    date: date
    slot: str
    status: CheckInStatus
    started_at: datetime
    completed_at: datetime | None = None


@dataclass(frozen=True)
class Answer:
    """One answer to one question; ``value`` is None when the elder skipped it."""

    checkin_id: str
    elder_id: str
    date: date
    question_id: str
    question_version: int
    value: Any
    raw: str
    source: AnswerSource
    answered_at: datetime
    skipped: str | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class Event:
    """Something that happened to an elder and must be kept (e.g. emergency words)."""

    id: str
    elder_id: str
    kind: EventKind
    at: datetime
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ElderDay:
    """An elder with the check-ins of one day (the centre board's row)."""

    elder: Elder
    checkins: tuple[CheckIn, ...]


class StaffRole(StrEnum):
    """What a staff user may do."""

    CENTER_STAFF = "center_staff"
    MUNICIPALITY_ADMIN = "municipality_admin"
    OPERATOR = "operator"


@dataclass(frozen=True)
class StaffUser:
    """A staff account (center staff, municipality admin or operator) with a password hash."""

    id: str
    login: str
    display_name: str
    role: StaffRole
    municipality_code: str | None
    center_id: str | None
    password_hash: str
    created_at: datetime
    active: bool = True


class AwayKind(StrEnum):
    """Why an elder is away (見守りのお休み)."""

    HOSPITAL = "hospital"  # 入院
    TRAVEL = "travel"  # 旅行
    SHORT_STAY = "short_stay"  # ショートステイ
    OTHER = "other"  # その他


@dataclass(frozen=True)
class AwayPeriod:
    """A period in which rules stay silent; ``end`` None means until ended by hand."""

    id: str
    elder_id: str
    kind: AwayKind
    start: datetime
    end: datetime | None
    set_by: str  # "elder" (voice), "family:<id>", "staff:<id>"
    created_at: datetime

    def covers(self, at: datetime) -> bool:
        """Return True if ``at`` falls inside the period (start inclusive, end exclusive)."""
        return self.start <= at and (self.end is None or at < self.end)


class ReadingKind(StrEnum):
    """Kinds of device readings imported from CSV or sent by devices."""

    WEIGHT = "weight"
    STEPS = "steps"
    ACTIVITY_MINUTES = "activity_minutes"
    BLOOD_PRESSURE = "blood_pressure"


@dataclass(frozen=True)
class Reading:
    """One measured value of an elder (an imported device reading)."""

    elder_id: str
    measured_at: datetime
    kind: ReadingKind
    value: Any  # float, or {"systolic": int, "diastolic": int}
    source: str = "import"


class Severity(StrEnum):
    """How fast someone must look at an alert."""

    INFO = "info"  # follow-up by the center, not urgent
    SAME_DAY = "same_day"
    PRIORITY = "priority"
    URGENT = "urgent"


class AlertStatus(StrEnum):
    """Life cycle of an alert."""

    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"


class Outcome(StrEnum):
    """How an alert was resolved (神戸市-style outcome counts)."""

    NO_ACTION = "対応不要"
    REACHED = "連絡がついた"
    VISITED = "訪問した"
    AMBULANCE = "救急搬送"
    HOSPITALISED = "入院"
    OTHER = "その他"


@dataclass(frozen=True)
class Alert:
    """One case record: unique per (elder, rule, period); the store enforces the key."""

    id: str
    elder_id: str
    rule: str
    period: str
    severity: Severity
    evidence: dict[str, Any]
    created_at: datetime
    status: AlertStatus = AlertStatus.OPEN
    stage: int = 0  # escalation stage reached (0 = first notice)
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    outcome: Outcome | None = None
    note: str = ""
    resolved_at: datetime | None = None

    @property
    def key(self) -> str:
        """Return the unique key ``elder/rule/period``."""
        return f"{self.elder_id}/{self.rule}/{self.period}"


@dataclass(frozen=True)
class AlertChange:
    """One entry of an alert's history: who did what, when."""

    alert_id: str
    at: datetime
    actor: str
    action: str  # "opened", "escalated", "claimed", "resolved", "notified"
    detail: dict[str, Any] = field(default_factory=dict)


# --- outbound notifications -------------------------------------------------------------

_CLOCK_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_clock_time(value: str) -> time:
    """Return the wall-clock time of an ``HH:MM`` string (00:00-23:59); raise ValueError."""
    match = _CLOCK_TIME.match(value or "")
    if match is None:
        raise ValueError(f"時刻は HH:MM（00:00〜23:59）で指定してください: {value!r}")
    return time(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class Recipient:
    """Someone notifications go to: a family member, or the care center's own inbox.

    ``elder_id`` None means the care center's inbox (staff), otherwise a family member
    or other contact of that elder. ``channel`` names the outbound channel ("email", or "line"
    for a family member linked on LINE) and ``address`` is that channel's address (an e-mail
    address, a LINE user id). Quiet hours (``quiet_start`` to
    ``quiet_end``, ``HH:MM`` wall-clock times, start inclusive, end exclusive) may cross
    midnight; both or neither are set, and equal times mean no quiet hours. Urgent
    messages ignore them.
    """

    id: str
    center_id: str
    elder_id: str | None
    name: str
    relation: str
    channel: str
    address: str
    quiet_start: str | None = None
    quiet_end: str | None = None
    active: bool = True
    linked_at: datetime | None = None  # when a family member linked (LINE), if known

    def __post_init__(self) -> None:
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValueError("quiet_start と quiet_end は両方指定するか、両方省略してください")
        if self.quiet_start is not None and self.quiet_end is not None:
            parse_clock_time(self.quiet_start)
            parse_clock_time(self.quiet_end)


def quiet_until(recipient: Recipient, at: datetime) -> datetime | None:
    """Return when the recipient's quiet hours end if ``at`` is inside them, else None.

    Quiet hours are wall-clock times in ``at``'s time zone; a window whose start is after
    its end crosses midnight ("21:00"-"07:00" covers 21:00 to 06:59:59.999999 of the next
    morning). The start is inside the window, the end is not.
    """
    if recipient.quiet_start is None or recipient.quiet_end is None:
        return None
    start = parse_clock_time(recipient.quiet_start)
    end = parse_clock_time(recipient.quiet_end)
    now = at.time()
    today = at.date()
    if start < end:
        inside, end_day = start <= now < end, today
    elif start > end:  # crosses midnight
        if now >= start:
            inside, end_day = True, today + timedelta(days=1)
        else:
            inside, end_day = now < end, today
    else:
        return None
    if not inside:
        return None
    return datetime.combine(end_day, end, tzinfo=at.tzinfo)


@dataclass(frozen=True)
class OutboxMessage:
    """One notification queued for one recipient; its id is the idempotency key.

    The caller chooses the id deterministically (e.g. alert id, stage and recipient), so
    queuing the same notification again stores nothing. A message is *pending* until sent
    or given up; it is *due* at ``now`` when pending, ``not_before <= now`` and either
    ``next_attempt_at <= now`` or it was never tried (no next attempt, no attempts).
    ``attempts`` counts send attempts, successful or not. A message failed without a next
    attempt (``attempts > 0``, ``next_attempt_at`` None, not sent) is *given up*: never due
    again.
    """

    id: str
    recipient_id: str
    channel: str
    subject: str
    body: str
    urgent: bool
    created_at: datetime
    not_before: datetime
    attempts: int = 0
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None
    alert_id: str | None = None
    last_attempt_at: datetime | None = None

    @property
    def given_up(self) -> bool:
        """Return True when the message failed for good (never tried again)."""
        return self.sent_at is None and self.attempts > 0 and self.next_attempt_at is None

    def is_due(self, now: datetime) -> bool:
        """Return True when the message should be sent at ``now`` (see the class notes)."""
        if self.sent_at is not None or self.not_before > now:
            return False
        if self.next_attempt_at is None:
            return self.attempts == 0
        return self.next_attempt_at <= now
