"""A seeded synthetic population over a season, driven through the services and ``jobs.run_due``.

What it does
------------

Both sample municipalities, with their own question sets and policies: 奥州市 032158 (morning
06:00-10:30 and evening 17:00-21:00; weights, blood pressure) and 九度山町 303445 (morning,
noon, evening; steps and activity minutes by voice, the monthly 基本チェックリスト). One care
center with an inbox per municipality; ``--elders`` elders (half in each) with consent, a
speaker each and a family member (quiet hours 21:00-07:00). A local SMTP sink (aiosmtpd)
receives what ``deliver-outbox`` sends. A temporary SQLite file.

Every check-in is spoken through the real services: ``checkin.start`` then
``checkin.answer`` with a ``Reply`` per question (read-backs confirmed with はい), hospital stays
declared by voice or by staff, returns by 「ただいま」. Opening the skill outside a slot (late
waking) goes through ``checkin.start`` too. Pedometer and scale uploads arrive as CSV files
imported with ``readings_import.import_readings`` (nightly; a gateway pedometer on the elder's Wi-Fi
uploads nothing during an outage and catches up afterwards). Weekly absences that staff know of
are written into the elder's profile (``overrides.absences``) when the product has that field.

``jobs.run_due(settings, now)`` runs every ``--every`` minutes (60), except during two
scheduler outages of 8-14 hours (only the scheduler is down: the web app keeps serving). After
every check-in, as ``mimamori serve`` does after a request, the web app's jobs watchdog looks
at the scheduler's heartbeat (at most once a minute) and runs the jobs itself when it is stale
(``jobs.catch_up_if_stale``); ``--no-watchdog`` leaves it out.

The population (seeded; the parameters are this file's own, chosen from what care staff
describe, not from the rules)
---------------------------------------------------------------------------------------

Answer habits, per elder and slot:

- 55 % regular: each slot answered with probability 0.95-0.995;
- 15 % morning-only: the morning answered (0.93-0.99), the other slots almost never (0-6 %);
- 18 % irregular: each slot 0.65-0.9;
- 12 % decaying: start regular, the rate falls linearly to 0.45-0.75 by the last day;
- usual times per elder and slot (sd 35 min around a slot-dependent mean), +-25 min a day,
  weekend mornings 40 min later;
- late waking: 1-8 % of mornings (per elder) answered between 20 min before the slot's end and
  2 hours after it (after the end the skill opens outside any slot);
- days out: 0.5-2 % of days, out from 08:00-10:00 to 16:00-19:30, the morning answered before
  leaving half the time;
- デイサービス: 25 % of elders go one weekday a week 08:30-16:30; staff put it in the profile
  for 70 % of them;
- speaker/Wi-Fi outages: on average one every 100 days per elder, 1-3 days long, no speaker
  contact at all (a phone-app pedometer keeps uploading; a gateway one does not);
- pedometers: 60 % of elders (half phone app, half Wi-Fi gateway); scales: 40 % of 九度山町's;
- engagement (今日は何の日, quiz, stamps after the check-in) is on where the municipality's
  engagement file enables it (奥州市's sample does, 九度山町's does not). Its effect on answering
  is a parameter, ``--engagement-lift`` L (default 0: no effect assumed): for an elder with
  engagement on, the chance of skipping a slot, 1 - rate, becomes (1 - rate) x (1 - L) — a
  decaying or irregular answerer skips less. It is a what-if to read the alert figures
  against (e.g. L = 0.3), not a claim: nothing measured supports a value yet (the dashboard's
  話す習慣 page shows sessions and answer rates by engagement once elders use it).

Center-side variation:

- blood pressure: 20 % of elders are hypertensive (systolic around 150, sd 9, capped at 179;
  diastolic up to 109), the others 110-150 / 65-95;
- condition 「悪い」 on 1 % of answers; poor-sleep spells (1.5 %/day starts a 3-6 day spell);
- weights with a seasonal swing (0.3-1.2 kg amplitude, heaviest at the end of January) and
  winter clothes (+0.4-1.0 kg, November-March), noise sd 0.3 kg, 1 % misheard by +-10 kg;
- steps: per-elder base 1,500-8,000, lognormal noise sd 0.25, weekends x 0.85; rainy weeks
  (4-6 per municipality, the same for all its elders) x 0.45-0.65; 奥州市's winter x 0.75 by
  January;
- 基本チェックリスト: a per-elder frailty (0-0.45) is the chance of each risk answer.

Injected events (scored as things that must be found)
----------------------------------------------------

- collapse (12 % of elders): from a moment (10 min to 8 hours after an answer) no answer,
  no contact and no upload until the end. Found *in time* if the family and the care center
  each have a message queued within 26 hours of the start of the first slot missed;
- blood-pressure crisis (12 % of 奥州市's elders, one day): a reading of 180-205 / 95-125.
  Found in time if a ``bp_urgent`` alert queues a center message within 6 hours (a crisis on
  a day the elder gave no reading is not counted: nothing could find it);
- missed days (10 %): two days without any answer, then back; found if an alert about those
  days reaches the care center;
- weight loss (8 %): 3 kg over 8 weeks; a ``weight_drop`` alert 14-84 days after the start
  (a loss of an elder never weighed, in 九度山町 without a scale, is not counted: nothing
  could find it);
- step drop (8 % of pedometer owners): steps x 0.6 to the end; an ``activity_drop:steps``
  alert within 14 days;
- hospital stay (8 %): 4-14 days declared by voice or staff, sometimes overrunning; no alert
  expected inside.

Every other alert whose message reached family or the center (sent: a message withdrawn
before sending because the elder showed up again reached nobody, and is counted apart) is a
false alert, reported per 100 elder-months (an elder-month is 30 days) by cause; alerts that only show on the
dashboard (nudges, follow-up items, the speaker-outage state) are counted apart.

Run from the repository root::

    python bench/simulate.py --elders 60 --days 120 --seed 1

It prints figures; nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
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
START = date(2026, 8, 24)  # a Monday
CODES = {"032158": "奥州市", "303445": "九度山町"}
MONTH_DAYS = 30
TARGET_RECALL = 0.97
TARGET_FALSE = 10.0
COLLAPSE_HOURS = 26
BP_CRISIS_HOURS = 6
HABITS = (("regular", 55), ("morning_only", 15), ("irregular", 18), ("decaying", 12))
USUAL = {"morning": 7 * 60 + 10, "noon": 12 * 60 + 15, "evening": 18 * 60 + 30}


def _import_path() -> None:
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))


def at(day: date, minutes: float) -> datetime:
    """Return ``day`` + ``minutes`` after midnight, JST (minutes may pass 24 h)."""
    return datetime.combine(day, dtime(0), tzinfo=JST) + timedelta(minutes=round(minutes))


def minutes_of(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


# ---------------------------------------------------------------------------------------------
# The population


@dataclass
class Injected:
    kind: str  # collapse | bp_crisis | missed_days | weight_loss | step_drop | hospital
    elder: str
    start: date
    end: date  # last day of the event (inclusive)
    detail: dict[str, Any] = field(default_factory=dict)
    alerts: list[Any] = field(default_factory=list)
    detected_at: datetime | None = None
    in_time: bool = False


@dataclass
class Person:
    idx: int
    id: str
    code: str
    user: str
    device: str
    habit: str
    rate: dict[str, float]
    usual: dict[str, float]
    decay_to: float
    late_rate: float
    out_rate: float
    dayservice: tuple[int, bool] | None  # (weekday, declared in the profile)
    pedometer: str | None  # phone | gateway | None
    scale: bool
    hypertensive: bool
    frailty: float
    weight: float
    drift: float  # kg per day
    season: float  # kg amplitude
    clothes: float
    steps: float
    outages: list[tuple[datetime, datetime]] = field(default_factory=list)
    events: list[Injected] = field(default_factory=list)
    away: list[tuple[datetime, datetime]] = field(default_factory=list)  # actually away
    sleep_spell_until: date | None = None
    lift: float = 0.0  # --engagement-lift where the municipality has engagement on, else 0
    pending_steps: list[tuple[str, datetime, str, str]] = field(default_factory=list)

    def event(self, kind: str) -> Injected | None:
        return next((e for e in self.events if e.kind == kind), None)

    def true_weight(self, day: date) -> float:
        d = (day - START).days
        loss = 0.0
        e = self.event("weight_loss")
        if e is not None:
            loss = 3.0 * min(max((day - e.start).days / 56, 0.0), 1.0)
        doy = day.timetuple().tm_yday
        season = self.season * math.cos(2 * math.pi * (doy - 30) / 365.25)
        clothes = self.clothes if day.month in (11, 12, 1, 2, 3) else 0.0
        return self.weight + self.drift * d - loss + season + clothes

    def step_factor(self, day: date) -> float:
        e = self.event("step_drop")
        return 0.6 if e is not None and day >= e.start else 1.0

    def missing_day(self, day: date) -> bool:
        e = self.event("missed_days")
        return e is not None and e.start <= day <= e.end

    def collapsed(self, t: datetime) -> bool:
        e = self.event("collapse")
        return e is not None and "at" in e.detail and t >= e.detail["at"]

    def is_away(self, t: datetime) -> bool:
        return any(a <= t < b for a, b in self.away)

    def in_outage(self, t: datetime) -> bool:
        return any(a <= t < b for a, b in self.outages)

    def answer_rate(self, slot: str, day: date, days: int) -> float:
        base = self.rate[slot]
        if self.habit == "decaying":
            progress = (day - START).days / max(1, days - 1)
            base *= 1 - progress * (1 - self.decay_to)
        return 1 - (1 - base) * (1 - self.lift)


def build_population(n: int, days: int, rng: random.Random) -> list[Person]:
    people = []
    habits, weights = zip(*HABITS, strict=True)
    for i in range(n):
        eid = f"sim-{i:04d}"
        code = "032158" if i % 2 == 0 else "303445"
        slots = ("morning", "evening") if code == "032158" else ("morning", "noon", "evening")
        habit = rng.choices(habits, weights)[0]
        if habit == "morning_only":
            rate = {
                s: rng.uniform(0.93, 0.99) if s == "morning" else rng.uniform(0, 0.06)
                for s in slots
            }
        elif habit == "irregular":
            rate = {s: rng.uniform(0.65, 0.9) for s in slots}
        else:
            rate = {s: rng.uniform(0.95, 0.995) for s in slots}
        usual = {s: USUAL[s] + rng.gauss(0, 35) for s in slots}
        if code == "303445":
            usual["evening"] -= 60  # its evening slot is 16:00-20:00
            usual["morning"] += 20  # its morning slot starts at 07:00
        pedometer = rng.choice(("phone", "gateway")) if rng.random() < 0.6 else None
        dayservice = (rng.randrange(5), rng.random() < 0.7) if rng.random() < 0.25 else None
        p = Person(
            idx=i,
            id=eid,
            code=code,
            user=f"amzn1.ask.account.{eid}",
            device=f"amzn1.ask.device.{eid}",
            habit=habit,
            rate=rate,
            usual=usual,
            decay_to=rng.uniform(0.45, 0.75),
            late_rate=rng.uniform(0.01, 0.08),
            out_rate=rng.uniform(0.005, 0.02),
            dayservice=dayservice,
            pedometer=pedometer,
            scale=code == "303445" and rng.random() < 0.4,
            hypertensive=rng.random() < 0.2,
            frailty=rng.uniform(0, 0.45),
            weight=rng.uniform(40, 72),
            drift=rng.gauss(0, 0.5) / 182,
            season=rng.uniform(0.3, 1.2),
            clothes=rng.uniform(0.4, 1.0),
            steps=math.exp(rng.uniform(math.log(1500), math.log(8000))),
        )
        t = datetime.combine(START, dtime(0), tzinfo=JST)
        end = t + timedelta(days=days)
        while True:
            t += timedelta(days=rng.expovariate(1 / 100))
            if t >= end:
                break
            length = timedelta(hours=rng.uniform(24, 72))
            p.outages.append((t, t + length))
            t += length
        people.append(p)
    order = list(range(n))
    rng.shuffle(order)
    k = max(1, round(n * 0.08))
    kc = max(1, round(n * 0.12))
    groups = {
        "collapse": order[:kc],
        "weight_loss": order[kc : kc + k],
        "step_drop": [i for i in order[kc + k :] if people[i].pedometer][:k],
    }
    taken = set(groups["collapse"]) | set(groups["weight_loss"]) | set(groups["step_drop"])
    groups["hospital"] = [i for i in order if i not in taken][:k]
    last = START + timedelta(days=days - 1)
    for i in groups["collapse"]:
        d = START + timedelta(days=rng.randint(10, days - 3))
        people[i].events.append(
            Injected("collapse", people[i].id, d, last, {"delay": rng.uniform(10, 8 * 60)})
        )
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
    bp = [i for i in range(n) if people[i].code == "032158"]
    for i in rng.sample(bp, max(1, round(len(bp) * 0.12))):
        p = people[i]
        c = p.event("collapse")
        latest = (c.start if c else last) - timedelta(days=2)
        if latest > START + timedelta(days=3):
            d = START + timedelta(days=rng.randint(3, (latest - START).days))
            p.events.append(Injected("bp_crisis", p.id, d, d))
    for i in rng.sample(range(n), max(1, round(n * 0.10))):
        p = people[i]
        for _ in range(20):
            d = START + timedelta(days=rng.randint(5, days - 4))
            h, c = p.event("hospital"), p.event("collapse")
            if h is not None and h.start - timedelta(days=3) <= d <= h.end + timedelta(days=3):
                continue
            if c is not None and d >= c.start - timedelta(days=4):
                continue
            p.events.append(Injected("missed_days", p.id, d, d + timedelta(days=1)))
            break
    return people


def weather(code: str, days: int, rng: random.Random) -> dict[date, float]:
    """Return the step factor of each date for everyone of a municipality (rain, winter)."""
    factor: dict[date, float] = {}
    for offset in range(-40, days):
        day = START + timedelta(days=offset)
        f = 1.0
        if code == "032158":
            winter = (day - date(day.year if day.month > 6 else day.year - 1, 11, 15)).days
            f *= 1 - 0.25 * min(max(winter / 47, 0.0), 1.0)
        factor[day] = f
    for _ in range(rng.randint(4, 6)):
        first = START + timedelta(days=rng.randint(0, days - 7))
        dip = rng.uniform(0.45, 0.65)
        for d in range(7):
            factor[first + timedelta(days=d)] = factor.get(first + timedelta(days=d), 1.0) * dip
    return factor


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
    answered: dict[tuple[str, date, str], datetime] = field(default_factory=dict)
    run_seconds: list[float] = field(default_factory=list)
    skipped_runs: int = 0
    caught_up: list[datetime] = field(default_factory=list)


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
        self.days = 0
        self.weather: dict[str, dict[date, float]] = {}
        self.scheduler_down: list[tuple[datetime, datetime]] = []
        self.watchdog = True
        self.looked: datetime | None = None
        self.slots = {
            code: [
                (s.id, minutes_of(s.start), minutes_of(s.end))
                for s in self.svc.question_set(code).slots
            ]
            for code in CODES
        }

    def timed(self, name: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.stats.calls[name] += 1
            self.stats.seconds[name] += time.perf_counter() - start

    def caller(self, p: Person) -> Any:
        from backend.services.turns import Caller

        return Caller(p.user, p.device, uuid.uuid4().hex)

    # --- setup ---------------------------------------------------------------------------

    def profile(self, p: Person) -> dict[str, Any]:
        """The elder's overrides: a declared weekly day service when the product knows the field."""
        from questions.schema import ElderOverrides

        if p.dayservice is None or not p.dayservice[1]:
            return {}
        if "absences" not in ElderOverrides.model_fields:
            return {}
        weekday = "月火水木金"[p.dayservice[0]]
        slots = [s for s, a, b in self.slots[p.code] if a < 16 * 60 + 30 and b > 8 * 60 + 30]
        return {"absences": [{"kind": "dayservice", "weekday": weekday, "slots": slots}]}

    def setup(self, days: int, days_before: int = 7 * 30) -> None:
        from backend.domain.model import (
            CareCenter,
            Consent,
            DeviceBinding,
            Elder,
            Municipality,
            Recipient,
            Share,
        )
        from backend.services import setup

        svc = self.svc
        self.days = days
        for code, name in CODES.items():
            setup.register_municipality(svc, Municipality(code, name))
            setup.register_center(
                svc, CareCenter(f"sim-center-{code}", code, f"{name} シミュレーション包括")
            )
            self.weather[code] = weather(code, days, self.rng)
        consent = Consent(
            date(2026, 4, 1),
            "センター職員",
            (Share("センター", "毎日のお答え"), Share("家族", "異変のアラート")),
        )
        for p in self.people:
            setup.register_elder(
                svc,
                Elder(
                    p.id,
                    f"利用者 {p.idx}",
                    "りようしゃ",
                    p.code,
                    f"sim-center-{p.code}",
                    "中央",
                    consent=consent,
                    overrides=self.profile(p),
                ),
            )
        with svc.uow() as uow:
            for code in CODES:
                uow.recipients.add(
                    Recipient(
                        f"sim-inbox-{code}",
                        f"sim-center-{code}",
                        None,
                        "受付",
                        "センター",
                        "email",
                        f"center-{code}@sim.invalid",
                    )
                )
            for p in self.people:
                uow.devices.bind(DeviceBinding(p.user, p.device, p.id, self.now))
                uow.recipients.add(
                    Recipient(
                        f"fam-{p.id}",
                        f"sim-center-{p.code}",
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
            if p.code == "032158" or p.scale:
                for w in range(days_before // 7, 0, -1):
                    day = START - timedelta(days=7 * w)
                    weight = p.true_weight(day) + self.rng.gauss(0, 0.3)
                    rows.append((p.id, at(day, 7 * 60 + 10), "weight", f"{weight:.1f}"))
            if p.pedometer:
                for d in range(35, 0, -1):
                    day = START - timedelta(days=d)
                    rows.append((p.id, at(day, 21 * 60), "steps", str(self.steps_of(p, day))))
        self.import_rows(rows)
        for _ in range(2):
            s = at(START + timedelta(days=self.rng.randint(5, days - 5)), self.rng.uniform(0, 1440))
            self.scheduler_down.append((s, s + timedelta(hours=self.rng.uniform(8, 14))))

    def publish_policies(self, changes: list[str]) -> None:
        """Publish each municipality's policy file with ``KEY=VALUE`` changes (a what-if)."""
        if not changes:
            return
        import yaml

        from backend.domain.versions import ConfigKind, ConfigVersion
        from backend.services import municipal_config

        for code in CODES:
            path = REPO_ROOT / "questions" / "policies" / f"{code}.yaml"
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            for change in changes:
                key, _, value = change.partition("=")
                data[key.strip()] = yaml.safe_load(value)
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
            municipal_config.check(ConfigKind.POLICY, text, code)
            with self.svc.uow() as uow:
                uow.config_versions.add(
                    ConfigVersion(ConfigKind.POLICY, code, 2, text, "bench:simulate", self.now)
                )
                uow.commit()

    def import_rows(self, rows: list[tuple[str, datetime, str, str]]) -> None:
        from backend.services import readings_import

        if not rows:
            return
        path = self.tmp / "readings.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["elder_id", "measured_at", "kind", "value"])
            for eid, when, kind, value in rows:
                out.writerow([eid, when.isoformat(), kind, value])
        self.timed(
            "readings_import.import_readings", readings_import.import_readings, self.svc, path
        )

    def steps_of(self, p: Person, day: date) -> int:
        weekend = 0.85 if day.weekday() >= 5 else 1.0
        noise = math.exp(self.rng.gauss(0, 0.25))
        rain = self.weather.get(p.code, {}).get(day, 1.0)
        return max(0, int(p.steps * p.step_factor(day) * weekend * noise * rain))

    # --- a check-in ----------------------------------------------------------------------

    def blood_pressure(self, p: Person, day: date) -> tuple[int, int]:
        crisis = p.event("bp_crisis")
        if crisis is not None and crisis.start == day:
            crisis.detail.setdefault("measured", self.now)
            return self.rng.randint(180, 205), self.rng.randint(95, 125)
        if p.hypertensive:
            s = min(179, int(self.rng.gauss(150, 9)))
            d = min(109, int(self.rng.gauss(88, 7)))
            return max(s, d + 20), d
        return self.rng.randint(110, 150), self.rng.randint(65, 95)

    def reply_for(self, p: Person, question: Any, day: date) -> Any:
        from backend.domain.conversation import Reply, ReplyKind
        from questions.kihon import is_point

        r = self.rng.random()
        qid = question.id
        if qid == "condition":
            value = "bad" if r < 0.01 else "so_so" if r < 0.15 else "good"
            return Reply(ReplyKind.CHOICE, value, value)
        if qid == "sleep":
            spell = p.sleep_spell_until is not None and day <= p.sleep_spell_until
            if not spell and self.rng.random() < 0.015:
                p.sleep_spell_until = day + timedelta(days=self.rng.randint(2, 5))
                spell = True
            poor = 0.7 if spell else 0.03
            value = "slept_poorly" if r < poor else "so_so" if r < poor + 0.1 else "slept_well"
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
            s, d = self.blood_pressure(p, day)
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
        if qid == "activity_minutes":
            value = max(0, int(self.rng.gauss(45, 15) * p.step_factor(day)))
            return Reply(ReplyKind.NUMBER, value, f"{value}分")
        if qid == "tiredness":
            value = 5 if r < 0.03 else self.rng.choice((1, 2, 3, 3, 4))
            return Reply(ReplyKind.NUMBER, value, str(value))
        if qid == "fall_this_month":
            return (
                Reply(ReplyKind.YES, None, "はい")
                if r < 0.05
                else Reply(ReplyKind.NO, None, "いいえ")
            )
        if qid.startswith("kc"):
            risk = r < p.frailty
            yes = risk == is_point(qid, True)
            return (
                Reply(ReplyKind.YES, None, "はい") if yes else Reply(ReplyKind.NO, None, "いいえ")
            )
        if question.kind == "yes_no":
            return Reply(ReplyKind.YES, None, "はい")
        raise ValueError(f"no reply model for question {qid}")

    def converse(self, p: Person, turn: Any, day: date) -> Any:
        """Answer every question the skill asks until it ends the session."""
        from backend.domain.conversation import Reply, ReplyKind
        from backend.services import checkin

        last: Any = None
        asked = Counter()
        for _ in range(60):
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

    def check_in(self, p: Person, day: date, key: tuple[str, date, str] | None) -> None:
        from backend.services import checkin

        if p.collapsed(self.now):
            return
        turn = self.timed("checkin.start", checkin.start, self.svc, self.caller(p))
        if turn.state.get("stage") == "away_active":
            turn = self.timed("checkin.returned", checkin.returned, self.svc, self.caller(p))
        if any(line.key == "welcome_back" for line in turn.lines):
            self.stats.welcomed += 1
        if key is not None and turn.state.get("slot") == key[2]:
            self.stats.answered[key] = self.now
        self.converse(p, turn, day)
        self.after_request()

    def after_request(self) -> None:
        """What ``mimamori serve`` does after a request: its jobs watchdog looks, at most once a minute."""
        from backend import jobs
        from backend.web_watchdog import LOOK_EVERY

        if not self.watchdog or (self.looked is not None and self.now - self.looked < LOOK_EVERY):
            return
        self.looked = self.now
        if self.timed("jobs.catch_up_if_stale", jobs.catch_up_if_stale, self.settings, self.now):
            self.stats.caught_up.append(self.now)

    def declare_by_voice(self, p: Person, until: date) -> None:
        from backend.domain.conversation import Reply, ReplyKind
        from backend.services import away_dialogue, checkin

        caller = self.caller(p)
        turn = self.timed("checkin.start", checkin.start, self.svc, caller)
        turn = self.timed(
            "away_dialogue.away_said",
            away_dialogue.away_said,
            self.svc,
            caller,
            turn.state,
            "hospital",
            None,
        )
        turn = self.timed(
            "checkin.until_said",
            away_dialogue.until_said,
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

        if any(a <= self.now < b for a, b in self.scheduler_down):
            self.stats.skipped_runs += 1
            return
        start = time.perf_counter()
        jobs.run_due(self.settings, self.now)
        self.stats.run_seconds.append(time.perf_counter() - start)

    # --- one day -------------------------------------------------------------------------

    def plan_person(self, p: Person, day: date, actions: list, rows: list) -> None:
        rng = self.rng
        weekend = day.weekday() >= 5
        hosp = p.event("hospital")
        if (
            hosp is not None
            and hosp.detail["by"] == "staff"
            and day == hosp.start - timedelta(days=1)
        ):
            start = at(hosp.start, 9 * 60)
            end = at(hosp.detail["declared_end"], 14 * 60)
            p.away.append((start, at(hosp.detail["actual_return"], 14 * 60)))
            actions.append(
                (at(day, 15 * 60), 1, lambda p=p, s=start, e=end: self.declare_by_staff(p, s, e))
            )
        collapse = p.event("collapse")
        out: tuple[float, float] | None = None
        out_reason = ""
        if p.dayservice is not None and day.weekday() == p.dayservice[0]:
            out = (8 * 60 + 30, 16 * 60 + 30)
            out_reason = (
                "デイサービス ("
                + ("in the profile" if p.dayservice[1] else "not in the profile")
                + ")"
            )
        elif rng.random() < p.out_rate:
            out = (rng.uniform(8 * 60, 10 * 60), rng.uniform(16 * 60, 19 * 60 + 30))
            out_reason = "a day out"
        skipped_day = p.missing_day(day)
        for slot, first, last in self.slots[p.code]:
            key = (p.id, day, slot)
            when = (
                p.usual[slot] + rng.uniform(-25, 25) + (40 if weekend and slot == "morning" else 0)
            )
            when = min(max(when, first + 2), last - 5)
            late = slot == "morning" and rng.random() < p.late_rate
            if late:
                when = rng.uniform(last - 20, last + 120)
            if out is not None and out[0] < when < out[1]:
                if first < out[0] - 10 and rng.random() < 0.5:
                    when = rng.uniform(first + 2, out[0] - 5)  # answered before leaving
                else:
                    self.stats.no_answer[key] = out_reason
                    continue
            t = at(day, when)
            begins = collapse is not None and collapse.start <= day and "at" not in collapse.detail
            if begins and (slot == self.slots[p.code][-1][0] or rng.random() < 0.4):
                collapse.detail["at"] = t + timedelta(minutes=collapse.detail["delay"])
            if p.collapsed(t):
                self.stats.no_answer[key] = "collapse"
                continue
            if skipped_day:
                self.stats.no_answer[key] = "missed-days event"
                continue
            if p.is_away(t):
                self.stats.no_answer[key] = "in hospital"
                continue
            if p.in_outage(t):
                self.stats.no_answer[key] = "speaker/Wi-Fi outage"
                continue
            if rng.random() > p.answer_rate(slot, day, self.days):
                self.stats.no_answer[key] = {
                    "morning_only": "morning-only habit",
                    "irregular": "irregular answerer",
                    "decaying": "decaying answer rate",
                }.get(p.habit, "slot skipped by chance")
                continue
            if late and when > last:
                self.stats.no_answer[key] = "late waking"
            actions.append((t, 2, lambda p=p, d=day, k=key: self.check_in(p, d, k)))
            voice = hosp is not None and hosp.detail["by"] == "voice"
            if voice and day == hosp.start and slot == "morning":
                start = t + timedelta(minutes=10)
                p.away.append((start, at(hosp.detail["actual_return"], 15 * 60)))
                until = hosp.detail["declared_end"]
                actions.append((start, 3, lambda p=p, u=until: self.declare_by_voice(p, u)))
        measured = at(day, 21 * 60)
        if p.missing_day(day) or p.is_away(measured) or p.collapsed(measured):
            return
        if p.pedometer:
            row = (p.id, measured, "steps", str(self.steps_of(p, day)))
            if p.pedometer == "gateway" and p.in_outage(at(day, 23 * 60 + 30)):
                p.pending_steps.append(row)
            else:
                rows.extend(p.pending_steps)
                p.pending_steps.clear()
                rows.append(row)
        if p.scale and day.toordinal() % 3 == p.idx % 3:
            weight = p.true_weight(day) + rng.gauss(0, 0.3)
            rows.append((p.id, at(day, 6 * 60 + 50), "weight", f"{weight:.1f}"))

    def run(self, days: int, every: int) -> None:
        for offset in range(days):
            day = START + timedelta(days=offset)
            actions: list[tuple[datetime, int, Callable[[], None]]] = []
            rows: list[tuple[str, datetime, str, str]] = []
            for p in self.people:
                self.plan_person(p, day, actions, rows)
            actions.append((at(day, 23 * 60 + 30), 0, lambda rows=rows: self.import_rows(rows)))
            for minutes in range(every, 24 * 60 + 1, every):
                actions.append((at(day, minutes), 9, self.run_jobs))
            actions.sort(key=lambda a: (a[0], a[1]))
            for moment, _, action in actions:
                self.now = moment
                action()
            if offset % 15 == 14 or offset == days - 1:
                runs = self.stats.run_seconds
                print(
                    f"  day {offset + 1:3d} {day}: {sum(self.stats.calls.values()):,} service calls,"
                    f" {len(runs):,} job runs (median {statistics.median(runs):.2f}s)",
                    flush=True,
                )


# ---------------------------------------------------------------------------------------------
# Scoring


def load_alerts(
    svc: Any,
) -> tuple[list[Any], dict[tuple[str, str], datetime], set[tuple[str, str]]]:
    """Return every alert; per (alert, family|center), when its first message was queued; and
    the (alert, family|center) pairs a message actually reached (sent, not withdrawn)."""
    from sqlalchemy import select

    from backend.stores.sql import tables as t
    from backend.stores.sql.codecs import alert_from_row

    with svc.uow() as uow:
        rows = uow.connection.execute(select(t.alerts)).all()
        alerts = [alert_from_row(r._mapping) for r in rows]
        sent = uow.connection.execute(
            select(
                t.outbox_messages.c.alert_id,
                t.recipients.c.elder_id,
                t.outbox_messages.c.created_at,
                t.outbox_messages.c.sent_at,
            ).join(t.recipients, t.recipients.c.id == t.outbox_messages.c.recipient_id)
        ).all()
    first: dict[tuple[str, str], datetime] = {}
    reached: set[tuple[str, str]] = set()
    for alert_id, elder_id, created, sent_at in sent:
        key = (alert_id, "family" if elder_id else "center")
        created = created if created.tzinfo else created.replace(tzinfo=ZoneInfo("UTC"))
        if key not in first or created < first[key]:
            first[key] = created
        if sent_at is not None:
            reached.add(key)
    return alerts, first, reached


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


@dataclass(frozen=True)
class Finding:
    """One finding of a grouped follow-up item, scored like an alert of its own rule."""

    id: str
    elder_id: str
    rule: str
    period: str
    evidence: dict[str, Any]
    created_at: datetime
    stage: int = 0


def findings_of(alert: Any) -> list[Any]:
    """An alert, or the findings of a follow-up item (each dated by its own period)."""
    if alert.rule != "follow_up":
        return [alert]
    found = []
    for n, f in enumerate(alert.evidence.get("findings", ())):
        period = f["period"]
        try:
            day = date.fromisoformat(period[:10])
        except ValueError:
            if "-W" in period:
                year, week = period.split("-W")
                day = date.fromisocalendar(int(year), int(week), 1)
            else:
                day = alert.created_at.astimezone(JST).date()
        created = max(alert.created_at, at(day, 12 * 60))
        found.append(
            Finding(f"{alert.id}#{n}", alert.elder_id, f["rule"], period, f["evidence"], created)
        )
    return found


def slot_chance(sim: Sim, p: Person, d: date, slot: str, first: int) -> float:
    """The chance the elder answers ``slot`` on ``d`` by habit, as ``plan_person`` draws it.

    On the weekday of their デイサービス (out 08:30-16:30) a slot whose usual time falls while
    they are out is answered only before the pick-up, half the time, and only if it opens
    10 minutes before it.
    """
    rate = p.answer_rate(slot, d, sim.days)
    if p.dayservice is not None and d.weekday() == p.dayservice[0]:
        out_start, out_end = 8 * 60 + 30, 16 * 60 + 30
        if out_start < p.usual[slot] < out_end:
            rate *= 0.5 if first < out_start - 10 else 0.0
    return rate


def first_missed_slot(sim: Sim, p: Person, t: datetime) -> datetime:
    """The start of the first slot missed: one the elder usually answers (their habit gives it
    a chance of 1 in 2 or more that day, ``slot_chance``) that ends after ``t`` and was not
    answered before it."""
    day = t.astimezone(JST).date()
    for offset in range(3):
        d = day + timedelta(days=offset)
        for slot, first, last in sim.slots[p.code]:
            if at(d, last) <= t or slot_chance(sim, p, d, slot, first) < 0.5:
                continue
            answered = sim.stats.answered.get((p.id, d, slot))
            if answered is not None and answered < t:
                continue
            return at(d, first)
    raise AssertionError("no slot after the collapse")


def cause_of(sim: Sim, a: Any, p: Person) -> str:
    from backend.domain import rules

    rule = base_rule(a.rule)
    if a.rule == rules.MISSED_CHECKIN:
        d, slot = a.period.split("/")
        reason = sim.stats.no_answer.get((a.elder_id, date.fromisoformat(d), slot))
        if reason == "in hospital" and p.event("hospital") is not None:
            reason = "after a hospital stay that overran the declared end"
        return f"missed_checkin: {reason or 'answered (late) after the alert'}"
    if a.rule == rules.WEIGHT_DROP:
        values = [v["value"] for v in a.evidence.get("recent", [])]
        med = statistics.median(values) if values else 0
        misheard = any(abs(v - med) > 5 for v in values)
        return f"weight_drop: {'misheard value' if misheard else 'season/clothes swing, drift'}"
    if a.rule.startswith("activity_drop"):
        opened = a.created_at.astimezone(JST).date()
        window = [opened - timedelta(days=i) for i in range(1, 8)]
        wet = statistics.mean(sim.weather[p.code].get(d, 1.0) for d in window) < 0.85
        return f"{a.rule}: " + (
            "rainy week / winter" if wet else "day-to-day noise, a stay, missed days"
        )
    if rule == rules.BP_HIGH:
        return "bp_high: home BP 160-179 / 100-119"
    if rule == "concern:condition":
        return "concern: one 悪い day"
    if rule == "concern:sleep":
        return "concern: poor-sleep spell"
    if rule.startswith("concern"):
        return f"{rule}: a concerning answer"
    if rule == rules.KIHON_CHECKLIST:
        return "kihon_checklist: monthly result"
    return f"{rule}: other"


def score(sim: Sim, days: int) -> dict[str, Any]:
    from backend.domain import rules

    alerts, first, reached = load_alerts(sim.svc)
    items = [a for a in alerts if a.rule == "follow_up"]
    alerts = [f for a in alerts for f in findings_of(a)]
    people = {p.id: p for p in sim.people}
    injected = [e for p in sim.people for e in p.events]
    matched: set[str] = set()
    for e in injected:
        p = people[e.elder]
        mine = [a for a in alerts if a.elder_id == e.elder]
        if e.kind == "bp_crisis" and "measured" not in e.detail:
            e.kind = "bp_crisis (not measured: no reading that day)"
            continue
        if e.kind == "weight_loss" and not (p.code == "032158" or p.scale):
            e.kind = "weight_loss (not weighed: no scale, no weight question)"
            continue
        if e.kind == "collapse":
            if "at" not in e.detail:
                e.kind = "collapse (after the last day)"
                continue
            t = e.detail["at"]
            ref = first_missed_slot(sim, p, t)
            e.detail["first_missed"] = ref
            # Alerts opened after the collapse, and a missed check-in already open about a
            # silence that began just before it (a slot skipped, then the collapse).
            last_answer = max(
                (w for (eid, _, _), w in sim.stats.answered.items() if eid == p.id and w < t),
                default=None,
            )
            e.alerts = [
                a
                for a in mine
                if a.created_at >= t - timedelta(minutes=1)
                or (
                    a.rule == rules.MISSED_CHECKIN
                    and last_answer is not None
                    and datetime.fromisoformat(a.evidence["slot_start"]) > last_answer
                )
            ]
            matched.update(a.id for a in e.alerts)
            fam = [first[(a.id, "family")] for a in e.alerts if (a.id, "family") in first]
            cen = [first[(a.id, "center")] for a in e.alerts if (a.id, "center") in first]
            if fam and cen:
                e.detected_at = max(min(fam), min(cen)).astimezone(JST)
                e.in_time = e.detected_at <= ref + timedelta(hours=COLLAPSE_HOURS)
            continue
        # A silence is one alert that climbs: the one about the missed days may have opened
        # the day before, at a slot skipped just before them (after the last answer).
        before = at(e.start, 0)
        last_answer = max(
            (w for (eid, _, _), w in sim.stats.answered.items() if eid == p.id and w < before),
            default=None,
        )
        for a in mine:
            opened = a.created_at.astimezone(JST)
            if e.kind == "missed_days":
                ok = a.rule == rules.MISSED_CHECKIN and (
                    e.start <= opened.date() <= e.end + timedelta(days=1)
                    or (
                        opened < before
                        and last_answer is not None
                        and datetime.fromisoformat(a.evidence["slot_start"]) > last_answer
                    )
                )
            elif e.kind == "bp_crisis":
                ok = a.rule == rules.BP_URGENT and e.start <= opened.date() <= e.start + timedelta(
                    days=1
                )
            elif e.kind == "weight_loss" and a.rule == rules.WEIGHT_DROP:
                ok = e.start + timedelta(days=14) <= opened.date() <= e.start + timedelta(days=84)
            elif e.kind == "step_drop" and a.rule == "activity_drop:steps":
                ok = e.start <= opened.date() <= e.start + timedelta(days=35)
            else:
                ok = False
            if ok:
                e.alerts.append(a)
                matched.add(a.id)
        if not e.alerts:
            continue
        first_alert = min(e.alerts, key=lambda a: a.created_at)
        e.detected_at = first_alert.created_at.astimezone(JST)
        if e.kind == "missed_days":
            e.in_time = any((a.id, "center") in first for a in e.alerts)
        elif e.kind == "bp_crisis":
            cen = [
                first[(a.id, "center")]
                for a in e.alerts
                if a.rule == rules.BP_URGENT and (a.id, "center") in first
            ]
            e.in_time = bool(cen) and min(cen) <= _bp_reading_time(sim, e) + timedelta(
                hours=BP_CRISIS_HOURS
            )
        elif e.kind == "step_drop":
            e.in_time = e.detected_at.date() <= e.start + timedelta(days=14)
        else:
            e.in_time = True
    with sim.svc.uow() as uow:
        periods = {p.id: uow.away.list_for_elder(p.id) for p in sim.people}
    inside_away = [
        a for a in alerts if any(period.covers(a.created_at) for period in periods[a.elder_id])
    ]
    unmatched = [a for a in alerts if a.id not in matched]
    # A message queued and withdrawn before it was sent (the elder showed up again) reached
    # nobody: counted apart, as "withdrawn".
    queued = [a for a in unmatched if (a.id, "family") in first or (a.id, "center") in first]
    told = [a for a in queued if (a.id, "family") in reached or (a.id, "center") in reached]
    withdrawn = [a for a in queued if a not in told]
    quiet = [a for a in unmatched if a not in queued]
    causes: Counter = Counter()
    quiet_causes: Counter = Counter()
    family_told = 0
    for a in told:
        causes[cause_of(sim, a, people[a.elder_id])] += 1
        family_told += (a.id, "family") in reached
    for a in quiet:
        if a.rule == rules.MISSED_CHECKIN or a.rule == rules.SPEAKER_SILENT:
            quiet_causes[f"{base_rule(a.rule)} (stage {a.stage})"] += 1
        else:
            where = "a finding in a follow-up item" if "#" in a.id else "an alert"
            quiet_causes[f"{cause_of(sim, a, people[a.elder_id])} ({where})"] += 1
    return {
        "alerts": alerts,
        "items": items,
        "first": first,
        "injected": injected,
        "told": told,
        "withdrawn": withdrawn,
        "family_told": family_told,
        "causes": causes,
        "quiet": quiet,
        "quiet_causes": quiet_causes,
        "inside_away": inside_away,
        "elder_months": len(sim.people) * days / MONTH_DAYS,
    }


def _bp_reading_time(sim: Sim, e: Injected) -> datetime:
    """When the crisis was measured (the elder gave their blood pressure that day)."""
    return e.detail.get("measured", at(e.start, 12 * 60))


def report(sim: Sim, result: dict[str, Any], days: int) -> None:
    alerts = result["alerts"]
    em = result["elder_months"]
    print(
        f"\nAlerts opened: {len(alerts)} over {em:.0f} elder-months ({len(alerts) / em * 100:.1f} per 100)"
    )
    by_rule: dict[str, list[Any]] = defaultdict(list)
    for a in alerts:
        by_rule[base_rule(a.rule)].append(a)
    first = result["first"]
    print(f"  {'rule':34s} {'alerts':>6s} {'family':>7s} {'center':>7s}  stages")
    for rule in sorted(by_rule):
        group = by_rule[rule]
        fam = sum((a.id, "family") in first for a in group)
        cen = sum((a.id, "center") in first for a in group)
        stages = Counter(a.stage for a in group)
        print(
            f"  {rule:34s} {len(group):6d} {fam:7d} {cen:7d}  "
            + " ".join(f"{s}:{stages[s]}" for s in sorted(stages))
        )

    print("\nRecall on injected events (found / in time)")
    by_kind: dict[str, list[Injected]] = defaultdict(list)
    for e in result["injected"]:
        by_kind[e.kind].append(e)
    total = in_time = 0
    windows = {
        "collapse": f"family and care center told within {COLLAPSE_HOURS} h of the first missed slot",
        "bp_crisis": f"bp_urgent to the care center within {BP_CRISIS_HOURS} h of the reading",
        "missed_days": "an alert about the two days reached the care center",
        "weight_loss": "weight_drop 14-84 days after the loss began",
        "step_drop": "activity_drop:steps within 14 days",
    }
    for kind in windows:
        group = by_kind.get(kind, [])
        if not group:
            continue
        found = [e for e in group if e.detected_at is not None]
        ok = [e for e in group if e.in_time]
        total += len(group)
        in_time += len(ok)
        extra = ""
        if kind == "collapse":
            delays = [
                (e.detected_at - e.detail["first_missed"]).total_seconds() / 3600 for e in found
            ]
            if delays:
                extra = f"; hours to both told: median {statistics.median(delays):.1f}, max {max(delays):.1f}"
            people = {p.id: p for p in sim.people}
            late = [
                f"{people[e.elder].habit} "
                + (
                    "never"
                    if e.detected_at is None
                    else f"{(e.detected_at - e.detail['first_missed']).total_seconds() / 3600:.1f} h"
                )
                + f" (first missed slot {e.detail['first_missed']:%m-%d %H:%M})"
                for e in group
                if not e.in_time
            ]
            if late:
                extra += "; not in time: " + ", ".join(late)
        print(
            f"  {kind:12s} found {len(found):3d}/{len(group):<3d} in time {len(ok):3d} = {len(ok) / len(group):6.1%}  ({windows[kind]}){extra}"
        )
    uncounted = Counter(kind for kind in by_kind if kind not in windows and kind != "hospital")
    for kind in sorted(uncounted):
        print(f"  not counted: {len(by_kind[kind])} {kind}")
    recall = in_time / total if total else float("nan")
    verdict = "met" if recall >= TARGET_RECALL else "NOT met"
    print(
        f"  overall recall in time {in_time}/{total} = {recall:.1%} (target >= {TARGET_RECALL:.0%}: {verdict})"
    )
    stays = by_kind.get("hospital", [])
    print(
        f"  hospital stays: {len(stays)}; alerts opened inside a declared stay: {len(result['inside_away'])}"
    )

    told = result["told"]
    rate = len(told) / em * 100
    verdict = "met" if rate <= TARGET_FALSE else "NOT met"
    print(
        f"\nFalse alerts that reached family or the care center: {len(told)} = {rate:.1f} per 100"
        f" elder-months (target <= {TARGET_FALSE:.0f}: {verdict}); family told in {result['family_told']}"
    )
    for cause, count in result["causes"].most_common():
        print(f"    {cause:66s} {count:5d}  ({count / em * 100:6.1f} per 100 elder-months)")
    withdrawn = result["withdrawn"]
    print(
        f"  queued, then withdrawn before sending (the elder showed up again): {len(withdrawn)}"
        f" = {len(withdrawn) / em * 100:.1f} per 100 elder-months"
    )
    items = result["items"]
    print(
        f"  follow-up items on the dashboard (one per elder and month, nobody messaged): {len(items)}"
        f" = {len(items) / em * 100:.1f} per 100 elder-months"
    )
    quiet = result["quiet"]
    print(
        f"  shown on the dashboard only (nobody messaged): {len(quiet)} = {len(quiet) / em * 100:.1f} per 100 elder-months"
    )
    for cause, count in result["quiet_causes"].most_common():
        print(f"    {cause:66s} {count:5d}  ({count / em * 100:6.1f} per 100 elder-months)")


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


def keep(sim: Sim, db: Path, folder: Path) -> None:
    """Copy the database and pickle the population and the answer log (``--keep``)."""
    import pickle
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(db, folder / "sim.db")
    state = {
        "people": sim.people,
        "answered": sim.stats.answered,
        "no_answer": sim.stats.no_answer,
        "scheduler_down": sim.scheduler_down,
        "slots": sim.slots,
        "days": sim.days,
    }
    (folder / "state.pickle").write_bytes(pickle.dumps(state))
    print(f"kept {folder}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elders", type=int, default=60)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--every", type=int, default=60, help="run the jobs every N minutes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--engagement-lift",
        type=float,
        default=0.0,
        help="share of skipped slots that engagement turns into answers (0-1; default 0)",
    )
    parser.add_argument(
        "--policy",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="what-if: publish both municipalities' policies with this setting changed (repeatable)",
    )
    parser.add_argument(
        "--no-watchdog",
        action="store_true",
        help="leave out the web app's jobs watchdog (the jobs then wait for the scheduler)",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        help="copy the SQLite file and the population (pickle) into this folder for a post-mortem",
    )
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
    if not 0 <= args.engagement_lift < 1:
        parser.error("--engagement-lift must be at least 0 and below 1")
    people = build_population(args.elders, args.days, rng)
    from questions.engagement_files import engagement_for

    engaged = {code: engagement_for(code).enabled for code in {p.code for p in people}}
    for person in people:  # after the population is drawn: the same seed, the same people
        person.lift = args.engagement_lift if engaged[person.code] else 0.0
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
            sim.setup(args.days)
            sim.watchdog = not args.no_watchdog
            sim.publish_policies(args.policy)
            kinds = Counter(e.kind for p in people for e in p.events)
            habits = Counter(p.habit for p in people)
            print(
                f"Python {sys.version.split()[0]}; {args.elders} elders x {args.days} days from {START}"
                f" (seed {args.seed}); jobs.run_due every {args.every} min, down {sim.scheduler_down[0][0]:%m-%d %H:%M}"
                f" and {sim.scheduler_down[1][0]:%m-%d %H:%M}; habits "
                + ", ".join(f"{k} {v}" for k, v in sorted(habits.items()))
                + f"; outages {sum(len(p.outages) for p in people)}; デイサービス {sum(1 for p in people if p.dayservice)}"
                + (f"; policy {', '.join(args.policy)}" if args.policy else "")
                + "; injected: "
                + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
            )
            sim.run(args.days, args.every)
            result = score(sim, args.days)
            lifted = sorted(code for code, on in engaged.items() if on)
            print(
                f"engagement lift {args.engagement_lift:g} (engagement on in: {lifted or 'none'})"
            )
            report(sim, result, args.days)
            if args.keep is not None:
                keep(sim, Path(tmp) / "sim.db", args.keep)
            runs = sim.stats.run_seconds
            print(
                f"\nService calls: {sum(sim.stats.calls.values()):,}; jobs.run_due: {len(runs):,} runs"
                f" ({sim.stats.skipped_runs} skipped: scheduler down), median {statistics.median(runs):.2f}s,"
                f" max {max(runs):.2f}s; e-mails received by the SMTP sink: {sink.count:,}"
            )
            caught = sim.stats.caught_up
            print(
                "web app's jobs watchdog: "
                + (
                    "off"
                    if not sim.watchdog
                    else f"caught up {len(caught)} times"
                    + (
                        f" (first {caught[0]:%m-%d %H:%M}, last {caught[-1]:%m-%d %H:%M})"
                        if caught
                        else ""
                    )
                )
            )
    finally:
        controller.stop()
    print(f"total time {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
