"""Row <-> domain mapping of the watch tables: elders, check-ins, answers, alerts, outbox."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
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
    Withdrawal,
    WithdrawalMethod,
)
from backend.stores.sql.column_types import optional_utc, to_utc


def municipality_to_row(municipality: Municipality) -> dict[str, Any]:
    """Return the ``municipalities`` row of a municipality."""
    return {"code": municipality.code, "name": municipality.name}


def municipality_from_row(row: Mapping[str, Any]) -> Municipality:
    """Return the municipality of a ``municipalities`` row."""
    return Municipality(code=row["code"], name=row["name"])


def center_to_row(center: CareCenter) -> dict[str, Any]:
    """Return the ``care_centers`` row of a center."""
    return {"id": center.id, "municipality_code": center.municipality_code, "name": center.name}


def center_from_row(row: Mapping[str, Any]) -> CareCenter:
    """Return the center of a ``care_centers`` row."""
    return CareCenter(id=row["id"], municipality_code=row["municipality_code"], name=row["name"])


def consent_to_json(consent: Consent | None) -> dict[str, Any] | None:
    """Return the JSON document of a consent record (None stays None)."""
    if consent is None:
        return None
    return {
        "consented_on": consent.consented_on.isoformat(),
        "explained_by": consent.explained_by,
        "shares": [{"recipient": s.recipient, "what": s.what} for s in consent.shares],
        "reconfirm_on": consent.reconfirm_on.isoformat() if consent.reconfirm_on else None,
        **({"withdrawal": _withdrawal_to_json(consent.withdrawal)} if consent.withdrawal else {}),
    }


def _withdrawal_to_json(withdrawal: Withdrawal) -> dict[str, Any]:
    return {
        "at": to_utc(withdrawal.at).isoformat(),
        "recorded_by": withdrawal.recorded_by,
        "method": WithdrawalMethod(withdrawal.method).value,
        "note": withdrawal.note,
        "erased_at": to_utc(withdrawal.erased_at).isoformat() if withdrawal.erased_at else None,
    }


def _withdrawal_from_json(doc: Mapping[str, Any] | None) -> Withdrawal | None:
    if not doc:
        return None
    erased_at = doc.get("erased_at")
    return Withdrawal(
        at=datetime.fromisoformat(doc["at"]),
        recorded_by=doc["recorded_by"],
        method=WithdrawalMethod(doc["method"]),
        note=doc.get("note") or "",
        erased_at=datetime.fromisoformat(erased_at) if erased_at else None,
    )


def consent_from_json(doc: Mapping[str, Any] | None) -> Consent | None:
    """Return the consent record of its JSON document (None stays None)."""
    if doc is None:
        return None
    reconfirm_on = doc.get("reconfirm_on")
    return Consent(
        consented_on=date.fromisoformat(doc["consented_on"]),
        explained_by=doc["explained_by"],
        shares=tuple(Share(recipient=s["recipient"], what=s["what"]) for s in doc["shares"]),
        reconfirm_on=date.fromisoformat(reconfirm_on) if reconfirm_on else None,
        withdrawal=_withdrawal_from_json(doc.get("withdrawal")),
    )


def elder_to_row(elder: Elder) -> dict[str, Any]:
    """Return the ``elders`` row of an elder."""
    return {
        "id": elder.id,
        "name": elder.name,
        "kana": elder.kana,
        "municipality_code": elder.municipality_code,
        "center_id": elder.center_id,
        "district": elder.district,
        "status": ElderStatus(elder.status).value,
        "consent": consent_to_json(elder.consent),
        "overrides": dict(elder.overrides),
    }


def elder_from_row(row: Mapping[str, Any]) -> Elder:
    """Return the elder of an ``elders`` row."""
    return Elder(
        id=row["id"],
        name=row["name"],
        kana=row["kana"],
        municipality_code=row["municipality_code"],
        center_id=row["center_id"],
        district=row["district"],
        status=ElderStatus(row["status"]),
        consent=consent_from_json(row["consent"]),
        overrides=dict(row["overrides"] or {}),
    )


def binding_to_row(binding: DeviceBinding) -> dict[str, Any]:
    """Return the ``device_bindings`` row of a binding."""
    return {
        "alexa_user_id": binding.alexa_user_id,
        "device_id": binding.device_id,
        "elder_id": binding.elder_id,
        "bound_at": to_utc(binding.bound_at),
    }


def binding_from_row(row: Mapping[str, Any]) -> DeviceBinding:
    """Return the binding of a ``device_bindings`` row."""
    return DeviceBinding(
        alexa_user_id=row["alexa_user_id"],
        device_id=row["device_id"],
        elder_id=row["elder_id"],
        bound_at=row["bound_at"],
    )


def pairing_code_to_row(code: PairingCode) -> dict[str, Any]:
    """Return the ``pairing_codes`` row of a pairing code."""
    return {
        "code": code.code,
        "elder_id": code.elder_id,
        "expires_at": to_utc(code.expires_at),
        "used_at": optional_utc(code.used_at),
    }


def pairing_code_from_row(row: Mapping[str, Any]) -> PairingCode:
    """Return the pairing code of a ``pairing_codes`` row."""
    return PairingCode(
        code=row["code"],
        elder_id=row["elder_id"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
    )


def checkin_to_row(checkin: CheckIn) -> dict[str, Any]:
    """Return the ``checkins`` row of a check-in."""
    return {
        "id": checkin.id,
        "elder_id": checkin.elder_id,
        "date": checkin.date,
        "slot": str(checkin.slot),
        "status": CheckInStatus(checkin.status).value,
        "started_at": to_utc(checkin.started_at),
        "completed_at": optional_utc(checkin.completed_at),
    }


def checkin_from_row(row: Mapping[str, Any]) -> CheckIn:
    """Return the check-in of a ``checkins`` row."""
    return CheckIn(
        id=row["id"],
        elder_id=row["elder_id"],
        date=row["date"],
        slot=row["slot"],
        status=CheckInStatus(row["status"]),
        started_at=row["started_at"],
        completed_at=row["completed_at"],
    )


def answer_to_row(answer: Answer) -> dict[str, Any]:
    """Return the ``answers`` row of an answer (without the surrogate id)."""
    return {
        "checkin_id": answer.checkin_id,
        "elder_id": answer.elder_id,
        "date": answer.date,
        "question_id": answer.question_id,
        "question_version": answer.question_version,
        "value": answer.value,
        "raw": answer.raw,
        "source": AnswerSource(answer.source).value,
        "answered_at": to_utc(answer.answered_at),
        "skipped": answer.skipped,
        "request_id": answer.request_id,
    }


def answer_from_row(row: Mapping[str, Any]) -> Answer:
    """Return the answer of an ``answers`` row."""
    return Answer(
        checkin_id=row["checkin_id"],
        elder_id=row["elder_id"],
        date=row["date"],
        question_id=row["question_id"],
        question_version=row["question_version"],
        value=row["value"],
        raw=row["raw"],
        source=AnswerSource(row["source"]),
        answered_at=row["answered_at"],
        skipped=row["skipped"],
        request_id=row["request_id"],
    )


def event_to_row(event: Event) -> dict[str, Any]:
    """Return the ``events`` row of an event."""
    return {
        "id": event.id,
        "elder_id": event.elder_id,
        "kind": EventKind(event.kind).value,
        "at": to_utc(event.at),
        "detail": dict(event.detail),
    }


def event_from_row(row: Mapping[str, Any]) -> Event:
    """Return the event of an ``events`` row."""
    return Event(
        id=row["id"],
        elder_id=row["elder_id"],
        kind=EventKind(row["kind"]),
        at=row["at"],
        detail=dict(row["detail"] or {}),
    )


def normalize_login(login: str) -> str:
    """Return the login as stored and compared (lower-cased)."""
    return login.lower()


def user_to_row(user: StaffUser) -> dict[str, Any]:
    """Return the ``staff_users`` row of a staff user (login lower-cased)."""
    return {
        "id": user.id,
        "login": normalize_login(user.login),
        "display_name": user.display_name,
        "role": StaffRole(user.role).value,
        "municipality_code": user.municipality_code,
        "center_id": user.center_id,
        "password_hash": user.password_hash,
        "created_at": to_utc(user.created_at),
        "active": bool(user.active),
    }


def user_from_row(row: Mapping[str, Any]) -> StaffUser:
    """Return the staff user of a ``staff_users`` row."""
    return StaffUser(
        id=row["id"],
        login=row["login"],
        display_name=row["display_name"],
        role=StaffRole(row["role"]),
        municipality_code=row["municipality_code"],
        center_id=row["center_id"],
        password_hash=row["password_hash"],
        created_at=row["created_at"],
        active=bool(row["active"]),
    )


def away_to_row(period: AwayPeriod) -> dict[str, Any]:
    """Return the ``away_periods`` row of an away period."""
    return {
        "id": period.id,
        "elder_id": period.elder_id,
        "kind": AwayKind(period.kind).value,
        "starts_at": to_utc(period.start),
        "ends_at": optional_utc(period.end),
        "set_by": period.set_by,
        "created_at": to_utc(period.created_at),
    }


def away_from_row(row: Mapping[str, Any]) -> AwayPeriod:
    """Return the away period of an ``away_periods`` row."""
    return AwayPeriod(
        id=row["id"],
        elder_id=row["elder_id"],
        kind=AwayKind(row["kind"]),
        start=row["starts_at"],
        end=row["ends_at"],
        set_by=row["set_by"],
        created_at=row["created_at"],
    )


def reading_to_row(reading: Reading) -> dict[str, Any]:
    """Return the ``readings`` row of a reading."""
    return {
        "elder_id": reading.elder_id,
        "kind": ReadingKind(reading.kind).value,
        "measured_at": to_utc(reading.measured_at),
        "value": reading.value,
        "source": reading.source,
    }


def reading_from_row(row: Mapping[str, Any]) -> Reading:
    """Return the reading of a ``readings`` row."""
    return Reading(
        elder_id=row["elder_id"],
        measured_at=row["measured_at"],
        kind=ReadingKind(row["kind"]),
        value=row["value"],
        source=row["source"],
    )


def alert_to_row(alert: Alert) -> dict[str, Any]:
    """Return the ``alerts`` row of an alert (enums as their values)."""
    return {
        "id": alert.id,
        "elder_id": alert.elder_id,
        "rule": alert.rule,
        "period": alert.period,
        "severity": Severity(alert.severity).value,
        "evidence": dict(alert.evidence),
        "created_at": to_utc(alert.created_at),
        "status": AlertStatus(alert.status).value,
        "stage": int(alert.stage),
        "claimed_by": alert.claimed_by,
        "claimed_at": optional_utc(alert.claimed_at),
        "outcome": None if alert.outcome is None else Outcome(alert.outcome).value,
        "note": alert.note,
        "resolved_at": optional_utc(alert.resolved_at),
    }


def alert_from_row(row: Mapping[str, Any]) -> Alert:
    """Return the alert of an ``alerts`` row."""
    outcome = row["outcome"]
    return Alert(
        id=row["id"],
        elder_id=row["elder_id"],
        rule=row["rule"],
        period=row["period"],
        severity=Severity(row["severity"]),
        evidence=dict(row["evidence"] or {}),
        created_at=row["created_at"],
        status=AlertStatus(row["status"]),
        stage=row["stage"],
        claimed_by=row["claimed_by"],
        claimed_at=row["claimed_at"],
        outcome=None if outcome is None else Outcome(outcome),
        note=row["note"],
        resolved_at=row["resolved_at"],
    )


def alert_change_to_row(change: AlertChange) -> dict[str, Any]:
    """Return the ``alert_changes`` row of a history entry (without the surrogate id)."""
    return {
        "alert_id": change.alert_id,
        "at": to_utc(change.at),
        "actor": change.actor,
        "action": change.action,
        "detail": dict(change.detail),
    }


def alert_change_from_row(row: Mapping[str, Any]) -> AlertChange:
    """Return the history entry of an ``alert_changes`` row."""
    return AlertChange(
        alert_id=row["alert_id"],
        at=row["at"],
        actor=row["actor"],
        action=row["action"],
        detail=dict(row["detail"] or {}),
    )


def recipient_to_row(recipient: Recipient) -> dict[str, Any]:
    """Return the ``recipients`` row of a recipient."""
    return {
        "id": recipient.id,
        "center_id": recipient.center_id,
        "elder_id": recipient.elder_id,
        "name": recipient.name,
        "relation": recipient.relation,
        "channel": recipient.channel,
        "address": recipient.address,
        "quiet_start": recipient.quiet_start,
        "quiet_end": recipient.quiet_end,
        "active": bool(recipient.active),
        "linked_at": optional_utc(recipient.linked_at),
    }


def recipient_from_row(row: Mapping[str, Any]) -> Recipient:
    """Return the recipient of a ``recipients`` row."""
    return Recipient(
        id=row["id"],
        center_id=row["center_id"],
        elder_id=row["elder_id"],
        name=row["name"],
        relation=row["relation"],
        channel=row["channel"],
        address=row["address"],
        quiet_start=row["quiet_start"],
        quiet_end=row["quiet_end"],
        active=bool(row["active"]),
        linked_at=row["linked_at"],
    )


def outbox_to_row(message: OutboxMessage) -> dict[str, Any]:
    """Return the ``outbox_messages`` row of a message."""
    return {
        "id": message.id,
        "recipient_id": message.recipient_id,
        "channel": message.channel,
        "subject": message.subject,
        "body": message.body,
        "urgent": bool(message.urgent),
        "created_at": to_utc(message.created_at),
        "not_before": to_utc(message.not_before),
        "attempts": int(message.attempts),
        "next_attempt_at": optional_utc(message.next_attempt_at),
        "sent_at": optional_utc(message.sent_at),
        "last_error": message.last_error,
        "alert_id": message.alert_id,
        "last_attempt_at": optional_utc(message.last_attempt_at),
    }


def outbox_from_row(row: Mapping[str, Any]) -> OutboxMessage:
    """Return the message of an ``outbox_messages`` row."""
    return OutboxMessage(
        id=row["id"],
        recipient_id=row["recipient_id"],
        channel=row["channel"],
        subject=row["subject"],
        body=row["body"],
        urgent=bool(row["urgent"]),
        created_at=row["created_at"],
        not_before=row["not_before"],
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        sent_at=row["sent_at"],
        last_error=row["last_error"],
        alert_id=row["alert_id"],
        last_attempt_at=row["last_attempt_at"],
    )
