"""The elder replies to family by voice: 「返事をする」 / 「娘に伝えて」, read back, はい → LINE push."""

from __future__ import annotations

import pytest

from backend.domain.family import MessageKind
from backend.domain.model import Share
from backend.services import family, family_replies
from tests.builders import jst, make_consent, make_elder, make_recipient
from tests.fakes import FakeUnitOfWork
from tests.line import FAMILY_USER, OTHER_USER
from tests.unit.conftest import MONDAY


@pytest.fixture
def members(store, elder):
    with FakeUnitOfWork(store) as uow:
        uow.recipients.add(
            make_recipient(
                "line-1", channel="line", address=FAMILY_USER, name="明美", relation="長女"
            )
        )
        uow.recipients.add(
            make_recipient(
                "line-2", channel="line", address=OTHER_USER, name="健太", relation="長男"
            )
        )
        uow.recipients.add(make_recipient("mail-1", name="山田 次郎", relation="次男"))
        uow.commit()


def pushes(store):
    return [m for m in store.state.outbox.values() if m.channel == "line"]


def test_tell_my_daughter_reads_back_and_pushes_on_yes(speaker, store, members):
    speaker.open()
    reply = speaker.say("娘に伝えて")
    assert reply.speech.startswith("明美さんへのお返事ですね。")
    assert not reply.end
    reply = speaker.say("日曜日を楽しみにしていますと伝えて")
    assert (
        reply.speech == "明美さんに、「日曜日を楽しみにしています」とお伝えします。よろしいですか。"
    )
    assert pushes(store) == []  # nothing before はい
    reply = speaker.say("はい")
    assert reply.speech.startswith("明美さんにお伝えしました。")
    assert "今日の体調はいかがですか" in reply.speech  # the check-in goes on
    (push,) = pushes(store)
    assert (push.recipient_id, push.body) == ("line-1", "日曜日を楽しみにしています")
    assert push.subject == "山田 花子さんからのお返事（スピーカーより）"


def test_a_name_works_as_well_as_a_relation(speaker, store, members):
    speaker.open()
    speaker.say("長男に伝えて")
    speaker.say("ありがとうって伝えて")
    speaker.say("はい")
    assert [(p.recipient_id, p.body) for p in pushes(store)] == [("line-2", "ありがとう")]


def test_reply_answers_the_sender_of_the_message_just_heard(speaker, services, store, members):
    family.relay(
        services, OTHER_USER, "ev1", MessageKind.TEXT, received_at=jst(MONDAY, 7), text="元気？"
    )
    speaker.open()
    heard = speaker.say("はい")
    assert "「返事をする」" in heard.speech
    reply = speaker.say("返事をする")
    assert reply.speech.startswith("健太さんへのお返事ですね。")
    speaker.say("元気だよと伝えて")
    speaker.say("はい")
    assert [(p.recipient_id, p.body) for p in pushes(store)] == [("line-2", "元気だよ")]


def test_an_unknown_name_is_answered_with_who_can_be_told(speaker, store, members):
    speaker.open()
    reply = speaker.say("お孫さんに伝えて")
    assert reply.speech == (
        "お孫さんにあたるかたは、見つかりませんでした。"
        "どなたにお伝えしましょうか。長男の健太さん、長女の明美さんにお伝えできます。"
    )
    assert "山田 次郎" not in reply.speech  # e-mail contacts are not on LINE
    reply = speaker.say("娘に伝えて")
    assert reply.speech.startswith("明美さんへのお返事ですね。")


def test_words_first_then_whom(speaker, store, members):
    speaker.open()
    reply = speaker.say("すぐ行くよと伝えて")
    assert reply.speech.startswith("どなたにお伝えしましょうか。")
    reply = speaker.say("息子に伝えて")
    assert reply.speech == "健太さんに、「すぐ行くよ」とお伝えします。よろしいですか。"
    speaker.say("はい")
    assert [(p.recipient_id, p.body) for p in pushes(store)] == [("line-2", "すぐ行くよ")]


def test_no_asks_again_and_nothing_is_pushed(speaker, store, members):
    speaker.open()
    speaker.say("娘に伝えて")
    speaker.say("明日行くねと伝えて")
    reply = speaker.say("いいえ")
    assert reply.speech.startswith("わかりました。もう一度")
    speaker.say("あさって行くねと伝えて")
    speaker.say("はい")
    assert [p.body for p in pushes(store)] == ["あさって行くね"]


def test_turning_to_the_check_in_forgets_the_reply(speaker, store, members):
    speaker.open()
    speaker.say("娘に伝えて")
    speaker.say("明日行くねと伝えて")
    speaker.say("元気だよ")  # answers the check-in instead of confirming
    speaker.say("はい")  # 「お薬は飲みましたか」: not a confirmation of the reply
    assert pushes(store) == []
    assert any(a.question_id == "condition" for a in store.state.answers)


def test_a_replayed_confirmation_pushes_once(speaker, store, members):
    speaker.open()
    speaker.say("娘に伝えて")
    speaker.say("明日行くねと伝えて")
    speaker.say("はい")
    speaker.replay_last()
    assert len(pushes(store)) == 1


def test_nothing_is_pushed_to_a_member_the_consent_does_not_name(speaker, store, elder, members):
    with FakeUnitOfWork(store) as uow:
        consent = make_consent(shares=(Share("center", "answers"), Share("長男の健太さん", "様子")))
        uow.elders.update(make_elder(consent=consent))
        uow.commit()
    speaker.open()
    reply = speaker.say("娘に伝えて")
    assert reply.speech.startswith("娘にあたるかたは、見つかりませんでした。")
    assert "明美" not in reply.speech
    assert "長男の健太さん" in reply.speech


def test_a_link_ended_before_yes_pushes_nothing(speaker, services, store, members):
    speaker.open()
    speaker.say("娘に伝えて")
    speaker.say("明日行くねと伝えて")
    family.unlink(services, FAMILY_USER)
    reply = speaker.say("はい")
    assert reply.speech.startswith("申し訳ありません。いまは、明美さんにお伝えできません。")
    assert pushes(store) == []


def test_without_any_family_on_line_the_elder_is_told_kindly(speaker, store, elder):
    speaker.open()
    reply = speaker.say("娘に伝えて")
    assert reply.speech.startswith("申し訳ありません。いまは、お返事をお届けできるご家族")
    assert pushes(store) == []


def test_two_daughters_are_asked_apart(speaker, store, members):
    with FakeUnitOfWork(store) as uow:
        uow.recipients.add(
            make_recipient("line-3", channel="line", address="U3", name="恵子", relation="次女")
        )
        uow.commit()
    speaker.open()
    reply = speaker.say("娘に伝えて")
    assert reply.speech == (
        "娘にあたるかたが、お二人以上いらっしゃいます。"
        "どなたにお伝えしましょうか。次女の恵子さん、長女の明美さんにお伝えできます。"
    )
    assert "「次女に伝えて」" in reply.reprompt
    reply = speaker.say("長女に伝えて")
    assert reply.speech.startswith("明美さんへのお返事ですね。")


@pytest.mark.parametrize(
    ("words", "relation", "name", "expected"),
    [
        ("娘", "長女", "明美", True),
        ("明美さん", "長女", "明美", True),
        ("明美", "長女", "山田 明美", True),
        ("息子", "長女", "明美", False),
        ("長女", "次女", "恵子", True),  # the same group; find_members prefers an exact one
        ("", "長女", "明美", False),
    ],
)
def test_a_member_is_named_by_relation_group_relation_or_name(words, relation, name, expected):
    from backend.domain.family import matches_member

    member = make_recipient(channel="line", address="U1", name=name, relation=relation)
    assert matches_member(words, member) is expected


def test_an_exact_relation_wins_over_the_group():
    eldest = make_recipient("a", channel="line", address="U1", name="明美", relation="長女")
    second = make_recipient("b", channel="line", address="U2", name="恵子", relation="次女")
    assert family_replies.find_members([eldest, second], "長女", "daughter") == [eldest]
    assert family_replies.find_members([eldest, second], "娘", "daughter") == [eldest, second]
