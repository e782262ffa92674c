"""The set editor's preview says the very words the skill opens a check-in with."""

from __future__ import annotations

import pytest

from questions.intro import intro_words
from skill.prompts import render


@pytest.mark.parametrize("key", ["intro", "resume"])
@pytest.mark.parametrize("count", range(1, 12))
def test_the_preview_words_are_the_skills(key: str, count: int) -> None:
    assert intro_words(count, key) == render(key, {"count": count})
