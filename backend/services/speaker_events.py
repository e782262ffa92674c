"""What the speaker itself tells us outside a conversation (Alexa skill events).

``AlexaSkillEvent.ProactiveSubscriptionChanged`` says whether the Alexa user still lets the
skill send notifications (``AMAZON.MessageAlert.Activated``). The user's speaker recipients
(one per elder bound to that Alexa user) are marked active or not accordingly; the outbox
gives up messages to an inactive recipient instead of retrying a refusal.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from backend.services import notices
from backend.services.context import Services

log = logging.getLogger(__name__)


def notifications_permitted(
    svc: Services, alexa_user_id: str, device_id: str | None, permitted: bool
) -> int:
    """Mark the Alexa user's speaker recipients as allowed notifications or not.

    A recipient not made yet (no nudge was ever queued) is made for the elder bound to this
    user and device, when the event names a device. Return how many recipients changed.
    """
    if not alexa_user_id:
        return 0
    with svc.uow() as uow:
        speakers = {
            r.id: r for r in uow.recipients.list_for_address(notices.SPEAKER_CHANNEL, alexa_user_id)
        }
        elder = uow.devices.elder_for(alexa_user_id, device_id) if device_id else None
        if elder is not None:
            speaker = notices.speaker_recipient(uow, elder, alexa_user_id)
            speakers.setdefault(speaker.id, speaker)
        changed = 0
        for speaker in speakers.values():
            if speaker.active != permitted:
                uow.recipients.update(replace(speaker, active=permitted))
                changed += 1
        uow.commit()
    log.info("Speaker notifications %s (%d recipients changed)", permitted, changed)
    return changed
