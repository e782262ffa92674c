"""Consent withdrawal, erasure after the retention period, and disclosure (開示請求) exports.

- ``withdraw_consent`` records who, when and how, and stops all watching at once in one
  unit of work: the elder is no longer watchable (nothing asked, nothing counted missed,
  no rule evaluated), open alerts are closed, pending notifications about them given up,
  every family link and contact ended, every pairing and link code revoked.
- ``erase_due`` (the ``erase-withdrawn`` job) deletes or blanks the personal data of each
  elder whose withdrawal is older than the municipality's ``retention_days``: name, kana,
  consent details, free-text answers, event details, alert notes and raw evidence,
  speaker bindings, codes, family links and messages with their media. De-identified
  counts stay (check-ins, answer values, alerts with rule, dates and outcome, away
  periods, readings), as does the audit log (ids only). Idempotent: an erased elder
  carries ``erased_at`` and is skipped.
- ``disclosure`` returns everything stored about one elder, for a disclosure request.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any

from backend.domain.errors import Conflict
from backend.domain.model import (
    AlertChange,
    AlertStatus,
    Consent,
    Elder,
    ElderStatus,
    Outcome,
    ReadingKind,
    StaffUser,
    Withdrawal,
    WithdrawalMethod,
)
from backend.domain.staff import AuditEntry
from backend.media import MediaError
from backend.services.access import actor_of, audit, elder_in_scope
from backend.services.audit import record_view
from backend.services.context import Services
from backend.services.retry import retry_when_busy
from questions.policy import Policy

logger = logging.getLogger(__name__)

ERASED_NAME = "（削除済み）"
WITHDRAWN_NOTE = "同意の撤回により見守りを終了しました"
DISCLOSURE_FORMAT = 1
_EVIDENCE_TEXT_KEYS = frozenset({"raw", "detail", "note", "text", "words", "said"})


class NoConsent(Conflict):
    """The elder has no consent record to withdraw."""


class AlreadyWithdrawn(Conflict):
    """The elder's consent was withdrawn already."""


# --- withdrawal ----------------------------------------------------------------------------------


@retry_when_busy
def withdraw_consent(
    svc: Services,
    user: StaffUser,
    elder_id: str,
    method: WithdrawalMethod,
    note: str = "",
) -> Elder:
    """Record the withdrawal of the elder's consent and stop every kind of watching now.

    NotFound outside the user's scope; NoConsent without a consent record;
    AlreadyWithdrawn when it was withdrawn before (nothing changes).
    """
    now = svc.now()
    actor = actor_of(user)
    with svc.uow() as uow:
        elder = elder_in_scope(uow, user, elder_id)
        if elder.consent is None:
            raise NoConsent(f"elder {elder.id} has no consent record")
        if elder.consent.withdrawal is not None:
            raise AlreadyWithdrawn(f"elder {elder.id} withdrew consent already")
        withdrawal = Withdrawal(now, actor, WithdrawalMethod(method), note.strip())
        ended = replace(
            elder,
            status=ElderStatus.ENDED,
            consent=replace(elder.consent, withdrawal=withdrawal),
        )
        uow.elders.update(ended)
        links = 0
        for member in uow.recipients.list_for_elder(elder.id):
            if member.active:
                uow.recipients.update(replace(member, active=False))
                links += 1
        codes = uow.privacy.revoke_pairing_codes(elder.id, now)
        codes += uow.privacy.revoke_link_codes(elder.id, now)
        closed = given_up = 0
        for alert in uow.privacy.alerts_for(elder.id):
            for message in uow.outbox.list_for_alert(alert.id):
                if message.sent_at is None and not message.given_up:
                    uow.outbox.mark_failed(message.id, now, "consent withdrawn", None)
                    given_up += 1
            if alert.status is AlertStatus.RESOLVED:
                continue
            uow.alerts.update(
                replace(
                    alert,
                    status=AlertStatus.RESOLVED,
                    outcome=Outcome.OTHER,
                    note=WITHDRAWN_NOTE,
                    resolved_at=now,
                    claimed_by=alert.claimed_by or actor,
                    claimed_at=alert.claimed_at or now,
                )
            )
            uow.alerts.add_change(
                AlertChange(
                    alert.id,
                    now,
                    actor,
                    "resolved",
                    {"outcome": Outcome.OTHER.value, "reason": "consent_withdrawn"},
                )
            )
            closed += 1
        audit(
            uow,
            user,
            now,
            "withdraw_consent",
            elder.id,
            method=WithdrawalMethod(method).name,
            links_ended=links,
            codes_revoked=codes,
            alerts_closed=closed,
            messages_given_up=given_up,
        )
        uow.commit()
    return ended


# --- erasure after the retention period --------------------------------------------------------


@dataclass(frozen=True)
class ErasureReport:
    """What one run of the erasure job did."""

    erased: tuple[str, ...] = ()  # elder ids
    media_deleted: int = 0
    waiting: int = 0  # withdrawn elders still inside their retention period


def erase_after(withdrawal: Withdrawal, policy: Policy) -> datetime:
    """Return when the personal data of an elder who withdrew becomes due for erasure."""
    return withdrawal.at + timedelta(days=policy.retention_days)


def deidentified(value: Any) -> Any:
    """Return alert evidence without free text (raw answers, event details, notes)."""
    if isinstance(value, dict):
        return {k: deidentified(v) for k, v in value.items() if k not in _EVIDENCE_TEXT_KEYS}
    if isinstance(value, list | tuple):
        return [deidentified(v) for v in value]
    return value


def _erased_consent(consent: Consent, withdrawal: Withdrawal, now: datetime) -> Consent:
    return Consent(
        consented_on=consent.consented_on,
        explained_by="",
        shares=(),
        reconfirm_on=None,
        withdrawal=replace(withdrawal, note="", erased_at=now),
    )


@retry_when_busy
def _erase_one(svc: Services, elder_id: str, now: datetime) -> dict[str, int] | None:
    with svc.uow() as uow:
        elder = uow.elders.get(elder_id)
        if elder is None or elder.consent is None or elder.consent.withdrawal is None:
            return None
        withdrawal = elder.consent.withdrawal
        if withdrawal.erased_at is not None:
            return None
        counts = uow.privacy.erase_elder_records(elder.id)
        alerts = 0
        for alert in uow.privacy.alerts_for(elder.id):
            uow.alerts.update(replace(alert, note="", evidence=deidentified(alert.evidence)))
            alerts += 1
        counts["alerts"] = alerts
        counts["contacts"] = int(uow.contacts.delete(elder.id))
        uow.elders.update(
            replace(
                elder,
                name=ERASED_NAME,
                kana="",
                overrides={},
                consent=_erased_consent(elder.consent, withdrawal, now),
            )
        )
        uow.audit.add(AuditEntry(now, "system", "erase_personal_data", elder.id, dict(counts)))
        uow.commit()
    return counts


def _deleted(delete_media: Callable[[str], bool], key: str) -> bool:
    try:
        return delete_media(key)
    except MediaError:  # a key no store could hold: nothing to delete
        return False


def erase_due(
    svc: Services,
    policy_for: Callable[[str], Policy],
    delete_media: Callable[[str], bool] | None = None,
) -> ErasureReport:
    """Erase the personal data of every elder whose withdrawal passed the retention period.

    Media (family photos and videos) are deleted first through ``delete_media``; a
    crash before the store commits leaves the elder to the next run, which finds the
    files already gone and goes on.
    """
    now = svc.now()
    with svc.uow() as uow:
        withdrawn = [e for e in uow.elders.list_all() if e.withdrawn]
    erased: list[str] = []
    media = waiting = 0
    for elder in withdrawn:
        withdrawal = elder.consent.withdrawal if elder.consent else None
        if withdrawal is None or withdrawal.erased_at is not None:
            continue
        if now < erase_after(withdrawal, policy_for(elder.municipality_code)):
            waiting += 1
            continue
        if delete_media is not None:
            with svc.uow() as uow:
                keys = [m.media_key for m in uow.privacy.family_messages_for(elder.id)]
            try:
                media += sum(1 for key in keys if key and _deleted(delete_media, key))
            except OSError:
                # The store keeps the keys: the next run deletes the files, then the rest.
                logger.exception("Media of elder %s not deleted; erasure postponed", elder.id)
                continue
        if _erase_one(svc, elder.id, now) is not None:
            erased.append(elder.id)
            logger.info("Erased the personal data of elder %s (consent withdrawn)", elder.id)
    return ErasureReport(tuple(erased), media, waiting)


# --- disclosure (開示請求) ------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _records(items: Iterable[Any], *, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        row = asdict(item)
        for key in drop:
            row.pop(key, None)
        rows.append(_plain(row))
    return rows


def disclosure(svc: Services, user: StaffUser, elder_id: str) -> dict[str, Any]:
    """Return everything stored about an elder in scope, for a disclosure request (audited).

    Family members appear with name, relation, channel and dates, not their LINE or
    e-mail address (that is the member's data, not the elder's).
    """
    now = svc.now()
    far_past, far_future = date(1900, 1, 1), now.date() + timedelta(days=1)
    since = datetime(1900, 1, 1, tzinfo=UTC)
    with svc.uow() as uow:
        elder = elder_in_scope(uow, user, elder_id)
        center = uow.centers.get(elder.center_id)
        alerts = uow.privacy.alerts_for(elder.id)
        readings = []
        for kind in ReadingKind:
            readings += uow.readings.list_for_elders(
                [elder.id], kind, since, now + timedelta(days=1)
            )[elder.id]
        links = uow.recipients.list_for_elder(elder.id)
        document = {
            "format": DISCLOSURE_FORMAT,
            "exported_at": _plain(now),
            "exported_by": actor_of(user),
            "elder": _plain(
                {
                    "id": elder.id,
                    "name": elder.name,
                    "kana": elder.kana,
                    "municipality_code": elder.municipality_code,
                    "center": center.name if center else elder.center_id,
                    "district": elder.district,
                    "status": elder.status,
                    "question_overrides": elder.overrides,
                }
            ),
            "consent": _plain(asdict(elder.consent)) if elder.consent else None,
            "contacts": _plain(asdict(found)) if (found := uow.contacts.get(elder.id)) else None,
            "checkins": _records(uow.checkins.list_for_elder(elder.id, far_past, far_future)),
            "answers": _records(uow.answers.list_for_elder(elder.id, far_past, far_future)),
            "events": _records(uow.events.list_for_elder(elder.id)),
            "readings": _records(readings),
            "alerts": [
                {**_plain(asdict(a)), "history": _records(uow.alerts.history(a.id))} for a in alerts
            ],
            "away_periods": _records(uow.away.list_for_elder(elder.id)),
            "family_links": _records(links, drop=("address", "center_id", "elder_id")),
            "family_messages": _records(
                uow.privacy.family_messages_for(elder.id), drop=("media_key",)
            ),
            "speaker_pairing_codes": _records(
                uow.privacy.pairing_codes_for(elder.id), drop=("code",)
            ),
            "audit_log": _records(uow.audit.list_for_elder(elder.id)),
        }
    record_view(svc, user, now, "export_disclosure", elder.id, format=DISCLOSURE_FORMAT)
    return document


_CSV_TABLES = {
    "answers.csv": (
        "answers",
        ("date", "question_id", "value", "raw", "skipped", "source", "answered_at"),
    ),
    "checkins.csv": ("checkins", ("date", "slot", "status", "started_at", "completed_at")),
    "alerts.csv": (
        "alerts",
        ("created_at", "rule", "period", "severity", "status", "outcome", "note", "resolved_at"),
    ),
    "audit_log.csv": ("audit_log", ("at", "actor", "action")),
}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def disclosure_zip(document: dict[str, Any]) -> bytes:
    """Return a zip of the disclosure: the whole JSON document and CSVs of the main tables.

    CSVs are UTF-8 with a BOM so that Excel on Japanese Windows opens them correctly.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "disclosure.json", json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        )
        for name, (key, columns) in _CSV_TABLES.items():
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow(columns)
            for row in document[key]:
                writer.writerow([_cell(row.get(c)) for c in columns])
            archive.writestr(name, "\ufeff" + text.getvalue())
    return buffer.getvalue()
