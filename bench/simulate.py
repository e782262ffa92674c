"""A seeded synthetic population over 90 days, driven through the services and ``jobs.run_due``.

What it does
------------

One municipality (奥州市 032158: morning 06:00-10:30 and evening 17:00-21:00 slots, the
demo question set and the default policy), one care center with its inbox, ``--elders`` (200)
elders with consent, a speaker each and a family member (quiet hours 21:00-07:00). A local
SMTP sink (aiosmtpd) receives what ``deliver-outbox`` sends. A temporary SQLite file.

Every check-in is spoken through the real services: ``checkin.start`` then
``checkin.answer`` with a ``Reply`` per question (read-backs confirmed with はい, a
"check again" answered by saying the number again), hospital stays declared by voice
(``checkin.start`` → ``away_said`` → ``until_said`` → ``answer(はい)``) or by staff
(``away.declare`` the day before), returns by 「ただいま」 (``checkin.returned``). Device step
counts arrive as a CSV imported every night with ``data_io.import_readings``. Nothing is
written around the services, except the history before day 0 (below), imported as readings.

``jobs.run_due(settings, now)`` (sweep, escalate, deliver) runs at the policy's deadlines:
06:00, 11:30, 13:30, 17:00, 22:00 and 00:00 every day (``--every MINUTES`` runs it at a
fixed cadence instead, e.g. 30; much slower). With the default policy those are the instants
at which missed check-in alerts change (nudge = slot end + 60 min, family = nudge + 120 min,
care center = slot start + 24 h), so a 5-minute scheduler would open the same alerts up to
5 minutes earlier; answers, weights and steps are picked up by the next run.

Before day 0 (so the 6-month weight rule and the 35-day activity rule have a baseline): 30
weeks of weekly weights and 35 days of steps, imported as readings at day 0.

Normal variation (everyone, seeded)
-----------------------------------

- usual morning time per elder around 07:00 (sd 40 min), evening around 18:30; +-20 min a
  day; weekends 45 min later in the morning;
- late mornings: 4 % of mornings answered between 10:00 and 12:30;
- skipped slots: 2 % of slots on weekdays, 3 % on weekends (``--skip-rate``); skipped days
  (out all day, nothing declared): 0.3 % of days;
- answers mostly fine; concerning ones at low base rates (condition "bad" 0.5 %, slept
  poorly 3 %, medication "not yet" 1 %, ate nothing 1 %, mood low 2 %); blood pressure
  110-150 / 65-95;
- weights on Mondays: a per-elder drift (sd 0.5 kg per 6 months), noise sd 0.3 kg, 1 % misheard
  by +-10 kg and stored anyway (heard wrong twice and confirmed: the worst case);
- steps: per-elder base 1,500-8,000, day-to-day noise (lognormal sd 0.25), weekends x 0.85.

Injected events (each elder at most one of the last three; ``--seed``)
---------------------------------------------------------------------

- missed days (15 % of elders): two consecutive days without any answer (and no steps);
  detected if a ``missed_checkin`` alert opens for a slot of those two days;
- weight loss (10 %): 3 kg, linear over 8 weeks from day 7-28; detected if a ``weight_drop``
  alert opens between 14 and 84 days after the start;
- step drop (10 %): steps x 0.6 from day 14-75 to the end; detected if an
  ``activity_drop:steps`` alert opens within 14 days of the start (matched up to 35 days);
- hospital stay (10 %): 4-14 days, half declared by voice on the morning of admission, half by
  staff the afternoon before; 60 % come back on the declared day (saying 「ただいま」 if the
  period is still on), 20 % a day early (「ただいま」), 20 % a day late (the stay overran what
  was declared). Expected: no alert inside the stay.

Every other alert is a false alert: reported per rule, by cause, per 100 elder-months (an
elder-month is 30 days), with "episodes" (alerts of one elder and rule whose periods follow
each other within 7 days; the per-period keys open a new weight alert every ISO week and a
new activity alert every day while a drop lasts). Concern and blood-pressure alerts come from
what the elder actually answered and are reported apart ("answer-driven").

Run from the repository root::

    python bench/simulate.py                  # 200 elders x 90 days (~20 min on 2 cores)
    python bench/simulate.py --elders 50      # quicker
    python bench/simulate.py --every 30       # scheduler every 30 minutes (slow)

It prints figures; nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import logging
import math
import random
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parent.parent
JST = ZoneInfo("Asia/Tokyo")
START = date(2026, 8, 24)  # a Monday; 90 days end on Saturday 2026-11-21
CODE = "032158"
CENTER = "sim-center"
DEADLINES = ((6, 0), (11, 30), (13, 30), (17, 0), (22, 0), (0, 0))
MONTH_DAYS = 30
TARGET_RECALL = 0.95
TARGET_FALSE = 10.0


def _import_path() -> None:
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))


def at(day: date, minutes: float) -> datetime:
    """Return ``day`` + ``minutes`` after midnight, JST (minutes may pass 24 h)."""
    return datetime.combine(day, dtime(0), tzinfo=JST) + timedelta(minutes=round(minutes))


# ---------------------------------------------------------------------------------------------
# The population


@dataclass
class Injected:
    kind: str  # missed_days | weight_loss | step_drop | hospital
    elder: str
    start: date
    end: date  # last day of the event (inclusive)
    detail: dict[str, Any] = field(default_factory=dict)
    alerts: list[Any] = field(default_factory=list)
    detected_at: datetime | None = None


@dataclass
class Person:
    idx: int
    id: str
    user: str
    device: str
    morning: float  # usual minutes after midnight
    evening: float
    weight: float
    drift: float  # kg per day
    steps: float
    events: list[Injected] = field(default_factory=list)
    away: list[tuple[datetime, datetime]] = field(default_factory=list)  # actually away
    last_weight_heard: float | None = None

    def event(self, kind: str) -> Injected | None:
        return next((e for e in self.events if e.kind == kind), None)

    def true_weight(self, day: date) -> float:
        d = (day - START).days
        loss = 0.0
        e = self.event("weight_loss")
        if e is not None:
            loss = 3.0 * min(max((day - e.start).days / 56, 0.0), 1.0)
        return self.weight + self.drift * d - loss

    def step_factor(self, day: date) -> float:
        e = self.event("step_drop")
        return 0.6 if e is not None and day >= e.start else 1.0

    def missing_day(self, day: date) -> bool:
        e = self.event("missed_days")
        return e is not None and e.start <= day <= e.end

    def is_away(self, t: datetime) -> bool:
        return any(a <= t < b for a, b in self.away)


def build_population(n: int, days: int, rng: random.Random) -> list[Person]:
    people = []
    for i in range(n):
        eid = f"sim-{i:04d}"
        people.append(
            Person(
                idx=i,
                id=eid,
                user=f"amzn1.ask.account.{eid}",
                device=f"amzn1.ask.device.{eid}",
                morning=min(max(rng.gauss(7 * 60, 40), 6 * 60 + 5), 9 * 60 + 30),
                evening=min(max(rng.gauss(18 * 60 + 30, 40), 17 * 60 + 5), 20 * 60 + 30),
                weight=rng.uniform(40, 72),
                drift=rng.gauss(0, 0.5) / 182,
                steps=math.exp(rng.uniform(math.log(1500), math.log(8000))),
            )
        )
    order = list(range(n))
    rng.shuffle(order)
    k = max(1, round(n * 0.10))
    groups = {
        "weight_loss": order[:k],
        "step_drop": order[k : 2 * k],
        "hospital": order[2 * k : 3 * k],
    }
    last = START + timedelta(days=days - 1)
    for i in groups["weight_loss"]:
        s = START + timedelta(days=rng.randint(7, min(28, max(7, days - 60))))
        people[i].events.append(Injected("weight_loss", people[i].id, s, s + timedelta(days=55)))
    for i in groups["step_drop"]:
        s = START + timedelta(days=rng.randint(14, max(14, days - 15)))
        people[i].events.append(Injected("step_drop", people[i].id, s, last))
    for i in groups["hospital"]:
        h = START + timedelta(days=rng.randint(5, max(5, days - 20)))
        length = rng.randint(4, 14)
        declared_end = h + timedelta(days=length)
        r = rng.random()
        actual = declared_end if r < 0.6 else declared_end + timedelta(days=-1 if r < 0.8 else 1)
        way = "voice" if rng.random() < 0.5 else "staff"
        people[i].events.append(
            Injected(
                "hospital",
                people[i].id,
                h,
                actual,
                {"declared_end": declared_end, "actual_return": actual, "by": way},
            )
        )
    for i in rng.sample(range(n), max(1, round(n * 0.15))):
        p = people[i]
        for _ in range(20):
            d = START + timedelta(days=rng.randint(5, days - 4))
            h = p.event("hospital")
            if h is None or not (h.start - timedelta(days=3) <= d <= h.end + timedelta(days=3)):
                p.events.append(Injected("missed_days", p.id, d, d + timedelta(days=1)))
                break
    return people


# ---------------------------------------------------------------------------------------------
# Talking to the services


@dataclass
class Stats:
    calls: Counter = field(default_factory=Counter)
    seconds: Counter = field(default_factory=Counter)
    welcomed: int = 0
    misheard: int = 0
    stored_weights: int = 0
    no_answer: dict[tuple[str, date, str], str] = field(default_factory=dict)
    late: dict[tuple[str, date, str], datetime] = field(default_factory=dict)
    run_seconds: list[float] = field(default_factory=list)


class Sim:
    def __init__(self, url: str, smtp_url: str, people: list[Person], rng: random.Random) -> None:
        from backend.bootstrap import bootstrap
        from backend.settings import Settings

        self.settings = Settings(database_url=url, smtp_url=smtp_url)
        self.now = datetime.combine(START, dtime(0), tzinfo=JST)
        self.svc = bootstrap(self.settings, clock=lambda: self.now)
        self.people = people
        self.rng = rng
        self.stats = Stats()
        self.tmp = Path(tempfile.mkdtemp(prefix="mimamori-sim-csv-"))

    def timed(self, name: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.stats.calls[name] += 1
            self.stats.seconds[name] += time.perf_counter() - start

    def caller(self, p: Person) -> Any:
        from backend.services.checkin import Caller

        return Caller(p.user, p.device, uuid.uuid4().hex)

    # --- setup ---------------------------------------------------------------------------

    def setup(self, days_before: int = 7 * 30) -> None:
        from backend.domain.model import (
            CareCenter,
            Consent,
            DeviceBinding,
            Elder,
            Municipality,
            Recipient,
            Share,
        )
        from backend.services import data_io, setup

        svc = self.svc
        setup.register_municipality(svc, Municipality(CODE, "奥州市"))
        setup.register_center(svc, CareCenter(CENTER, CODE, "奥州市 シミュレーション包括"))
        consent = Consent(date(2026, 4, 1), "センター職員", (Share("センター", "毎日のお答え"),))
        for p in self.people:
            setup.register_elder(
                svc,
                Elder(p.id, f"利用者 {p.idx}", "りようしゃ", CODE, CENTER, "水沢", consent=consent),
            )
        with svc.uow() as uow:
            uow.recipients.add(
                Recipient(
                    "sim-inbox", CENTER, None, "受付", "センター", "email", "center@sim.invalid"
                )
            )
            for p in self.people:
                uow.devices.bind(DeviceBinding(p.user, p.device, p.id, self.now))
                uow.recipients.add(
                    Recipient(
                        f"fam-{p.id}",
                        CENTER,
                        p.id,
                        "家族",
                        "長女",
                        "email",
                        f"{p.id}@family.invalid",
                        quiet_start="21:00",
                        quiet_end="07:00",
                    )
                )
            uow.commit()
        rows = []
        for p in self.people:
            for w in range(days_before // 7, 0, -1):
                day = START - timedelta(days=7 * w)
                weight = p.true_weight(day) + self.rng.gauss(0, 0.3)
                rows.append((p.id, at(day, 7 * 60 + 10), "weight", f"{weight:.1f}"))
            for d in range(35, 0, -1):
                day = START - timedelta(days=d)
                rows.append((p.id, at(day, 21 * 60), "steps", str(self.steps_of(p, day))))
        self.import_rows(rows)
        self.data_io = data_io

    def import_rows(self, rows: list[tuple[str, datetime, str, str]]) -> None:
        from backend.services import data_io

        if not rows:
            return
        path = self.tmp / "readings.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["elder_id", "measured_at", "kind", "value"])
            for eid, when, kind, value in rows:
                out.writerow([eid, when.isoformat(), kind, value])
        self.timed("data_io.import_readings", data_io.import_readings, self.svc, path)

    def steps_of(self, p: Person, day: date) -> int:
        weekend = 0.85 if day.weekday() >= 5 else 1.0
        noise = math.exp(self.rng.gauss(0, 0.25))
        return max(0, int(p.steps * p.step_factor(day) * weekend * noise))

    # --- a check-in ----------------------------------------------------------------------

    def reply_for(self, p: Person, question: Any, day: date) -> Any:
        from backend.domain.conversation import Reply, ReplyKind

        r = self.rng.random()
        qid = question.id
        if qid == "condition":
            value = "bad" if r < 0.005 else "so_so" if r < 0.15 else "good"
            return Reply(ReplyKind.CHOICE, value, value)
        if qid == "sleep":
            value = "slept_poorly" if r < 0.03 else "so_so" if r < 0.13 else "slept_well"
            return Reply(ReplyKind.CHOICE, value, value)
        if qid == "medication":
            return (
                Reply(ReplyKind.NO, None, "まだ")
                if r < 0.01
                else Reply(ReplyKind.YES, None, "飲んだ")
            )
        if qid in ("breakfast", "dinner", "lunch"):
            value = "not_ate" if r < 0.01 else "ate_little" if r < 0.1 else "ate"
            return Reply(ReplyKind.CHOICE, value, value)
        if qid == "mood":
            value = "low" if r < 0.02 else "so_so" if r < 0.12 else "good"
            return Reply(ReplyKind.CHOICE, value, value)
        if qid == "blood_pressure":
            s, d = self.rng.randint(110, 150), self.rng.randint(65, 95)
            return Reply(ReplyKind.BLOOD_PRESSURE, {"systolic": s, "diastolic": d}, f"{s}/{d}")
        if qid == "weight":
            value = round(p.true_weight(day) + self.rng.gauss(0, 0.3), 1)
            if r < 0.01:
                value = round(value + self.rng.choice((-10, 10)), 1)
                self.stats.misheard += 1
            self.stats.stored_weights += 1
            return Reply(ReplyKind.NUMBER, value, f"{value}キロ")
        if qid == "steps":
            value = self.steps_of(p, day)
            return Reply(ReplyKind.NUMBER, value, f"{value}歩")
        if question.kind == "yes_no":
            return Reply(ReplyKind.YES, None, "はい")
        raise ValueError(f"no reply model for question {qid}")

    def converse(self, p: Person, turn: Any, day: date) -> Any:
        """Answer every question the skill asks until it ends the session."""
        from backend.domain.conversation import Reply, ReplyKind
        from backend.services import checkin

        last: Any = None
        asked = Counter()
        for _ in range(40):
            if turn.end or turn.question is None:
                return turn
            if turn.confirm is not None:
                reply = Reply(ReplyKind.YES, None, "はい")
            elif last is not None and last[0] == turn.question.id:
                reply = last[1]  # asked again ("check again"): say the same thing
            else:
                reply = self.reply_for(p, turn.question, day)
            asked[turn.question.id] += 1
            if asked[turn.question.id] > 6:
                return self.timed(
                    "checkin.stop", checkin.stop, self.svc, self.caller(p), turn.state
                )
            last = (turn.question.id, reply)
            turn = self.timed(
                "checkin.answer", checkin.answer, self.svc, self.caller(p), turn.state, reply
            )
        raise RuntimeError(f"conversation with {p.id} did not end")

    def check_in(self, p: Person, day: date) -> None:
        from backend.services import checkin

        turn = self.timed("checkin.start", checkin.start, self.svc, self.caller(p))
        if turn.state.get("stage") == "away_active":
            turn = self.timed("checkin.returned", checkin.returned, self.svc, self.caller(p))
        if any(line.key == "welcome_back" for line in turn.lines):
            self.stats.welcomed += 1
        self.converse(p, turn, day)

    def declare_by_voice(self, p: Person, until: date) -> None:
        from backend.domain.conversation import Reply, ReplyKind
        from backend.services import checkin

        caller = self.caller(p)
        turn = self.timed("checkin.start", checkin.start, self.svc, caller)
        turn = self.timed(
            "checkin.away_said", checkin.away_said, self.svc, caller, turn.state, "hospital", None
        )
        turn = self.timed(
            "checkin.until_said",
            checkin.until_said,
            self.svc,
            caller,
            turn.state,
            until.isoformat(),
        )
        turn = self.timed(
            "checkin.answer",
            checkin.answer,
            self.svc,
            caller,
            turn.state,
            Reply(ReplyKind.YES, None, "はい"),
        )
        if not any(line.key == "away_set_hospital" for line in turn.lines):
            raise RuntimeError(f"{p.id}: the away period was not set: {turn.lines}")

    def declare_by_staff(self, p: Person, start: datetime, end: datetime) -> None:
        from backend.domain.model import AwayKind
        from backend.services import away

        self.timed(
            "away.declare",
            away.declare,
            self.svc,
            p.id,
            AwayKind.HOSPITAL,
            start=start,
            end=end,
            set_by="staff:sim",
        )

    def run_jobs(self) -> None:
        from backend import jobs

        start = time.perf_counter()
        jobs.run_due(self.settings, self.now)
        self.stats.run_seconds.append(time.perf_counter() - start)

    # --- one day -------------------------------------------------------------------------

    def plan_day(self, day: date) -> list[tuple[datetime, int, Callable[[], None]]]:
        rng = self.rng
        weekend = day.weekday() >= 5
        actions: list[tuple[datetime, int, Callable[[], None]]] = []
        steps_rows: list[tuple[str, datetime, str, str]] = []
        for p in self.people:
            hosp = p.event("hospital")
            if (
                hosp is not None
                and hosp.detail["by"] == "staff"
                and day == hosp.start - timedelta(days=1)
            ):
                start = at(hosp.start, 9 * 60)
                end = at(hosp.detail["declared_end"], 14 * 60)
                hosp.detail["declared"] = (start, end)
                p.away.append((start, at(hosp.detail["actual_return"], 14 * 60)))
                actions.append(
                    (
                        at(day, 15 * 60),
                        1,
                        lambda p=p, s=start, e=end: self.declare_by_staff(p, s, e),
                    )
                )
            skipped_day = p.missing_day(day) or rng.random() < 0.003
            reason_day = "missed-days event" if p.missing_day(day) else "skipped day"
            for slot, usual in (("morning", p.morning), ("evening", p.evening)):
                key = (p.id, day, slot)
                when = usual + rng.uniform(-20, 20)
                if slot == "evening":
                    when = min(max(when, 17 * 60 + 2), 20 * 60 + 55)
                else:
                    when = min(max(when + (45 if weekend else 0), 6 * 60 + 2), 10 * 60 + 25)
                    if rng.random() < 0.04:
                        when = rng.uniform(10 * 60, 12 * 60 + 30)
                        self.stats.late[key] = at(day, when)
                t = at(day, when)
                if skipped_day:
                    self.stats.no_answer[key] = reason_day
                    continue
                if rng.random() < (0.03 if weekend else 0.02) * self.skip_scale:
                    self.stats.no_answer[key] = "skipped slot"
                    continue
                if p.is_away(t):
                    self.stats.no_answer[key] = "in hospital"
                    continue
                actions.append((t, 2, lambda p=p, d=day: self.check_in(p, d)))
                voice = hosp is not None and hosp.detail["by"] == "voice"
                if voice and day == hosp.start and slot == "morning":
                    start = t + timedelta(minutes=10)
                    p.away.append((start, at(hosp.detail["actual_return"], 15 * 60)))
                    until = hosp.detail["declared_end"]
                    actions.append((start, 3, lambda p=p, u=until: self.declare_by_voice(p, u)))
            if not p.missing_day(day) and not p.is_away(at(day, 21 * 60)):
                steps_rows.append((p.id, at(day, 21 * 60), "steps", str(self.steps_of(p, day))))
        actions.append((at(day, 23 * 60 + 30), 0, lambda rows=steps_rows: self.import_rows(rows)))
        return actions

    def run(self, days: int, every: int | None) -> None:
        runs_per_day = (
            [h * 60 + m for h, m in DEADLINES] if every is None else list(range(0, 24 * 60, every))
        )
        for offset in range(days):
            day = START + timedelta(days=offset)
            actions = self.plan_day(day)
            for minutes in runs_per_day:
                moment = at(day, minutes) if minutes else at(day + timedelta(days=1), 0)
                actions.append((moment, 9, self.run_jobs))
            actions.sort(key=lambda a: (a[0], a[1]))
            for moment, _, action in actions:
                self.now = moment
                action()
            if offset % 10 == 9 or offset == days - 1:
                print(
                    f"  day {offset + 1:3d} {day}: {sum(self.stats.calls.values()):,} service calls,"
                    f" {len(self.stats.run_seconds):,} job runs (median"
                    f" {statistics.median(self.stats.run_seconds):.2f}s, last"
                    f" {self.stats.run_seconds[-1]:.2f}s)",
                    flush=True,
                )

    skip_scale = 1.0


# ---------------------------------------------------------------------------------------------
# Scoring


def load_alerts(svc: Any) -> tuple[list[Any], Counter]:
    from sqlalchemy import select

    from backend.stores.sql import tables as t

    with svc.uow() as uow:
        rows = uow.connection.execute(select(t.alerts)).all()
        alerts = [t.alert_from_row(r._mapping) for r in rows]
        sent = uow.connection.execute(
            select(
                t.outbox_messages.c.alert_id, t.recipients.c.elder_id, t.outbox_messages.c.sent_at
            ).join(t.recipients, t.recipients.c.id == t.outbox_messages.c.recipient_id)
        ).all()
    messages: Counter = Counter()
    for alert_id, elder_id, _ in sent:
        messages[(alert_id, "family" if elder_id else "center")] += 1
    return alerts, messages


def alert_day(alert: Any) -> date:
    """The date an alert is about: its period's date, else the date it opened (JST)."""
    period = alert.period.split("/")[0]
    try:
        return date.fromisoformat(period)
    except ValueError:
        return alert.created_at.astimezone(JST).date()


def base_rule(rule: str) -> str:
    if rule.startswith("concern:"):
        return "concern:" + rule.split(":")[1]
    return rule


def episodes(alerts: list[Any]) -> int:
    """Alerts of one elder and rule whose dates follow each other within 7 days: one episode."""
    count = 0
    by_key: dict[tuple[str, str], list[date]] = defaultdict(list)
    for a in alerts:
        by_key[(a.elder_id, base_rule(a.rule))].append(alert_day(a))
    for days in by_key.values():
        days.sort()
        count += 1 + sum(1 for x, y in itertools.pairwise(days) if (y - x).days > 7)
    return count


def score(sim: Sim, days: int) -> dict[str, Any]:
    from backend.domain import rules

    alerts, messages = load_alerts(sim.svc)
    people = {p.id: p for p in sim.people}
    injected = [e for p in sim.people for e in p.events]
    matched: set[str] = set()
    for e in injected:
        p = people[e.elder]
        for a in alerts:
            if a.elder_id != e.elder:
                continue
            opened = a.created_at.astimezone(JST)
            if e.kind == "missed_days" and a.rule == rules.MISSED_CHECKIN:
                ok = e.start <= alert_day(a) <= e.end
            elif e.kind == "weight_loss" and a.rule == rules.WEIGHT_DROP:
                ok = e.start + timedelta(days=14) <= opened.date() <= e.start + timedelta(days=84)
            elif e.kind == "step_drop" and a.rule == "activity_drop:steps":
                ok = e.start <= opened.date() <= e.start + timedelta(days=35)
            else:
                ok = False
            if ok:
                e.alerts.append(a)
                matched.add(a.id)
        if e.alerts:
            first = min(e.alerts, key=lambda a: a.created_at)
            limit = e.start + timedelta(days=14) if e.kind == "step_drop" else None
            if limit is None or first.created_at.astimezone(JST).date() <= limit:
                e.detected_at = first.created_at.astimezone(JST)
    answer_driven = [
        a for a in alerts if a.id not in matched and a.rule.startswith(("concern", "bp_"))
    ]
    false = [a for a in alerts if a.id not in matched and not a.rule.startswith(("concern", "bp_"))]
    causes: Counter = Counter()
    cause_of: dict[str, str] = {}
    with sim.svc.uow() as uow:
        periods = {p.id: uow.away.list_for_elder(p.id) for p in sim.people}
    inside_away = [
        a for a in alerts if any(period.covers(a.created_at) for period in periods[a.elder_id])
    ]
    for a in false:
        p = people[a.elder_id]
        hosp = p.event("hospital")
        opened = a.created_at.astimezone(JST)
        if a.rule == rules.MISSED_CHECKIN:
            d, slot = a.period.split("/")
            key = (a.elder_id, date.fromisoformat(d), slot)
            reason = sim.stats.no_answer.get(key)
            if reason is None and key in sim.stats.late:
                told = messages[(a.id, "family")] + messages[(a.id, "center")] > 0
                reason = "late morning, answered after " + (
                    "family was told" if told else "the nudge"
                )
            if reason == "in hospital" and hosp is not None:
                reason = "after a hospital stay that overran the declared end"
            cause_of[a.id] = f"missed_checkin: {reason or 'unexplained'}"
        elif a.rule == rules.WEIGHT_DROP:
            values = [v["value"] for v in a.evidence.get("recent", [])]
            med = statistics.median(values) if values else 0
            misheard = any(abs(v - med) > 5 for v in values)
            cause_of[a.id] = (
                f"weight_drop: {'misheard value in the window' if misheard else 'noise/drift'}"
            )
        elif a.rule.startswith("activity_drop"):
            near_hospital = hosp is not None and hosp.start - timedelta(
                days=7
            ) <= opened.date() <= hosp.end + timedelta(days=35)
            near_missed = any(
                e.kind == "missed_days" and e.start <= opened.date() <= e.end + timedelta(days=8)
                for e in p.events
            )
            cause_of[a.id] = "activity_drop: " + (
                "after a hospital stay"
                if near_hospital
                else "after the missed days"
                if near_missed
                else "day-to-day noise"
            )
        else:
            cause_of[a.id] = f"{a.rule}: unexplained"
        causes[cause_of[a.id]] += 1
    return {
        "alerts": alerts,
        "messages": messages,
        "injected": injected,
        "answer_driven": answer_driven,
        "false": false,
        "causes": causes,
        "cause_of": cause_of,
        "inside_away": inside_away,
        "elder_months": len(sim.people) * days / MONTH_DAYS,
    }


def report(sim: Sim, result: dict[str, Any], days: int) -> None:
    from backend.domain import rules

    alerts = result["alerts"]
    messages = result["messages"]
    em = result["elder_months"]
    print(
        f"\nAlerts opened: {len(alerts)} over {em:.0f} elder-months ({len(alerts) / em * 100:.1f} per 100)"
    )
    by_rule: dict[str, list[Any]] = defaultdict(list)
    for a in alerts:
        by_rule[base_rule(a.rule)].append(a)
    print(
        f"  {'rule':34s} {'alerts':>6s} {'episodes':>8s} {'family msgs':>11s} {'center msgs':>11s}  stages"
    )
    for rule in sorted(by_rule):
        group = by_rule[rule]
        fam = sum(messages[(a.id, "family")] for a in group)
        cen = sum(messages[(a.id, "center")] for a in group)
        stages = Counter(a.stage for a in group)
        stage_text = " ".join(f"{s}:{stages[s]}" for s in sorted(stages))
        print(
            f"  {rule:34s} {len(group):6d} {episodes(group):8d} {fam:11d} {cen:11d}  {stage_text}"
        )
    print(
        "  (missed_checkin stages: 0 nudge only, 1 family told, 2 care center, 3 priority;"
        " other rules tell the center at once, family too when urgent)"
    )

    print("\nRecall on injected events")
    by_kind: dict[str, list[Injected]] = defaultdict(list)
    for e in result["injected"]:
        by_kind[e.kind].append(e)
    total = found = 0
    windows = {
        "missed_days": "a missed_checkin alert for a slot of the two days",
        "weight_loss": "a weight_drop alert 14-84 days after the loss began",
        "step_drop": "an activity_drop:steps alert within 14 days of the drop",
    }
    for kind in ("missed_days", "weight_loss", "step_drop"):
        group = by_kind.get(kind, [])
        if not group:
            continue
        hit = [e for e in group if e.detected_at is not None]
        total += len(group)
        found += len(hit)
        delays = [
            (e.detected_at - datetime.combine(e.start, dtime(0), tzinfo=JST)).total_seconds()
            / 86400
            for e in hit
        ]
        extra = ""
        if kind == "missed_days":
            reached = [e for e in hit if max(a.stage for a in e.alerts) >= rules.STAGE_CENTER]
            priority = [e for e in hit if max(a.stage for a in e.alerts) >= rules.STAGE_PRIORITY]
            extra = f"; reached the care center {len(reached)}, priority {len(priority)}"
        delay = f"median {statistics.median(delays):.1f} days after the start" if delays else ""
        per_event = statistics.mean(len(e.alerts) for e in group)
        print(
            f"  {kind:12s} {len(hit):3d}/{len(group):<3d} = {len(hit) / len(group):6.1%}  ({windows[kind]});"
            f" {delay}; {per_event:.1f} alerts per event{extra}"
        )
    recall = found / total if total else float("nan")
    verdict = "met" if recall >= TARGET_RECALL else "NOT met"
    print(
        f"  overall recall {found}/{total} = {recall:.1%} (target >= {TARGET_RECALL:.0%}: {verdict})"
    )
    stays = by_kind.get("hospital", [])
    inside = result["inside_away"]
    print(
        f"  hospital stays: {len(stays)} ({sum(1 for e in stays if e.detail['by'] == 'voice')} declared by voice);"
        f" alerts opened inside a stay: {len(inside)}; 「おかえりなさい」 heard {sim.stats.welcomed} times"
    )

    false = result["false"]
    notified = [a for a in false if messages[(a.id, "family")] + messages[(a.id, "center")] > 0]
    rate = len(notified) / em * 100
    verdict = "met" if rate <= TARGET_FALSE else "NOT met"
    print(
        "\nFalse alerts (not matched to an injected event; concern/BP apart) that told someone"
        f" (family or center): {len(notified)} = {rate:.1f} per 100 elder-months"
        f" (target <= {TARGET_FALSE:.0f}: {verdict}); {episodes(notified)} episodes"
    )
    nudges = sum(1 for a in false if a.rule == rules.MISSED_CHECKIN and a.stage == 0)
    print(
        f"  every unmatched alert, nudge-only ones included: {len(false)}"
        f" = {len(false) / em * 100:.1f} per 100 elder-months (nudge-only, stage 0"
        f" missed_checkin, recorded for the speaker to ask again: {nudges})"
    )
    told: Counter = Counter()
    for a in notified:
        told[result["cause_of"][a.id]] += 1
    for cause, count in told.most_common():
        print(f"    told: {cause:56s} {count:5d}  ({count / em * 100:5.1f} per 100 elder-months)")
    for cause, count in result["causes"].most_common():
        print(f"    {cause:62s} {count:5d}  ({count / em * 100:5.1f} per 100 elder-months)")
    ad = result["answer_driven"]
    ad_rules = Counter(base_rule(a.rule) for a in ad)
    print(
        f"  answer-driven (the elder's own concerning answers): {len(ad)}"
        f" = {len(ad) / em * 100:.1f} per 100 elder-months: "
        + ", ".join(f"{k} {v}" for k, v in ad_rules.most_common())
    )
    print(
        f"  with them, every alert not matched to an event:"
        f" {(len(false) + len(ad)) / em * 100:.1f} per 100 elder-months"
    )


# ---------------------------------------------------------------------------------------------


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elders", type=int, default=200)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--every", type=int, default=None, help="run the jobs every N minutes")
    parser.add_argument("--skip-rate", type=float, default=1.0, help="scale the skipped-slot rate")
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args(argv)
    if args.days < 30:
        parser.error("--days must be at least 30")
    _import_path()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("backend").setLevel(logging.ERROR)
    from aiosmtpd.controller import Controller

    from backend.stores.sql import migrate

    started = time.perf_counter()
    rng = random.Random(args.seed)
    people = build_population(args.elders, args.days, rng)
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory(prefix="mimamori-sim-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'sim.db'}"
            migrate.upgrade(url)
            sim = Sim(
                url,
                f"smtp://127.0.0.1:{port}?from=sim@mimamori.invalid&helo=localhost",
                people,
                rng,
            )
            sim.skip_scale = args.skip_rate
            sim.setup()
            cadence = (
                "at the deadlines " + ", ".join(f"{h:02d}:{m:02d}" for h, m in DEADLINES)
                if args.every is None
                else f"every {args.every} minutes"
            )
            kinds = Counter(e.kind for p in people for e in p.events)
            print(
                f"Python {sys.version.split()[0]}; {args.elders} elders x {args.days} days from"
                f" {START} (seed {args.seed}); jobs.run_due {cadence}; injected: "
                + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
            )
            sim.run(args.days, args.every)
            result = score(sim, args.days)
            report(sim, result, args.days)
            calls = sim.stats.calls
            print(
                f"\nService calls: {sum(calls.values()):,} ("
                + ", ".join(f"{k} {v:,}" for k, v in calls.most_common())
                + f"); mean {sum(sim.stats.seconds.values()) / max(1, sum(calls.values())) * 1e3:.2f} ms;"
                f" weights stored {sim.stats.stored_weights} ({sim.stats.misheard} misheard)"
            )
            runs = sim.stats.run_seconds
            print(
                f"jobs.run_due: {len(runs):,} runs, median {statistics.median(runs):.2f}s,"
                f" max {max(runs):.2f}s, total {sum(runs):.0f}s; e-mails received by the SMTP sink:"
                f" {sink.count:,}"
            )
    finally:
        controller.stop()
    print(f"total time {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
