"""Yes or no: the words that say it, and the polarity of an answer to a yes/no question."""

from __future__ import annotations

import re
from functools import lru_cache

from backend.domain.understanding.predicates import Reading, Unit, read
from backend.domain.understanding.text import compact, normalise
from questions.lexicon import Lexicon

# --- yes / no ---------------------------------------------------------------------------------

_YES = (
    "はい",
    "はいはい",
    "ええ",
    "うん",
    "うんうん",
    "そう",
    "そうそう",
    "そうです",
    "そうだよ",
    "その通り",
    "そのとおり",
    "もちろん",
    "はいな",
    "おう",
)
_NO = (
    "いいえ",
    "いえ",
    "いや",
    "いやいや",
    "ううん",
    "違う",
    "違います",
    "ちがう",
    "そうじゃない",
    "そうではない",
    "とんでもない",
    "そんなことない",
    "そんなことはない",
    "そんなことありません",
    "そんなことはありません",
)
_COPULA_TAIL = re.compile(
    r"(?:です|でした|だよ|だね|よ|ね|ねえ|な|なあ|わ|かな|だ|や|やで|やな|で|と思う|と思います)+$"
)


# 「いや、あんまり」「いいえ、それほど」: no, and not much (Alexa's words come without commas).
_NOT_MUCH = re.compile(
    r"(?:あんまり|あまり|全然|ぜんぜん|それほど|そんなに|さほど|ちっとも|全く|まったく)"
    r"(?:です|だ|ね|ねえ|な|なあ|よ|わ)*"
)


def yes_no_word(text: str, lexicon: Lexicon) -> bool | None:
    """Return True/False when the utterance starts with a yes or no word, else None."""
    head = compact(text)
    for words, value in (((*lexicon.no, *_NO), False), ((*lexicon.yes, *_YES), True)):
        for word in sorted(words, key=len, reverse=True):
            tail = head[len(word) :] or "です"
            if head.startswith(word) and (head == word or _COPULA_TAIL.fullmatch(tail)):
                return value
            if not value and head.startswith(word) and _NOT_MUCH.fullmatch(tail):
                return False
    for words, value in (((*lexicon.no, *_NO), False), ((*lexicon.yes, *_YES), True)):
        first = text.split("、", 1)[0]
        if len(text.split("、")) > 1 and compact(first) in words:
            return value
    return None


_FRAMES = ("思う", "思える", "感ずる", "感じる", "考える", "言う", "言える")
_HARD = ("難い", "辛い", "にくい", "づらい")  # 食べにくい: said like a negation
_NUMERAL = "数詞"
_GENERIC = frozenset({"成る", "比べる", "前", "週間", "此処", "伺う", "時", "以上", "回", "半年"})
# An answer's word for the question's own word (こけた to 「転びましたか」, 上がる to 昇る).
SAME_AS = {
    "こける": ("転ぶ",),
    "転ける": ("転ぶ",),
    "転倒": ("転ぶ",),
    "上がる": ("上る",),
    "登る": ("上る",),
    "昇る": ("上る",),
    "行く": ("訪ねる", "出掛ける"),
    "出る": ("出掛ける",),
    "楽しい": ("楽しむ",),
    "怖い": ("不安",),
    "恐い": ("不安",),
    "心配": ("不安",),
    "張り合い": ("充実",),
    "遣り甲斐": ("充実",),
    "やりがい": ("充実",),
    "生き甲斐": ("充実",),
    "掴む": ("捕まる",),
    "握る": ("捕まる",),
    "持つ": ("捕まる",),
    "伝う": ("捕まる",),
    "伝わる": ("捕まる",),
    "頼る": ("捕まる",),
    "付く": ("捕まる",),
    "突く": ("捕まる",),
    "つく": ("捕まる",),
    "面倒": ("億劫",),
    "面倒臭い": ("億劫",),
}
CHANGES = ("減る", "増える", "成る", "変わる")  # 「…が減っていますか」: 変わらない says no
_IMPOSSIBLE = ("無理", "駄目", "だめ", "ダメ")
BY_ONESELF = ("自分", "一人", "独り")
OTHERS_DO_IT = ("頼む", "任せる")  # 娘に頼んでる: not by oneself


def _boundary(r: Reading, start: int, end: int) -> bool:
    """Return True when a clause ends between tokens ``start`` and ``end`` (、 けど から ば)."""
    for tok in r.tokens[start:end]:
        if tok.pos2 == "読点" or (tok.pos2 == "接続助詞" and tok.lemma not in ("て", "で")):
            return True
    return False


def quoted_frame(r: Reading, unit: Unit) -> bool:
    """Return True for 思う in 役に立つと思う: a frame around what was said before it."""
    return (
        unit.is_(*_FRAMES) and unit.index > 0 and r.tokens[unit.index - 1].lemma in ("と", "って")
    )


def _needs(r: Reading, position: int) -> bool:
    """手すりがないと無理, つかまらないと立てない: without it, not possible (so it is needed)."""
    unit = r.units[position]
    nxt = [t for t in r.tokens[unit.index + 1 :] if t.pos != "補助記号"]
    conditional = next((t for t in nxt if t.pos2 == "接続助詞"), None)
    after_not = next((i for i, t in enumerate(nxt) if t.pos == "助詞"), None)
    if after_not and nxt[after_not].lemma == "と" and nxt[after_not - 1].lemma in ("ず", "ない"):
        conditional = nxt[after_not]  # つかまらんと: the analyser reads this と as a case particle
    if conditional is None or conditional.lemma not in ("と", "ば", "ては", "なら"):
        return False
    later = [u for u in r.units[position + 1 :] if u.pos in ("動詞", "形容詞", "名詞", "形状詞")]
    return bool(later) and (later[0].is_(*_IMPOSSIBLE) or later[0].negated)


def _rhetorical(r: Reading, unit: Unit) -> bool:
    """転ぶのではないか, 転ぶんじゃないか: a negation that asks, not denies."""
    end = next((u.index for u in r.units if u.index > unit.index), len(r.tokens))
    toks = r.tokens[unit.index : end + 1]
    return any(
        t.lemma in ("無い", "ない") and i + 1 < len(toks) and toks[i + 1].lemma == "か"
        for i, t in enumerate(toks)
    )


def unit_polarities(r: Reading) -> list[bool | None]:
    """Return, for each unit, True when it is said affirmatively (None: a frame or a near miss).

    A noun or a word made a noun (固いもの) takes the polarity of the predicate after it in its
    clause (ひとりでは行かない, 手すりなしで: ひとり and 手すり are denied); difficulty
    (食べにくい) counts as a negation; a negated frame (役に立つと思えない) turns the words it
    frames; 転びそうになった is a near miss, not the thing itself.
    """
    own = []
    for position, u in enumerate(r.units):
        negated = u.negated and not _rhetorical(r, u) and not _needs(r, position)
        hard = u.pos == "動詞" and any(a in _HARD for a in u.auxes)
        own.append(negated == hard)  # 食べにくくない: eats
    result: list[bool | None] = list(own)
    units = r.units
    for i, u in enumerate(units):
        nominal = u.pos in ("名詞", "代名詞") or any(a in ("物", "事", "所", "の") for a in u.auxes)
        if not nominal or u.negated or u.pos2 == _NUMERAL:
            continue
        for j in range(i + 1, len(units)):
            v = units[j]
            if _boundary(r, units[j - 1].index + 1, v.index) or quoted_frame(r, v):
                break
            if v.pos in ("動詞", "形容詞") or v.negated:
                result[i] = own[j]
                break
            if v.is_(*_IMPOSSIBLE, "無し", "なし"):
                result[i] = False  # ひとりでは無理, 手すりなしで
                break
    start = 0
    for i, u in enumerate(units):
        if quoted_frame(r, u):
            if not own[i]:
                for j in range(start, i):
                    if result[j] is not None:
                        result[j] = not result[j]
            start = i + 1
        elif u.pos == "動詞" and "そう" in u.auxes:
            result[i] = None  # 転びそうになった: nearly, so not
    return result


@lru_cache(maxsize=512)
def speech_polarity(speech: str) -> dict[str, bool | None]:
    """Return the question's content words and whether each is asked affirmatively (last wins)."""
    reading = read(normalise(speech))
    generic = {"今日", "昨日", "この", "間", "一", "月", "か月", "為る", "有る", "居る", "事", "何"}
    asked: dict[str, bool | None] = {}
    polarities = unit_polarities(reading)
    units = zip(reading.units, polarities, strict=True)
    frames = [p for u, p in units if quoted_frame(reading, u)]
    for u, polarity in zip(reading.units, polarities, strict=True):
        if polarity is None or u.pos not in ("動詞", "名詞", "形容詞") or u.pos2 == _NUMERAL:
            continue
        if u.lemma in generic or u.lemma in _GENERIC:
            continue
        # 「…と思えない、と感じますか」: そうは思わない answers the outermost frame.
        asked[u.lemma] = frames[-1] if quoted_frame(reading, u) else polarity
    return asked
