"""The keys every run agrees on: alert ids from (elder, rule, period), message ids from them."""

from __future__ import annotations

import uuid

from backend.domain.model import Alert, Recipient

SPEAKER_CHANNELS = frozenset({"alexa"})  # recipients that are the elder's own speaker
_KEY_NAMESPACE = uuid.UUID("6f1d4f5e-8c1b-4f4e-9a55-6d696d616d6f")


def alert_id(elder_id: str, rule: str, period: str) -> str:
    """Return the alert id derived from its unique key (so every run agrees on it)."""
    return uuid.uuid5(_KEY_NAMESPACE, f"{elder_id}/{rule}/{period}").hex


def message_id(alert: Alert, stage: int, recipient: Recipient) -> str:
    """Return the id of the message of an alert's stage to one recipient."""
    return uuid.uuid5(_KEY_NAMESPACE, f"{alert.id}/{stage}/{recipient.id}").hex


def ended_message_id(alert: Alert, recipient: Recipient) -> str:
    """Return the id of the message saying an alert's silence ended, to one recipient."""
    return uuid.uuid5(_KEY_NAMESPACE, f"{alert.id}/ended/{recipient.id}").hex
