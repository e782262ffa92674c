"""Every LINE event type, linking, relay, chat commands and button actions, on the fake store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest

from backend.domain.family import MessageKind
from backend.domain.model import AlertStatus, AwayKind, Consent, Outcome, Share
from backend.media import FolderMediaStore
from backend.services import family
from family_line.api import Content, ContentTooLarge, LineApiError
from family_line.events import EVENT_HANDLERS, MESSAGE_HANDLERS, LineContext, dispatch
from tests.builders import jst, make_alert, make_checkin, make_consent, make_elder, seed
from tests.fakes import FakeUnitOfWork
from tests.line import FAMILY_USER, OTHER_USER, event_of
from tests.unit.conftest import MONDAY


@dataclass
class RecordingLineApi:
    """Stands in for LineApi in unit tests: records replies, serves scripted content."""

    replies: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    content_by_id: dict[str, Any] = field(default_factory=dict)
    transcoding_by_id: dict[str, str] = field(default_factory=dict)

    def transcoding(self, message_id: str) -> str:
        return self.transcoding_by_id.get(message_id, "succeeded")

    def reply(self, reply_token: str, messages: list[dict[str, Any]]) -> None:
        self.replies.append((reply_token, messages))

    def content(self, message_id: str, max_bytes: int = 0) -> Content:
        found = self.content_by_id.get(message_id)
        if isinstance(found, Exception):
            raise found
        if found is None:
            raise LineApiError("LINE content: HTTP 404", 404)
        return found

    def texts(self) -> list[str]:
        return [m["text"] for _token, messages in self.replies for m in messages]

    def last(self) -> str:
        return self.texts()[-1]


@pytest.fixture
def api() -> RecordingLineApi:
    return RecordingLineApi()


@pytest.fixture
def ctx(services, api, tmp_path) -> LineContext:
    return LineContext(services, api, FolderMediaStore(tmp_path / "media"))


@pytest.fixture
def elder(store):
    elder = make_elder()
    with FakeUnitOfWork(store) as uow:
        seed(uow, elder, make_elder("elder-2", name="山田 一郎", kana="やまだ いちろう"))
        uow.commit()
    return elder


def issue(services, elder_id="elder-1", name="はなこ", relation="長女", code="482913"):
    return family.issue_link_code(
        services, elder_id, name=name, relation=relation, random_code=lambda: code
    )


def send_text(ctx, text, user=FAMILY_USER, event_id="01JDTEXT0000000000000000001"):
    dispatch(ctx, event_of("text_message", text=text, user=user, webhookEventId=event_id))


def linked(ctx, services, user=FAMILY_USER, elder_id="elder-1", code="482913", **kw):
    issue(services, elder_id, code=code, **kw)
    send_text(ctx, code, user=user, event_id=f"ev-link-{user}-{elder_id}")


class TestDispatchTables:
    @pytest.mark.parametrize(
        "kind",
        ["message", "follow", "unfollow", "postback", "accountLink", "join", "leave", "unsend"],
    )
    def test_every_documented_event_type_has_a_handler(self, kind):
        assert kind in EVENT_HANDLERS

    @pytest.mark.parametrize(
        "kind", ["text", "image", "video", "audio", "sticker", "location", "file"]
    )
    def test_every_message_type_has_a_handler(self, kind):
        assert kind in MESSAGE_HANDLERS

    def test_an_unknown_event_type_is_ignored(self, ctx, api, elder):
        assert dispatch(ctx, {**event_of("follow"), "type": "somethingNew"}) is False
        assert api.replies == []

    @pytest.mark.parametrize("name", ["account_link", "leave"])
    def test_explicitly_ignored_events_change_nothing(self, ctx, api, store, elder, name):
        before = store.state
        assert dispatch(ctx, event_of(name)) is True
        assert api.replies == []
        assert store.state == before


class TestFollowAndLinking:
    def test_a_new_friend_is_asked_for_the_code(self, ctx, api, elder):
        dispatch(ctx, event_of("follow"))
        assert api.replies[0][0] == "rt-01JDFOLLOW00000000000000001"
        assert "6桁のコード" in api.last()

    def test_a_code_links_with_relation_and_name(self, ctx, api, store, elder, services):
        issue(services)
        dispatch(ctx, event_of("text_code"))
        assert "山田 花子さんとつながりました（長女のはなこさん）" in api.last()
        (member,) = store.state.recipients.values()
        assert (member.channel, member.address, member.relation, member.name) == (
            "line",
            FAMILY_USER,
            "長女",
            "はなこ",
        )
        assert member.elder_id == "elder-1"
        assert (member.quiet_start, member.quiet_end) == ("21:00", "07:00")
        assert member.center_id == elder.center_id

    def test_a_full_width_code_links_too(self, ctx, api, services, elder):
        issue(services)
        send_text(ctx, "４８２９１３")
        assert "つながりました" in api.last()

    def test_a_code_works_once(self, ctx, api, services, elder, store):
        issue(services)
        send_text(ctx, "482913", event_id="e1")
        send_text(ctx, "482913", user=OTHER_USER, event_id="e2")
        assert "すでに使われています" in api.last()
        assert len(store.state.recipients) == 1

    def test_the_same_event_processed_twice_still_says_linked(self, ctx, api, services, elder):
        issue(services)
        dispatch(ctx, event_of("text_code"))
        dispatch(ctx, event_of("text_code"))
        assert api.texts()[0] == api.texts()[1]

    def test_an_expired_code_does_not_link(self, ctx, api, services, elder, clock, store):
        issue(services)
        clock.tick(family.LINK_CODE_LIFETIME + timedelta(seconds=1))
        dispatch(ctx, event_of("text_code"))
        assert "期限が切れている" in api.last()
        assert store.state.recipients == {}

    def test_an_unknown_code_is_answered_kindly(self, ctx, api, elder):
        send_text(ctx, "111111")
        assert "見つかりませんでした" in api.last()

    def test_several_members_per_elder_and_one_member_for_several_elders(
        self, ctx, services, store, elder
    ):
        linked(ctx, services, FAMILY_USER, "elder-1", "111111")
        linked(ctx, services, OTHER_USER, "elder-1", "222222", name="たろう", relation="長男")
        linked(ctx, services, FAMILY_USER, "elder-2", "333333")
        with FakeUnitOfWork(store) as uow:
            assert {r.address for r in uow.recipients.list_for_elder("elder-1")} == {
                FAMILY_USER,
                OTHER_USER,
            }
            links = uow.recipients.list_for_address("line", FAMILY_USER)
            assert sorted(r.elder_id for r in links) == ["elder-1", "elder-2"]

    def test_unlink_in_chat_ends_every_link(self, ctx, api, services, store, elder):
        linked(ctx, services, FAMILY_USER, "elder-1", "111111")
        linked(ctx, services, FAMILY_USER, "elder-2", "222222")
        send_text(ctx, "解除")
        assert "山田 花子さん、山田 一郎さんとのつながりを解除しました" in api.last()
        assert not any(r.active for r in store.state.recipients.values())

    def test_unfollow_stops_all_pushes_to_that_member_only(self, ctx, services, store, elder):
        linked(ctx, services, FAMILY_USER, "elder-1", "111111")
        linked(ctx, services, OTHER_USER, "elder-1", "222222")
        dispatch(ctx, event_of("unfollow"))
        active = {r.address: r.active for r in store.state.recipients.values()}
        assert active == {FAMILY_USER: False, OTHER_USER: True}

    def test_linking_again_after_unlinking_reactivates_the_same_link(
        self, ctx, services, store, elder
    ):
        linked(ctx, services, FAMILY_USER, "elder-1", "111111")
        dispatch(ctx, event_of("unfollow"))
        linked(ctx, services, FAMILY_USER, "elder-1", "222222")
        (member,) = store.state.recipients.values()
        assert member.active


class TestRelay:
    def test_a_text_is_kept_for_every_linked_elder(self, ctx, api, services, store, elder):
        linked(ctx, services, FAMILY_USER, "elder-1", "111111")
        linked(ctx, services, FAMILY_USER, "elder-2", "222222")
        dispatch(ctx, event_of("text_message"))
        assert "山田 花子さん、山田 一郎さんのスピーカーにお届けします" in api.last()
        messages = sorted(store.state.family_messages.values(), key=lambda m: m.elder_id)
        assert [(m.elder_id, m.kind, m.text, m.sender_name) for m in messages] == [
            ("elder-1", MessageKind.TEXT, "お母さん、今度の日曜日に孫と行くね。", "はなこ"),
            ("elder-2", MessageKind.TEXT, "お母さん、今度の日曜日に孫と行くね。", "はなこ"),
        ]

    def test_processing_the_same_event_again_stores_nothing_twice(
        self, ctx, services, store, elder
    ):
        linked(ctx, services)
        dispatch(ctx, event_of("text_message"))
        dispatch(ctx, event_of("text_message_redelivered"))
        assert len(store.state.family_messages) == 1

    def test_a_text_from_someone_not_linked_is_not_kept(self, ctx, api, store, elder):
        dispatch(ctx, event_of("text_message"))
        assert "まだどなたともつながっていません" in api.last()
        assert store.state.family_messages == {}

    def test_an_overlong_text_is_answered_kindly_and_not_kept(
        self, ctx, api, services, store, elder
    ):
        linked(ctx, services)
        send_text(ctx, "あ" * 501)
        assert "500文字以内" in api.last()
        assert store.state.family_messages == {}

    def test_a_sticker_is_kept_as_a_sticker(self, ctx, api, services, store, elder):
        linked(ctx, services)
        dispatch(ctx, event_of("sticker"))
        (message,) = store.state.family_messages.values()
        assert message.kind is MessageKind.STICKER
        assert "スタンプが届きました" in api.last()

    def test_a_photo_is_downloaded_at_once_into_the_media_store(
        self, ctx, api, services, store, elder, tmp_path
    ):
        linked(ctx, services)
        api.content_by_id["510000000000000003"] = Content(b"\xff\xd8jpeg", "image/jpeg")
        dispatch(ctx, event_of("image"))
        (message,) = store.state.family_messages.values()
        assert (message.kind, message.media_key, message.media_type) == (
            MessageKind.IMAGE,
            "line/510000000000000003.jpg",
            "image/jpeg",
        )
        assert (tmp_path / "media/line/510000000000000003.jpg").read_bytes() == b"\xff\xd8jpeg"
        assert "写真をお預かりしました" in api.last()

    def test_a_video_is_fetched_once_line_has_transcoded_it(self, ctx, api, services, store, elder):
        linked(ctx, services)
        api.content_by_id["510000000000000004"] = Content(b"mp4", "video/mp4")
        api.transcoding_by_id["510000000000000004"] = "processing"
        with pytest.raises(LineApiError):
            dispatch(ctx, event_of("video"))  # the inbox tries it again later
        assert store.state.family_messages == {}
        api.transcoding_by_id["510000000000000004"] = "succeeded"
        dispatch(ctx, event_of("video"))
        (message,) = store.state.family_messages.values()
        assert (message.kind, message.media_key) == (
            MessageKind.VIDEO,
            "line/510000000000000004.mp4",
        )
        assert "動画をお預かりしました" in api.last()

    def test_a_video_line_could_not_transcode_is_answered_kindly(
        self, ctx, api, services, store, elder
    ):
        linked(ctx, services)
        api.transcoding_by_id["510000000000000004"] = "failed"
        dispatch(ctx, event_of("video"))
        assert "受け取れませんでした" in api.last()
        assert store.state.family_messages == {}

    def test_an_oversized_photo_is_answered_kindly(self, ctx, api, services, store, elder):
        linked(ctx, services)
        api.content_by_id["510000000000000003"] = ContentTooLarge("content too large", 200)
        dispatch(ctx, event_of("image"))
        assert "大きすぎて" in api.last()
        assert store.state.family_messages == {}

    def test_a_photo_while_line_is_down_fails_the_event_so_it_is_tried_again(
        self, ctx, api, services, store, elder
    ):
        linked(ctx, services)
        api.content_by_id["510000000000000003"] = LineApiError("LINE content: HTTP 503", 503)
        with pytest.raises(LineApiError):
            dispatch(ctx, event_of("image"))
        assert store.state.family_messages == {}

    @pytest.mark.parametrize("name", ["audio", "location"])
    def test_unsupported_content_is_answered_kindly(self, ctx, api, services, store, elder, name):
        linked(ctx, services)
        dispatch(ctx, event_of(name))
        assert "まだお届けできません" in api.last()
        assert store.state.family_messages == {}

    def test_a_group_is_told_it_is_not_served_and_its_messages_are_ignored(
        self, ctx, api, store, elder
    ):
        dispatch(ctx, event_of("join"))
        assert "グループではご利用いただけません" in api.last()
        group_message = event_of("text_message")
        group_message["source"] = {"type": "group", "groupId": "C1", "userId": FAMILY_USER}
        dispatch(ctx, group_message)
        assert len(api.replies) == 1

    def test_an_unknown_postback_is_answered_kindly(self, ctx, api, elder):
        dispatch(ctx, event_of("postback"))
        assert "もう使えません" in api.last()


class TestCommands:
    def test_help_lists_the_commands(self, ctx, api, elder):
        send_text(ctx, "ヘルプ")
        assert "「状況」" in api.last()
        assert "「解除」" in api.last()

    def test_status_shows_today_s_check_in_when_the_consent_shares_it(
        self, ctx, api, services, store, elder
    ):
        with FakeUnitOfWork(store) as uow:
            uow.elders.update(
                make_elder(consent=make_consent(shares=(Share("家族", "毎日の様子"),)))
            )
            uow.checkins.add(make_checkin(day=MONDAY, started_at=jst(MONDAY, 7, 0)))
            uow.commit()
        linked(ctx, services)
        send_text(ctx, "状況")
        assert "山田 花子さんの今日の様子" in api.last()
        assert "朝のチェック" in api.last()

    def test_status_is_withheld_when_the_consent_does_not_share_it(
        self, ctx, api, services, store, elder
    ):
        with FakeUnitOfWork(store) as uow:
            uow.elders.update(
                make_elder(consent=Consent(MONDAY, "staff", (Share("center", "answers"),)))
            )
            uow.commit()
        linked(ctx, services)
        send_text(ctx, "状況")
        assert "同意の範囲外" in api.last()
        assert "チェック" not in api.last()

    def test_status_before_linking_asks_for_the_code(self, ctx, api, elder):
        send_text(ctx, "状況")
        assert "6桁のコード" in api.last()


def test_a_failed_reply_is_logged_not_raised(ctx, api, elder, caplog):
    def refuse(token, messages):
        raise LineApiError("LINE reply: HTTP 400", 400)

    api.reply = refuse
    dispatch(ctx, event_of("follow"))
    assert "LINE reply to event" in caplog.text


# --- buttons: claiming and resolving alerts, away periods ---------------------------------


def press(ctx, data, user=FAMILY_USER, params=None, event_id="ev-postback"):
    event = event_of("postback", user=user, webhookEventId=event_id)
    event["postback"] = {"data": data, **({"params": params} if params else {})}
    dispatch(ctx, event)


def last_message(api):
    return api.replies[-1][1][0]


@pytest.fixture
def alert(store, elder):
    with FakeUnitOfWork(store) as uow:
        uow.alerts.add_if_absent(make_alert("a1"))
        uow.commit()
    return "a1"


@pytest.fixture
def two_members(ctx, services, elder):
    linked(ctx, services, FAMILY_USER, "elder-1", "111111")
    linked(ctx, services, OTHER_USER, "elder-1", "222222", name="たろう", relation="長男")


class TestClaim:
    def test_i_will_check_claims_the_alert_and_offers_the_outcomes(
        self, ctx, api, store, alert, two_members, clock
    ):
        press(ctx, "action=claim&alert=a1")
        stored = store.state.alerts["a1"]
        assert stored.status is AlertStatus.CLAIMED
        assert stored.claimed_by.startswith("family:line-")
        assert store.state.recipients[stored.claimed_by.split(":")[1]].name == "はなこ"
        assert [c.action for c in store.state.alert_changes] == ["claimed"]
        assert store.state.alert_changes[0].detail == {"via": "line"}
        message = last_message(api)
        assert "長女のはなこさんにお願いしました" in message["text"]
        labels = [item["action"]["label"] for item in message["quickReply"]["items"]]
        assert labels == [o.value for o in Outcome]

    def test_the_second_watcher_sees_who_claimed_it(self, ctx, api, store, alert, two_members):
        press(ctx, "action=claim&alert=a1")
        press(ctx, "action=claim&alert=a1", user=OTHER_USER, event_id="ev2")
        assert "すでに長女のはなこさんが引き受けています" in api.last()
        claimer = family.link_id("elder-1", FAMILY_USER)
        assert store.state.alerts["a1"].claimed_by == f"family:{claimer}"
        assert len(store.state.alert_changes) == 1

    def test_pressing_twice_is_harmless(self, ctx, api, store, alert, two_members):
        press(ctx, "action=claim&alert=a1")
        press(ctx, "action=claim&alert=a1", event_id="ev2")
        assert store.state.alerts["a1"].status is AlertStatus.CLAIMED
        assert "お願いしました" in last_message(api)["text"]

    def test_an_outcome_button_resolves_the_claimed_alert(
        self, ctx, api, store, alert, two_members
    ):
        press(ctx, "action=claim&alert=a1")
        data = last_message(api)["quickReply"]["items"][1]["action"]["data"]
        assert parse_qs(data)["outcome"] == ["REACHED"]
        press(ctx, data, event_id="ev2")
        stored = store.state.alerts["a1"]
        assert (stored.status, stored.outcome) == (AlertStatus.RESOLVED, Outcome.REACHED)
        assert "「連絡がついた」を記録しました" in api.last()

    def test_another_watcher_cannot_resolve_an_alert_someone_holds(
        self, ctx, api, store, alert, two_members
    ):
        press(ctx, "action=claim&alert=a1")
        press(ctx, "action=resolve&alert=a1&outcome=NO_ACTION", user=OTHER_USER, event_id="e2")
        assert store.state.alerts["a1"].status is AlertStatus.CLAIMED
        assert "すでに長女のはなこさんが引き受けています" in api.last()

    def test_someone_not_linked_to_the_elder_cannot_claim(self, ctx, api, store, alert, services):
        linked(ctx, services, FAMILY_USER, "elder-2", "111111")  # linked to another elder only
        press(ctx, "action=claim&alert=a1")
        assert store.state.alerts["a1"].status is AlertStatus.OPEN
        assert "操作できません" in api.last()

    def test_an_unknown_alert_or_outcome_is_answered_kindly(self, ctx, api, alert, two_members):
        press(ctx, "action=claim&alert=nope")
        assert "操作できません" in api.last()
        press(ctx, "action=resolve&alert=a1&outcome=WHATEVER", event_id="e2")
        assert "もう使えません" in api.last()


class TestAway:
    def test_the_away_command_offers_a_date_picker_per_kind(self, ctx, api, services, elder):
        linked(ctx, services)
        send_text(ctx, "おやすみ登録", event_id="e-away")
        items = last_message(api)["quickReply"]["items"]
        assert [i["action"]["label"] for i in items] == ["入院", "旅行", "ショートステイ"]
        assert {i["action"]["type"] for i in items} == {"datetimepicker"}
        assert items[0]["action"]["min"] == "2026-11-23"

    def test_a_chosen_date_pauses_watching_until_the_end_of_that_day(
        self, ctx, api, services, store, elder, clock
    ):
        linked(ctx, services)
        press(ctx, "action=away&elder=elder-1&kind=hospital", params={"date": "2026-11-30"})
        (period,) = store.state.away.values()
        assert (period.kind, period.start) == (AwayKind.HOSPITAL, clock.now)
        assert period.end == datetime.fromisoformat("2026-12-01T00:00:00+09:00")
        assert period.set_by.startswith("family:line-")
        assert "11月30日まで「入院」でお休みにしました" in api.last()

    def test_the_end_command_resumes_watching(self, ctx, api, services, store, elder, clock):
        linked(ctx, services)
        press(ctx, "action=away&elder=elder-1&kind=travel", params={"date": "2026-11-30"})
        send_text(ctx, "おやすみ終了", event_id="e-end")
        (period,) = store.state.away.values()
        assert period.end == clock.now
        assert "見守りを再開しました" in api.last()

    def test_a_forged_postback_for_an_elder_not_linked_changes_nothing(
        self, ctx, api, services, store, elder
    ):
        linked(ctx, services, FAMILY_USER, "elder-2", "111111")
        press(ctx, "action=away&elder=elder-1&kind=hospital", params={"date": "2026-11-30"})
        assert store.state.away == {}
        assert "操作できません" in api.last()

    def test_a_missing_date_is_answered_kindly(self, ctx, api, services, store, elder):
        linked(ctx, services)
        press(ctx, "action=away&elder=elder-1&kind=hospital")
        assert store.state.away == {}
        assert "日付を選べませんでした" in api.last()
