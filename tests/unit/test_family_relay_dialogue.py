"""Family messages through the skill: offered at the next session, read aloud, shown, heard once."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from backend.domain.family import MessageKind
from backend.media import MediaLinks
from backend.services import family
from skill.builder import build_skill
from tests.builders import jst, make_recipient
from tests.fakes import FakeUnitOfWork
from tests.line import FAMILY_USER
from tests.speaker import SKILL_ID, Speaker
from tests.unit.conftest import MONDAY

SECRET = b"s" * 32


@pytest.fixture
def member(store, elder):
    with FakeUnitOfWork(store) as uow:
        uow.recipients.add(
            make_recipient("line-1", channel="line", address=FAMILY_USER, name="はなこ")
        )
        uow.commit()


def relay(services, event_id, kind=MessageKind.TEXT, **kw):
    return family.relay(services, FAMILY_USER, event_id, kind, received_at=jst(MONDAY, 7, 0), **kw)


def heard(store):
    return {m.id: m.heard_at for m in store.state.family_messages.values()}


def directives(reply):
    return reply.raw["response"].get("directives") or []


class TestWithoutMessages:
    def test_the_check_in_starts_as_before(self, speaker, member):
        reply = speaker.open()
        assert reply.speech.startswith("山田 花子さん、おはようございます。")


class TestText:
    def test_a_message_is_offered_at_the_next_session(self, speaker, services, member):
        relay(services, "ev1", text="お母さん、日曜日に行くね。")
        reply = speaker.open()
        assert reply.speech == (
            "山田 花子さん、おはようございます。はなこさんからメッセージが届いています。"
            "お聞きになりますか。"
        )
        assert not reply.end

    def test_yes_reads_it_aloud_then_asks_the_first_question(
        self, speaker, services, member, store, clock
    ):
        relay(services, "ev1", text="お母さん、日曜日に行くね。")
        speaker.open()
        reply = speaker.say("はい")
        assert reply.speech.startswith(
            "はなこさんからのメッセージです。「お母さん、日曜日に行くね。」"
        )
        assert "今日の体調はいかがですか" in reply.speech
        assert heard(store) == {"ev1/elder-1": clock.now}

    def test_the_check_in_goes_on_after_the_messages(self, speaker, services, member, store):
        relay(services, "ev1", text="元気？")
        speaker.open()
        speaker.say("はい")
        speaker.say("元気だよ")
        assert any(a.question_id == "condition" for a in store.state.answers)

    def test_a_message_heard_is_not_offered_again_even_if_the_request_is_replayed(
        self, speaker, services, member, store, clock
    ):
        relay(services, "ev1", text="元気？")
        speaker.open()
        speaker.say("はい")
        first = heard(store)
        clock.tick(timedelta(minutes=1))
        speaker.replay_last()
        assert heard(store) == first
        speaker.new_session()
        assert speaker.open().speech.startswith("山田 花子さん、おはようございます。")

    def test_no_keeps_the_messages_for_later(self, speaker, services, member, store):
        relay(services, "ev1", text="元気？")
        speaker.open()
        reply = speaker.say("いいえ")
        assert reply.speech.startswith("わかりました。メッセージは、またあとでお伝えしますね。")
        assert "今日の体調はいかがですか" in reply.speech
        assert heard(store) == {"ev1/elder-1": None}
        speaker.new_session()
        assert "メッセージが届いています" in speaker.open().speech

    def test_several_messages_are_counted_and_read_oldest_first(self, speaker, services, member):
        relay(services, "ev1", text="一通目")
        relay(services, "ev2", kind=MessageKind.STICKER)
        assert "はなこさんからメッセージが2件届いています" in speaker.open().speech
        reply = speaker.say("はい")
        assert reply.speech.index("一通目") < reply.speech.index("スタンプが届きました")

    def test_a_message_for_another_elder_is_not_offered(self, speaker, services, store, elder):
        with FakeUnitOfWork(store) as uow:
            from tests.builders import make_elder

            uow.elders.add(make_elder("elder-2", name="山田 一郎"))
            uow.recipients.add(
                make_recipient("line-2", elder_id="elder-2", channel="line", address=FAMILY_USER)
            )
            uow.commit()
        relay(services, "ev1", text="一郎さんへ")
        assert "メッセージ" not in speaker.open().speech


class TestSticker:
    def test_a_sticker_is_announced(self, speaker, services, member):
        relay(services, "ev1", kind=MessageKind.STICKER)
        speaker.open()
        assert speaker.say("はい").speech.startswith("はなこさんからスタンプが届きました。")


class TestPhoto:
    @pytest.fixture
    def photo_speaker(self, services, clock, elder):
        with_links = dataclasses.replace(
            services, media_links=MediaLinks(SECRET, "https://mimamori.example.jp")
        )
        return Speaker(build_skill(with_links, SKILL_ID), clock)

    def test_a_photo_is_shown_through_apl_with_a_short_lived_signed_url(
        self, photo_speaker, services, member, clock
    ):
        relay(
            services,
            "ev1",
            kind=MessageKind.IMAGE,
            media_key="line/510000000000000003.jpg",
            media_type="image/jpeg",
        )
        photo_speaker.open()
        reply = photo_speaker.say("はい")
        assert reply.speech.startswith("はなこさんから写真が届きました。画面をご覧ください。")
        (directive,) = directives(reply)
        assert directive["document"]["description"].startswith("A photo or video from family")
        data = directive["datasources"]["family"]
        assert (data["kind"], data["title"]) == ("image", "はなこさんから")
        url = urlsplit(data["url"])
        assert (url.scheme, url.netloc, url.path) == (
            "https",
            "mimamori.example.jp",
            "/media/line/510000000000000003.jpg",
        )
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        links = MediaLinks(SECRET)
        key = "line/510000000000000003.jpg"
        assert links.valid(key, query["exp"], query["sig"], clock.now)
        assert not links.valid(key, query["exp"], query["sig"], clock.now + timedelta(minutes=11))

    def test_a_store_with_its_own_urls_gives_the_screen_a_presigned_url(
        self, services, clock, elder, member
    ):
        class PresigningStore:
            def url_for(self, key, lifetime):
                return f"https://media.s3.example/{key}?X-Amz-Expires={lifetime.seconds}"

        with_s3 = dataclasses.replace(
            services,
            media_links=MediaLinks(SECRET, "https://mimamori.example.jp"),
            media=PresigningStore(),
        )
        speaker = Speaker(build_skill(with_s3, SKILL_ID), clock)
        relay(services, "ev1", kind=MessageKind.IMAGE, media_key="line/7.jpg")
        speaker.open()
        (directive,) = directives(speaker.say("はい"))
        assert directive["datasources"]["family"]["url"] == (
            "https://media.s3.example/line/7.jpg?X-Amz-Expires=600"
        )

    def test_without_a_screen_the_photo_is_only_mentioned(self, services, clock, elder, member):
        speaker = Speaker(build_skill(services, SKILL_ID), clock, screen=False)
        relay(services, "ev1", kind=MessageKind.IMAGE, media_key="line/1.jpg")
        speaker.open()
        reply = speaker.say("はい")
        assert "画面のある機器でご覧いただけます" in reply.speech
        assert directives(reply) == []
