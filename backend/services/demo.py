"""Seed a demo municipality, center and elders so a newcomer can try everything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from backend.domain.model import (
    CareCenter,
    Consent,
    DeviceBinding,
    Elder,
    Municipality,
    PairingCode,
    Recipient,
    Share,
    StaffRole,
)
from backend.services import accounts, setup
from backend.services import notices as notice_service
from backend.services.context import Services
from notices.loader import SAMPLES_DIR

DEMO_MUNICIPALITY = Municipality("032158", "奥州市")
DEMO_CENTER = CareCenter("demo-center", "032158", "奥州市 中央地域包括支援センター（デモ）")
DEMO_DEVICES = ("demo-1", "demo-2", "demo-3")
UNPAIRED_ELDER_ID = "demo-elder-4"
DEMO_STAFF_LOGIN = "demo-staff"


def alexa_user_id(device: str) -> str:
    """Return the demo Alexa user id of a demo device name."""
    return f"amzn1.ask.account.{device}"


def alexa_device_id(device: str) -> str:
    """Return the demo Alexa device id of a demo device name."""
    return f"amzn1.ask.device.{device}"


def _consent(family: str) -> Consent:
    return Consent(
        consented_on=date(2026, 4, 1),
        explained_by="センター職員の高橋",
        shares=(
            Share("地域包括支援センターの職員", "毎日のお答えとお知らせ"),
            Share(family, "毎日の様子と、応答がないときなどの連絡（アラート）"),
        ),
        reconfirm_on=date(2027, 4, 1),
    )


DEMO_ELDERS = (
    Elder(
        "demo-elder-1",
        "山田 ハナ",
        "やまだ はな",
        "032158",
        "demo-center",
        "水沢",
        consent=_consent("長女の明美さん"),
        overrides={"add": ["steps"]},
    ),
    Elder(
        "demo-elder-2",
        "佐藤 一郎",
        "さとう いちろう",
        "032158",
        "demo-center",
        "江刺",
        consent=_consent("長男の健太さん"),
    ),
    Elder(
        "demo-elder-3",
        "鈴木 トメ",
        "すずき とめ",
        "032158",
        "demo-center",
        "前沢",
        consent=_consent("姪の由美さん"),
        overrides={"remove": ["weight"], "schedules": {"medication": {"slots": ["evening"]}}},
    ),
    Elder(
        UNPAIRED_ELDER_ID,
        "田中 キヨ",
        "たなか きよ",
        "032158",
        "demo-center",
        "胆沢",
        consent=_consent("次女の恵子さん"),
    ),
)


DEMO_RECIPIENTS = (
    Recipient(
        "demo-center-inbox",
        "demo-center",
        None,
        "中央包括 受付",
        "センター",
        "email",
        "center@demo.invalid",
    ),
    Recipient(
        "demo-family-1",
        "demo-center",
        "demo-elder-1",
        "山田 明美",
        "長女",
        "email",
        "akemi@demo.invalid",
        quiet_start="21:00",
        quiet_end="07:00",
    ),
    Recipient(
        "demo-family-2",
        "demo-center",
        "demo-elder-2",
        "佐藤 健太",
        "長男",
        "email",
        "kenta@demo.invalid",
        quiet_start="22:00",
        quiet_end="06:30",
    ),
)


@dataclass(frozen=True)
class DemoData:
    """What the demo seeded, for printing."""

    created: bool
    elders: tuple[Elder, ...]
    devices: dict[str, str]
    pairing_code: PairingCode | None
    staff_login: str | None = None
    staff_password: str | None = None


def seed(svc: Services, *, with_notices: bool = True) -> DemoData:
    """Seed the demo data once; later runs only give the demo staff account a new password.

    ``with_notices`` imports the demo municipality's notices (``notices/samples``).
    """
    with svc.uow() as uow:
        created = uow.municipalities.get(DEMO_MUNICIPALITY.code) is None
    code = None
    if created:
        setup.register_municipality(svc, DEMO_MUNICIPALITY)
        setup.register_center(svc, DEMO_CENTER)
        for elder in DEMO_ELDERS:
            setup.register_elder(svc, elder)
        with svc.uow() as uow:
            for device, elder in zip(DEMO_DEVICES, DEMO_ELDERS, strict=False):
                uow.devices.bind(
                    DeviceBinding(
                        alexa_user_id(device), alexa_device_id(device), elder.id, svc.now()
                    )
                )
            for recipient in DEMO_RECIPIENTS:
                uow.recipients.add(recipient)
            uow.commit()
        code = setup.issue_pairing_code(svc, UNPAIRED_ELDER_ID)
    # The demo notices (燃えるごみ 毎週月曜・木曜 …); importing again changes nothing.
    if with_notices:
        notice_service.import_file(svc, SAMPLES_DIR / f"{DEMO_MUNICIPALITY.code}.yaml")
    password = accounts.generate_password()
    with svc.uow() as uow:
        staff_exists = uow.users.get_by_login(DEMO_STAFF_LOGIN) is not None
    if staff_exists:
        accounts.reset_password(svc, DEMO_STAFF_LOGIN, password)
    else:
        accounts.create_user(
            svc,
            login=DEMO_STAFF_LOGIN,
            display_name="デモ 職員",
            role=StaffRole.CENTER_STAFF,
            password=password,
            center_id=DEMO_CENTER.id,
        )
    devices = {elder.id: device for device, elder in zip(DEMO_DEVICES, DEMO_ELDERS, strict=False)}
    return DemoData(created, DEMO_ELDERS, devices, code, DEMO_STAFF_LOGIN, password)
