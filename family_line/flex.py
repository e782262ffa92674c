"""LINE messages with buttons: alerts as Flex bubbles, outcome and away choices as quick replies."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from backend.domain.model import AwayKind, Elder, Outcome
from family_line.messages import AWAY_NAMES, say

CLAIM_LABEL = "私が確認します"
ALT_TEXT_MAX = 400
LABEL_MAX = 20


def postback_data(action: str, **fields: str) -> str:
    """Return postback data ``action=…&…`` (LINE allows 300 characters)."""
    return urlencode({"action": action, **fields})


def alert_bubble(subject: str, body: str, alert_id: str) -> dict[str, Any]:
    """Return an alert as a Flex message with the 「私が確認します」 button."""
    return {
        "type": "flex",
        "altText": subject[:ALT_TEXT_MAX],
        "contents": {
            "type": "bubble",
            "body": {
                "type": "box",
                "layout": "vertical",
                "spacing": "md",
                "contents": [
                    {"type": "text", "text": subject, "weight": "bold", "size": "md", "wrap": True},
                    {"type": "text", "text": body, "size": "sm", "wrap": True},
                ],
            },
            "footer": {
                "type": "box",
                "layout": "vertical",
                "contents": [
                    {
                        "type": "button",
                        "style": "primary",
                        "action": {
                            "type": "postback",
                            "label": CLAIM_LABEL,
                            "data": postback_data("claim", alert=alert_id),
                            "displayText": CLAIM_LABEL,
                        },
                    }
                ],
            },
        },
    }


def _item(action: dict[str, Any]) -> dict[str, Any]:
    return {"type": "action", "action": action}


def outcome_choices(text: str, alert_id: str) -> dict[str, Any]:
    """Return a text with one quick-reply button per outcome of the alert."""
    items = [
        _item(
            {
                "type": "postback",
                "label": outcome.value,
                "data": postback_data("resolve", alert=alert_id, outcome=outcome.name),
                "displayText": outcome.value,
            }
        )
        for outcome in Outcome
    ]
    return {"type": "text", "text": text, "quickReply": {"items": items}}


AWAY_CHOICES = (AwayKind.HOSPITAL, AwayKind.TRAVEL, AwayKind.SHORT_STAY)


def away_choices(elders: list[Elder], today: date) -> dict[str, Any]:
    """Return the away question with a date picker per (elder, kind) as quick replies."""
    items = []
    for elder in elders[:4]:  # at most 13 quick-reply items
        for kind in AWAY_CHOICES:
            name = AWAY_NAMES[kind.value]
            label = f"{name}" if len(elders) == 1 else f"{elder.name}：{name}"
            items.append(
                _item(
                    {
                        "type": "datetimepicker",
                        "label": label[:LABEL_MAX],
                        "data": postback_data("away", elder=elder.id, kind=kind.value),
                        "mode": "date",
                        "initial": (today + timedelta(days=7)).isoformat(),
                        "min": today.isoformat(),
                        "max": (today + timedelta(days=365)).isoformat(),
                    }
                )
            )
    return {"type": "text", "text": say("away_ask"), "quickReply": {"items": items}}
