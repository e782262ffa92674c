"""DynamoDB repositories of an elder's days: check-ins, answers, events, away periods, readings."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from backend.domain.errors import Conflict, NotFound
from backend.domain.model import (
    Answer,
    AwayPeriod,
    CheckIn,
    CheckInStatus,
    Event,
    Reading,
    ReadingKind,
)
from backend.ports import (
    AnswerRepository,
    AwayRepository,
    CheckInRepository,
    EventRepository,
    ReadingRepository,
)
from backend.stores.dynamodb.base import DynamoRepository, by_elder, elder_pk, item
from backend.stores.dynamodb.codec import aware, decode, iso
from backend.stores.dynamodb.table import HIGH, PK, SK, TableSession, next_seq


def _checkin_sk(day: date, slot: str) -> str:
    return f"CHECKIN#{day.isoformat()}#{slot}"


def checkins_between(session: TableSession, elder_id: str, start: date, end: date) -> list[CheckIn]:
    """Return the elder's check-ins dated start..end, by date, start and id."""
    sort = ("between", f"CHECKIN#{start.isoformat()}", f"CHECKIN#{end.isoformat()}#{HIGH}")
    found = [decode(CheckIn, i) for i in session.query(elder_pk(elder_id), sort)]
    return sorted(found, key=lambda c: (c.date, c.started_at, c.id))


# --- check-ins and answers -------------------------------------------------------------


class DynamoCheckInRepository(DynamoRepository, CheckInRepository):
    """Check-ins in the elder's partition (CHECKIN#<date>#<slot>), with an id pointer."""

    def add(self, checkin: CheckIn) -> None:
        """Add a check-in; raise Conflict if (elder, date, slot) exists."""
        aware(checkin.started_at)
        aware(checkin.completed_at)
        sk = _checkin_sk(checkin.date, str(checkin.slot))
        pointer = f"CHECKIN#{checkin.id}"
        if self._exists(elder_pk(checkin.elder_id), sk) or self._exists(pointer, "#CHECKIN"):
            raise Conflict(f"check-in {checkin.id} already exists")
        self._s.put(item("checkin", elder_pk(checkin.elder_id), sk, checkin))
        self._s.put(
            {PK: pointer, SK: "#CHECKIN", "t": "checkin-id", "elder_id": checkin.elder_id, "at": sk}
        )

    def get(self, elder_id: str, day: date, slot: str) -> CheckIn | None:
        """Return the elder's check-in of that date and slot, or None."""
        return self._get(CheckIn, elder_pk(elder_id), _checkin_sk(day, str(slot)))

    def get_with_answered(
        self, elder_id: str, day: date, slot: str
    ) -> tuple[CheckIn, frozenset[str]] | None:
        """Return the check-in and the ids of the questions it has answers for (one lookup)."""
        checkin = self.get(elder_id, day, slot)
        if checkin is None:
            return None
        answers = self._s.query(f"CHECKIN#{checkin.id}", ("begins", "ANSWER#"))
        return checkin, frozenset(a["question_id"] for a in answers)

    def set_status(
        self, checkin_id: str, status: CheckInStatus, completed_at: datetime | None
    ) -> None:
        """Update a check-in's status; raise NotFound if absent."""
        aware(completed_at)
        pointer = self._s.get(f"CHECKIN#{checkin_id}", "#CHECKIN")
        stored = (
            self._get(CheckIn, elder_pk(pointer["elder_id"]), pointer["at"]) if pointer else None
        )
        if pointer is None or stored is None:
            raise NotFound(f"check-in {checkin_id} does not exist")
        changed = dataclasses.replace(
            stored, status=CheckInStatus(status), completed_at=completed_at
        )
        self._s.put(item("checkin", elder_pk(stored.elder_id), pointer["at"], changed))

    def list_for_elder(self, elder_id: str, start: date, end: date) -> list[CheckIn]:
        """Return the elder's check-ins with start <= date <= end, oldest first."""
        return checkins_between(self._s, elder_id, start, end)

    def list_for_elders(
        self, elder_ids: Sequence[str], start: date, end: date
    ) -> dict[str, list[CheckIn]]:
        """Return each asked elder's check-ins with start <= date <= end, as ``list_for_elder``."""
        return by_elder(elder_ids, lambda e: checkins_between(self._s, e, start, end))


PER_QUESTION_QUERIES = 4  # up to this many questions: one Query per question (gsi2)


def _question_partition(elder_id: str, question_id: str) -> str:
    return f"ELDER#{elder_id}#Q#{question_id}"


def _answer_order(found: Iterable[dict[str, Any]]) -> list[Answer]:
    rows = sorted(found, key=lambda i: (i["date"], i["answered_at"], i["seq"]))
    return [decode(Answer, row) for row in rows]


class DynamoAnswerRepository(DynamoRepository, AnswerRepository):
    """Answers in the check-in's partition; by elder and date on gsi1, per question on gsi2."""

    def add(self, answer: Answer) -> bool:
        """Store an answer; return False (storing nothing) if that question is answered."""
        aware(answer.answered_at)
        pk, sk = f"CHECKIN#{answer.checkin_id}", f"ANSWER#{answer.question_id}"
        if self._exists(pk, sk):
            return False
        seq = next_seq()
        stored = item(
            "answer",
            pk,
            sk,
            answer,
            gsi1pk=f"ELDER#{answer.elder_id}#ANSWERS",
            gsi1sk=f"{answer.date.isoformat()}#{seq}",
            gsi2pk=_question_partition(answer.elder_id, answer.question_id),
            gsi2sk=f"{answer.date.isoformat()}#{iso(answer.answered_at)}#{seq}",
        )
        stored["seq"] = seq
        self._s.put(stored)
        return True

    def list_for_checkin(self, checkin_id: str) -> list[Answer]:
        """Return the check-in's answers in the order given."""
        found = self._s.query(f"CHECKIN#{checkin_id}", ("begins", "ANSWER#"))
        return [decode(Answer, i) for i in sorted(found, key=lambda i: i["seq"])]

    def _between(self, elder_id: str, start: date, end: date) -> list[dict[str, Any]]:
        sort = ("between", start.isoformat(), f"{end.isoformat()}#{HIGH}")
        return self._s.query(f"ELDER#{elder_id}#ANSWERS", sort, index="gsi1")

    def list_for_elder(self, elder_id: str, start: date, end: date) -> list[Answer]:
        """Return the elder's answers with start <= date <= end, oldest first."""
        return _answer_order(self._between(elder_id, start, end))

    def list_for_elders(
        self,
        elder_ids: Sequence[str],
        start: date,
        end: date,
        question_ids: Collection[str] | None = None,
    ) -> dict[str, list[Answer]]:
        """Return each asked elder's answers with start <= date <= end, as ``list_for_elder``."""
        wanted = None if question_ids is None else sorted(set(question_ids))
        sort = ("between", start.isoformat(), f"{end.isoformat()}#{HIGH}")

        def fetch(elder_id: str) -> list[Answer]:
            if wanted is not None and len(wanted) <= PER_QUESTION_QUERIES:
                found = [
                    i
                    for question_id in wanted
                    for i in self._s.query(
                        _question_partition(elder_id, question_id), sort, index="gsi2"
                    )
                ]
                return _answer_order(found)
            found = self._between(elder_id, start, end)
            return _answer_order(i for i in found if wanted is None or i["question_id"] in wanted)

        return by_elder(elder_ids, fetch)

    def latest_value(self, elder_id: str, question_id: str, before: date) -> Answer | None:
        """Return the elder's newest non-skipped answer to the question dated before ``before``."""
        found = self._s.newest(
            _question_partition(elder_id, question_id),
            ("lt", before.isoformat()),
            index="gsi2",
            keep=lambda i: "skipped" not in i,
        )
        return decode(Answer, found) if found is not None else None


# --- events ----------------------------------------------------------------------------


class DynamoEventRepository(DynamoRepository, EventRepository):
    """Events in the elder's partition (EVENT#<at>#<id>), with an id marker."""

    def add(self, event: Event) -> None:
        """Store an event; raise Conflict if the id exists."""
        aware(event.at)
        if self._exists(f"EVENT#{event.id}", "#EVENT"):
            raise Conflict(f"event {event.id} already exists")
        sk = f"EVENT#{iso(event.at)}#{event.id}"
        self._s.put(item("event", elder_pk(event.elder_id), sk, event))
        self._s.put({PK: f"EVENT#{event.id}", SK: "#EVENT", "t": "event-id", "at": sk})

    def exists(self, event_id: str) -> bool:
        """Return True if an event with this id is stored (its id marker)."""
        return self._exists(f"EVENT#{event_id}", "#EVENT")

    def _since(self, elder_id: str, since: str) -> list[Event]:
        found = self._query(
            Event, elder_pk(elder_id), ("between", f"EVENT#{since}", f"EVENT#{HIGH}")
        )
        return sorted(found, key=lambda e: (e.at, e.id))

    def list_for_elder(self, elder_id: str) -> list[Event]:
        """Return the elder's events, oldest first (by ``at``, then id)."""
        return self._since(elder_id, "")

    def list_for_elders(self, elder_ids: Sequence[str], since: datetime) -> dict[str, list[Event]]:
        """Return each asked elder's events at or after ``since``, oldest first (one query)."""
        start = iso(since)
        return by_elder(elder_ids, lambda e: self._since(e, start))


# --- away periods and readings ---------------------------------------------------------


def _away_item(period: AwayPeriod) -> dict[str, Any]:
    return item(
        "away",
        f"AWAY#{period.id}",
        "#AWAY",
        period,
        gsi1pk=f"ELDER#{period.elder_id}#AWAY",
        gsi1sk=f"{iso(period.start)}#{period.id}",
    )


class DynamoAwayRepository(DynamoRepository, AwayRepository):
    """Away periods: AWAY#<id>; by elder and start on gsi1."""

    def add(self, period: AwayPeriod) -> None:
        """Add an away period; raise Conflict if the id exists."""
        aware(period.start)
        aware(period.end)
        aware(period.created_at)
        if self._exists(f"AWAY#{period.id}", "#AWAY"):
            raise Conflict(f"away period {period.id} already exists")
        self._s.put(_away_item(period))

    def _starting_before(self, elder_id: str, end: str | None) -> list[AwayPeriod]:
        sort = ("lt", end) if end is not None else None
        found = self._query(AwayPeriod, f"ELDER#{elder_id}#AWAY", sort, index="gsi1")
        return sorted(found, key=lambda p: (p.start, p.id))

    def list_for_elder(self, elder_id: str) -> list[AwayPeriod]:
        """Return the elder's periods, past and present, ordered by start, then id."""
        return self._starting_before(elder_id, None)

    def active_for_elders(
        self, elder_ids: Sequence[str], start: datetime, end: datetime
    ) -> dict[str, list[AwayPeriod]]:
        """Return each asked elder's periods overlapping the window ``[start, end)``."""
        aware(start)
        aware(end)

        def fetch(elder_id: str) -> list[AwayPeriod]:
            found = self._starting_before(elder_id, iso(end))
            return [p for p in found if p.start < end and (p.end is None or start < p.end)]

        return by_elder(elder_ids, fetch)

    def end_period(self, period_id: str, at: datetime) -> None:
        """Set the period's end to ``at`` (replacing any end it had); raise NotFound if absent."""
        aware(at)
        stored = self._get(AwayPeriod, f"AWAY#{period_id}", "#AWAY")
        if stored is None:
            raise NotFound(f"away period {period_id} does not exist")
        self._s.put(_away_item(dataclasses.replace(stored, end=at)))


def _reading_sk(kind: str, at: str) -> str:
    return f"READING#{kind}#{at}"


class DynamoReadingRepository(DynamoRepository, ReadingRepository):
    """Readings in the elder's partition, keyed READING#<kind>#<measured_at UTC>."""

    def add_many(self, readings: Iterable[Reading]) -> int:
        """Store the readings not stored yet; return how many were new."""
        given = list(readings)
        for reading in given:
            aware(reading.measured_at)
        groups: dict[tuple[str, str], list[Reading]] = {}
        for reading in given:
            groups.setdefault((reading.elder_id, ReadingKind(reading.kind).value), []).append(
                reading
            )
        added = 0
        for (elder_id, kind), group in groups.items():
            stamps = [iso(r.measured_at) for r in group]
            sort = ("between", _reading_sk(kind, min(stamps)), _reading_sk(kind, max(stamps)))
            taken = {i[SK] for i in self._s.query(elder_pk(elder_id), sort)}
            for reading, stamp in zip(group, stamps, strict=True):
                sk = _reading_sk(kind, stamp)
                if sk in taken:
                    continue
                taken.add(sk)
                self._s.put(item("reading", elder_pk(elder_id), sk, reading))
                added += 1
        return added

    def list_for_elders(
        self, elder_ids: Sequence[str], kind: ReadingKind, start: datetime, end: datetime
    ) -> dict[str, list[Reading]]:
        """Return each asked elder's readings of ``kind`` with start <= measured_at < end."""
        aware(start)
        aware(end)
        wanted = ReadingKind(kind).value
        sort = ("between", _reading_sk(wanted, iso(start)), _reading_sk(wanted, iso(end)))

        def fetch(elder_id: str) -> list[Reading]:
            found = self._query(Reading, elder_pk(elder_id), sort)
            return sorted((r for r in found if r.measured_at < end), key=lambda r: r.measured_at)

        return by_elder(elder_ids, fetch)
