"""Users, notices, dashboard sessions, login failures, audit, API tokens, the board, LINE."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from backend.domain.errors import Conflict, NotFound
from backend.domain.family import (
    FamilyMessage,
    InboxEvent,
    LinkCode,
    MonthlySends,
    SummarySubscription,
)
from backend.domain.model import AwayPeriod, StaffUser
from backend.domain.staff import ApiToken, AuditEntry, BoardEntry, StaffSession
from backend.ports import (
    ApiTokenRepository,
    AuditRepository,
    BoardRepository,
    FamilyRepository,
    LineInboxRepository,
    LoginFailureRepository,
    NoticeDeliveryRepository,
    NoticeRepository,
    SessionRepository,
    UserRepository,
)
from backend.stores.dynamodb.codec import aware, decode, iso
from backend.stores.dynamodb.repositories import (
    DynamoAwayRepository,
    DynamoElderRepository,
    DynamoRepository,
    _checkins_between,
    bindings_of,
    item,
)
from backend.stores.dynamodb.table import PK, SK, next_seq
from notices.model import Notice, NoticeDelivery, Safety

# --- staff users -----------------------------------------------------------------------


def _user_item(user: StaffUser) -> dict[str, Any]:
    return item(
        "user",
        f"USER#{user.id}",
        "#USER",
        user,
        gsi1pk=f"CENTER#{user.center_id}#USERS" if user.center_id is not None else None,
        gsi1sk=user.login,
    )


class DynamoUserRepository(DynamoRepository, UserRepository):
    """Staff users: USER#<id>, a LOGIN#<login> pointer; by center on gsi1."""

    def add(self, user: StaffUser) -> None:
        """Add a user with its login lower-cased; raise Conflict if the id or login exists."""
        aware(user.created_at)
        login = user.login.lower()
        if self._exists(f"USER#{user.id}", "#USER") or self._exists(f"LOGIN#{login}", "#LOGIN"):
            raise Conflict(f"user {user.id} already exists")
        self._s.put(_user_item(dataclasses.replace(user, login=login)))
        self._s.put({PK: f"LOGIN#{login}", SK: "#LOGIN", "t": "login", "user_id": user.id})

    def get(self, user_id: str) -> StaffUser | None:
        """Return the user, or None."""
        return self._get(StaffUser, f"USER#{user_id}", "#USER")

    def get_by_login(self, login: str) -> StaffUser | None:
        """Return the user with this login compared case-insensitively, or None."""
        pointer = self._s.get(f"LOGIN#{login.lower()}", "#LOGIN")
        return self.get(pointer["user_id"]) if pointer else None

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        """Replace the user's password hash; raise NotFound if absent."""
        stored = self.get(user_id)
        if stored is None:
            raise NotFound(f"user {user_id} does not exist")
        self._s.put(_user_item(dataclasses.replace(stored, password_hash=password_hash)))

    def list_for_center(self, center_id: str) -> list[StaffUser]:
        """Return the center's users ordered by login (unique, so the order is total)."""
        found = self._query(StaffUser, f"CENTER#{center_id}#USERS", index="gsi1")
        return sorted(found, key=lambda u: u.login)


# --- notices ---------------------------------------------------------------------------


def _notice_item(notice: Notice) -> dict[str, Any]:
    return item(
        "notice",
        f"NOTICE#{notice.id}",
        "#NOTICE",
        notice,
        gsi1pk=f"MUNI#{notice.municipality_code}#NOTICES",
        gsi1sk=notice.id,
    )


class DynamoNoticeRepository(DynamoRepository, NoticeRepository):
    """Notices: NOTICE#<id>; by municipality on gsi1."""

    def add(self, notice: Notice) -> None:
        """Add a notice; raise Conflict if the id exists."""
        aware(notice.starts_at)
        if self._exists(f"NOTICE#{notice.id}", "#NOTICE"):
            raise Conflict(f"notice {notice.id} already exists")
        self._s.put(_notice_item(notice))

    def get(self, notice_id: str) -> Notice | None:
        """Return the notice, or None."""
        return self._get(Notice, f"NOTICE#{notice_id}", "#NOTICE")

    def update(self, notice: Notice) -> None:
        """Replace the stored notice with this one (``created_at`` kept); NotFound if absent."""
        stored = self.get(notice.id)
        if stored is None:
            raise NotFound(f"notice {notice.id} does not exist")
        self._s.put(_notice_item(dataclasses.replace(notice, created_at=stored.created_at)))

    def list_for_municipality(self, code: str) -> list[Notice]:
        """Return the municipality's notices of every status, by ``starts_at``, then id."""
        found = self._query(Notice, f"MUNI#{code}#NOTICES", index="gsi1")
        return sorted(found, key=lambda n: (n.starts_at, n.id))

    def speakers_for(self, elder_ids: Sequence[str]) -> dict[str, list[str]]:
        """Return each asked elder's distinct bound Alexa user ids, sorted."""
        return {
            elder_id: sorted({b.alexa_user_id for b in bindings_of(self._s, elder_id)})
            for elder_id in dict.fromkeys(elder_ids)
        }


def _delivery_item(delivery: NoticeDelivery) -> dict[str, Any]:
    return item(
        "notice-delivery",
        f"NOTICE#{delivery.notice_id}",
        f"DELIVERY#{delivery.elder_id}#{delivery.occurrence}",
        delivery,
        gsi1pk=f"ELDER#{delivery.elder_id}#DELIVERIES",
        gsi1sk=f"{delivery.notice_id}#{delivery.occurrence}",
    )


class DynamoNoticeDeliveryRepository(DynamoRepository, NoticeDeliveryRepository):
    """Deliveries in the notice's partition; by elder on gsi1."""

    def mark_heard(self, delivery: NoticeDelivery) -> bool:
        """Store the delivery unless its (notice, elder, occurrence) exists; True if stored."""
        aware(delivery.heard_at)
        sk = f"DELIVERY#{delivery.elder_id}#{delivery.occurrence}"
        if self._exists(f"NOTICE#{delivery.notice_id}", sk):
            return False
        if not self._exists(f"NOTICE#{delivery.notice_id}", "#NOTICE") or not self._exists(
            f"ELDER#{delivery.elder_id}", "#ELDER"
        ):
            raise NotFound("notice delivery: a record it refers to does not exist")
        self._s.put(_delivery_item(delivery))
        return True

    def record_safety(
        self, notice_id: str, elder_id: str, occurrence: str, safety: Safety, at: datetime
    ) -> None:
        """Set the delivery's 安否 answer and time (replacing one given before)."""
        aware(at)
        stored = self._get(
            NoticeDelivery, f"NOTICE#{notice_id}", f"DELIVERY#{elder_id}#{occurrence}"
        )
        if stored is None:
            raise NotFound(f"notice delivery {notice_id}/{elder_id}/{occurrence} does not exist")
        self._s.put(
            _delivery_item(dataclasses.replace(stored, safety=Safety(safety), safety_at=at))
        )

    def list_for_elder(self, elder_id: str, notice_ids: Collection[str]) -> list[NoticeDelivery]:
        """Return the elder's deliveries of these notices, by notice id, then occurrence."""
        wanted = set(notice_ids)
        if not wanted:
            return []
        found = self._query(NoticeDelivery, f"ELDER#{elder_id}#DELIVERIES", index="gsi1")
        return sorted(
            (d for d in found if d.notice_id in wanted), key=lambda d: (d.notice_id, d.occurrence)
        )

    def list_for_notice(self, notice_id: str) -> list[NoticeDelivery]:
        """Return the notice's deliveries, by elder id, then occurrence."""
        found = self._query(NoticeDelivery, f"NOTICE#{notice_id}", ("begins", "DELIVERY#"))
        return sorted(found, key=lambda d: (d.elder_id, d.occurrence))


# --- dashboard sessions, login failures, audit, API tokens -----------------------------


def _session_item(session: StaffSession) -> dict[str, Any]:
    return item(
        "session",
        f"SESSION#{session.id}",
        "#SESSION",
        session,
        gsi1pk=f"USER#{session.user_id}#SESSIONS" if session.user_id is not None else None,
        gsi1sk=session.id if session.user_id is not None else None,
        gsi3pk="SESSIONS",
        gsi3sk=iso(session.last_seen_at),
    )


class DynamoSessionRepository(DynamoRepository, SessionRepository):
    """Dashboard sessions: SESSION#<id>; by user on gsi1, all on gsi3."""

    def add(self, session: StaffSession) -> None:
        """Add a session; raise Conflict if the id exists."""
        aware(session.created_at)
        aware(session.last_seen_at)
        if self._exists(f"SESSION#{session.id}", "#SESSION"):
            raise Conflict("session already exists")
        self._s.put(_session_item(session))

    def get(self, session_id: str) -> StaffSession | None:
        """Return the session, or None."""
        return self._get(StaffSession, f"SESSION#{session_id}", "#SESSION")

    def save(self, session: StaffSession) -> None:
        """Replace the stored session's user_id, data and last_seen_at; raise NotFound if absent."""
        aware(session.last_seen_at)
        stored = self.get(session.id)
        if stored is None:
            raise NotFound("session does not exist")
        self._s.put(
            _session_item(
                dataclasses.replace(
                    stored,
                    user_id=session.user_id,
                    data=session.data,
                    last_seen_at=session.last_seen_at,
                )
            )
        )

    def delete(self, session_id: str) -> bool:
        """Delete the session; return True if it existed."""
        if not self._exists(f"SESSION#{session_id}", "#SESSION"):
            return False
        self._s.delete(f"SESSION#{session_id}", "#SESSION")
        return True

    def _delete_all(self, found: list[dict[str, Any]], gone: Callable[[StaffSession], bool]) -> int:
        deleted = 0
        for row in found:
            if gone(decode(StaffSession, row)):
                self._s.delete(row[PK], row[SK])
                deleted += 1
        return deleted

    def delete_expired(self, idle_before: datetime, created_before: datetime) -> int:
        """Delete sessions last seen before ``idle_before`` or created before ``created_before``."""
        aware(idle_before)
        aware(created_before)
        # Every session in one index partition, by last seen: housekeeping, not a hot path.
        found = self._s.query("SESSIONS", index="gsi3")
        return self._delete_all(
            found, lambda s: s.last_seen_at < idle_before or s.created_at < created_before
        )

    def delete_for_user(self, user_id: str) -> int:
        """Delete every session of the user; return how many were deleted."""
        found = self._s.query(f"USER#{user_id}#SESSIONS", index="gsi1")
        return self._delete_all(found, lambda s: s.user_id == user_id)


_LOCK = "#LOCK"


class DynamoLoginFailureRepository(DynamoRepository, LoginFailureRepository):
    """Failed logins: LOGINFAIL#<key> / <at>#<seq>; all by time on gsi3."""

    def add(self, key: str, at: datetime) -> None:
        """Record one failed login under ``key`` at ``at``."""
        aware(at)
        sk = f"{iso(at)}#{next_seq()}"
        self._s.put(
            {
                PK: f"LOGINFAIL#{key}",
                SK: sk,
                "t": "login-failure",
                "gsi3pk": "LOGINFAILS",
                "gsi3sk": sk,
            }
        )

    def count_since(self, key: str, since: datetime) -> int:
        """Return how many failures ``key`` has at or after ``since``."""
        return len(self._s.query(f"LOGINFAIL#{key}", ("ge", iso(since))))

    def reserve(self, limits: Mapping[str, int], at: datetime, since: datetime) -> bool:
        """Record a failure under every key if each has room; atomic across processes.

        Each key's partition has a lock item (``#LOCK``, before every time in sort order)
        that a reservation reads and writes again: the unit's commit is conditional on the
        version read, so of two reservations that counted at once one fails with
        ConcurrentWrite (a StoreBusy) and is run again, counting the other.
        """
        aware(at)
        keys = sorted(limits)
        for key in keys:
            self._s.get(f"LOGINFAIL#{key}", _LOCK)
            if len(self._s.query(f"LOGINFAIL#{key}", ("ge", iso(since)))) >= limits[key]:
                return False
        for key in keys:
            self._s.put({PK: f"LOGINFAIL#{key}", SK: _LOCK, "t": "login-failure-lock"})
            self.add(key, at)
        return True

    def release(self, key: str, at: datetime) -> bool:
        """Forget one failure of ``key`` recorded at ``at``."""
        found = self._s.query(f"LOGINFAIL#{key}", ("begins", f"{iso(at)}#"))
        if not found:
            return False
        self._s.delete(found[0][PK], found[0][SK])
        return True

    def clear(self, key: str) -> int:
        """Forget every failure of ``key``; return how many were forgotten."""
        found = self._s.query(f"LOGINFAIL#{key}", ("ge", "0"))
        for row in found:
            self._s.delete(row[PK], row[SK])
        return len(found)

    def prune(self, before: datetime) -> int:
        """Forget every failure (of any key) before ``before``; return how many."""
        found = self._s.query("LOGINFAILS", ("lt", iso(before)), index="gsi3")
        for row in found:
            self._s.delete(row[PK], row[SK])
        return len(found)


class DynamoAuditRepository(DynamoRepository, AuditRepository):
    """The audit log: AUDIT#<elder or -> / <at>#<seq>; all by time on gsi3."""

    def add(self, entry: AuditEntry) -> None:
        """Append an entry."""
        aware(entry.at)
        sk = f"{iso(entry.at)}#{next_seq()}"
        elder = entry.elder_id if entry.elder_id is not None else "-"
        self._s.put(item("audit", f"AUDIT#{elder}", sk, entry, gsi3pk="AUDIT", gsi3sk=sk))

    def list_for_elder(self, elder_id: str) -> list[AuditEntry]:
        """Return the entries about the elder, oldest first (by ``at``, then the order added)."""
        return self._query(AuditEntry, f"AUDIT#{elder_id}")

    def list_since(self, since: datetime) -> list[AuditEntry]:
        """Return every entry at or after ``since``, oldest first (``at``, then order added)."""
        return self._query(AuditEntry, "AUDIT", ("ge", iso(since)), index="gsi3")


def _token_item(token: ApiToken) -> dict[str, Any]:
    return item(
        "api-token",
        f"TOKEN#{token.id}",
        "#TOKEN",
        token,
        gsi1pk=f"USER#{token.user_id}#TOKENS",
        gsi1sk=f"{iso(token.created_at)}#{token.id}",
    )


class DynamoApiTokenRepository(DynamoRepository, ApiTokenRepository):
    """API tokens: TOKEN#<id>; by user and creation on gsi1."""

    def add(self, token: ApiToken) -> None:
        """Add a token; raise Conflict if the id exists, NotFound if the user does not."""
        aware(token.created_at)
        aware(token.revoked_at)
        if self._exists(f"TOKEN#{token.id}", "#TOKEN"):
            raise Conflict("api token already exists")
        if not self._exists(f"USER#{token.user_id}", "#USER"):
            raise NotFound("api token: a record it refers to does not exist")
        self._s.put(_token_item(token))

    def get(self, token_id: str) -> ApiToken | None:
        """Return the token (revoked or not), or None."""
        return self._get(ApiToken, f"TOKEN#{token_id}", "#TOKEN")

    def revoke(self, token_id: str, at: datetime) -> None:
        """Mark the token revoked at ``at`` (keeping an earlier revocation); NotFound if absent."""
        aware(at)
        token = self.get(token_id)
        if token is None:
            raise NotFound("api token does not exist")
        if token.revoked_at is None:
            self._s.put(_token_item(dataclasses.replace(token, revoked_at=at)))

    def list_for_user(self, user_id: str) -> list[ApiToken]:
        """Return the user's tokens, revoked or not, by ``created_at``, then id."""
        found = self._query(ApiToken, f"USER#{user_id}#TOKENS", index="gsi1")
        return sorted(found, key=lambda t: (t.created_at, t.id))


class DynamoBoardRepository(DynamoRepository, BoardRepository):
    """The today board from the center's elders, their check-ins and bindings."""

    def center_board(self, center_id: str, day: date, since: date) -> list[BoardEntry]:
        """Return every elder of the center with what the board shows."""
        entries = []
        for elder in DynamoElderRepository(self._s).list_for_center(center_id):
            window = _checkins_between(self._s, elder.id, min(since, day), day)
            opened = [c.started_at for c in window if since <= c.date <= day]
            bound = [b.bound_at for b in bindings_of(self._s, elder.id)]
            entries.append(
                BoardEntry(
                    elder=elder,
                    checkins=tuple(c for c in window if c.date == day),
                    last_checkin_at=max(opened) if opened else None,
                    bound_at=min(bound) if bound else None,
                )
            )
        return entries

    def center_away(
        self, center_id: str, start: datetime, end: datetime
    ) -> dict[str, list[AwayPeriod]]:
        """Return the periods of the center's elders overlapping ``[start, end)``, by elder."""
        elders = self._s.query(f"CENTER#{center_id}#ELDERS", index="gsi1")
        found = DynamoAwayRepository(self._s).active_for_elders(
            [e["id"] for e in elders], start, end
        )
        return {elder_id: periods for elder_id, periods in found.items() if periods}


# --- LINE: inbox, link codes, family messages, monthly sends ---------------------------


def _inbox_item(event: InboxEvent) -> dict[str, Any]:
    pending = event.processed_at is None
    return item(
        "line-event",
        f"LINEEVENT#{event.id}",
        "#LINEEVENT",
        event,
        gsi1pk="LINEINBOX#pending" if pending else None,
        gsi1sk=f"{iso(event.received_at)}#{event.id}" if pending else None,
    )


class DynamoLineInboxRepository(DynamoRepository, LineInboxRepository):
    """LINE webhook events: LINEEVENT#<webhookEventId>; unprocessed on gsi1."""

    def add_if_absent(self, event: InboxEvent) -> bool:
        """Store the event unless its id exists; return True if stored."""
        aware(event.received_at)
        aware(event.processed_at)
        if self._exists(f"LINEEVENT#{event.id}", "#LINEEVENT"):
            return False
        self._s.put(_inbox_item(event))
        return True

    def get(self, event_id: str) -> InboxEvent | None:
        """Return the event, or None."""
        return self._get(InboxEvent, f"LINEEVENT#{event_id}", "#LINEEVENT")

    def pending(self, limit: int, max_attempts: int) -> list[InboxEvent]:
        """Return at most ``limit`` unprocessed events with fewer than ``max_attempts`` failures."""
        if limit < 1:
            return []
        found = self._query(InboxEvent, "LINEINBOX#pending", index="gsi1")
        waiting = [e for e in found if e.processed_at is None and e.attempts < max_attempts]
        return sorted(waiting, key=lambda e: (e.received_at, e.id))[:limit]

    def _stored(self, event_id: str) -> InboxEvent:
        event = self.get(event_id)
        if event is None:
            raise NotFound(f"LINE event {event_id} does not exist")
        return event

    def mark_processed(self, event_id: str, at: datetime) -> bool:
        """Record the event processed at ``at`` and empty its payload."""
        aware(at)
        event = self._stored(event_id)
        if event.processed_at is not None:
            return False
        self._s.put(_inbox_item(dataclasses.replace(event, processed_at=at, payload={})))
        return True

    def mark_failed(self, event_id: str, error: str) -> None:
        """Count a failed processing of the event (``attempts`` + 1, ``last_error``)."""
        event = self._stored(event_id)
        changed = dataclasses.replace(event, attempts=event.attempts + 1, last_error=error)
        self._s.put(_inbox_item(changed))

    def erase_given_up(self, max_attempts: int, received_before: datetime) -> int:
        """Empty the payload of unprocessed events that failed ``max_attempts`` times or more."""
        aware(received_before)
        found = self._query(InboxEvent, "LINEINBOX#pending", index="gsi1")
        given_up = [
            e
            for e in found
            if e.processed_at is None
            and e.attempts >= max_attempts
            and e.received_at < received_before
            and e.payload
        ]
        for event in given_up:
            self._s.put(_inbox_item(dataclasses.replace(event, payload={})))
        return len(given_up)


def link_code_item(code: LinkCode) -> dict[str, Any]:
    """Return the stored link code: LINKCODE#<code>, by elder and expiry on gsi1."""
    return item(
        "link-code",
        f"LINKCODE#{code.code}",
        "#LINKCODE",
        code,
        gsi1pk=f"ELDER#{code.elder_id}#LINKCODES",
        gsi1sk=f"{iso(code.expires_at)}#{code.code}",
    )


def message_item(message: FamilyMessage) -> dict[str, Any]:
    """Return the stored message: unheard ones on gsi1, every one by elder on gsi2."""
    unheard = message.heard_at is None
    order = f"{iso(message.received_at)}#{message.id}"
    return item(
        "family-message",
        f"FAMILYMSG#{message.id}",
        "#FAMILYMSG",
        message,
        gsi1pk=f"ELDER#{message.elder_id}#UNHEARD" if unheard else None,
        gsi1sk=order if unheard else None,
        gsi2pk=f"ELDER#{message.elder_id}#FAMILYMSGS",
        gsi2sk=order,
    )


class DynamoFamilyRepository(DynamoRepository, FamilyRepository):
    """Link codes, family messages (unheard on gsi1), monthly LINE sends, summary opt-ins."""

    def add_link_code(self, code: LinkCode) -> None:
        """Store a link code; raise Conflict if the code is taken."""
        aware(code.expires_at)
        if self._exists(f"LINKCODE#{code.code}", "#LINKCODE"):
            raise Conflict(f"link code for {code.elder_id} already exists")
        if not self._exists(f"ELDER#{code.elder_id}", "#ELDER"):
            raise NotFound("link code: a record it refers to does not exist")
        self._s.put(link_code_item(code))

    def get_link_code(self, code: str) -> LinkCode | None:
        """Return the link code, or None."""
        return self._get(LinkCode, f"LINKCODE#{code}", "#LINKCODE")

    def mark_link_code_used(self, code: str, at: datetime) -> bool:
        """Mark an unused code used at ``at``; return True if this call marked it."""
        aware(at)
        found = self.get_link_code(code)
        if found is None or found.used_at is not None:
            return False
        self._s.put(link_code_item(dataclasses.replace(found, used_at=at)))
        return True

    def add_message_if_absent(self, message: FamilyMessage) -> bool:
        """Store the message unless its id exists; return True if stored."""
        aware(message.received_at)
        aware(message.heard_at)
        if self._exists(f"FAMILYMSG#{message.id}", "#FAMILYMSG"):
            return False
        if not self._exists(f"ELDER#{message.elder_id}", "#ELDER") or not self._exists(
            f"RECIPIENT#{message.sender_id}", "#RECIPIENT"
        ):
            raise NotFound(f"family message {message.id}: a record it refers to does not exist")
        self._s.put(message_item(message))
        return True

    def get_message(self, message_id: str) -> FamilyMessage | None:
        """Return the message, or None."""
        return self._get(FamilyMessage, f"FAMILYMSG#{message_id}", "#FAMILYMSG")

    def unheard_for_elder(self, elder_id: str) -> list[FamilyMessage]:
        """Return the elder's messages not heard yet, oldest first (``received_at``, then id)."""
        found = self._query(FamilyMessage, f"ELDER#{elder_id}#UNHEARD", index="gsi1")
        waiting = [m for m in found if m.heard_at is None]
        return sorted(waiting, key=lambda m: (m.received_at, m.id))

    def mark_heard(self, message_ids: Sequence[str], at: datetime) -> int:
        """Mark the unheard messages among ``message_ids`` heard at ``at``; return how many."""
        aware(at)
        marked = 0
        for message_id in dict.fromkeys(message_ids):
            message = self.get_message(message_id)
            if message is not None and message.heard_at is None:
                self._s.put(message_item(dataclasses.replace(message, heard_at=at)))
                marked += 1
        return marked

    def _sends_item(self, sends: MonthlySends) -> dict[str, Any]:
        return item("line-sends", f"LINESENDS#{sends.month}", "#LINESENDS", sends)

    def count_sends(self, month: str, count: int) -> MonthlySends:
        """Add ``count`` to the sends of ``month`` (``YYYY-MM``) and return the new total.

        An atomic ADD on commit: sends counted at the same moment by other units all land.
        """
        initial = self._sends_item(MonthlySends(month))
        self._s.add(f"LINESENDS#{month}", "#LINESENDS", {"sent": count}, initial)
        return self.sends(month)

    def sends(self, month: str) -> MonthlySends:
        """Return the sends of ``month`` (zero when nothing was sent)."""
        found = self._get(MonthlySends, f"LINESENDS#{month}", "#LINESENDS")
        return found if found is not None else MonthlySends(month)

    def mark_quota_warned(self, month: str, at: datetime) -> bool:
        """Record the quota warning of ``month``; return False if it was recorded already.

        Set on commit only if still unset (else ConcurrentWrite: the unit runs again).
        """
        aware(at)
        if self.sends(month).warned_at is not None:
            return False
        initial = self._sends_item(MonthlySends(month))
        self._s.set_once(f"LINESENDS#{month}", "#LINESENDS", {"warned_at": iso(at)}, initial)
        return True

    def set_summary(self, subscription: SummarySubscription) -> None:
        """Store the member's daily-summary opt-in, replacing any earlier one."""
        aware(subscription.since)
        user = subscription.line_user_id
        self._s.put(
            item(
                "line-summary",
                f"SUMMARY#{user}",
                "#SUMMARY",
                subscription,
                gsi3pk="SUMMARIES",
                gsi3sk=user,
            )
        )

    def get_summary(self, line_user_id: str) -> SummarySubscription | None:
        """Return the member's daily-summary opt-in, or None."""
        return self._get(SummarySubscription, f"SUMMARY#{line_user_id}", "#SUMMARY")

    def remove_summary(self, line_user_id: str) -> bool:
        """Remove the member's opt-in; return False when there was none."""
        if not self._exists(f"SUMMARY#{line_user_id}", "#SUMMARY"):
            return False
        self._s.delete(f"SUMMARY#{line_user_id}", "#SUMMARY")
        return True

    def list_summaries(self) -> list[SummarySubscription]:
        """Return every daily-summary opt-in, by LINE user id (code point order)."""
        found = self._query(SummarySubscription, "SUMMARIES", index="gsi3")
        return sorted(found, key=lambda s: s.line_user_id)
