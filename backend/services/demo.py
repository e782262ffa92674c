"""Seed a demo municipality, center and elders so a newcomer can try everything."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

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


DEMO_ADMIN_LOGIN = "demo-admin"
# (login, display name, role): a care worker of the demo center and the municipality's admin.
DEMO_ACCOUNTS = (
    (DEMO_STAFF_LOGIN, "デモ 職員", StaffRole.CENTER_STAFF),
    (DEMO_ADMIN_LOGIN, "デモ 市町村担当", StaffRole.MUNICIPALITY_ADMIN),
)
TRY_ALERT_AT = time(12, 0)  # the day after pairing: the morning slot is over and unanswered


@dataclass(frozen=True)
class DemoData:
    """What the demo seeded or holds now, for printing."""

    created: bool
    elders: tuple[Elder, ...]
    devices: dict[str, str]  # elder id -> demo device name (``talk --device``)
    pairing_code: PairingCode | None  # issued by this run only
    staff_login: str | None = None
    staff_password: str | None = None  # set by this run only (first run or new passwords)
    passwords: dict[str, str] = field(default_factory=dict)  # login -> password set now
    paired: frozenset[str] = frozenset()  # elder ids with a speaker now
    try_alert_at: datetime | None = None  # a ``jobs run --now`` that opens a missed alert


def _accounts(svc: Services, new_passwords: bool) -> dict[str, str]:
    """Create the demo accounts once; give them new passwords only when asked."""
    passwords = {}
    for login, name, role in DEMO_ACCOUNTS:
        with svc.uow() as uow:
            exists = uow.users.get_by_login(login) is not None
        if exists and not new_passwords:
            continue
        password = accounts.generate_password()
        if exists:
            accounts.reset_password(svc, login, password)
        else:
            accounts.create_user(
                svc,
                login=login,
                display_name=name,
                role=role,
                password=password,
                municipality_code=DEMO_MUNICIPALITY.code,
                center_id=DEMO_CENTER.id if role is StaffRole.CENTER_STAFF else None,
            )
        passwords[login] = password
    return passwords


def seed(svc: Services, *, with_notices: bool = True, new_passwords: bool = False) -> DemoData:
    """Seed the demo data once; later runs change nothing and report what is there now.

    ``with_notices`` imports the demo municipality's notices (``notices/samples``);
    ``new_passwords`` gives the demo accounts new passwords (printed once).
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
    passwords = _accounts(svc, new_passwords)
    with svc.uow() as uow:
        bound = uow.devices.bound_since([e.id for e in DEMO_ELDERS])
    devices = {
        elder.id: device
        for device, elder in zip(DEMO_DEVICES, DEMO_ELDERS, strict=False)
        if elder.id in bound
    }
    first = min(bound.values(), default=None)
    try_at = None
    if first is not None:
        day = first.astimezone(svc.tz).date() + timedelta(days=1)
        try_at = datetime.combine(day, TRY_ALERT_AT, tzinfo=svc.tz)
    return DemoData(
        created,
        DEMO_ELDERS,
        devices,
        code,
        DEMO_STAFF_LOGIN,
        passwords.get(DEMO_STAFF_LOGIN),
        passwords,
        frozenset(bound),
        try_at,
    )
