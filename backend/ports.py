"""Ports: what the services need from a store, shaped by access patterns.

Conventions every store keeps:

- Datetimes given to a store must be timezone-aware; a naive one raises ValueError.
  Datetimes read back are aware and equal (the same instant) to those written, though
  a store may return them in another zone (the SQL store returns UTC).
- Lists are ordered as each method says; ties are broken by the listed tie-breaks, so
  the order is always total. Text is compared by code point, whatever the database
  collation, and datetimes by instant, whatever their zone.
- Bulk reads over several elders (``list_for_elders``, ``active_for_elders``) return a
  dict with one key per distinct asked elder id, in the order first asked, and an empty
  list for an elder with nothing (or unknown); no other elder ever appears. They run one
  query per batch of elders, not one per elder.
- A unit of work commits all or nothing, so a service makes one unit per use case and
  writes its audit entry in it: an action refused (Conflict, invalid input) leaves no
  entry, an entry that cannot be written leaves no action. The one difference: the
  DynamoDB store commits a unit of at most 100 item writes (and 4 MB) in one transaction,
  all or nothing, but a larger unit in consecutive transactions of 100 in the order the
  unit first wrote each item; when one fails, those before it stay committed (a lost race
  is ConcurrentWrite, saying how many writes were applied). Units that can grow past 100
  writes (the alert sweep's batches, imports, erasure) must be safe to run again.

One module on purpose (about 1,000 lines, nearly all abstract methods and the contracts in
their docstrings): it is the whole contract the four stores implement and the one contract
suite tests, read in one place by whoever writes or changes a store.
"""

from __future__ import annotations

import abc
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from types import TracebackType
from typing import Self

from backend.domain.contacts import ElderContacts
from backend.domain.family import (
    FamilyMessage,
    InboxEvent,
    LinkCode,
    MonthlySends,
    SummarySubscription,
)
from backend.domain.model import (
    Alert,
    AlertChange,
    AlertStatus,
    Answer,
    AwayPeriod,
    CareCenter,
    CheckIn,
    CheckInStatus,
    DeviceBinding,
    Elder,
    ElderDay,
    Event,
    Municipality,
    OutboxMessage,
    PairingCode,
    Reading,
    ReadingKind,
    Recipient,
    Severity,
    StaffUser,
)
from backend.domain.staff import ApiToken, AuditEntry, BoardEntry, StaffSession
from backend.domain.versions import ConfigKind, ConfigVersion
from notices.model import Notice, NoticeDelivery, Safety


class MunicipalityRepository(abc.ABC):
    """Municipalities by code."""

    @abc.abstractmethod
    def add(self, municipality: Municipality) -> None:
        """Add a municipality; raise Conflict if the code exists."""

    @abc.abstractmethod
    def get(self, code: str) -> Municipality | None:
        """Return the municipality with this code, or None."""


class CenterRepository(abc.ABC):
    """Care centers."""

    @abc.abstractmethod
    def add(self, center: CareCenter) -> None:
        """Add a care center; raise Conflict if the id exists."""

    @abc.abstractmethod
    def get(self, center_id: str) -> CareCenter | None:
        """Return the center, or None."""

    @abc.abstractmethod
    def list_for_municipality(self, code: str) -> list[CareCenter]:
        """Return the municipality's centers ordered by name, then id."""


class ElderRepository(abc.ABC):
    """Elders, and a center's board of the day."""

    @abc.abstractmethod
    def add(self, elder: Elder) -> None:
        """Add an elder; raise Conflict if the id exists."""

    @abc.abstractmethod
    def get(self, elder_id: str) -> Elder | None:
        """Return the elder, or None."""

    @abc.abstractmethod
    def update(self, elder: Elder) -> None:
        """Replace the stored elder with this one; raise NotFound if absent."""

    @abc.abstractmethod
    def list_for_center(self, center_id: str) -> list[Elder]:
        """Return the center's elders ordered by kana, then id."""

    @abc.abstractmethod
    def list_for_municipality(self, code: str) -> list[Elder]:
        """Return the municipality's elders (every center) ordered by kana, then id."""

    @abc.abstractmethod
    def list_all(self) -> list[Elder]:
        """Return every elder ordered by id."""

    @abc.abstractmethod
    def center_day(self, center_id: str, day: date) -> list[ElderDay]:
        """Return every elder of the center with that day's check-ins, ordered by kana.

        Elders are ordered as in ``list_for_center`` (kana, then id); each elder's
        check-ins by ``started_at``, then id. An elder without check-ins that day comes
        with an empty tuple.
        """


class DeviceRepository(abc.ABC):
    """Speaker bindings and pairing codes."""

    @abc.abstractmethod
    def bind(self, binding: DeviceBinding) -> None:
        """Bind an Alexa user and device to an elder (replacing an earlier binding)."""

    @abc.abstractmethod
    def get_binding(self, alexa_user_id: str, device_id: str) -> DeviceBinding | None:
        """Return the binding for this Alexa user and device, or None."""

    @abc.abstractmethod
    def bound_since(self, elder_ids: Sequence[str]) -> dict[str, datetime]:
        """Return when each asked elder's first speaker was bound (elders with none are absent)."""

    @abc.abstractmethod
    def elder_for(self, alexa_user_id: str, device_id: str) -> Elder | None:
        """Return the elder bound to this Alexa user and device (one lookup), or None."""

    @abc.abstractmethod
    def add_pairing_code(self, code: PairingCode) -> None:
        """Store a pairing code; raise Conflict if the code is taken."""

    @abc.abstractmethod
    def get_pairing_code(self, code: str) -> PairingCode | None:
        """Return the pairing code, or None."""

    @abc.abstractmethod
    def mark_pairing_code_used(self, code: str, at: datetime) -> bool:
        """Mark an unused code used at ``at``; return True if this call marked it.

        Return False, changing nothing, when the code is unknown or already used.
        Expiry is not checked here (see ``PairingCode.usable``).
        """


class CheckInRepository(abc.ABC):
    """Check-ins by elder, date and slot."""

    @abc.abstractmethod
    def add(self, checkin: CheckIn) -> None:
        """Add a check-in; raise Conflict if (elder, date, slot) exists."""

    @abc.abstractmethod
    def get(self, elder_id: str, day: date, slot: str) -> CheckIn | None:
        """Return the elder's check-in of that date and slot, or None."""

    @abc.abstractmethod
    def get_with_answered(
        self, elder_id: str, day: date, slot: str
    ) -> tuple[CheckIn, frozenset[str]] | None:
        """Return the check-in and the ids of the questions it has answers for (one lookup)."""

    @abc.abstractmethod
    def set_status(
        self, checkin_id: str, status: CheckInStatus, completed_at: datetime | None
    ) -> None:
        """Update a check-in's status; raise NotFound if absent."""

    @abc.abstractmethod
    def list_for_elder(self, elder_id: str, start: date, end: date) -> list[CheckIn]:
        """Return the elder's check-ins with start <= date <= end, oldest first.

        Oldest first means by date, then ``started_at``, then id.
        """

    @abc.abstractmethod
    def list_for_elders(
        self, elder_ids: Sequence[str], start: date, end: date
    ) -> dict[str, list[CheckIn]]:
        """Return each asked elder's check-ins with start <= date <= end, as ``list_for_elder``.

        One key per asked elder id (an empty list when it has none); see the module notes.
        """


class AnswerRepository(abc.ABC):
    """Answers, at most one per check-in and question."""

    @abc.abstractmethod
    def add(self, answer: Answer) -> bool:
        """Store an answer; return False (storing nothing) if that question is answered."""

    @abc.abstractmethod
    def list_for_checkin(self, checkin_id: str) -> list[Answer]:
        """Return the check-in's answers in the order given."""

    @abc.abstractmethod
    def list_for_elder(self, elder_id: str, start: date, end: date) -> list[Answer]:
        """Return the elder's answers with start <= date <= end, oldest first.

        Oldest first means by date, then ``answered_at``, then the order given.
        """

    @abc.abstractmethod
    def list_for_elders(
        self,
        elder_ids: Sequence[str],
        start: date,
        end: date,
        question_ids: Collection[str] | None = None,
    ) -> dict[str, list[Answer]]:
        """Return each asked elder's answers with start <= date <= end, as ``list_for_elder``.

        With ``question_ids``, only the answers to those questions. One key per asked elder id
        (an empty list when it has none); see the module notes.
        """

    @abc.abstractmethod
    def latest_value(self, elder_id: str, question_id: str, before: date) -> Answer | None:
        """Return the elder's newest non-skipped answer to the question dated before ``before``.

        Newest means the greatest (date, ``answered_at``, order given); None if none.
        """


class EventRepository(abc.ABC):
    """Recorded events."""

    @abc.abstractmethod
    def add(self, event: Event) -> None:
        """Store an event; raise Conflict if the id exists."""

    @abc.abstractmethod
    def exists(self, event_id: str) -> bool:
        """Return True if an event with this id is stored (a replayed request recorded it)."""

    @abc.abstractmethod
    def list_for_elder(self, elder_id: str) -> list[Event]:
        """Return the elder's events, oldest first (by ``at``, then id)."""

    @abc.abstractmethod
    def list_for_elders(self, elder_ids: Sequence[str], since: datetime) -> dict[str, list[Event]]:
        """Return each asked elder's events at or after ``since``, oldest first (one query).

        Every distinct asked id is a key (an empty list when it has none).
        """


class UserRepository(abc.ABC):
    """Staff user accounts; logins are unique regardless of case.

    Stores keep the login lower-cased (``str.lower``) and compare lower-cased logins,
    so a user added as ``Sato`` reads back with login ``sato``.
    """

    @abc.abstractmethod
    def add(self, user: StaffUser) -> None:
        """Add a user with its login lower-cased; raise Conflict if the id or login exists."""

    @abc.abstractmethod
    def get(self, user_id: str) -> StaffUser | None:
        """Return the user, or None."""

    @abc.abstractmethod
    def get_by_login(self, login: str) -> StaffUser | None:
        """Return the user with this login compared case-insensitively, or None."""

    @abc.abstractmethod
    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        """Replace the user's password hash; raise NotFound if absent."""

    @abc.abstractmethod
    def list_for_center(self, center_id: str) -> list[StaffUser]:
        """Return the center's users ordered by login (unique, so the order is total)."""


class AwayRepository(abc.ABC):
    """Away periods (入院・旅行・ショートステイ) in which rules stay silent.

    A period covers ``start <= t < end`` (``end`` None: open-ended, until ended).
    """

    @abc.abstractmethod
    def add(self, period: AwayPeriod) -> None:
        """Add an away period; raise Conflict if the id exists."""

    @abc.abstractmethod
    def list_for_elder(self, elder_id: str) -> list[AwayPeriod]:
        """Return the elder's periods, past and present, ordered by start, then id."""

    @abc.abstractmethod
    def active_for_elders(
        self, elder_ids: Sequence[str], start: datetime, end: datetime
    ) -> dict[str, list[AwayPeriod]]:
        """Return each asked elder's periods overlapping the window ``[start, end)``.

        A period overlaps when ``period.start < end`` and (``period.end`` is None or
        ``start < period.end``): a period ending exactly at ``start``, or starting exactly
        at ``end``, does not. Each list is ordered as ``list_for_elder``; one key per
        asked elder id (an empty list when none overlaps).
        """

    @abc.abstractmethod
    def end_period(self, period_id: str, at: datetime) -> None:
        """Set the period's end to ``at`` (replacing any end it had); raise NotFound if absent.

        ``at`` is not checked against the period's start: the caller decides.
        """


class ReadingRepository(abc.ABC):
    """Device readings, at most one per (elder, kind, measured_at instant)."""

    @abc.abstractmethod
    def add_many(self, readings: Iterable[Reading]) -> int:
        """Store the readings not stored yet; return how many were new.

        A reading with the same (elder, kind, ``measured_at`` instant) as a stored one,
        or as an earlier one in ``readings``, is skipped: the first one stays. A naive
        ``measured_at`` anywhere raises ValueError before anything is stored.
        """

    @abc.abstractmethod
    def list_for_elders(
        self, elder_ids: Sequence[str], kind: ReadingKind, start: datetime, end: datetime
    ) -> dict[str, list[Reading]]:
        """Return each asked elder's readings of ``kind`` with start <= measured_at < end.

        Each list is oldest first (by ``measured_at``, unique per elder and kind); one key
        per asked elder id (an empty list when it has none).
        """


ALERT_SEVERITY_ORDER: tuple[Severity, ...] = (
    Severity.URGENT,
    Severity.PRIORITY,
    Severity.SAME_DAY,
    Severity.INFO,
)
"""Severities from most to least urgent: the order of ``AlertRepository.list_for_center``."""


class AlertRepository(abc.ABC):
    """Alerts (one case record per (elder, rule, period)) and their history."""

    @abc.abstractmethod
    def add_if_absent(self, alert: Alert) -> bool:
        """Store the alert unless one with its key (elder, rule, period) exists.

        Return True if stored. Return False, storing nothing and raising nothing, when the
        key exists (whatever the id), also when another unit added it concurrently and
        committed; the unit stays usable. Raise Conflict if only the id is taken.
        """

    @abc.abstractmethod
    def get(self, alert_id: str) -> Alert | None:
        """Return the alert, or None."""

    @abc.abstractmethod
    def get_by_key(self, elder_id: str, rule: str, period: str) -> Alert | None:
        """Return the alert with this key, or None."""

    @abc.abstractmethod
    def update(self, alert: Alert) -> None:
        """Replace the stored alert's mutable fields with this one's; raise NotFound if absent.

        Replaced: severity, evidence, status, stage, claimed_by, claimed_at, outcome, note,
        resolved_at. Kept: id, elder_id, rule, period and created_at.
        """

    @abc.abstractmethod
    def list_for_center(self, center_id: str, statuses: Collection[AlertStatus]) -> list[Alert]:
        """Return the alerts with one of ``statuses`` of the center's elders.

        The center's elders are those whose ``Elder.center_id`` is ``center_id`` now.
        Ordered by severity as ``ALERT_SEVERITY_ORDER`` (urgent first), then
        ``created_at``, then id. No statuses: an empty list.
        """

    @abc.abstractmethod
    def list_unresolved_older_than(self, at: datetime) -> list[Alert]:
        """Return every open (unclaimed) alert with ``created_at <= at``, of every center.

        Claimed and resolved alerts are not listed (escalation is for unclaimed alerts).
        Ordered by ``created_at``, then id.
        """

    @abc.abstractmethod
    def existing_keys(
        self, elder_ids: Sequence[str], period_prefix: str
    ) -> set[tuple[str, str, str]]:
        """Return the (elder_id, rule, period) keys of the asked elders' alerts by period prefix.

        Only alerts whose period starts with ``period_prefix`` (e.g. a date "2026-11-23")
        are returned, compared exactly: case and every character count.
        """

    @abc.abstractmethod
    def latest_opened(
        self, elder_ids: Sequence[str], rules: Collection[str]
    ) -> dict[tuple[str, str], datetime]:
        """Return the latest ``created_at`` per (elder id, rule) of these elders and rules.

        Pairs without any alert are absent; whatever the alerts' status (one query per batch).
        """

    @abc.abstractmethod
    def add_change(self, change: AlertChange) -> None:
        """Append an entry to the alert's history."""

    @abc.abstractmethod
    def history(self, alert_id: str) -> list[AlertChange]:
        """Return the alert's history oldest first (by ``at``, then the order added)."""


_LOCK_FIRST: ContextVar[bool] = ContextVar("mimamori_lock_first", default=False)


@contextmanager
def lock_first() -> Iterator[None]:
    """Ask units of work started inside to take the store's write lock before reading.

    Used when a unit is run again after StoreBusy: a store whose transactions cannot
    wait for each other mid-way (SQLite: a reader that then writes fails at once when
    another connection wrote meanwhile) begins the retried unit by taking the write lock,
    waiting for it (busy timeout), so the retry cannot lose the race again. Stores that
    lock rows or check conditions (PostgreSQL, DynamoDB) ignore it.
    """
    token = _LOCK_FIRST.set(True)
    try:
        yield
    finally:
        _LOCK_FIRST.reset(token)


def lock_first_asked() -> bool:
    """Return True inside ``lock_first``."""
    return _LOCK_FIRST.get()


class AbstractUnitOfWork(abc.ABC):
    """One transaction over every repository; rolls back unless committed."""

    municipalities: MunicipalityRepository
    centers: CenterRepository
    elders: ElderRepository
    devices: DeviceRepository
    checkins: CheckInRepository
    answers: AnswerRepository
    events: EventRepository
    users: UserRepository
    away: AwayRepository
    readings: ReadingRepository
    alerts: AlertRepository
    recipients: RecipientRepository
    outbox: OutboxRepository
    notices: NoticeRepository
    notice_deliveries: NoticeDeliveryRepository
    sessions: SessionRepository
    login_failures: LoginFailureRepository
    audit: AuditRepository
    api_tokens: ApiTokenRepository
    board: BoardRepository
    line_inbox: LineInboxRepository
    family: FamilyRepository
    config_versions: ConfigVersionRepository
    privacy: PrivacyRepository
    contacts: ContactRepository
    job_runs: JobRunRepository

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None:
        """Make the work of this unit durable."""

    @abc.abstractmethod
    def rollback(self) -> None:
        """Discard everything not committed."""


class ContactRepository(abc.ABC):
    """The contacts of each elder (phone, address, emergency contacts): one record an elder."""

    @abc.abstractmethod
    def get(self, elder_id: str) -> ElderContacts | None:
        """Return the elder's contacts, or None."""

    @abc.abstractmethod
    def save(self, contacts: ElderContacts) -> None:
        """Store (or replace) the elder's contacts; NotFound if the elder does not exist."""

    @abc.abstractmethod
    def delete(self, elder_id: str) -> bool:
        """Delete the elder's contacts; return True if there were any."""


class RecipientRepository(abc.ABC):
    """Recipients of notifications: a center's own inboxes and each elder's family."""

    @abc.abstractmethod
    def add(self, recipient: Recipient) -> None:
        """Add a recipient; raise Conflict if the id exists."""

    @abc.abstractmethod
    def get(self, recipient_id: str) -> Recipient | None:
        """Return the recipient (active or not), or None."""

    @abc.abstractmethod
    def update(self, recipient: Recipient) -> None:
        """Replace the stored recipient with this one; raise NotFound if absent."""

    @abc.abstractmethod
    def list_for_center(self, center_id: str) -> list[Recipient]:
        """Return the center's own recipients (``elder_id`` None), active or not.

        Ordered by name, then id. Family recipients of the center's elders are not listed.
        """

    @abc.abstractmethod
    def list_for_elder(self, elder_id: str) -> list[Recipient]:
        """Return the elder's recipients (family and others), active or not, by name, then id."""

    @abc.abstractmethod
    def list_for_address(self, channel: str, address: str) -> list[Recipient]:
        """Return the recipients with this channel and address, active or not, by id.

        Addresses are compared exactly (a LINE user id links one member to each elder).
        """


class OutboxRepository(abc.ABC):
    """Queued notifications (the outbox); see ``OutboxMessage`` for due and given up.

    A sent message is never changed again, and a given-up one only by ``mark_sent``:
    marking or deferring a message that another sweep has already finished changes
    nothing (and raises nothing).
    """

    @abc.abstractmethod
    def add_if_absent(self, message: OutboxMessage) -> bool:
        """Queue the message unless one with its id exists; return True if stored.

        The id is the idempotency key: a message with a taken id is not stored, whatever
        its content, and the unit stays usable.
        """

    @abc.abstractmethod
    def get(self, message_id: str) -> OutboxMessage | None:
        """Return the message, or None."""

    @abc.abstractmethod
    def due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        """Return at most ``limit`` messages due at ``now``, oldest first.

        Due as ``OutboxMessage.is_due``: not sent, not given up, ``not_before <= now`` and
        ``next_attempt_at <= now`` (or never tried). Oldest first means by ``created_at``,
        then id. A ``limit`` below 1 returns an empty list.
        """

    @abc.abstractmethod
    def claim(self, message_id: str, now: datetime, until: datetime) -> bool:
        """Take a due message for sending: set its ``next_attempt_at`` to ``until``.

        Return True if the message was due at ``now`` and is now claimed; False, changing
        nothing, otherwise (unknown, sent, given up, not yet due, or claimed by another
        sweep whose claim has not expired). Of two units claiming at once, one wins. A
        claim counts no attempt; if the claimer dies, the message is due again at ``until``.
        """

    @abc.abstractmethod
    def defer(self, message_id: str, until: datetime) -> None:
        """Set a pending message's ``not_before`` to ``until`` (counting no attempt).

        Raise NotFound if the message does not exist.
        """

    @abc.abstractmethod
    def mark_sent(self, message_id: str, at: datetime) -> None:
        """Record a successful send at ``at``: ``sent_at`` and ``last_attempt_at`` are ``at``.

        Attempts grow by one and ``next_attempt_at`` is cleared; ``last_error`` is kept.
        Raise NotFound if the message does not exist.
        """

    @abc.abstractmethod
    def mark_failed(
        self, message_id: str, at: datetime, error: str, next_attempt_at: datetime | None
    ) -> None:
        """Record a failed attempt at ``at``: attempts grow by one, ``last_error`` is ``error``.

        ``next_attempt_at`` None gives the message up (never tried again). Raise NotFound
        if the message does not exist.
        """

    @abc.abstractmethod
    def list_for_alert(self, alert_id: str) -> list[OutboxMessage]:
        """Return the messages queued for an alert, by ``created_at``, then id."""


class NoticeRepository(abc.ABC):
    """Municipal notices (any status), by id."""

    @abc.abstractmethod
    def add(self, notice: Notice) -> None:
        """Add a notice; raise Conflict if the id exists."""

    @abc.abstractmethod
    def get(self, notice_id: str) -> Notice | None:
        """Return the notice, or None."""

    @abc.abstractmethod
    def update(self, notice: Notice) -> None:
        """Replace the stored notice with this one (``created_at`` kept); NotFound if absent."""

    @abc.abstractmethod
    def list_for_municipality(self, code: str) -> list[Notice]:
        """Return the municipality's notices of every status, by ``starts_at``, then id."""

    @abc.abstractmethod
    def speakers_for(self, elder_ids: Sequence[str]) -> dict[str, list[str]]:
        """Return each asked elder's distinct bound Alexa user ids, sorted.

        One key per distinct asked elder id (an empty list when none is bound).
        """


class NoticeDeliveryRepository(abc.ABC):
    """Who heard which occurrence of which notice, and their 安否 answers.

    At most one delivery per (notice, elder, occurrence): hearing it again changes nothing.
    """

    @abc.abstractmethod
    def mark_heard(self, delivery: NoticeDelivery) -> bool:
        """Store the delivery unless its (notice, elder, occurrence) exists; True if stored.

        A delivery already stored (also by a concurrent unit) is kept as it was, its
        ``heard_at`` and 安否 answer included; the unit stays usable.
        """

    @abc.abstractmethod
    def record_safety(
        self, notice_id: str, elder_id: str, occurrence: str, safety: Safety, at: datetime
    ) -> None:
        """Set the delivery's 安否 answer and time (replacing one given before).

        Raise NotFound if the delivery was not marked heard.
        """

    @abc.abstractmethod
    def list_for_elder(self, elder_id: str, notice_ids: Collection[str]) -> list[NoticeDelivery]:
        """Return the elder's deliveries of these notices, by notice id, then occurrence."""

    @abc.abstractmethod
    def list_for_notice(self, notice_id: str) -> list[NoticeDelivery]:
        """Return the notice's deliveries, by elder id, then occurrence."""


# --- dashboard: sessions, login failures, audit log -------------------------------------


class SessionRepository(abc.ABC):
    """Server-side dashboard sessions by id (the hash of the cookie value)."""

    @abc.abstractmethod
    def add(self, session: StaffSession) -> None:
        """Add a session; raise Conflict if the id exists."""

    @abc.abstractmethod
    def get(self, session_id: str) -> StaffSession | None:
        """Return the session, or None."""

    @abc.abstractmethod
    def save(self, session: StaffSession) -> None:
        """Replace the stored session's user_id, data and last_seen_at; raise NotFound if absent."""

    @abc.abstractmethod
    def delete(self, session_id: str) -> bool:
        """Delete the session; return True if it existed."""

    @abc.abstractmethod
    def delete_expired(self, idle_before: datetime, created_before: datetime) -> int:
        """Delete sessions last seen before ``idle_before`` or created before ``created_before``.

        Return how many were deleted.
        """

    @abc.abstractmethod
    def delete_for_user(self, user_id: str) -> int:
        """Delete every session of the user; return how many were deleted."""


class LoginFailureRepository(abc.ABC):
    """Failed logins by key ("login:<login>", "ip:<address>") for rate limiting."""

    @abc.abstractmethod
    def add(self, key: str, at: datetime) -> None:
        """Record one failed login under ``key`` at ``at``."""

    @abc.abstractmethod
    def count_since(self, key: str, since: datetime) -> int:
        """Return how many failures ``key`` has at or after ``since``."""

    @abc.abstractmethod
    def reserve(self, limits: Mapping[str, int], at: datetime, since: datetime) -> bool:
        """Record one failure at ``at`` under every key of ``limits``, if there is room.

        Room means each key has fewer than its limit of failures at or after ``since``;
        without room nothing is recorded and False is returned. Sign-in reserves before it
        checks a password, so a wrong one is already counted. Atomic across units of work
        and processes: of concurrent reservations for a key with room for n, at most n
        succeed (the others see them, or raise StoreBusy and are run again).
        """

    @abc.abstractmethod
    def release(self, key: str, at: datetime) -> bool:
        """Forget one failure of ``key`` recorded at ``at`` (a reservation not needed after all).

        Return True if there was one.
        """

    @abc.abstractmethod
    def clear(self, key: str) -> int:
        """Forget every failure of ``key``; return how many were forgotten."""

    @abc.abstractmethod
    def prune(self, before: datetime) -> int:
        """Forget every failure (of any key) before ``before``; return how many."""


class AuditRepository(abc.ABC):
    """The audit log of staff views of personal data; append only."""

    @abc.abstractmethod
    def add(self, entry: AuditEntry) -> None:
        """Append an entry."""

    @abc.abstractmethod
    def list_for_elder(self, elder_id: str) -> list[AuditEntry]:
        """Return the entries about the elder, oldest first (by ``at``, then the order added)."""

    @abc.abstractmethod
    def list_since(self, since: datetime) -> list[AuditEntry]:
        """Return every entry at or after ``since``, oldest first (``at``, then order added)."""


class ApiTokenRepository(abc.ABC):
    """Tokens of machine clients of the JSON API, by id (the hash of the secret)."""

    @abc.abstractmethod
    def add(self, token: ApiToken) -> None:
        """Add a token; raise Conflict if the id exists, NotFound if the user does not."""

    @abc.abstractmethod
    def get(self, token_id: str) -> ApiToken | None:
        """Return the token (revoked or not), or None."""

    @abc.abstractmethod
    def revoke(self, token_id: str, at: datetime) -> None:
        """Mark the token revoked at ``at`` (keeping an earlier revocation); NotFound if absent."""

    @abc.abstractmethod
    def list_for_user(self, user_id: str) -> list[ApiToken]:
        """Return the user's tokens, revoked or not, by ``created_at``, then id."""


class BoardRepository(abc.ABC):
    """Read model of the today board: a whole center in a few queries, however many elders."""

    @abc.abstractmethod
    def center_board(self, center_id: str, day: date, since: date) -> list[BoardEntry]:
        """Return every elder of the center with what the board shows.

        Elders are ordered as ``ElderRepository.list_for_center`` (kana, then id). Each comes
        with its check-ins dated ``day`` (by ``started_at``, then id), the latest
        ``started_at`` of its check-ins dated ``since`` to ``day`` (None if none), and the
        earliest ``bound_at`` of its speakers (None if it has none).
        """

    @abc.abstractmethod
    def center_away(
        self, center_id: str, start: datetime, end: datetime
    ) -> dict[str, list[AwayPeriod]]:
        """Return the away periods of the center's elders overlapping ``[start, end)``.

        Keyed by elder id (only elders with a period), each list ordered by start, then id,
        as ``AwayRepository.active_for_elders``.
        """


class LineInboxWriter(abc.ABC):
    """The webhook's own durable write of LINE events, outside any unit of work.

    A store may offer it when it can store and commit a few rows faster alone than through
    a unit of work (SQLite: a connection of its own per thread); the rows are the ones
    ``LineInboxRepository.add_if_absent`` stores.
    """

    @abc.abstractmethod
    def add_all(self, events: Sequence[InboxEvent]) -> list[bool]:
        """Store the events whose id is not taken, in one transaction committed on return.

        Return, for each event, whether it was stored. Nothing is stored if anything fails;
        raise StoreBusy if the store stayed locked.
        """


class LineInboxRepository(abc.ABC):
    """LINE webhook events kept until processed; the ``webhookEventId`` is the key."""

    @abc.abstractmethod
    def add_if_absent(self, event: InboxEvent) -> bool:
        """Store the event unless its id exists; return True if stored.

        A taken id (a duplicate or redelivery) stores nothing, raises nothing, and the
        unit stays usable, also when another unit stored it concurrently.
        """

    @abc.abstractmethod
    def get(self, event_id: str) -> InboxEvent | None:
        """Return the event, or None."""

    @abc.abstractmethod
    def pending(self, limit: int, max_attempts: int) -> list[InboxEvent]:
        """Return at most ``limit`` unprocessed events with fewer than ``max_attempts`` failures.

        Oldest first: by ``received_at``, then id. A ``limit`` below 1 returns nothing.
        """

    @abc.abstractmethod
    def mark_processed(self, event_id: str, at: datetime) -> bool:
        """Record the event processed at ``at`` and empty its payload.

        Return True if this call marked it; False, changing nothing, when it was
        processed already. Raise NotFound if the event does not exist.
        """

    @abc.abstractmethod
    def mark_failed(self, event_id: str, error: str) -> None:
        """Count a failed processing of the event (``attempts`` + 1, ``last_error``).

        Raise NotFound if the event does not exist.
        """

    @abc.abstractmethod
    def erase_given_up(self, max_attempts: int, received_before: datetime) -> int:
        """Empty the payload of every event given up on, received before ``received_before``.

        Given up: not processed, with at least ``max_attempts`` failures. The id, kind,
        times, attempts and last error stay. Return how many payloads this call emptied
        (one already empty is not counted).
        """


class FamilyRepository(abc.ABC):
    """Link codes, messages from family to the speaker, and monthly LINE send counts."""

    @abc.abstractmethod
    def add_link_code(self, code: LinkCode) -> None:
        """Store a link code; raise Conflict if the code is taken."""

    @abc.abstractmethod
    def get_link_code(self, code: str) -> LinkCode | None:
        """Return the link code, or None."""

    @abc.abstractmethod
    def mark_link_code_used(self, code: str, at: datetime) -> bool:
        """Mark an unused code used at ``at``; return True if this call marked it.

        Return False, changing nothing, when the code is unknown or already used.
        """

    @abc.abstractmethod
    def add_message_if_absent(self, message: FamilyMessage) -> bool:
        """Store the message unless its id exists; return True if stored."""

    @abc.abstractmethod
    def get_message(self, message_id: str) -> FamilyMessage | None:
        """Return the message, or None."""

    @abc.abstractmethod
    def unheard_for_elder(self, elder_id: str) -> list[FamilyMessage]:
        """Return the elder's messages not heard yet, oldest first (``received_at``, then id)."""

    @abc.abstractmethod
    def mark_heard(self, message_ids: Sequence[str], at: datetime) -> int:
        """Mark the unheard messages among ``message_ids`` heard at ``at``; return how many.

        Messages heard already keep their first ``heard_at``; unknown ids are ignored.
        """

    @abc.abstractmethod
    def count_sends(self, month: str, count: int) -> MonthlySends:
        """Add ``count`` to the sends of ``month`` (``YYYY-MM``) and return the new total."""

    @abc.abstractmethod
    def sends(self, month: str) -> MonthlySends:
        """Return the sends of ``month`` (zero when nothing was sent)."""

    @abc.abstractmethod
    def mark_quota_warned(self, month: str, at: datetime) -> bool:
        """Record the quota warning of ``month``; return False if it was recorded already."""

    @abc.abstractmethod
    def set_summary(self, subscription: SummarySubscription) -> None:
        """Store the member's daily-summary opt-in, replacing any earlier one."""

    @abc.abstractmethod
    def get_summary(self, line_user_id: str) -> SummarySubscription | None:
        """Return the member's daily-summary opt-in, or None."""

    @abc.abstractmethod
    def remove_summary(self, line_user_id: str) -> bool:
        """Remove the member's opt-in; return False when there was none."""

    @abc.abstractmethod
    def list_summaries(self) -> list[SummarySubscription]:
        """Return every daily-summary opt-in, by LINE user id."""


class ConfigVersionRepository(abc.ABC):
    """Published versions of each municipality's question set and alert policy; append only."""

    @abc.abstractmethod
    def add(self, version: ConfigVersion) -> None:
        """Store a version; Conflict if it exists, NotFound without its municipality."""

    @abc.abstractmethod
    def get(self, kind: ConfigKind, code: str, version: int) -> ConfigVersion | None:
        """Return one version, or None."""

    @abc.abstractmethod
    def latest(self, kind: ConfigKind, code: str) -> ConfigVersion | None:
        """Return the municipality's newest version of this kind, or None."""

    @abc.abstractmethod
    def list_for(self, kind: ConfigKind, code: str) -> list[ConfigVersion]:
        """Return the municipality's versions of this kind, newest first."""

    @abc.abstractmethod
    def latest_all(self, kind: ConfigKind) -> list[ConfigVersion]:
        """Return the newest version of this kind of every municipality, by municipality code."""


class PrivacyRepository(abc.ABC):
    """One elder's codes and records as the elder page, disclosure and erasure need them."""

    @abc.abstractmethod
    def pairing_codes_for(self, elder_id: str) -> list[PairingCode]:
        """Return the elder's pairing codes (used, expired or not), by ``expires_at``, then code."""

    @abc.abstractmethod
    def revoke_pairing_codes(self, elder_id: str, at: datetime) -> int:
        """Mark every unused pairing code of the elder used at ``at``; return how many."""

    @abc.abstractmethod
    def link_codes_for(self, elder_id: str) -> list[LinkCode]:
        """Return the elder's family link codes, by ``expires_at``, then code."""

    @abc.abstractmethod
    def revoke_link_codes(self, elder_id: str, at: datetime) -> int:
        """Mark every unused family link code of the elder used at ``at``; return how many."""

    @abc.abstractmethod
    def alerts_for(self, elder_id: str) -> list[Alert]:
        """Return every alert of the elder, whatever its status, by ``created_at``, then id."""

    @abc.abstractmethod
    def family_messages_for(self, elder_id: str) -> list[FamilyMessage]:
        """Return every family message to the elder, heard or not, by ``received_at``, then id."""

    @abc.abstractmethod
    def erase_elder_records(self, elder_id: str) -> dict[str, int]:
        """Delete or blank the elder's personal data outside the ``elders`` row and alerts.

        Blanks every answer's ``raw`` text and ``request_id`` and every event's ``detail``;
        deletes the elder's speaker bindings, pairing codes, family link codes and family
        messages; blanks the name and address of the elder's recipients (made inactive) and
        the subject, body and error of every outbox message to them or about the elder's
        alerts. Counts (check-ins, answers' values, alerts, away periods, readings) stay.
        Return how many rows each part touched, by part name. Running it again is harmless.
        """


class JobRunRepository(abc.ABC):
    """When the deployment's scheduled jobs last ran (their heartbeat), by name."""

    @abc.abstractmethod
    def last_run(self, name: str) -> datetime | None:
        """Return when ``name`` last ran, or None if it never did."""

    @abc.abstractmethod
    def mark(self, name: str, at: datetime) -> None:
        """Record that ``name`` ran at ``at``; a time before the one recorded changes nothing."""

    @abc.abstractmethod
    def claim(self, name: str, at: datetime, stale_before: datetime) -> bool:
        """Record ``at`` for ``name`` if its recorded run is before ``stale_before``.

        Return True if it was recorded. A name never marked is never claimed (a deployment
        whose scheduler never ran has no heartbeat to go stale). Atomic across units of work
        and processes: of concurrent claims on one stale run, exactly one succeeds.
        """
