"""Registering municipalities, centers and elders, and issuing pairing codes."""

from __future__ import annotations

import secrets
from datetime import timedelta

from backend.domain.errors import Conflict, NotFound
from backend.domain.model import CareCenter, Elder, Municipality, PairingCode
from backend.services.context import Services

PAIRING_CODE_TTL = timedelta(days=14)
_PAIRING_ATTEMPTS = 20


def register_municipality(svc: Services, municipality: Municipality) -> None:
    """Add a municipality unless it exists."""
    with svc.uow() as uow:
        if uow.municipalities.get(municipality.code) is None:
            uow.municipalities.add(municipality)
            uow.commit()


def register_center(svc: Services, center: CareCenter) -> None:
    """Add a care center of a known municipality."""
    with svc.uow() as uow:
        if uow.municipalities.get(center.municipality_code) is None:
            raise NotFound(f"municipality {center.municipality_code}")
        uow.centers.add(center)
        uow.commit()


def register_elder(svc: Services, elder: Elder) -> None:
    """Add an elder to a known center and municipality."""
    with svc.uow() as uow:
        center = uow.centers.get(elder.center_id)
        if center is None or center.municipality_code != elder.municipality_code:
            raise NotFound(f"center {elder.center_id} in {elder.municipality_code}")
        uow.elders.add(elder)
        uow.commit()


def issue_pairing_code(
    svc: Services, elder_id: str, ttl: timedelta = PAIRING_CODE_TTL
) -> PairingCode:
    """Return a new random 6-digit pairing code for the elder, valid for ``ttl``."""
    now = svc.now()
    with svc.uow() as uow:
        if uow.elders.get(elder_id) is None:
            raise NotFound(f"elder {elder_id}")
        for _ in range(_PAIRING_ATTEMPTS):
            # No leading zero: Alexa may drop it when it hears the number.
            code = PairingCode(str(100_000 + secrets.randbelow(900_000)), elder_id, now + ttl)
            try:
                uow.devices.add_pairing_code(code)
            except Conflict:
                continue
            uow.commit()
            return code
    raise Conflict("no free pairing code; try again")
