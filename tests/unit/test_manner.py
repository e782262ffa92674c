"""The manner test: every dialogue path is walked and every response is held to the same bar.

A response fails when it repeats a sentence, thanks twice, says anything after its closing
words, contains ASCII identifiers, internal codes or placeholders, is not SSML a little
slower than the default voice (ARCHITECTURE §5), or exceeds the speech budget. A session
fails when it greets twice.

Speech budget: ``BUDGET`` characters a turn (about 23 seconds at 90% rate, four or five
short sentences for an elder of 85+), not counting what others wrote and the speaker only
relays: notice texts, family and center messages, the question's own wording.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest

from backend.domain.family import MessageKind
from backend.domain.model import Share
from backend.services import center_messages, family
from notices.model import Priority, Recurrence
from questions.engagement_files import engagement_off
from questions.loader import load_sets
from skill.builder import build_skill
from tests.builders import (
    jst,
    make_binding,
    make_consent,
    make_elder,
    make_exercise,
    make_notice,
    make_pairing_code,
    make_recipient,
    make_user,
    seed,
)
from tests.fakes import FakeRemindersApi, FakeUnitOfWork
from tests.line import FAMILY_USER
from tests.speaker import DEVICE_ID, SKILL_ID, USER_ID, Speaker
from tests.unit.conftest import MONDAY, TUESDAY

BUDGET = 120
MAX_TURNS = 40
SSML_OPEN = '<speak><prosody rate="90%">'
GREETINGS = ("おはようございます", "こんにちは", "こんばんは")
THANKS = "ありがとうございま"
CLOSINGS = (
    "おしまいです。ありがとうございました。",
    "またお話ししましょうね。",
    "お話ししましょうね。",
)
ASCII_WORD = re.compile(r"[A-Za-z_]{2,}")
PLACEHOLDERS = ("〇〇", "○○", "{", "}", "None", "まるまる")
NOTICE_TEXTS = (
    "大きな地震がありました。",
    "今日は燃えるごみの日です。",
    "12月5日に健康体操があります。",
    "椅子を用意して、ゆっくり始めましょう。",
)
MESSAGES = ("元気にしてる？日曜日に行くね。", "明日の10時に、訪問します。")
SHARES = (
    Share("地域包括支援センターの職員", "毎日のお答え"),
    Share("娘の明美さん", "毎日の様子と、応答がないときなどの連絡（アラート）"),
)
_SETS = load_sets()


def _relayed(text: str, wordings: set[str]) -> int:
    """Return how many characters of ``text`` others wrote (notices, messages, questions)."""
    return sum(len(part) * text.count(part) for part in (*NOTICE_TEXTS, *MESSAGES, *wordings))


def _wordings() -> set[str]:
    found = set()
    for qset in _SETS.values():
        for question in qset.questions:
            found |= {question.wording.speech, question.wording.hint}
    return found


WORDINGS = _wordings()


def check_response(reply, where: str) -> list[str]:
    """Return what is wrong with one response (empty when nothing)."""
    problems = []
    ssml = ((reply.raw.get("response") or {}).get("outputSpeech") or {}).get("ssml") or ""
    speech = reply.speech
    if not speech:
        return problems
    if not ssml.startswith(SSML_OPEN):
        problems.append(f"{where}: not slower SSML: {ssml[:40]}")
    sentences = [s for s in speech.split("。") if s.strip()]
    repeated = {s for s in sentences if sentences.count(s) > 1}
    if repeated:
        problems.append(f"{where}: repeated sentence {sorted(repeated)}: {speech}")
    if speech.count(THANKS) > 1:
        problems.append(f"{where}: thanks twice: {speech}")
    for closing in CLOSINGS:
        at = speech.find(closing)
        if at >= 0 and not speech.endswith(closing):
            problems.append(f"{where}: speech after the closing words: {speech}")
    if ASCII_WORD.search(speech):
        problems.append(f"{where}: ASCII in speech: {speech}")
    if any(p in speech or p in reply.reprompt for p in PLACEHOLDERS):
        problems.append(f"{where}: placeholder: {speech}")
    own = len(speech) - _relayed(speech, WORDINGS)
    if own > BUDGET:
        problems.append(f"{where}: {own} characters over the budget {BUDGET}: {speech}")
    return problems


class Walk:
    """One Alexa session, checked turn by turn."""

    def __init__(self, speaker: Speaker, name: str) -> None:
        self.speaker = speaker
        self.name = name
        self.problems: list[str] = []
        self.greetings = 0
        self.ended = False
        self.last = None

    def _take(self, reply, said: str):
        where = f"{self.name} / {said}"
        assert not self.ended, f"{where}: spoken to after the session ended"
        self.problems += check_response(reply, where)
        self.greetings += sum(reply.speech.count(g) for g in GREETINGS)
        if self.greetings > 1:
            self.problems.append(f"{where}: greeted twice in one session")
        self.ended = reply.end
        self.last = reply
        return reply

    def open(self):
        return self._take(self.speaker.open(), "(open)")

    def say(self, text: str):
        return self._take(self.speaker.say(text), text)

    def through(self, *texts: str):
        for text in texts:
            if self.ended:
                break
            self.say(text)
        return self

    def permission(self, status: str):
        """Answer Alexa's own permission question (the skill's session waited for it)."""
        self.ended = False
        return self._take(self.speaker.answer_permission(status), f"(permission {status})")

    def to_the_end(self, answer: str = "#1"):
        """Answer every question with its first button (or はい) until the session ends."""
        for _ in range(MAX_TURNS):
            if self.ended:
                return self
            buttons = (self.last.screen or {}).get("buttons") if self.last else None
            self.say(answer if buttons else "はい")
        raise AssertionError(f"{self.name}: did not end in {MAX_TURNS} turns")


@pytest.fixture
def world(store, services, skill, clock):
    with FakeUnitOfWork(store) as uow:
        consent = make_consent(shares=SHARES)
        seed(uow, make_elder(consent=consent))
        seed(uow, make_elder("elder-2", name="佐藤 一郎", municipality_code="303445"))
        uow.devices.bind(make_binding(alexa_user_id=USER_ID, device_id=DEVICE_ID))
        uow.devices.bind(
            make_binding(alexa_user_id="amzn1.ask.account.K", device_id="dev-K", elder_id="elder-2")
        )
        uow.recipients.add(
            make_recipient(
                "line-1", channel="line", address=FAMILY_USER, name="明美", relation="娘"
            )
        )
        uow.devices.add_pairing_code(make_pairing_code("654321", elder_id="elder-2"))
        uow.commit()
    return store


def walks(skill, clock, world, name, **ids):
    return Walk(Speaker(skill, clock, **ids), name)


def publish(store, *notices):
    with FakeUnitOfWork(store) as uow:
        for notice in notices:
            uow.notices.add(notice)
        uow.commit()


SLOT_TIMES = {"morning": (7, 30), "noon": (12, 0), "evening": (18, 0)}
SPEAKERS = {
    "032158": {},
    "303445": {"user_id": "amzn1.ask.account.K", "device_id": "dev-K"},
}


def test_every_check_in_of_each_set_on_each_weekday_and_slot(skill, clock, world):
    problems = []
    for code, ids in SPEAKERS.items():
        for offset in range(7):
            for slot, (hour, minute) in SLOT_TIMES.items():
                clock.set(jst(MONDAY + timedelta(days=offset + 7), hour, minute))
                walk = walks(skill, clock, world, f"{code} day+{offset} {slot}", **ids)
                walk.open()
                walk.to_the_end()
                problems += walk.problems
                again = walks(skill, clock, world, f"{code} day+{offset} {slot} again", **ids)
                again.open()
                problems += again.problems
    assert problems == []


def test_words_instead_of_buttons_with_worrying_answers_and_a_high_pressure(skill, clock, world):
    walk = walks(skill, clock, world, "words")
    walk.open()
    walk.through("悪い", "もう一度", "眠れなかった", "まだ飲んでない", "食べてない")
    walk.through("上が185で下が125", "はい", "52キロ", "はい")
    assert walk.ended
    assert walk.problems == []
    clock.tick(timedelta(days=1))
    walk = walks(skill, clock, world, "bp high")
    walk.open()
    walk.through("まあまあ", "あんまり", "飲んだ", "少し", "上が165で下が95", "はい")
    walk.to_the_end()
    assert walk.problems == []


def test_skips_repairs_help_privacy_repeat_and_stop(skill, clock, world):
    walk = walks(skill, clock, world, "help")
    walk.open()
    walk.through("使い方を教えて", "誰が見ているの", "もう一度", "今日の天気は", "えーと")
    walk.through("わからない", "あとで", "もう一度", "ストップ")
    assert walk.ended
    assert walk.problems == []
    walk = walks(skill, clock, world, "skip all")
    walk.open()
    walk.to_the_end("わからない")
    assert walk.problems == []


def test_notices_disaster_and_emergency(skill, clock, world):
    gomi = make_notice(
        "032158/gomi", speech=NOTICE_TEXTS[1], recurrence=Recurrence(weekdays=(0, 3))
    )
    taiso = make_notice("032158/taiso", title="健康体操", speech=NOTICE_TEXTS[2])
    quake = make_notice(
        "032158/quake",
        title="地震の情報",
        speech=NOTICE_TEXTS[0],
        priority=Priority.DISASTER,
        starts_at=jst(MONDAY, 6),
    )
    publish(world, gomi, taiso)
    walk = walks(skill, clock, world, "notices now")
    walk.open()
    walk.through("はい")
    walk.to_the_end()
    assert walk.problems == []
    publish(world, make_notice("032158/later", title="お祭り", speech="お祭りがあります。"))
    walk = walks(skill, clock, world, "notices later")
    walk.open()
    walk.through("あとで")
    walk.to_the_end()
    assert walk.problems == []
    publish(world, quake)
    walk = walks(skill, clock, world, "quake need help")
    walk.open()
    walk.through("助けが必要です")
    assert walk.ended
    assert walk.problems == []
    clock.tick(timedelta(days=1))
    walk = walks(skill, clock, world, "emergency")
    walk.open()
    walk.through("元気", "胸が痛い")
    assert walk.ended
    assert walk.problems == []


def test_exercise_invitations_and_every_answer_to_them(skill, clock, world):
    publish(world, make_exercise(speech=NOTICE_TEXTS[3]))
    answers = ("やった", "今日はやめとく", "これからやる", "はい", "えーと", "#1", "#2", "ストップ")
    problems = []
    for n, said in enumerate(answers):
        tuesday = TUESDAY + timedelta(weeks=2 * n)
        clock.set(jst(tuesday, 10, 15))  # the morning slot is open
        walk = walks(skill, clock, world, f"exercise after the check-in / {said}")
        walk.open()
        walk.to_the_end()  # the invitation has buttons: the first one (やった) answers it
        problems += walk.problems
        clock.set(jst(tuesday + timedelta(days=3), 10, 15))  # Friday
        walk = walks(skill, clock, world, f"exercise before the closing / {said}")
        walk.open()
        for _ in range(MAX_TURNS):
            if walk.ended or "体操の時間です" in walk.last.speech:
                break
            walk.say("#1")
        walk.through("使い方を教えて", said)
        assert walk.ended
        problems += walk.problems
        clock.set(jst(tuesday + timedelta(weeks=1), 7, 30))  # the next Tuesday
        walk = walks(skill, clock, world, f"morning check-in / {said}")
        walk.open()
        walk.to_the_end()
        clock.set(jst(tuesday + timedelta(weeks=1), 10, 45))
        walk = walks(skill, clock, world, f"exercise after the greeting / {said}")
        assert "体操の時間です" in walk.open().speech
        walk.through(said)
        assert walk.ended
        problems += walk.problems
    assert problems == []


def test_family_and_center_messages_and_replies(skill, clock, world, services):
    def relay(event_id, kind=MessageKind.TEXT, **kw):
        family.relay(services, FAMILY_USER, event_id, kind, received_at=clock.now, **kw)

    relay("ev1", text=MESSAGES[0])
    relay("ev2", kind=MessageKind.STICKER)
    center_messages.send(services, make_user("user-1"), "elder-1", MESSAGES[1])
    walk = walks(skill, clock, world, "messages")
    walk.open()
    walk.through("はい", "返事をする", "日曜日を楽しみにしていますと伝えて", "はい")
    walk.to_the_end()
    assert walk.problems == []
    relay("ev3", text=MESSAGES[0])
    walk = walks(skill, clock, world, "after done")
    walk.open()
    walk.through("はい", "はい", "元気ですと伝えて", "いいえ", "元気ですと伝えて", "はい")
    assert walk.ended
    assert walk.problems == []
    relay("ev4", text=MESSAGES[0])
    walk = walks(skill, clock, world, "later")
    walk.open()
    walk.through("いいえ", "娘に今日は元気だよと伝えて", "はい")
    walk.to_the_end()
    assert walk.problems == []


def test_away_return_and_pairing(skill, clock, world):
    walk = walks(skill, clock, world, "away")
    walk.open()
    walk.through("しばらく入院します", "来週の日曜日まで", "はい")
    assert walk.ended
    assert walk.problems == []
    clock.tick(timedelta(days=1))
    walk = walks(skill, clock, world, "return")
    walk.open()
    walk.through("ただいま")
    walk.to_the_end()
    assert walk.problems == []
    walk = walks(skill, clock, world, "travel unknown")
    walk.open()
    walk.through("旅行に行きます", "わからない", "いいえ", "ストップ")
    assert walk.problems == []
    walk = walks(skill, clock, world, "weekly absence")
    walk.open()
    walk.through("毎週水曜日はデイサービスです", "ええと", "はい")
    walk.to_the_end()
    assert walk.problems == []
    walk = walks(skill, clock, world, "weekly absence refused")
    walk.open()
    walk.through("月水金は透析です", "いいえ")
    walk.to_the_end()
    assert walk.problems == []
    walk = walks(skill, clock, world, "pairing", user_id="amzn1.ask.account.N", device_id="dev-N")
    walk.open()
    walk.through("コードは111111", "コードは654321")
    walk.to_the_end()
    assert walk.problems == []


@pytest.fixture
def reminder_api() -> FakeRemindersApi:
    return FakeRemindersApi()


@pytest.fixture
def reminder_skill(services, reminder_api):
    """The skill of a deployment that offers the medication reminder."""

    def offered(code: str):
        return replace(engagement_off(code), medication_reminder=True)

    return build_skill(replace(services, reminders=reminder_api, engagement=offered), SKILL_ID)


def test_the_medication_reminder_offered_and_declined(reminder_skill, clock, world):
    walk = walks(reminder_skill, clock, world, "reminder declined")
    walk.open()
    walk.through("元気", "#1", "飲んだ", "ええと", "使い方を教えて", "いいえ")
    walk.to_the_end()
    assert walk.problems == []
    walk = walks(reminder_skill, clock, world, "reminder asked after a no", granted=True)
    walk.open()
    walk.through("薬の時間に教えて", "使い方を教えて", "ええと", "ええと", "ストップ")
    assert walk.problems == []


def test_the_medication_reminder_set_after_the_permission_asked_by_voice(
    reminder_skill, clock, world, reminder_api
):
    walk = walks(reminder_skill, clock, world, "reminder permission accepted")
    walk.open()
    walk.through("元気", "#1", "まだ", "はい", "夜7時半")
    walk.permission("ACCEPTED")
    walk.to_the_end()
    assert walk.problems == []
    assert len(reminder_api.created) == 1
    walk = walks(reminder_skill, clock, world, "reminder removed", granted=True)
    walk.open()
    walk.through("薬の時間に教えて", "お薬のお知らせはいらない", "お薬のお知らせはいらない")
    walk.to_the_end()
    assert walk.problems == []


@pytest.mark.parametrize("status", ["DENIED", "NOT_ANSWERED"])
def test_the_medication_reminder_permission_not_given(reminder_skill, clock, world, status):
    walk = walks(reminder_skill, clock, world, f"reminder permission {status}")
    walk.open()
    walk.through("元気", "#1", "飲んだ", "はい", "8時")
    walk.permission(status)
    walk.to_the_end()
    assert walk.problems == []


def test_the_medication_reminder_at_the_one_slot_and_when_the_api_fails(
    reminder_skill, clock, world, reminder_api
):
    ids = {"user_id": "amzn1.ask.account.K", "device_id": "dev-K"}  # 303445: 服薬は朝だけ
    reminder_api.fail_with.append("busy")
    walk = walks(reminder_skill, clock, world, "reminder api busy then set", granted=True, **ids)
    walk.open()
    walk.through("元気", "飲んだ", "はい", "薬の時間に教えて", "薬の時間に教えて")
    walk.to_the_end()
    assert walk.problems == []
    assert len(reminder_api.created) == 1


def test_the_checker_catches_what_it_must():
    class R:
        def __init__(self, speech, ssml=None, end=False):
            self.speech = speech
            self.reprompt = ""
            self.end = end
            self.raw = {"response": {"outputSpeech": {"ssml": ssml or SSML_OPEN + speech}}}

    assert check_response(R("ありがとうございます。ありがとうございました。"), "x")
    assert check_response(R("おはようございます。おはようございます。"), "x")
    assert check_response(R("おしまいです。ありがとうございました。お知らせです。"), "x")
    assert check_response(R("center（answers）です。"), "x")
    assert check_response(R("「〇〇と伝えて」"), "x")
    assert check_response(R("あ" * (BUDGET + 1)), "x")
    assert check_response(R("はい。", ssml="<speak>はい。</speak>"), "x")
    assert check_response(R("はい。わかりました。"), "x") == []
