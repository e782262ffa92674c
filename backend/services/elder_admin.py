"""What staff manage on an elder's page: the speaker's pairing code, family links, overrides.

Every function takes the staff member, checks the scope (an elder outside it is NotFound,
exactly like one that does not exist) and appends an audit entry in the same unit of work
as the change. Codes are secrets: they are returned once to the caller and never written
to the audit log or the logs.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

from backend.domain.errors import Conflict, NotFound
from backend.domain.family import LINE_CHANNEL, LinkCode
from backend.domain.model import Elder, PairingCode, Recipient, StaffUser
from backend.services import family
from backend.services.access import audit, elder_in_scope
from backend.services.audit import record_view
from backend.services.context import Services
from backend.services.retry import retry_when_busy
from backend.services.setup import PAIRING_CODE_TTL
from questions.loader import QuestionSetError, parse_overrides
from questions.schema import WEEKDAYS, ElderOverrides, WeeklyAbsence

_PAIRING_ATTEMPTS = 20


class ElderNotWatched(Conflict):
    """The elder withdrew consent: nothing new may be set up for them."""


class ConsentNotRecorded(ElderNotWatched):
    """The elder has no consent record yet: a speaker or family is set up after consent."""


def _watched(elder: Elder) -> Elder:
    if elder.withdrawn:
        raise ElderNotWatched(f"elder {elder.id} withdrew consent")
    if elder.consent is None:
        raise ConsentNotRecorded(f"elder {elder.id} has no consent record")
    return elder


# --- the panel -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionTimes:
    """One question of the municipality's set with the slots it is asked in for this elder."""

    id: str
    title: str
    default_slots: tuple[str, ...]
    slots: tuple[str, ...]  # empty: not asked of this elder

    @property
    def changed(self) -> bool:
        """Return True when the elder's slots differ from the set's."""
        return self.slots != self.default_slots


@dataclass(frozen=True)
class ElderAdmin:
    """The elder page's management part: pairing, family links, question times."""

    elder: Elder
    pairing: PairingCode | None  # the usable code, if any (its digits are never shown again)
    links: tuple[Recipient, ...]  # family members linked on LINE, active first
    link_codes: tuple[LinkCode, ...]  # family link codes still usable
    slots: tuple[tuple[str, str], ...]  # (id, label) of the municipality's slots
    questions: tuple[QuestionTimes, ...]
    overrides_valid: bool
    # Known weekly absences (デイサービス, 通院): weekday → (kind, slots); none: no absence.
    absences: tuple[WeeklyAbsence, ...] = ()


def _question_times(
    svc: Services, elder: Elder
) -> tuple[tuple[tuple[str, str], ...], tuple[QuestionTimes, ...], bool]:
    qset = svc.question_set(elder.municipality_code)
    try:
        overrides = parse_overrides(elder.overrides, f"elder {elder.id} overrides")
        valid = True
    except QuestionSetError:
        overrides, valid = ElderOverrides(), False
    order = [s.id for s in qset.slots]
    rows = []
    for q in qset.questions:
        default = tuple(s for s in order if s in q.schedule.slots)
        if q.id in overrides.remove:
            slots: tuple[str, ...] = ()
        elif q.id in overrides.schedules:
            slots = tuple(s for s in order if s in overrides.schedules[q.id].slots)
        else:
            slots = default
        rows.append(QuestionTimes(q.id, q.title, default, slots))
    return tuple((s.id, s.label) for s in qset.slots), tuple(rows), valid


def panel(svc: Services, user: StaffUser, elder_id: str) -> ElderAdmin:
    """Return the management part of the elder page of an elder in scope (audited)."""
    now = svc.now()
    with svc.uow() as uow:
        elder = elder_in_scope(uow, user, elder_id)
        pairing = next(
            (c for c in reversed(uow.privacy.pairing_codes_for(elder.id)) if c.usable(now)), None
        )
        links = [r for r in uow.recipients.list_for_elder(elder.id) if r.channel == LINE_CHANNEL]
        codes = [c for c in uow.privacy.link_codes_for(elder.id) if c.usable(now)]
    record_view(svc, user, now, "view_elder_admin", elder.id, parts=["pairing", "family", "times"])
    slots, questions, valid = _question_times(svc, elder)
    try:
        absences = parse_overrides(elder.overrides, "overrides").absences
    except QuestionSetError:
        absences = ()
    return ElderAdmin(
        elder=elder,
        pairing=pairing,
        links=tuple(sorted(links, key=lambda r: (not r.active, r.name, r.id))),
        link_codes=tuple(codes),
        slots=slots,
        questions=questions,
        overrides_valid=valid,
        absences=absences,
    )


# --- the speaker's pairing code ------------------------------------------------------------------


@retry_when_busy
def issue_pairing_code(svc: Services, user: StaffUser, elder_id: str) -> PairingCode:
    """Issue a new one-time pairing code for the elder's speaker; earlier unused ones end.

    Six digits without a leading zero (Alexa may drop it), valid ``PAIRING_CODE_TTL``.
    """
    now = svc.now()
    with svc.uow() as uow:
        elder = _watched(elder_in_scope(uow, user, elder_id))
        revoked = uow.privacy.revoke_pairing_codes(elder.id, now)
        for _ in range(_PAIRING_ATTEMPTS):
            code = PairingCode(
                str(100_000 + secrets.randbelow(900_000)), elder.id, now + PAIRING_CODE_TTL
            )
            if uow.devices.get_pairing_code(code.code) is None:
                break
        else:
            raise Conflict("no free pairing code; try again")
        uow.devices.add_pairing_code(code)
        audit(
            uow,
            user,
            now,
            "issue_pairing_code",
            elder.id,
            expires_at=code.expires_at.isoformat(),
            revoked=revoked,
        )
        uow.commit()
    return code


@retry_when_busy
def revoke_pairing_codes(svc: Services, user: StaffUser, elder_id: str) -> int:
    """End every unused pairing code of the elder now; return how many were ended."""
    now = svc.now()
    with svc.uow() as uow:
        elder = elder_in_scope(uow, user, elder_id)
        revoked = uow.privacy.revoke_pairing_codes(elder.id, now)
        audit(uow, user, now, "revoke_pairing_code", elder.id, revoked=revoked)
        uow.commit()
    return revoked


# --- family links --------------------------------------------------------------------------------


@retry_when_busy
def issue_family_code(
    svc: Services, user: StaffUser, elder_id: str, *, name: str, relation: str
) -> tuple[Elder, LinkCode]:
    """Issue a one-time LINE link code for a new family member of the elder (audited).

    The code (6 digits, valid ``family.LINK_CODE_LIFETIME``) is printed in the welcome
    letter. ValueError when the name or relation is empty; ElderNotWatched after a withdrawal.
    """
    name, relation = name.strip(), relation.strip()
    if not name or not relation:
        raise ValueError("お名前と続柄を入力してください")
    now = svc.now()
    with svc.uow() as uow:
        elder = _watched(elder_in_scope(uow, user, elder_id))
        for _ in range(_PAIRING_ATTEMPTS):
            code = LinkCode(
                f"{secrets.randbelow(1_000_000):06d}",
                elder.id,
                name,
                relation,
                now + family.LINK_CODE_LIFETIME,
            )
            if uow.family.get_link_code(code.code) is None:
                break
        else:
            raise Conflict("no free link code; try again")
        uow.family.add_link_code(code)
        audit(
            uow,
            user,
            now,
            "issue_link_code",
            elder.id,
            relation=relation,
            expires_at=code.expires_at.isoformat(),
        )
        uow.commit()
    return elder, code


@retry_when_busy
def unlink_member(svc: Services, user: StaffUser, elder_id: str, member_id: str) -> Recipient:
    """End one family member's LINE link to the elder: no push reaches them any more.

    NotFound when the member is not a LINE link of this elder (or the elder is out of scope).
    """
    now = svc.now()
    with svc.uow() as uow:
        elder = elder_in_scope(uow, user, elder_id)
        member = uow.recipients.get(member_id)
        if member is None or member.elder_id != elder.id or member.channel != LINE_CHANNEL:
            raise NotFound(f"family link {member_id}")
        ended = replace(member, active=False)
        if member.active:
            uow.recipients.update(ended)
        audit(uow, user, now, "unlink_family", elder.id, member_id=member.id)
        uow.commit()
    return ended


# --- question times (per-elder overrides) ---------------------------------------------------------


class BadTimes(ValueError):
    """The question times asked for do not fit the municipality's question set."""


@retry_when_busy
def set_question_times(
    svc: Services, user: StaffUser, elder_id: str, times: dict[str, list[str]]
) -> Elder:
    """Set in which slots each of the set's questions is asked of this elder (e.g. medication).

    ``times`` maps question ids of the municipality's set to slot ids; a question given no
    slot is not asked of this elder; one given its set's slots keeps no override. Questions
    not named keep what they had. Extra questions the elder was given (``add``) are kept.
    BadTimes for an unknown question or slot (nothing is stored).
    """
    now = svc.now()
    with svc.uow() as uow:
        elder = elder_in_scope(uow, user, elder_id)
        qset = svc.question_set(elder.municipality_code)
        slot_ids = [s.id for s in qset.slots]
        known = {q.id: q for q in qset.questions}
        try:
            current = parse_overrides(elder.overrides, f"elder {elder.id} overrides")
        except QuestionSetError:
            current = ElderOverrides()
        remove = [r for r in current.remove if r not in times]
        schedules = {k: v.slots for k, v in current.schedules.items() if k not in times}
        for question_id, chosen in times.items():
            question = known.get(question_id)
            if question is None:
                raise BadTimes(f"unknown question {question_id!r}")
            unknown = [s for s in chosen if s not in slot_ids]
            if unknown:
                raise BadTimes(f"unknown slot {unknown[0]!r}")
            ordered = tuple(s for s in slot_ids if s in chosen)
            default = tuple(s for s in slot_ids if s in question.schedule.slots)
            if not ordered:
                remove.append(question_id)
            elif ordered != default:
                schedules[question_id] = ordered
        overrides: dict = {}
        if current.add:
            overrides["add"] = list(current.add)
        if remove:
            overrides["remove"] = sorted(remove)
        if schedules:
            overrides["schedules"] = {k: {"slots": list(v)} for k, v in sorted(schedules.items())}
        if current.absences:
            overrides["absences"] = [a.model_dump(mode="json") for a in current.absences]
        parse_overrides(overrides, f"elder {elder.id} overrides")
        updated = replace(elder, overrides=overrides)
        uow.elders.update(updated)
        audit(uow, user, now, "set_question_times", elder.id, questions=sorted(times))
        uow.commit()
    return updated


# --- known weekly absences ------------------------------------------------------------


class BadAbsences(ValueError):
    """The weekly absences asked for name an unknown weekday, kind or slot."""


@retry_when_busy
def set_weekly_absences(
    svc: Services, user: StaffUser, elder_id: str, absences: dict[str, tuple[str, list[str]]]
) -> Elder:
    """Set the elder's known weekly absences: weekday (月…日) → (kind, slot ids).

    Kinds are ``dayservice``, ``clinic`` and ``other``; no slot means the whole day. The
    missed check-in rule does not count those slots (``rules.missed_checkin``). Replaces
    every absence; the rest of the overrides is kept. BadAbsences (nothing stored) for an
    unknown weekday, kind or slot.
    """
    now = svc.now()
    with svc.uow() as uow:
        elder = elder_in_scope(uow, user, elder_id)
        slot_ids = [s.id for s in svc.question_set(elder.municipality_code).slots]
        rows = []
        for weekday, (kind, slots) in absences.items():
            unknown = [s for s in slots if s not in slot_ids]
            if unknown:
                raise BadAbsences(f"unknown slot {unknown[0]!r}")
            ordered = [s for s in slot_ids if s in slots]
            rows.append({"kind": kind, "weekday": weekday, "slots": ordered})
        try:
            parsed = parse_overrides({"absences": rows}, "absences").absences
        except QuestionSetError as err:
            raise BadAbsences(str(err)) from err
        overrides = {k: v for k, v in elder.overrides.items() if k != "absences"}
        if parsed:
            weekdays = {w: n for n, w in enumerate(WEEKDAYS)}
            ordered_rows = sorted(parsed, key=lambda a: weekdays[a.weekday])
            overrides["absences"] = [a.model_dump(mode="json") for a in ordered_rows]
        parse_overrides(overrides, f"elder {elder.id} overrides")
        updated = replace(elder, overrides=overrides)
        uow.elders.update(updated)
        audit(uow, user, now, "set_weekly_absences", elder.id, weekdays=sorted(absences))
        uow.commit()
    return updated
