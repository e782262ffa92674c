"""Screens and speech of engagement after the check-in (topic, quiz, stamp card)."""

from __future__ import annotations

from typing import Any

from backend.services.engagement import StampCard
from questions.engagement_files import QuizQuestion
from skill.engagement_prompts import JA_JP


def say(key: str, catalog: dict[str, str] = JA_JP, **params: Any) -> str:
    """Return one engagement prompt with its parameters."""
    return catalog[key].format(**params)


def quiz_speech(question: QuizQuestion, catalog: dict[str, str] = JA_JP) -> str:
    """Return a quiz question as spoken: the question, then its choices."""
    choices = question.choices
    if len(choices) == 2:
        return question.ask + say("quiz_two_choices", catalog, a=choices[0], b=choices[1])
    return question.ask + say(
        "quiz_three_choices", catalog, a=choices[0], b=choices[1], c=choices[2]
    )


def quiz_screen(question: QuizQuestion, catalog: dict[str, str] = JA_JP) -> dict[str, Any]:
    """Return the check-in screen's datasource for a quiz question: one button per choice."""
    return {
        "title": say("quiz_title", catalog),
        "text": question.ask,
        "buttons": [
            {"kind": "quiz", "value": choice, "label": choice, "primary": True}
            for choice in question.choices
        ],
    }


def stamp_screen(card: StampCard, catalog: dict[str, str] = JA_JP) -> dict[str, Any]:
    """Return the stamp card's datasource: one cell a day of the month, today's marked."""
    stamped = set(card.card.stamped)
    today = card.card.days_so_far
    return {
        "title": say("stamp_title", catalog, month=card.card.month),
        "message": (
            say("stamp_streak", catalog, days=card.streak)
            if card.streak > 1
            else say("stamp_message", catalog)
        ),
        "days": [
            {
                "day": str(day),
                "stamped": day in stamped,
                "today": day == today,
                "mark": say("stamp_mark", catalog),
            }
            for day in range(1, card.card.length + 1)
        ],
    }
