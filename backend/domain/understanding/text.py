"""Normalisation of what was heard: width, fillers, numerals, approximate numbers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import jaconv
import kanjize

from backend.domain.understanding.lexicon import EMPTY, Lexicon

# Words that only fill a pause (at the start of an utterance or of a clause).
_FILLERS = (
    "えーっとね",
    "えーっと",
    "ええっと",
    "えーとね",
    "えっとね",
    "えーと",
    "えっと",
    "ええと",
    "えと",
    "あのですね",
    "あのね",
    "あのさ",
    "あのー",
    "あの",
    "うーんと",
    "うーん",
    "うーむ",
    "んーと",
    "んー",
    "そうですねえ",
    "そうですね",
    "そうだねえ",
    "そうだね",
    "そうねえ",
    "そうね",
    "そやなあ",
    "そやな",
    "んだなあ",
    "まあね",
    "まあ",
    "ほら",
    "なんか",
    "えー",
    "あー",
    "うー",
    "ええとね",
    "いやあ",
    "いやー",
    "いやぁ",
)
# Alexa's words come without commas: a filler is not taken from the start of the next word, and
# no word starts with っ, a small kana, (in kana) a ら-row sound or ん (but for んだ, んでね), so
# 「そうですねえらいわ」 is そうですね + えらいわ and 「いやあんまり」 is not いやあ + んまり.
_WORD_START = r"(?![らりるれろっーぁぃぅぇぉゃゅょ]|ん(?![だでじ]))"
_FILLER_RE = re.compile(
    "^(?:(?:"
    + "|".join(
        re.escape(f) + ("(?!まあ)" if f == "まあ" else "")  # まあまあ is an answer
        for f in sorted(_FILLERS, key=len, reverse=True)
    )
    + r")[ー〜~]*[、,\s]*"
    + _WORD_START
    + ")+"
)
_PUNCT = re.compile(r"[\s。．!！?？・…「」『』()（）~〜♪]+")
_COMMA = re.compile(r"[、，,]+")
_KANJI_NUM = "〇零一二三四五六七八九十百千万"
_KANJI_RUN = re.compile(f"[0-9{_KANJI_NUM}]*[{_KANJI_NUM}][0-9{_KANJI_NUM}]*")
# Kanji that are numerals only next to a unit or another numeral, never in 一睡, 一人, 一緒...
_NUMERAL_CONTEXT = re.compile(
    r"(?:キロ|kg|歩|分|時間|点|度|回|グラム|くらい|ぐらい|ほど|の|と|で|に|が|です|だ|$)"
)


def width(text: str) -> str:
    """Return ``text`` in NFKC (ASCII digits, full-width kana) and with long spaces folded."""
    text = unicodedata.normalize("NFKC", jaconv.h2z(text, kana=True, ascii=False, digit=False))
    return text.strip()


def strip_fillers(text: str) -> str:
    """Return ``text`` without the fillers that open it (えーと, あのね, うーん, まあ...)."""
    return _FILLER_RE.sub("", text)


def clauses(text: str) -> list[str]:
    """Return the clauses of ``text`` (split at commas), without fillers.

    A clause that is only a filler is dropped, unless the whole utterance is fillers
    (「そうですね」 alone is an answer of its own).
    """
    raw = [p.strip() for p in _COMMA.split(text) if p.strip()]
    parts = [strip_fillers(p) for p in raw]
    kept = [p for p in parts if p]
    return kept if kept else raw


def normalise(text: str, lexicon: Lexicon = EMPTY) -> str:
    """Return what was heard ready for analysis: width, dialect to standard, fillers dropped.

    Commas are kept (they separate clauses); other punctuation and spaces are removed.
    """
    text = width(text)
    text = _PUNCT.sub("、", text).strip("、")
    text = "、".join(clauses(text))
    text = _split_opening_reply(text, lexicon)
    return lexicon.standardise(text)


_OPENING_REPLIES = ("はい", "いいえ", "ううん")


def _split_opening_reply(text: str, lexicon: Lexicon) -> str:
    """Return 「んだ、なんともねえ」 for 「んだなんともねえ」: Alexa's words have no commas."""
    for word in sorted((*lexicon.yes, *lexicon.no, *_OPENING_REPLIES), key=len):
        rest = text[len(word) :]
        if text.startswith(word) and rest and not rest.startswith("、") and len(rest) >= 2:
            return f"{word}、{rest}"
    return text


def compact(text: str) -> str:
    """Return ``text`` without any punctuation or space (for whole-phrase comparisons)."""
    return _COMMA.sub("", _PUNCT.sub("", text))


def _kanji_to_digits(match: re.Match[str]) -> str:
    run = match.group(0)
    following = match.string[match.end() : match.end() + 3]
    in_a_word = not re.fullmatch(r"[0-9]*", run) and not _NUMERAL_CONTEXT.match(following)
    if in_a_word and len(run) == 1 and run in "一二三":  # 一睡, 一人, 二人: words, not numbers
        return run
    try:
        return str(kanjize.kanji2number(run))
    except (ValueError, KeyError):
        return run


_KANA_NUMERALS = {
    "いち": "一", "に": "二", "さん": "三", "よん": "四", "し": "四", "ご": "五", "ろく": "六",
    "なな": "七", "しち": "七", "はち": "八", "きゅう": "九", "く": "九", "じゅう": "十",
    "ひゃく": "百", "びゃく": "百", "ぴゃく": "百", "せん": "千", "ぜん": "千", "まん": "万",
}  # fmt: skip
_KANA_RUN = re.compile(
    "((?:"
    + "|".join(sorted(_KANA_NUMERALS, key=len, reverse=True))
    + ")+)(?=キロ|歩|分|時間|点|回)"
)


def _kana_to_kanji(match: re.Match[str]) -> str:
    run, out = match.group(1), ""
    while run:
        word = next(w for w in sorted(_KANA_NUMERALS, key=len, reverse=True) if run.startswith(w))
        out += _KANA_NUMERALS[word]
        run = run[len(word) :]
    return out


def digits(text: str) -> str:
    """Return ``text`` with numerals as ASCII digits (五十二 -> 52, 3千 -> 3000, ごじゅうにキロ)."""
    return _KANJI_RUN.sub(_kanji_to_digits, _KANA_RUN.sub(_kana_to_kanji, text))


@dataclass(frozen=True)
class Quantity:
    """A number heard with the unit after it (None when there is none) and whether approximate."""

    value: float
    unit: str | None
    approximate: bool
    start: int


_UNITS = {
    "キログラム": "kg",
    "キロ": "kg",
    "kg": "kg",
    "歩": "steps",
    "時間": "hours",
    "分": "minutes",
    "回": "times",
    "度": "degrees",
    "時": "clock",  # 7時に起きた: a time of day, not an answer
    "番": "number",
}
_NUMBER = re.compile(
    r"(?P<approx_before>約|およそ|だいたい|大体|大凡|ほぼ)?"
    r"(?P<int>[0-9]+)(?:(?:点|\.)(?P<frac>[0-9]+))?"
    r"(?P<unit>キログラム|キロ|kg|歩|時間|分|回|度|時|番)?"
    r"(?P<half>半)?"
    r"(?:(?P<sub>[0-9]+)(?P<subunit>分|グラム)?)?"
    r"(?P<approx_after>くらい|ぐらい|位|ほど|程|前後|ちょっと|ちょい|強|弱)?"
)


def quantities(text: str) -> list[Quantity]:
    """Return every number in ``text`` with its unit: 52キロ半 -> 52.5 kg, 1時間30分 -> 90 min."""
    text = compact(digits(width(text)))
    found: list[Quantity] = []
    for m in _NUMBER.finditer(text):
        value = float(m.group("int"))
        if m.group("frac"):
            value += float("0." + m.group("frac"))
        unit = _UNITS.get(m.group("unit") or "")
        sub = m.group("sub")
        if m.group("half"):
            value += 0.5
            sub = None
        if sub and unit == "kg":
            # 52キロ5 / 52キロ500 (グラム): the part after キロ is the decimal part.
            value += float(sub) / (1000 if len(sub) == 3 or m.group("subunit") else 10 ** len(sub))
        elif sub and unit == "hours" and m.group("subunit") == "分":
            value = value * 60 + float(sub)
            unit = "minutes"
        elif unit == "hours":
            value *= 60
            unit = "minutes"
        approximate = bool(m.group("approx_before") or m.group("approx_after"))
        found.append(Quantity(value, unit, approximate, m.start()))
    return found
