"""What the care-staff dashboard shows and does, scoped to the staff member and audited.

Scope: center staff see their own center; a municipality admin every center of the
municipality; an operator everything. Anything outside the scope is reported exactly as
if it did not exist (NotFound), so the web layer answers 404 for both. Every view of
personal data is audited once read (``audit.record_view``); every action appends its audit
entry in the action's own unit of work, so an action refused (Conflict, invalid input)
leaves no entry and an entry that cannot be written leaves no action.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from backend import messages
from backend.domain.consent import consent_flag
from backend.domain.errors import NotFound
from backend.domain.model import (
    Alert,
    AlertChange,
    AlertStatus,
    Answer,
    AwayKind,
    AwayPeriod,
    CareCenter,
    CheckIn,
    CheckInStatus,
    Elder,
    Outcome,
    Reading,
    ReadingKind,
    Severity,
    StaffRole,
    StaffUser,
)
from backend.domain.staff import AuditEntry
from backend.ports import ALERT_SEVERITY_ORDER, AbstractUnitOfWork
from backend.services import alert_figures, answer_words, chart_lines, checklist_history
from backend.services import alerts as alert_service
from backend.services import away as away_service
from backend.services.audit import actor_of, record_view
from backend.services.context import Services
from backend.services.retry import retry_when_busy
from questions.loader import QuestionSetError, parse_overrides
from questions.model import QuestionSet
from questions.policy import Policy

SILENT_DAYS = 2  # no check-in opened for this many days: the speaker may be off or unplugged
RECENT_DAYS = 14  # how far back the board looks for the last check-in opened
HISTORY_DAYS = 14
CHART_DAYS = 90
OPEN_STATUSES = (AlertStatus.OPEN, AlertStatus.CLAIMED)


class SlotState(StrEnum):
    """Today's state of one slot of one elder."""

    ANSWERED = "answered"
    PARTIAL = "partial"
    NOT_YET = "not_yet"
    UPCOMING = "upcoming"
    MISSED = "missed"
    AWAY = "away"
    NOT_DUE = "not_due"


def _audit(
    uow: AbstractUnitOfWork,
    user: StaffUser,
    at: datetime,
    action: str,
    elder_id: str | None = None,
    **detail: Any,
) -> None:
    uow.audit.add(AuditEntry(at, actor_of(user), action, elder_id, detail))


# --- scope -------------------------------------------------------------------------------------


def sees_center(user: StaffUser, center: CareCenter) -> bool:
    """Return True if the user may see this center."""
    if not user.active:
        return False
    if user.role is StaffRole.OPERATOR:
        return True
    if user.role is StaffRole.MUNICIPALITY_ADMIN:
        return center.municipality_code == user.municipality_code
    return center.id == user.center_id


def sees_elder(user: StaffUser, elder: Elder) -> bool:
    """Return True if the user may see this elder."""
    if not user.active:
        return False
    if user.role is StaffRole.OPERATOR:
        return True
    if user.role is StaffRole.MUNICIPALITY_ADMIN:
        return elder.municipality_code == user.municipality_code
    return elder.center_id == user.center_id


def _elder_in_scope(uow: AbstractUnitOfWork, user: StaffUser, elder_id: str) -> Elder:
    elder = uow.elders.get(elder_id)
    if elder is None or not sees_elder(user, elder):
        raise NotFound(f"elder {elder_id}")
    return elder


def _alert_in_scope(uow: AbstractUnitOfWork, user: StaffUser, alert_id: str) -> Alert:
    alert = uow.alerts.get(alert_id)
    if alert is None:
        raise NotFound(f"alert {alert_id}")
    _elder_in_scope(uow, user, alert.elder_id)
    return alert


def centers_of(svc: Services, user: StaffUser) -> list[CareCenter]:
    """Return the centers the user may open, by name."""
    with svc.uow() as uow:
        if user.role is StaffRole.CENTER_STAFF:
            center = uow.centers.get(user.center_id or "")
            return [center] if center is not None and sees_center(user, center) else []
        if user.role is StaffRole.MUNICIPALITY_ADMIN:
            return uow.centers.list_for_municipality(user.municipality_code or "")
        ids = sorted({e.center_id for e in uow.elders.list_all()})
        found = [c for c in (uow.centers.get(i) for i in ids) if c is not None]
    return sorted(found, key=lambda c: (c.name, c.id))


def center_in_scope(svc: Services, user: StaffUser, center_id: str | None) -> CareCenter:
    """Return the asked center (default: the user's own or first); NotFound outside the scope."""
    if center_id is None:
        centers = centers_of(svc, user)
        if not centers:
            raise NotFound("no center")
        own = next((c for c in centers if c.id == user.center_id), None)
        return own or centers[0]
    with svc.uow() as uow:
        center = uow.centers.get(center_id)
    if center is None or not sees_center(user, center):
        raise NotFound(f"center {center_id}")
    return center


# --- today board -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotCell:
    """One slot of one elder on the board."""

    slot_id: str
    label: str
    state: SlotState


@dataclass(frozen=True)
class BoardRow:
    """One elder on the board."""

    elder: Elder
    cells: tuple[SlotCell, ...]
    alerts: tuple[Alert, ...]
    away: AwayPeriod | None
    silent_days: int | None  # days without any check-in opened (speaker silent), if >= SILENT_DAYS
    paired: bool
    consent_flag: str | None = None  # withdrawn / reconfirm (due within 30 days) / missing

    @property
    def worst(self) -> Severity | None:
        """Return the most urgent severity of the elder's open or claimed alerts."""
        for severity in ALERT_SEVERITY_ORDER:
            if any(a.severity is severity for a in self.alerts):
                return severity
        return None


@dataclass(frozen=True)
class Board:
    """The today board of one center."""

    center: CareCenter
    day: date
    now: datetime
    slots: tuple[tuple[str, str], ...]  # (id, label)
    rows: tuple[BoardRow, ...]
    districts: tuple[str, ...]
    district: str | None
    counts: dict[str, int] = field(default_factory=dict)


def _at(day: date, hhmm: str, tz: Any) -> datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


class _Day:
    """The slots of one day: windows worked out once, due slots once per kind of overrides."""

    def __init__(self, qset: QuestionSet, day: date, tz: Any) -> None:
        self.qset = qset
        self.day = day
        self.windows = {s.id: (_at(day, s.start, tz), _at(day, s.end, tz)) for s in qset.slots}
        self._due: dict[str, frozenset[str]] = {}

    def due_slots(self, elder: Elder) -> frozenset[str]:
        """Return the ids of the slots with questions due for the elder that day."""
        key = json.dumps(elder.overrides, sort_keys=True, default=str) if elder.overrides else "{}"
        if key not in self._due:
            try:
                overrides = parse_overrides(elder.overrides, f"elder {elder.id} overrides")
            except QuestionSetError:
                overrides = None
            self._due[key] = frozenset(
                s.id for s in self.qset.slots if self.qset.due(self.day, s.id, overrides)
            )
        return self._due[key]

    def state(
        self,
        slot_id: str,
        due: frozenset[str],
        checkin: CheckIn | None,
        away: Sequence[AwayPeriod],
        now: datetime,
        watching_since: datetime | None,
    ) -> SlotState:
        """Return the state of one slot of one elder at ``now``."""
        if watching_since is None or slot_id not in due:
            return SlotState.NOT_DUE
        start, end = self.windows[slot_id]
        if checkin is not None:
            completed = checkin.status is CheckInStatus.COMPLETED
            return SlotState.ANSWERED if completed else SlotState.PARTIAL
        if any(p.start < end and (p.end is None or start < p.end) for p in away):
            return SlotState.AWAY
        if end <= watching_since:
            return SlotState.NOT_DUE
        if now < start:
            return SlotState.UPCOMING
        return SlotState.NOT_YET if now < end else SlotState.MISSED


_new_row = object.__new__


def _silent_days(
    last_opened: datetime | None, bound_at: datetime | None, now: datetime, away: bool
) -> int | None:
    if bound_at is None or away:
        return None
    last = max(last_opened or bound_at, bound_at)
    days = (now - last).days
    return days if days >= SILENT_DAYS else None


def board(
    svc: Services, user: StaffUser, center_id: str | None = None, district: str | None = None
) -> Board:
    """Return today's board of a center in the user's scope: alerts first, then by kana."""
    center = center_in_scope(svc, user, center_id)
    now = svc.now()
    day = now.date()
    qset = svc.question_set(center.municipality_code)
    day_start = datetime.combine(day, time(0), tzinfo=svc.tz)
    with svc.uow() as uow:
        entries = uow.board.center_board(center.id, day, day - timedelta(days=RECENT_DAYS))
        away = uow.board.center_away(center.id, day_start, day_start + timedelta(days=1))
        open_alerts = uow.alerts.list_for_center(center.id, OPEN_STATUSES)
    record_view(svc, user, now, "view_board", None, center_id=center.id, elders=len(entries))
    by_elder: dict[str, list[Alert]] = {}
    for alert in open_alerts:
        by_elder.setdefault(alert.elder_id, []).append(alert)
    districts = tuple(sorted({e.elder.district for e in entries if e.elder.district}))
    today = _Day(qset, day, svc.tz)
    # Stored times come back in UTC: compare in UTC (mixed time zones compare ~50x slower).
    now_utc = now.astimezone(UTC)
    slots = [
        (s.id, s.label, start.astimezone(UTC), end.astimezone(UTC))
        for s in qset.slots
        for start, end in (today.windows[s.id],)
    ]
    rank = {s: i for i, s in enumerate(ALERT_SEVERITY_ORDER)}
    # Few distinct cells and rows of cells exist: each is built once and shared (frozen).
    cell_of: dict[tuple[str, SlotState], SlotCell] = {}
    cells_of: dict[tuple[SlotState, ...], tuple[SlotCell, ...]] = {}
    seen: dict[tuple[SlotState, ...], int] = {}
    urgent: list[tuple[int, BoardRow]] = []
    calm: list[BoardRow] = []
    away_count = silent_count = 0
    no_alerts: tuple[Alert, ...] = ()
    for entry in entries:
        elder = entry.elder
        if district and elder.district != district:
            continue
        elder_id = elder.id
        elder_away = away.get(elder_id, ())
        watching_since = entry.bound_at
        due = today.due_slots(elder) if watching_since is not None and elder.is_watchable else ()
        by_slot = {c.slot: c for c in entry.checkins} if entry.checkins else {}
        states = []
        for slot_id, _, start, end in slots:
            if slot_id not in due:
                state = SlotState.NOT_DUE
            elif checkin := by_slot.get(slot_id):
                completed = checkin.status is CheckInStatus.COMPLETED
                state = SlotState.ANSWERED if completed else SlotState.PARTIAL
            elif elder_away and any(
                p.start < end and (p.end is None or start < p.end) for p in elder_away
            ):
                state = SlotState.AWAY
            elif end <= watching_since:  # type: ignore[operator]
                state = SlotState.NOT_DUE
            elif now_utc < start:
                state = SlotState.UPCOMING
            else:
                state = SlotState.NOT_YET if now_utc < end else SlotState.MISSED
            states.append(state)
        key = tuple(states)
        cells = cells_of.get(key)
        if cells is None:
            cells = cells_of[key] = tuple(
                cell_of.setdefault((slot[0], state), SlotCell(slot[0], slot[1], state))
                for slot, state in zip(slots, key, strict=True)
            )
        seen[key] = seen.get(key, 0) + 1
        current_away = None
        if elder_away:
            current_away = next((p for p in elder_away if p.covers(now_utc)), None)
            away_count += current_away is not None
        silent = _silent_days(
            entry.last_checkin_at, watching_since, now_utc, current_away is not None
        )
        silent_count += silent is not None
        alerts = by_elder.get(elder_id)
        row = _new_row(BoardRow)  # frozen: filled directly, ~4x faster than its __init__
        row.__dict__.update(
            elder=elder,
            cells=cells,
            alerts=tuple(alerts) if alerts else no_alerts,
            away=current_away,
            silent_days=silent,
            paired=watching_since is not None,
            consent_flag=consent_flag(elder, day),
        )
        worst = row.worst if alerts else None
        if worst is not None:
            urgent.append((rank[worst], row))
        else:
            calm.append(row)
    urgent.sort(key=lambda ranked: ranked[0])  # stable: kana within a severity
    rows = [row for _, row in urgent] + calm
    tally: Counter[SlotState] = Counter()
    for key, times in seen.items():
        for state in key:
            tally[state] += times
    counts = {
        "elders": len(rows),
        "alerts": sum(len(row.alerts) for row in rows),
        "answered": tally[SlotState.ANSWERED],
        "partial": tally[SlotState.PARTIAL],
        "not_yet": tally[SlotState.NOT_YET] + tally[SlotState.UPCOMING],
        "missed": tally[SlotState.MISSED],
        "away": away_count,
        "silent": silent_count,
    }
    return Board(
        center=center,
        day=day,
        now=now,
        slots=tuple((s.id, s.label) for s in qset.slots),
        rows=tuple(rows),
        districts=districts,
        district=district,
        counts=counts,
    )


# --- alert inbox -------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxItem:
    """One alert with its elder, title and history."""

    alert: Alert
    elder: Elder
    title: str
    history: tuple[AlertChange, ...]


@dataclass(frozen=True)
class Inbox:
    """The open and claimed alerts of one center, urgent first, and who is who."""

    center: CareCenter
    items: tuple[InboxItem, ...]
    names: dict[str, str]  # actor ("staff:<id>") -> display name


def _names(uow: AbstractUnitOfWork, center_id: str, actors: set[str]) -> dict[str, str]:
    names = {actor_of(u): u.display_name for u in uow.users.list_for_center(center_id)}
    for actor in actors - names.keys():
        if actor.startswith("staff:"):
            user = uow.users.get(actor.removeprefix("staff:"))
            if user is not None:
                names[actor] = user.display_name
        elif actor.startswith("family:"):  # a claim made on LINE names the member, as staff
            member = uow.recipients.get(actor.removeprefix("family:"))
            if member is not None and member.center_id == center_id:
                names[actor] = member.name
    return names


def inbox(svc: Services, user: StaffUser, center_id: str | None = None) -> Inbox:
    """Return the center's open and claimed alerts with their histories (audited)."""
    center = center_in_scope(svc, user, center_id)
    now = svc.now()
    with svc.uow() as uow:
        found = uow.alerts.list_for_center(center.id, OPEN_STATUSES)
        items = []
        for alert in found:
            elder = uow.elders.get(alert.elder_id)
            if elder is None:
                continue
            title = messages.title_for(alert.rule, alert.period, alert.evidence)
            items.append(InboxItem(alert, elder, title, tuple(uow.alerts.history(alert.id))))
        actors = {c.actor for i in items for c in i.history} | {
            i.alert.claimed_by for i in items if i.alert.claimed_by
        }
        names = _names(uow, center.id, actors)
    record_view(svc, user, now, "view_alerts", None, center_id=center.id, alerts=len(items))
    return Inbox(center, tuple(items), names)


def alert_detail(svc: Services, user: StaffUser, alert_id: str) -> tuple[InboxItem, dict]:
    """Return one alert in scope with its history and the names of its actors (audited)."""
    now = svc.now()
    with svc.uow() as uow:
        alert = _alert_in_scope(uow, user, alert_id)
        elder = _elder_in_scope(uow, user, alert.elder_id)
        history = tuple(uow.alerts.history(alert.id))
        actors = {c.actor for c in history} | ({alert.claimed_by} if alert.claimed_by else set())
        names = _names(uow, elder.center_id, actors)
    record_view(svc, user, now, "view_alert", elder.id, alert_id=alert.id)
    title = messages.title_for(alert.rule, alert.period, alert.evidence)
    return InboxItem(alert, elder, title, history), names


@retry_when_busy
def claim(svc: Services, user: StaffUser, alert_id: str, via: str = "dashboard") -> Alert:
    """Claim an alert in scope for the user (「私が確認します」 on the dashboard or API)."""
    now = svc.now()
    with svc.uow() as uow:
        alert = _alert_in_scope(uow, user, alert_id)
        claimed = alert_service.claim_in(uow, alert.id, actor_of(user), via, now)
        _audit(uow, user, now, "claim_alert", alert.elder_id, alert_id=alert.id)
        uow.commit()
    return claimed


@retry_when_busy
def resolve(
    svc: Services, user: StaffUser, alert_id: str, outcome: Outcome, note: str | None
) -> Alert:
    """Resolve an alert in scope with its outcome and note."""
    now = svc.now()
    with svc.uow() as uow:
        alert = _alert_in_scope(uow, user, alert_id)
        resolved = alert_service.resolve_in(
            uow, alert.id, actor_of(user), Outcome(outcome), (note or "").strip(), now
        )
        _audit(uow, user, now, "resolve_alert", alert.elder_id, alert_id=alert.id)
        uow.commit()
    return resolved


# --- elder page --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One value of a chart."""

    at: datetime
    value: float


@dataclass(frozen=True)
class Series:
    """A named line of a chart."""

    name: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Threshold:
    """A horizontal line drawn on a chart (an alert threshold)."""

    value: float
    label: str


@dataclass(frozen=True)
class Chart:
    """One chart of the elder page."""

    key: str
    title: str
    unit: str
    series: tuple[Series, ...]
    thresholds: tuple[Threshold, ...]


@dataclass(frozen=True)
class HistoryRow:
    """One answer of the history table."""

    date: date
    slot: str
    question: str
    value: str
    answered_at: datetime


@dataclass(frozen=True)
class ElderPage:
    """Everything the elder page shows."""

    elder: Elder
    center: CareCenter
    away: tuple[AwayPeriod, ...]
    current_away: AwayPeriod | None
    alerts: tuple[Alert, ...]
    history: tuple[HistoryRow, ...]
    charts: tuple[Chart, ...]
    paired: bool
    consent_flag: str | None = None  # withdrawn / reconfirm (due within 30 days) / missing
    checklist: tuple[checklist_history.ChecklistMonth, ...] = ()  # newest month first


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    return None


def _pressure(value: Any) -> tuple[float, float] | None:
    if isinstance(value, dict):
        sys_, dia = _number(value.get("systolic")), _number(value.get("diastolic"))
        if sys_ is not None and dia is not None:
            return sys_, dia
    return None


def _measures(
    answers: Sequence[Answer], readings: Sequence[Reading], question_id: str, kind: ReadingKind
) -> list[tuple[datetime, Any]]:
    found = [
        (a.answered_at, a.value)
        for a in answers
        if a.question_id == question_id and a.skipped is None
    ]
    found += [(r.measured_at, r.value) for r in readings if r.kind is kind]
    return sorted(found, key=lambda x: x[0])


def _charts(
    answers: Sequence[Answer],
    readings: Sequence[Reading],
    policy: Policy,
    since: datetime,
    tz: Any,
) -> tuple[Chart, ...]:
    """Return the charts from ``since``; their alert lines as the rules draw them."""
    today = since.astimezone(tz).date() + timedelta(days=CHART_DAYS)
    weight = [
        Point(at, n)
        for at, v in _measures(answers, readings, "weight", ReadingKind.WEIGHT)
        if (n := _number(v)) is not None
    ]
    line = chart_lines.weight_line([(p.at, p.value) for p in weight], today, policy, tz)
    weight_lines = (Threshold(*line),) if line else ()
    weight = [p for p in weight if p.at >= since]
    pressures = [
        (at, bp)
        for at, v in _measures(answers, readings, "blood_pressure", ReadingKind.BLOOD_PRESSURE)
        if (bp := _pressure(v)) is not None and at >= since
    ]
    steps = [
        Point(at, n)
        for at, v in _measures(answers, readings, "steps", ReadingKind.STEPS)
        if (n := _number(v)) is not None
    ]
    line = chart_lines.steps_line([(p.at, p.value) for p in steps], today, policy, tz)
    steps_lines = (Threshold(*line),) if line else ()
    steps = [p for p in steps if p.at >= since]
    return (
        Chart("weight", "体重", "kg", (Series("体重", tuple(weight)),), weight_lines),
        Chart(
            "blood_pressure",
            "血圧",
            "mmHg",
            (
                Series("上（収縮期）", tuple(Point(at, bp[0]) for at, bp in pressures)),
                Series("下（拡張期）", tuple(Point(at, bp[1]) for at, bp in pressures)),
            ),
            (
                Threshold(policy.bp_urgent.systolic, f"至急 {policy.bp_urgent.systolic}"),
                Threshold(policy.bp_follow_up.systolic, f"当日確認 {policy.bp_follow_up.systolic}"),
                Threshold(
                    policy.bp_follow_up.diastolic, f"当日確認（下） {policy.bp_follow_up.diastolic}"
                ),
            ),
        ),
        Chart("steps", "歩数", "歩", (Series("歩数", tuple(steps)),), steps_lines),
    )


def elder_page(
    svc: Services, user: StaffUser, elder_id: str, policy_for: Callable[[str], Policy]
) -> ElderPage:
    """Return the elder page of an elder in scope; the view is written to the audit log."""
    now = svc.now()
    today = now.date()
    since = now - timedelta(days=CHART_DAYS)
    with svc.uow() as uow:
        elder = _elder_in_scope(uow, user, elder_id)
        center = uow.centers.get(elder.center_id)
        if center is None:
            raise NotFound(f"center {elder.center_id}")
        away = tuple(uow.away.list_for_elder(elder.id))
        # The weight line needs the rule's baseline window, about six months back.
        policy = policy_for(elder.municipality_code)
        first = min(since.date(), chart_lines.weight_baseline_window(today, policy)[0])
        answers = uow.answers.list_for_elder(elder.id, first, today)
        checkins = {c.id: c for c in uow.checkins.list_for_elder(elder.id, since.date(), today)}
        readings: list[Reading] = []
        for kind in (ReadingKind.WEIGHT, ReadingKind.BLOOD_PRESSURE, ReadingKind.STEPS):
            start = datetime.combine(first, time(0), tzinfo=svc.tz)
            readings += uow.readings.list_for_elders([elder.id], kind, start, now)[elder.id]
        alerts = tuple(
            a
            for a in uow.alerts.list_for_center(center.id, OPEN_STATUSES)
            if a.elder_id == elder.id
        )
        paired = elder.id in uow.devices.bound_since([elder.id])
    record_view(svc, user, now, "view_elder", elder.id, parts=["profile", "consent", "history"])
    qset = svc.question_set(elder.municipality_code)
    first_day = today - timedelta(days=HISTORY_DAYS - 1)
    history = []
    for a in reversed(answers):
        if a.date < first_day:
            continue
        question = qset.question(a.question_id)
        checkin = checkins.get(a.checkin_id)
        slot = qset.slot(checkin.slot) if checkin else None
        history.append(
            HistoryRow(
                date=a.date,
                slot=slot.label if slot else "",
                question=question.title if question else answer_words.UNKNOWN_QUESTION,
                value=answer_words.shown(question, a.value, a.skipped),
                answered_at=a.answered_at,
            )
        )
    return ElderPage(
        elder=elder,
        center=center,
        away=tuple(sorted(away, key=lambda p: p.start, reverse=True)),
        current_away=next((p for p in away if p.covers(now)), None),
        alerts=alerts,
        history=tuple(history),
        charts=_charts(answers, readings, policy, since, svc.tz),
        paired=paired,
        consent_flag=consent_flag(elder, today),
        checklist=checklist_history.by_month(answers),
    )


@retry_when_busy
def add_away(
    svc: Services,
    user: StaffUser,
    elder_id: str,
    kind: AwayKind,
    start: datetime,
    end: datetime | None,
) -> AwayPeriod:
    """Record an away period for an elder in scope (set by this staff member)."""
    kind = AwayKind(kind)
    now = svc.now()
    with svc.uow() as uow:
        _elder_in_scope(uow, user, elder_id)
        period = away_service.declare_in(
            uow, elder_id, kind, start=start, end=end, set_by=actor_of(user), now=now
        )
        _audit(uow, user, now, "add_away", elder_id, kind=kind.value)
        uow.commit()
    return period


@retry_when_busy
def end_away(svc: Services, user: StaffUser, elder_id: str) -> AwayPeriod | None:
    """End the current away period of an elder in scope now."""
    now = svc.now()
    with svc.uow() as uow:
        _elder_in_scope(uow, user, elder_id)
        period = away_service.end_in(uow, elder_id, now)
        _audit(uow, user, now, "end_away", elder_id)
        uow.commit()
    return period


# --- monthly statistics ------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyStats:
    """A center's alerts of one month: by rule, by outcome, no-action share, time to claim."""

    center: CareCenter
    month: date  # the first day
    total: int
    by_rule: tuple[tuple[str, int], ...]  # rule (without its ":detail"), count; most first
    by_outcome: tuple[tuple[Outcome, int], ...]  # in the order of Outcome
    resolved: int
    still_open: int
    no_action_share: float | None  # of the resolved, the share that needed no action
    median_minutes_to_claim: float | None
    # Per rule, then all together: per 100 elder-months, share 対応不要, time to claim.
    figures: tuple[alert_figures.RuleFigures, ...] = ()
    elder_months: float = 0.0


def month_of(text: str | None, today: date) -> date:
    """Return the first day of ``YYYY-MM`` (this month when empty); raise ValueError."""
    if not text:
        return today.replace(day=1)
    year, _, month = text.partition("-")
    return date(int(year), int(month), 1)


def monthly_stats(
    svc: Services, user: StaffUser, month: date, center_id: str | None = None
) -> MonthlyStats:
    """Return the statistics of the alerts opened in the month at a center in scope (audited)."""
    center = center_in_scope(svc, user, center_id)
    first = datetime.combine(month.replace(day=1), time(0), tzinfo=svc.tz)
    following = (first + timedelta(days=32)).replace(day=1)
    with svc.uow() as uow:
        found = [
            a
            for a in uow.alerts.list_for_center(center.id, tuple(AlertStatus))
            if first <= a.created_at < following
        ]
        elders = uow.elders.list_for_center(center.id)
    record_view(svc, user, svc.now(), "view_stats", None, center_id=center.id)
    days = alert_figures.days_watched(first.date(), following.date(), svc.now().date())
    months = alert_figures.elder_months(elders, days)
    rules: dict[str, int] = {}
    for alert in found:
        base = alert.rule.partition(":")[0]
        rules[base] = rules.get(base, 0) + 1
    resolved = [a for a in found if a.status is AlertStatus.RESOLVED and a.outcome]
    outcomes = tuple((o, sum(1 for a in resolved if a.outcome is o)) for o in Outcome)
    waits = [(a.claimed_at - a.created_at).total_seconds() / 60 for a in found if a.claimed_at]
    no_action = sum(1 for a in resolved if a.outcome is Outcome.NO_ACTION)
    return MonthlyStats(
        center=center,
        month=first.date(),
        total=len(found),
        by_rule=tuple(sorted(rules.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_outcome=outcomes,
        resolved=len(resolved),
        still_open=sum(1 for a in found if a.status is not AlertStatus.RESOLVED),
        no_action_share=no_action / len(resolved) if resolved else None,
        median_minutes_to_claim=statistics.median(waits) if waits else None,
        figures=alert_figures.figures(found, months),
        elder_months=months,
    )
