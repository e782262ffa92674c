"""Consent before watching, its withdrawal, erasure after retention, and sharing by consent."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from datetime import timedelta

import pytest

from backend.domain.errors import NotFound
from backend.domain.family import FamilyMessage, LinkCode, MessageKind
from backend.domain.model import (
    AlertStatus,
    ElderStatus,
    Event,
    EventKind,
    Outcome,
    Share,
    StaffRole,
    WithdrawalMethod,
)
from backend.services import alerts, checkin, elder_admin, family, privacy, turns
from questions.policy import Policy
from tests.builders import (
    jst,
    make_alert,
    make_answer,
    make_binding,
    make_center_inbox,
    make_checkin,
    make_consent,
    make_elder,
    make_outbox_message,
    make_pairing_code,
    make_recipient,
    make_user,
    seed,
)
from tests.fakes import FakeUnitOfWork
from tests.speaker import DEVICE_ID, USER_ID
from tests.unit.conftest import MONDAY

TUESDAY = MONDAY + timedelta(days=1)
STAFF = make_user()
FOREIGN_STAFF = make_user("user-9", login="other", center_id="center-9")
CALLER = turns.Caller(USER_ID, DEVICE_ID, "req-1")


def policies(days: int = 365):
    return lambda code: Policy(retention_days=days)


def sweep(services):
    return alerts.sweep(services, lambda code: Policy())


@pytest.fixture
def world(store):
    """A watched elder with a speaker, a LINE member, an e-mail contact, codes and an alert."""
    with FakeUnitOfWork(store) as uow:
        seed(uow, make_elder(consent=make_consent(consented_on=MONDAY)))
        uow.users.add(STAFF)
        uow.devices.bind(make_binding(alexa_user_id=USER_ID, device_id=DEVICE_ID))
        uow.recipients.add(make_recipient())
        uow.recipients.add(
            make_recipient("line-1", name="明美", relation="長女", channel="line", address="U1")
        )
        uow.recipients.add(make_center_inbox())
        uow.devices.add_pairing_code(make_pairing_code("654321", expires_at=jst(MONDAY, 23)))
        uow.family.add_link_code(LinkCode("111111", "elder-1", "一郎", "長男", jst(MONDAY, 23)))
        uow.alerts.add_if_absent(make_alert("a-1", created_at=jst(MONDAY, 7)))
        uow.outbox.add_if_absent(
            make_outbox_message("o-1", recipient_id="line-1", alert_id="a-1", channel="line")
        )
        uow.outbox.add_if_absent(make_outbox_message("o-2", recipient_id="inbox-1", alert_id="a-1"))
        uow.checkins.add(make_checkin("c-1", day=MONDAY, started_at=jst(MONDAY, 7)))
        uow.answers.add(make_answer(checkin_id="c-1", day=MONDAY, raw="ちょっと頭が痛い"))
        uow.family.add_message_if_absent(
            FamilyMessage(
                "m-1",
                "elder-1",
                "line-1",
                "明美",
                MessageKind.IMAGE,
                jst(MONDAY, 7),
                media_key="line/m-1.jpg",
            )
        )
        uow.commit()


def withdraw(services, **kw):
    return privacy.withdraw_consent(
        services, kw.pop("user", STAFF), "elder-1", WithdrawalMethod.PHONE, "長女から電話"
    )


# --- consent before watching -----------------------------------------------------------------


class TestConsentRequired:
    def test_without_a_consent_record_nothing_is_asked_stored_or_alerted(
        self, services, clock, store
    ):
        with FakeUnitOfWork(store) as uow:
            seed(uow, make_elder(consent=None))
            uow.devices.bind(make_binding(alexa_user_id=USER_ID, device_id=DEVICE_ID))
            uow.recipients.add(make_recipient())
            uow.commit()
        turn = checkin.start(services, CALLER)
        assert [line.key for line in turn.lines] == ["not_watching"]
        assert store.state.checkins == {}
        clock.set(jst(TUESDAY, 12))
        assert sweep(services).opened == 0
        assert store.state.alerts == {}
        assert store.state.outbox == {}


# --- withdrawal --------------------------------------------------------------------------------


class TestWithdrawal:
    def test_the_withdrawal_is_recorded_with_who_when_and_how(self, services, clock, store, world):
        elder = withdraw(services)
        stored = store.state.elders["elder-1"]
        assert stored == elder
        assert stored.status is ElderStatus.ENDED
        w = stored.consent.withdrawal
        assert (w.at, w.recorded_by, w.method, w.note) == (
            clock.now,
            "staff:user-1",
            WithdrawalMethod.PHONE,
            "長女から電話",
        )
        assert stored.consent.consented_on == MONDAY  # the consent itself is kept
        (entry,) = [e for e in store.state.audit if e.action == "withdraw_consent"]
        assert entry.elder_id == "elder-1"
        assert entry.detail["links_ended"] == 2
        assert "長女から電話" not in str(entry.detail)

    def test_every_kind_of_watching_stops_at_once(self, services, clock, store, world):
        withdraw(services)
        s = store.state
        assert not any(r.active for r in s.recipients.values() if r.elder_id == "elder-1")
        assert s.recipients["inbox-1"].active  # the center's own inbox is not the elder's
        assert s.pairing_codes["654321"].used_at == clock.now
        assert s.link_codes["111111"].used_at == clock.now
        alert = s.alerts["a-1"]
        assert (alert.status, alert.outcome) == (AlertStatus.RESOLVED, Outcome.OTHER)
        assert s.alert_changes[-1].detail["reason"] == "consent_withdrawn"
        assert all(m.given_up for m in s.outbox.values())
        # No check-in, no missed slot, no alert, no push, not even for emergency words.
        turn = checkin.start(services, CALLER)
        assert [line.key for line in turn.lines] == ["not_watching"]
        with FakeUnitOfWork(store) as uow:
            uow.events.add(Event("ev-1", "elder-1", EventKind.EMERGENCY, jst(MONDAY, 9)))
            uow.commit()
        for day, hour in ((MONDAY, 12), (MONDAY, 23), (TUESDAY, 12)):
            clock.set(jst(day, hour))
            report = sweep(services)
            assert (report.elders, report.opened) == (0, 0)
        assert list(store.state.alerts) == ["a-1"]
        assert all(m.given_up for m in store.state.outbox.values())
        assert family.linked_elders(services, "U1") == []
        assert family.unheard(services, USER_ID, DEVICE_ID) == []

    def test_a_link_code_sent_after_the_withdrawal_links_nobody(self, services, store, world):
        withdraw(services)
        result = family.link(services, "U-new", "111111")
        assert result.outcome is family.LinkOutcome.UNKNOWN
        with pytest.raises(elder_admin.ElderNotWatched):
            elder_admin.issue_pairing_code(services, STAFF, "elder-1")
        with pytest.raises(elder_admin.ElderNotWatched):
            elder_admin.issue_family_code(services, STAFF, "elder-1", name="一郎", relation="長男")

    def test_withdrawing_twice_or_without_consent_changes_nothing(self, services, store, world):
        withdraw(services)
        before = dataclasses.replace(store.state)
        with pytest.raises(privacy.AlreadyWithdrawn):
            withdraw(services)
        assert store.state.elders == before.elders
        with FakeUnitOfWork(store) as uow:
            seed(uow, make_elder("elder-2", consent=None))
            uow.commit()
        with pytest.raises(privacy.NoConsent):
            privacy.withdraw_consent(services, STAFF, "elder-2", WithdrawalMethod.WRITTEN)
        assert store.state.elders["elder-2"].status is ElderStatus.ACTIVE

    def test_another_centers_staff_cannot_withdraw(self, services, store, world):
        with pytest.raises(NotFound):
            withdraw(services, user=FOREIGN_STAFF)
        assert store.state.elders["elder-1"].is_watchable


# --- erasure after the retention period --------------------------------------------------------


class TestErasure:
    def test_nothing_is_erased_inside_the_retention_period(self, services, clock, store, world):
        withdraw(services)
        clock.tick(timedelta(days=364))
        report = privacy.erase_due(services, policies(365))
        assert report == privacy.ErasureReport((), 0, 1)
        assert store.state.elders["elder-1"].name == "山田 花子"

    def test_after_it_personal_data_goes_and_counts_stay(self, services, clock, store, world):
        with FakeUnitOfWork(store) as uow:
            uow.alerts.add_if_absent(
                make_alert(
                    "a-2",
                    rule="concern:condition",
                    period="2026-11-23",
                    evidence={"answers": [{"date": "2026-11-23", "raw": "頭が痛い", "value": 1}]},
                    created_at=jst(MONDAY, 8),
                )
            )
            uow.commit()
        withdraw(services)
        deleted: list[str] = []
        clock.tick(timedelta(days=30))
        report = privacy.erase_due(services, policies(30), lambda key: deleted.append(key) or True)
        assert report == privacy.ErasureReport(("elder-1",), 1, 0)
        assert deleted == ["line/m-1.jpg"]
        s = store.state
        elder = s.elders["elder-1"]
        assert (elder.name, elder.kana, elder.overrides) == (privacy.ERASED_NAME, "", {})
        assert elder.consent.shares == ()
        assert elder.consent.explained_by == ""
        assert elder.consent.withdrawal.note == ""
        assert elder.consent.withdrawal.erased_at == clock.now
        assert elder.consent.withdrawal.method is WithdrawalMethod.PHONE
        assert elder.district == "北地区"  # coarse area kept for statistics
        (answer,) = s.answers
        assert (answer.raw, answer.value) == ("", "good")
        assert s.family_messages == {}
        assert s.bindings == {}
        assert s.pairing_codes == {}
        assert s.link_codes == {}
        assert all(r.name == "" and r.address == "" for r in s.recipients.values() if r.elder_id)
        assert s.alerts["a-2"].evidence == {"answers": [{"date": "2026-11-23", "value": 1}]}
        assert s.alerts["a-1"].note == ""
        assert all(m.body == "" and m.subject == "" for m in s.outbox.values())
        assert len(s.checkins) == 1
        assert len(s.alerts) == 2
        (entry,) = [e for e in s.audit if e.action == "erase_personal_data"]
        assert (entry.actor, entry.elder_id) == ("system", "elder-1")

    def test_the_job_is_idempotent(self, services, clock, store, world):
        withdraw(services)
        clock.tick(timedelta(days=400))
        assert privacy.erase_due(services, policies()).erased == ("elder-1",)
        snapshot = dataclasses.replace(store.state)
        again = privacy.erase_due(services, policies())
        assert again == privacy.ErasureReport()
        assert store.state.elders == snapshot.elders
        assert len([e for e in store.state.audit if e.action == "erase_personal_data"]) == 1

    def test_a_media_store_that_fails_postpones_the_erasure_to_the_next_run(
        self, services, clock, store, world
    ):
        withdraw(services)
        clock.tick(timedelta(days=400))

        def broken(key: str) -> bool:
            raise OSError("disk unavailable")

        assert privacy.erase_due(services, policies(), broken).erased == ()
        assert store.state.elders["elder-1"].name == "山田 花子"
        assert "m-1" in store.state.family_messages
        report = privacy.erase_due(services, policies(), lambda key: False)
        assert report.erased == ("elder-1",)
        assert report.media_deleted == 0  # already gone: nothing to delete, no error

    def test_each_municipality_sets_its_own_retention(self, services, clock, store, world):
        withdraw(services)
        clock.tick(timedelta(days=100))
        assert privacy.erase_due(services, lambda code: Policy(retention_days=180)).erased == ()
        assert privacy.erase_due(services, lambda code: Policy(retention_days=90)).erased == (
            "elder-1",
        )

    def test_watched_elders_are_never_erased(self, services, clock, store, world):
        clock.tick(timedelta(days=4000))
        assert privacy.erase_due(services, policies(0)) == privacy.ErasureReport()
        assert store.state.elders["elder-1"].name == "山田 花子"


# --- sharing with family only as the consent allows --------------------------------------------


def _family_world(store, shares):
    with FakeUnitOfWork(store) as uow:
        seed(uow, make_elder(consent=make_consent(consented_on=MONDAY, shares=shares)))
        uow.devices.bind(make_binding(bound_at=jst(MONDAY, 0, 0)))
        uow.recipients.add(make_recipient("son", name="太郎", relation="長男"))
        uow.recipients.add(
            make_recipient("daughter", name="明美", relation="長女", channel="line", address="U1")
        )
        uow.recipients.add(make_center_inbox())
        uow.commit()


# A day of silence from the first missed slot, past the morning the elder would answer: the
# care center is told of the missed check-in, and family as the consent allows.
CENTER_TOLD = jst(TUESDAY, 9, 0)


def _told(store) -> set[str]:
    return {m.recipient_id for m in store.state.outbox.values()}


class TestSharingByConsent:
    def test_family_not_named_for_alerts_is_not_told_of_a_missed_check_in(
        self, services, clock, store
    ):
        _family_world(store, (Share("センター", "毎日のお答え"), Share("家族", "毎日の様子")))
        clock.set(CENTER_TOLD)
        sweep(services)
        assert store.state.alerts
        assert _told(store) == {"inbox-1"}

    def test_a_consent_line_naming_one_relation_tells_only_that_member(
        self, services, clock, store
    ):
        _family_world(store, (Share("長女", "応答がないときの連絡"),))
        clock.set(CENTER_TOLD)
        sweep(services)
        assert _told(store) == {"inbox-1", "daughter"}

    def test_family_sharing_alerts_is_told(self, services, clock, store):
        _family_world(store, (Share("ご家族", "アラート"),))
        clock.set(CENTER_TOLD)
        sweep(services)
        assert _told(store) == {"inbox-1", "daughter", "son"}

    def test_emergency_words_reach_family_whatever_the_consent_shares(self, services, clock, store):
        _family_world(store, (Share("センター", "毎日のお答え"),))
        with FakeUnitOfWork(store) as uow:
            uow.events.add(Event("ev-1", "elder-1", EventKind.EMERGENCY, jst(MONDAY, 9)))
            uow.commit()
        clock.set(jst(MONDAY, 9, 5))
        sweep(services)
        assert _told(store) == {"inbox-1", "daughter", "son"}


# --- disclosure ----------------------------------------------------------------------------------


class TestDisclosure:
    def test_everything_about_the_elder_is_exported_and_the_export_audited(
        self, services, store, world
    ):
        document = privacy.disclosure(services, STAFF, "elder-1")
        assert document["elder"]["name"] == "山田 花子"
        assert document["consent"]["consented_on"] == MONDAY.isoformat()
        assert [a["raw"] for a in document["answers"]] == ["ちょっと頭が痛い"]
        assert [c["id"] for c in document["checkins"]] == ["c-1"]
        (alert,) = document["alerts"]
        assert alert["id"] == "a-1"
        assert "history" in alert
        names = {m["name"] for m in document["family_links"]}
        assert names == {"山田 太郎", "明美"}
        assert all("address" not in m for m in document["family_links"])
        assert all("code" not in c for c in document["speaker_pairing_codes"])
        assert document["family_messages"][0]["kind"] == "image"
        (entry,) = [e for e in store.state.audit if e.action == "export_disclosure"]
        assert entry.elder_id == "elder-1"
        # The export itself is in the next export's audit part.
        again = privacy.disclosure(services, STAFF, "elder-1")
        assert [e["action"] for e in again["audit_log"]] == ["export_disclosure"]

    def test_the_zip_holds_the_json_and_csvs_readable_in_excel(self, services, world):
        document = privacy.disclosure(services, STAFF, "elder-1")
        archive = zipfile.ZipFile(io.BytesIO(privacy.disclosure_zip(document)))
        assert sorted(archive.namelist()) == [
            "alerts.csv",
            "answers.csv",
            "audit_log.csv",
            "checkins.csv",
            "disclosure.json",
        ]
        assert json.loads(archive.read("disclosure.json")) == document
        answers = archive.read("answers.csv").decode("utf-8")
        assert answers.startswith("\ufeffdate,question_id,value,raw")
        assert "ちょっと頭が痛い" in answers

    def test_outside_the_scope_it_is_not_found_and_not_audited(self, services, store, world):
        with pytest.raises(NotFound):
            privacy.disclosure(services, FOREIGN_STAFF, "elder-1")
        admin = make_user(
            "user-5", login="admin", role=StaffRole.MUNICIPALITY_ADMIN, center_id=None
        )
        assert privacy.disclosure(services, admin, "elder-1")["elder"]["id"] == "elder-1"
        assert [e.actor for e in store.state.audit] == ["staff:user-5"]
