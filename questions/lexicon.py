"""A dialect lexicon: how the elders of one municipality say things, mapped to standard Japanese.

A lexicon is data (``questions/lexicons/<municipality-code>.yaml``, loaded and validated by
``questions.lexicons``). The understanding layer applies it before the morphological analysis, so
every rule written for standard Japanese (negation of any verb, any politeness) also covers the
dialect: 「眠らいねがった」 is rewritten to 「眠られなかった」 and then analysed as a negated 眠る.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rewrite:
    """One dialect form and its standard equivalent (``pattern`` is a regular expression)."""

    pattern: re.Pattern[str]
    standard: str
    samples: tuple[str, ...] = ()  # whole utterances worth teaching Alexa (interaction model)


@dataclass(frozen=True)
class Lexicon:
    """The dialect of one or more municipalities."""

    region: str
    rewrites: tuple[Rewrite, ...] = ()
    yes: tuple[str, ...] = ()  # whole replies that mean はい (んだ, せや)
    no: tuple[str, ...] = ()  # whole replies that mean いいえ (んでね, ちゃう)
    answers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # answer id -> phrases

    def merged(self, other: Lexicon) -> Lexicon:
        """Return this lexicon with ``other`` added (its rewrites and phrases after these)."""
        answers = {k: tuple(v) for k, v in self.answers.items()}
        for answer_id, phrases in other.answers.items():
            answers[answer_id] = (*answers.get(answer_id, ()), *phrases)
        region = " + ".join(r for r in (self.region, other.region) if r)
        return Lexicon(
            region=region,
            rewrites=(*self.rewrites, *other.rewrites),
            yes=(*self.yes, *other.yes),
            no=(*self.no, *other.no),
            answers=answers,
        )

    def standardise(self, text: str) -> str:
        """Return ``text`` with every dialect form replaced by its standard form."""
        for rewrite in self.rewrites:
            text = rewrite.pattern.sub(rewrite.standard, text)
        return text


EMPTY = Lexicon(region="")
