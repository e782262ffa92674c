"""The consent vocabulary staff record at enrolment, and when a consent needs re-confirming.

A consent line (``Share``) is free text read by the matchers of ``backend.domain.family``:
its recipient names the center or the family (家族), and its ``what`` names the daily
status (様子, お答え) or alerts (アラート, 連絡). The standard lines below are the ones the
enrolment form and the elder CSV import offer, worded like the demo's consent records so
that every existing check (family summaries, alert notifications, replies) reads them.
"""

from __future__ import annotations

from datetime import date, timedelta

from backend.domain.model import Consent, Elder, Share

CENTER_ANSWERS = "center_answers"
FAMILY_STATUS = "family_status"
FAMILY_ALERTS = "family_alerts"

STANDARD_SHARES: dict[str, Share] = {
    CENTER_ANSWERS: Share("地域包括支援センターの職員", "毎日のお答えとお知らせ"),
    FAMILY_STATUS: Share("家族", "毎日の様子"),
    FAMILY_ALERTS: Share("家族", "応答がないときなどの連絡（アラート）"),
}
"""The standard consent lines by key; the center's line is required to be watched at all."""

REQUIRED_SHARES = (CENTER_ANSWERS,)
RECONFIRM_AFTER_YEARS = 1  # re-ask every year (a periodic re-confirmation of consent)
RECONFIRM_SOON_DAYS = 30  # the board flags a re-confirmation due within this many days
_SOON = timedelta(days=RECONFIRM_SOON_DAYS)

# Flags of an elder's consent on the board and in the API.
FLAG_WITHDRAWN = "withdrawn"
FLAG_RECONFIRM = "reconfirm"
FLAG_MISSING = "missing"


def default_reconfirm_on(consented_on: date) -> date:
    """Return the default re-confirmation date: the same day a year later (28 Feb for 29 Feb)."""
    year = consented_on.year + RECONFIRM_AFTER_YEARS
    try:
        return consented_on.replace(year=year)
    except ValueError:
        return consented_on.replace(year=year, day=28)


def share_keys(shares: tuple[Share, ...]) -> tuple[list[str], list[Share]]:
    """Return the keys of the standard lines among ``shares`` and the other lines."""
    by_share = {share: key for key, share in STANDARD_SHARES.items()}
    keys = [by_share[s] for s in shares if s in by_share]
    return keys, [s for s in shares if s not in by_share]


def reconfirm_due(consent: Consent | None, today: date) -> bool:
    """Return True when a live consent's re-confirmation date is past or within 30 days."""
    if consent is None or consent.withdrawal is not None or consent.reconfirm_on is None:
        return False
    return consent.reconfirm_on <= today + _SOON


def consent_flag(elder: Elder, today: date) -> str | None:
    """Return what the board flags about the elder's consent (withdrawn, reconfirm, missing)."""
    if elder.consent is None:
        return FLAG_MISSING
    if elder.consent.withdrawal is not None:
        return FLAG_WITHDRAWN
    if reconfirm_due(elder.consent, today):
        return FLAG_RECONFIRM
    return None
