"""The Japanese morphological analyser (MeCab through fugashi, UniDic-lite), loaded lazily.

fugashi is imported and its dictionary opened at the first call of ``tokens``, never at import
time: the skill's Lambda entry does not pay for it on a cold start until an utterance has to be
understood (see bench/understanding.py for both costs).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_tagger: Any = None


@dataclass(frozen=True, slots=True)
class Token:
    """One morpheme: its surface, dictionary form and part of speech."""

    surface: str
    lemma: str  # UniDic lemma (眠れ -> 眠る, ませ -> ます, ねえ -> ない)
    base: str  # the written dictionary form (眠れ -> 眠れる: tells potential forms apart)
    pos: str  # 動詞, 形容詞, 名詞, 助動詞, 助詞 ...
    pos2: str  # 一般, 非自立可能, 数詞, 接続助詞 ...
    cform: str  # conjugation form (未然形-一般, 連用形-促音便 ...)


def _get_tagger() -> Any:
    global _tagger
    if _tagger is None:
        import fugashi  # the analyser and its dictionary: only when first needed

        _tagger = fugashi.Tagger()
    return _tagger


def _clean_lemma(lemma: str | None, surface: str) -> str:
    if not lemma:
        return surface
    return lemma.split("-", 1)[0]  # キロ-kilo -> キロ


@lru_cache(maxsize=4096)
def tokens(text: str) -> tuple[Token, ...]:
    """Return the morphemes of ``text`` (cached: the same words are often heard again)."""
    result = []
    for word in _get_tagger()(text):
        f = word.feature
        result.append(
            Token(
                surface=word.surface,
                lemma=_clean_lemma(f.lemma, word.surface),
                base=f.orthBase or word.surface,
                pos=f.pos1 or "",
                pos2=f.pos2 or "",
                cform=f.cForm or "",
            )
        )
    return tuple(result)


def is_loaded() -> bool:
    """Return True once the analyser has been loaded in this process."""
    return _tagger is not None
