"""The conversation after a completed check-in: today's topic, the stamp, then the quiz offered.

Nothing of it comes before or delays the check-in: it follows the closing line of a completed
check-in (and the notices read after it), only where the municipality turned engagement on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from backend import messages
from backend.domain.engagement import Verdict, judge
from backend.domain.understanding import EMPTY, Lexicon, Meaning, MeaningKind, understand
from backend.services import engagement, notice_delivery
from backend.services.context import Services
from backend.services.turns import Caller, Line, Turn, elder_for
from questions.engagement_files import Engagement, QuizQuestion

STAGE = "stage"
STAGE_OFFERED = "quiz_offered"
STAGE_ASKED = "quiz_asked"
# 「やる」「お願い」「出して」: yes to the offer in other words. Not 「いい」: 「今日はいい」 is a
# polite no, and Alexa delivers 「いいよ」 and 「今日はいい」 alike as the answer いい.
_WANTS = re.compile(r"やる|やります|やってみ|お願い|おねがい|出して|してみる|しよう")
DONE_KEY = "done"  # the closing line of a completed check-in (not of a partial one)


def in_quiz(state: dict[str, Any]) -> bool:
    """Return True while a quiz question waits for its answer."""
    return state.get(STAGE) == STAGE_ASKED


def offered(state: dict[str, Any]) -> bool:
    """Return True right after the quiz was offered."""
    return state.get(STAGE) == STAGE_OFFERED


@dataclass(frozen=True)
class _Speaker:
    """The elder at the speaker, read once a turn: may they be asked, and how they speak."""

    elder_id: str | None  # None: unpaired, or not watched
    engagement: Engagement | None
    lexicon: Lexicon

    def meaning(self, words: str) -> Meaning:
        """Return what the words mean, read with the municipality's dialect lexicon."""
        return understand(words, None, self.lexicon)

    def question(self, question_id: str) -> QuizQuestion | None:
        """Return one of the municipality's quiz questions, or None."""
        return self.engagement.question(question_id) if self.engagement else None


def _speaker(svc: Services, caller: Caller) -> _Speaker:
    with svc.uow() as uow:
        elder = elder_for(uow, caller)
    if elder is None:
        return _Speaker(None, None, EMPTY)
    qset = svc.question_sets().get(elder.municipality_code)
    lexicon = qset.lexicon if qset is not None else EMPTY
    if not elder.is_watchable:
        return _Speaker(None, None, lexicon)
    return _Speaker(elder.id, svc.engagement(elder.municipality_code), lexicon)


def _choices(question: QuizQuestion) -> Line:
    choices = question.choices
    if len(choices) == 2:
        return Line("quiz_two_choices", {"a": choices[0], "b": choices[1]})
    return Line("quiz_three_choices", {"a": choices[0], "b": choices[1], "c": choices[2]})


def quiz_screen(question: QuizQuestion) -> dict[str, Any]:
    """Return the screen of a quiz question: the question and one button per choice."""
    return {
        "title": messages.QUIZ_TITLE,
        "text": question.ask,
        "buttons": [
            {"kind": "quiz", "value": choice, "label": choice, "primary": True}
            for choice in question.choices
        ],
    }


def _ask(question: QuizQuestion, lines: list[Line], left: tuple[str, ...]) -> Turn:
    lines = [*lines, Line("say", {"text": question.ask}), _choices(question)]
    state = {STAGE: STAGE_ASKED, "quiz": question.id, "left": list(left), "tries": 0}
    return Turn(
        tuple(lines),
        state=state,
        reprompt=_choices(question),
        screen=quiz_screen(question),
    )


def after_checkin(svc: Services, caller: Caller, turn: Turn) -> Turn:
    """Follow a completed check-in with today's topic and stamp, then offer the quiz."""
    if not turn.end or not any(line.key == DONE_KEY for line in turn.lines):
        return turn
    elder_id = _speaker(svc, caller).elder_id
    if elder_id is None:
        return turn
    offer = engagement.offer(svc, elder_id)
    if offer == engagement.NOTHING:
        return turn
    # The closing's thanks move to the very end of what follows.
    lines = [Line("done_more") if line.key == DONE_KEY else line for line in turn.lines]
    if offer.topic is not None:
        lines.append(Line("say", {"text": offer.topic.say}))
    stamps = None
    if offer.stamp is not None and offer.stamp.stamped_today:
        lines.append(Line("stamp_today"))
        if offer.stamp.streak > 1:
            lines.append(Line("stamp_streak", {"days": offer.stamp.streak}))
        stamps = engagement.stamp_datasource(offer.stamp)
    if not offer.quiz:
        lines.append(Line("engagement_goodbye"))
        return Turn(tuple(lines), end=True, stamps=stamps, screen=turn.screen)
    lines.append(Line("quiz_offer"))
    state = {STAGE: STAGE_OFFERED, "left": [q.id for q in offer.quiz]}
    return Turn(tuple(lines), state=state, reprompt=Line("quiz_offer_reprompt"), stamps=stamps)


def start_quiz(svc: Services, caller: Caller, state: dict[str, Any]) -> Turn:
    """Ask the first of today's quiz questions (after 「はい」, or when the elder says クイズ)."""
    speaker = _speaker(svc, caller)
    if speaker.elder_id is None:
        return Turn((Line("quiz_none_today"),), end=True)
    left = tuple(state.get("left") or ())
    if not left:
        left = tuple(q.id for q in engagement.offer(svc, speaker.elder_id).quiz)
    question = speaker.question(left[0]) if left else None
    if question is None:
        return Turn((Line("quiz_none_today"),), end=True)
    return _ask(question, [], left[1:])


def offer_reply(svc: Services, caller: Caller, state: dict[str, Any], words: str) -> Turn:
    """Take what was said to the offer: an emergency first; yes starts the quiz; else none."""
    meaning = _speaker(svc, caller).meaning(words)
    if meaning.kind is MeaningKind.EMERGENCY:
        return notice_delivery.emergency(svc, caller, state, f"words:{meaning.rule}")
    if meaning.kind is MeaningKind.YES or _WANTS.search(words):
        return start_quiz(svc, caller, state)
    return Turn((Line("quiz_declined"),), end=True)


def answer(svc: Services, caller: Caller, state: dict[str, Any], heard: str) -> Turn:
    """Judge the answer (an emergency first), say the right one kindly, then go on or end."""
    speaker = _speaker(svc, caller)
    meaning = speaker.meaning(heard)
    if meaning.kind is MeaningKind.EMERGENCY:
        return notice_delivery.emergency(svc, caller, state, f"words:{meaning.rule}")
    question = speaker.question(state.get("quiz", ""))
    if speaker.elder_id is None or question is None:
        return Turn((Line("quiz_none_today"),), end=True)
    verdict = judge(question, heard)
    if verdict is Verdict.UNCLEAR and heard and not state.get("tries"):
        lines = [Line("quiz_unclear_again"), _choices(question)]
        new_state = {**state, "tries": 1}
        return Turn(
            tuple(lines), state=new_state, reprompt=_choices(question), screen=quiz_screen(question)
        )
    engagement.record_answer(svc, speaker.elder_id, question, verdict, caller.request_id)
    if verdict is Verdict.RIGHT:
        lines = [Line("quiz_right")]
    elif verdict is Verdict.WRONG:
        lines = [Line("quiz_wrong", {"answer": question.answer})]
    else:
        lines = [Line("quiz_answer_is", {"answer": question.answer})]
    if question.after:
        lines.append(Line("say", {"text": question.after}))
    left = tuple(state.get("left") or ())
    following = speaker.question(left[0]) if left else None
    if following is not None:
        return _ask(following, [*lines, Line("quiz_next")], left[1:])
    lines.append(Line("quiz_goodbye"))
    return Turn(tuple(lines), end=True)


def set_quiz(svc: Services, caller: Caller, wanted: bool) -> Turn:
    """「クイズはいらない」 / 「クイズをしたい」: keep the elder's choice and say so."""
    elder_id = _speaker(svc, caller).elder_id
    if elder_id is None:
        return Turn((Line("quiz_none_today"),), end=True)
    engagement.set_choices(svc, elder_id, quiz=wanted)
    if not wanted:
        return Turn((Line("quiz_off"),), end=True)
    return start_quiz(svc, caller, {})
