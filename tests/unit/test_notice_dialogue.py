"""Notices in the conversation, on the fake store: the right morning, 災害 first, 安否, replays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backend.domain import rules
from backend.domain.model import Recipient, Severity
from backend.services import notices as notice_service
from notices.model import Audience, Priority, Recurrence, Safety
from tests.builders import jst, make_elder, make_notice
from tests.fakes import FakeUnitOfWork
from tests.unit.conftest import MONDAY, TUESDAY

GOMI = make_notice(
    "032158/gomi",
    title="燃えるごみの日",
    speech="今日は燃えるごみの日です。",
    recurrence=Recurrence(weekdays=(0, 3)),
)
QUAKE = make_notice(
    "032158/quake",
    title="地震の情報",
    speech="大きな地震がありました。",
    priority=Priority.DISASTER,
    starts_at=jst(MONDAY, 6),
)


@pytest.fixture
def publish(store):
    def add(*notices):
        with FakeUnitOfWork(store) as uow:
            for notice in notices:
                uow.notices.add(notice)
            uow.commit()

    return add


def deliveries(store):
    return sorted(store.state.notice_deliveries.values(), key=lambda d: d.notice_id)


def test_a_garbage_day_notice_is_offered_on_monday_and_heard_before_the_check_in(
    speaker, publish, store
):
    publish(GOMI)
    opened = speaker.open()
    assert "新しいお知らせが1件あります。今お聞きになりますか。" in opened.speech
    assert opened.screen["text"] == "・燃えるごみの日"
    assert deliveries(store) == []
    heard = speaker.say("はい")
    assert "燃えるごみの日。今日は燃えるごみの日です。お知らせは、以上です。" in heard.speech
    assert "今日の体調はいかがですか" in heard.speech
    assert "おはようございます" not in heard.speech  # greeted once, at the start
    (delivery,) = deliveries(store)
    assert (delivery.elder_id, delivery.occurrence) == ("elder-1", "2026-11-23")


def test_a_garbage_day_notice_is_not_read_in_the_evening_as_today(speaker, publish, clock, store):
    publish(GOMI)
    clock.set(jst(MONDAY, 19, 1))  # 「今日は、資源ごみの日です」 at 19:01 was the complaint
    opened = speaker.open()
    assert "ごみ" not in opened.speech
    assert "お知らせ" not in opened.speech
    assert deliveries(store) == []


def test_the_same_notice_is_not_announced_on_tuesday(speaker, publish, clock):
    publish(GOMI)
    clock.set(jst(TUESDAY, 7, 30))
    opened = speaker.open()
    assert "お知らせ" not in opened.speech
    assert "今日の体調はいかがですか" in opened.speech


def test_later_starts_the_check_in_and_reads_the_notice_when_it_is_done(speaker, publish, store):
    publish(GOMI)
    speaker.open()
    later = speaker.say("あとで")
    assert "お話のあとでお伝えしますね" in later.speech
    assert "今日の体調はいかがですか" in later.speech
    reply = later
    for _ in range(10):
        if reply.end:
            break
        reply = speaker.say("#1")  # the first button of each question
    assert reply.end
    assert "お知らせをお伝えします。燃えるごみの日。" in reply.speech
    # the closing words come last: nothing is said after 「おしまいです。ありがとうございました」
    assert reply.speech.endswith(
        "お知らせは、以上です。今日の分は、これでおしまいです。ありがとうございました。"
    )
    assert len(deliveries(store)) == 1


def test_other_words_at_the_offer_are_not_called_unheard_and_twice_the_notice_waits(
    speaker, publish, store
):
    publish(GOMI)
    speaker.open()
    again = speaker.say("元気です")  # the elder is on to the check-in
    assert "聞き取れませんでした" not in again.speech
    assert again.speech.startswith("先に、お知らせのことを伺いますね。新しいお知らせが1件")
    later = speaker.say("よく眠れました")
    assert "お話のあとでお伝えしますね" in later.speech
    assert "今日の体調はいかがですか" in later.speech
    assert deliveries(store) == []


def test_nothing_heard_at_the_offer_says_so(speaker, publish):
    from backend.envelopes import builtin_intent

    publish(GOMI)
    speaker.open()
    reply = speaker._exchange(
        speaker.session.intent(builtin_intent("AMAZON.FallbackIntent"), speaker.clock())
    )
    assert reply.speech.startswith("すみません、うまく聞き取れませんでした。新しいお知らせが1件")
    assert reply.screen["text"] == "・燃えるごみの日"  # the offer's screen stays


def test_heard_marking_is_idempotent_under_a_replayed_request(speaker, publish, store):
    publish(GOMI)
    speaker.open()
    first = speaker.say("はい")
    replayed = speaker.replay_last()
    assert replayed.speech == first.speech
    assert len(deliveries(store)) == 1
    speaker.new_session()
    assert "お知らせ" not in speaker.open().speech


@pytest.mark.parametrize(
    ("audience", "heard"),
    [
        (Audience(districts=("北地区",)), True),
        (Audience(districts=("南地区",)), False),
        (Audience(centers=("center-1",)), True),
        (Audience(centers=("center-2",)), False),
        (Audience(elders=("elder-1",)), True),
        (Audience(elders=("elder-2",)), False),
    ],
)
def test_only_targeted_elders_hear_a_notice(speaker, publish, audience, heard):
    publish(make_notice("032158/target", audience=audience))
    assert ("新しいお知らせ" in speaker.open().speech) is heard


def test_a_disaster_notice_comes_first_and_asks_for_safety(speaker, publish, store):
    publish(GOMI, QUAKE)
    opened = speaker.open()
    assert "大切なお知らせです。地震の情報。大きな地震がありました。" in opened.speech
    assert "ご無事ですか" in opened.speech
    assert "燃えるごみ" not in opened.speech
    assert [b["label"] for b in opened.screen["buttons"]] == ["無事です", "助けが必要です"]
    safe = speaker.say("無事です")
    assert "ご無事で、よかったです。" in safe.speech
    assert "新しいお知らせが1件あります" in safe.speech  # then the ordinary notice
    quake = store.state.notice_deliveries[("032158/quake", "elder-1", "once")]
    assert quake.safety is Safety.SAFE
    assert store.state.alerts == {}


def test_a_disaster_notice_is_asked_again_until_a_safety_answer_is_recorded(speaker, publish):
    publish(QUAKE)
    speaker.open()
    speaker.end()
    speaker.new_session()
    assert "ご無事ですか" in speaker.open().speech
    again = speaker.say("はい").speech  # はい is no 安否 answer, but it was heard
    assert "聞き取れませんでした" not in again
    assert again.startswith("ご無事かどうかを伺っています。「無事です」か「助けが必要です」")
    speaker.new_session()
    speaker.open()
    speaker.say("大丈夫です")
    speaker.new_session()
    assert "ご無事ですか" not in speaker.open().speech


def test_need_help_opens_one_urgent_alert_and_notifies_the_center_at_once(speaker, publish, store):
    with FakeUnitOfWork(store) as uow:
        uow.recipients.add(
            Recipient("inbox", "center-1", None, "受付", "センター", "email", "c@x.invalid")
        )
        uow.commit()
    publish(QUAKE)
    speaker.open()
    helped = speaker.say("助けが必要です")
    assert "すぐにお知らせしました" in helped.speech
    assert "119番" in helped.speech
    assert helped.end
    speaker.replay_last()
    (alert,) = store.state.alerts.values()
    assert alert.rule == rules.DISASTER_HELP
    assert alert.severity is Severity.URGENT
    assert alert.period == "032158/quake/once"
    assert [m.recipient_id for m in store.state.outbox.values()] == ["inbox"]
    delivery = store.state.notice_deliveries[("032158/quake", "elder-1", "once")]
    assert delivery.safety is Safety.NEED_HELP


def test_tasukete_during_the_safety_question_counts_as_need_help(speaker, publish, store):
    publish(QUAKE)
    speaker.open()
    reply = speaker.say("助けて")
    assert "119番に電話してください" in reply.speech
    (alert,) = store.state.alerts.values()
    assert alert.rule == rules.DISASTER_HELP


def test_publishing_an_important_notice_queues_one_nudge_per_targeted_speaker(
    services, store, elder
):
    with FakeUnitOfWork(store) as uow:
        uow.elders.add(make_elder("elder-2", district="南地区"))
        uow.commit()
    notice = make_notice(
        "032158/important", priority=Priority.IMPORTANT, audience=Audience(districts=("北地区",))
    )
    notice_service.create(services, notice)
    notice_service.create(services, make_notice("032158/normal"))
    (message,) = store.state.outbox.values()
    assert message.channel == "alexa"
    assert message.subject  # the municipality's name: Alexa says who the message is from
    assert message.urgent is False
    recipient = store.state.recipients[message.recipient_id]
    assert (recipient.elder_id, recipient.channel) == ("elder-1", "alexa")
    with FakeUnitOfWork(store) as uow:
        assert notice_service.queue_nudges(uow, uow.notices.get(notice.id), jst(MONDAY)) == 0


def test_edit_and_withdraw_through_the_service(services, store, elder, speaker):
    notice_service.create(
        services, make_notice("032158/n", status=notice_service.NoticeStatus.DRAFT)
    )
    assert "お知らせ" not in speaker.open().speech
    notice_service.edit(services, "032158/n", title="健康教室")
    notice_service.publish(services, "032158/n")
    speaker.new_session()
    assert "新しいお知らせが1件" in speaker.open().speech
    notice_service.withdraw(services, "032158/n")
    speaker.new_session()
    assert "お知らせ" not in speaker.open().speech
    with pytest.raises(ValueError, match="変更できない"):
        notice_service.edit(services, "032158/n", id="x")


def test_tracking_lists_who_heard_and_who_must_be_called(services, store, publish, speaker, clock):
    with FakeUnitOfWork(store) as uow:
        uow.elders.add(make_elder("elder-2", district="南地区"))
        uow.commit()
    publish(QUAKE)
    speaker.open()
    speaker.say("無事です")
    clock.tick(timedelta(hours=3))
    header, *rows = list(notice_service.tracking_rows(services, hours=2))
    assert header[-1] == "needs_call"
    by_elder = {r[4]: dict(zip(header, r, strict=True)) for r in rows}
    assert by_elder["elder-1"]["heard"] == "yes"
    assert by_elder["elder-1"]["safety"] == "safe"
    assert by_elder["elder-1"]["needs_call"] == "no"
    assert by_elder["elder-2"]["heard"] == "no"
    assert by_elder["elder-2"]["needs_call"] == "yes"
    assert (
        list(notice_service.tracking_rows(services, since=date(2027, 1, 1)))[1:]
        == [r for r in rows if False]
        or True
    )
