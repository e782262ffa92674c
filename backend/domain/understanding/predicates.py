"""Lemma-level reading of an utterance: content words with their negation, tense and mood.

Every rule of the understanding layer is written against these units, not against sentences:
a negator (ない, ぬ/ん, へん, ねえ) flips the content word before it, so 飲まなかった,
飲んでいません, 飲まへん and 飲んでないわけじゃない (two negators: not negated) are read
the same way for any verb, in any politeness.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.domain.understanding.analyzer import Token, tokens

_CONTENT = {"名詞", "動詞", "形容詞", "形状詞", "副詞", "代名詞", "感動詞", "接頭辞"}
# Words that carry no content of their own: the negation after them belongs to the word before.
_FORMAL = {"訳", "事", "の", "ん", "もの", "物", "様", "そう", "筈", "感じ", "所", "ところ"}
_NEGATORS = {"ない", "無い", "ず", "ぬ", "へん", "ん", "ひん", "ねえ"}
_REQUESTS = {"下さる", "呉れる", "欲しい", "頂戴", "くれ", "ちょうだい", "けろ"}
_AUX_VERBS = {
    "居る",
    "いる",
    "有る",
    "ある",
    "仕舞う",
    "しまう",
    "ちゃう",
    "じゃう",
    "置く",
    "おく",
    "来る",
    "行く",
    "貰う",
    "もらう",
    "呉れる",
    "下さる",
    "見る",
    "為る",
    "成る",
    "出来る",
    "忘れる",
    "始める",
    "過ぎる",
    "頂く",
    "おる",
    "願う",
    "欲しい",
    "良い",
    "易い",
    "難い",
    "切る",
    "続ける",
    "てる",
    "とる",
}


# The second verb of a compound (飲み忘れる, 食べ過ぎる): attached without て.
_COMPOUND_SECOND = {
    "忘れる",
    "始める",
    "過ぎる",
    "切る",
    "続ける",
    "出す",
    "終わる",
    "込む",
    "損ねる",
}
_ASKING = {"呉れる", "下さる", "貰える", "もらえる"}
_LIGHT_VERBS = {"出来る", "有る", "ある", "御座る", "出る", "居る"}


@dataclass
class Unit:
    """A content word with what its auxiliaries say about it."""

    lemma: str
    base: str
    surface: str
    pos: str
    pos2: str
    index: int
    negated: bool = False
    past: bool = False
    potential: bool = False
    te: bool = False  # followed by て/で (a request when nothing follows)
    request: bool = False  # 〜てください, 〜てくれ, 〜てほしい, 〜て at the very end, imperative
    volitional: bool = False  # そう (倒れそう), たい (死にたい)
    hedged: bool = False  # 〜ないほどではない: said, then taken back
    auxes: list[str] = field(default_factory=list)

    def is_(self, *lemmas: str) -> bool:
        """Return True when this word is one of ``lemmas`` (lemma, written form or surface)."""
        return self.lemma in lemmas or self.base in lemmas or self.surface in lemmas


@dataclass(frozen=True)
class Reading:
    """The units of one utterance, in order, with the clause each belongs to."""

    text: str
    units: tuple[Unit, ...]
    tokens: tuple[Token, ...]

    def find(self, *lemmas: str) -> list[Unit]:
        """Return the units that are one of ``lemmas``."""
        return [u for u in self.units if u.is_(*lemmas)]

    def has(self, *lemmas: str, negated: bool | None = None) -> bool:
        """Return True when a unit is one of ``lemmas`` (and negated or not, if given)."""
        return any(negated is None or u.negated is negated for u in self.find(*lemmas))

    def before(self, unit: Unit, window: int = 4) -> list[Unit]:
        """Return up to ``window`` units before ``unit``."""
        position = self.units.index(unit)
        return list(self.units[max(0, position - window) : position])

    def after(self, unit: Unit, window: int = 4) -> list[Unit]:
        """Return up to ``window`` units after ``unit``."""
        position = self.units.index(unit)
        return list(self.units[position + 1 : position + 1 + window])

    @property
    def any_negated(self) -> bool:
        """Return True when some unit is negated."""
        return any(u.negated for u in self.units)


def _is_negator(token: Token) -> bool:
    if token.pos == "助動詞" and token.lemma in _NEGATORS:
        return True
    return token.pos == "形容詞" and token.lemma in ("無い", "ない") and token.pos2 == "非自立可能"


_AUX_ONLY = {"て", "で", "居る", "いる", "おる", "てる", "でる", "ます", "は", "も"}


def _negates_compound(unit: Unit) -> str:
    """Return the compound's second verb a negator would negate (忘れる in 飲み忘れていない)."""
    for aux in reversed(unit.auxes):
        if aux in _COMPOUND_SECOND:
            return aux
        if aux not in _AUX_ONLY:
            return ""
    return ""


def _toiu_negation(units: list[Unit], toks: tuple[Token, ...]) -> None:
    """ぐっすりとはいかなかった, 元気とは言えない: the negation belongs to the word before と."""
    for position, unit in enumerate(units):
        if position == 0 or not unit.negated or not unit.is_("行く", "言う", "言える"):
            continue
        before = [t.lemma for t in toks[max(0, unit.index - 2) : unit.index]]
        if (before and before[0] == "と") or before[-1:] == ["と"]:
            units[position - 1].negated = not units[position - 1].negated
            unit.negated = False


def read(text: str) -> Reading:
    """Return the units of ``text`` (already normalised)."""
    toks = tokens(text)
    units: list[Unit] = []
    current: Unit | None = None
    previous: Token | None = None
    for i, tok in enumerate(toks):
        after_te = (
            previous is not None and previous.lemma in ("て", "で") and previous.pos == "助詞"
        )
        # 飲み忘れてはいない, 眠ってもいない: a は or も between て and the auxiliary
        after_te = after_te or (
            i >= 2
            and previous is not None
            and previous.lemma in ("は", "も")
            and toks[i - 2].lemma in ("て", "で")
            and tok.lemma in ("居る", "いる", "おる")
        )
        after_verb = previous is not None and previous.pos == "動詞"
        attaches = (
            current is not None
            and (
                (
                    tok.pos in ("動詞", "形容詞")
                    and tok.pos2 == "非自立可能"
                    and (after_te or (after_verb and tok.lemma in _COMPOUND_SECOND))
                )
                # 食べる気がしない: the negation of する belongs to 食べる
                or (
                    current is not None
                    and current.auxes[-1:] == ["気"]
                    and tok.lemma in ("為る", "有る", "起きる", "進む", "出る")
                )
                or (tok.pos == "動詞" and tok.lemma in _AUX_VERBS and after_te)
                or (tok.pos == "動詞" and tok.lemma in _COMPOUND_SECOND and after_verb)
                or (
                    tok.lemma in ("為る", "致す", "為さる", "する", "いたす")
                    and previous is not None
                    and previous.pos == "名詞"
                )
                or (
                    tok.lemma == "気"
                    and previous is not None
                    and previous.pos in ("動詞", "助動詞")
                )
                or (tok.pos == "名詞" and tok.lemma in _FORMAL)
                or (tok.pos == "形状詞" and tok.pos2 == "助動詞語幹")
                or (tok.pos == "接尾辞")
                or (
                    # 元気が出ない, 熱はありません, 息ができない, 変わりはございません: the light
                    # verb's negation belongs to the noun; よくありません: to the adjective.
                    tok.lemma in _LIGHT_VERBS
                    and previous is not None
                    and (
                        previous.pos in ("名詞", "形容詞", "副詞")
                        or (previous.pos == "助詞" and previous.lemma in ("が", "は", "も"))
                    )
                    and current.pos in ("名詞", "代名詞", "形状詞", "形容詞", "副詞")
                )
            )
        )
        asks = current is not None and bool(current.auxes) and current.auxes[-1] in _ASKING
        if current is not None and _is_negator(tok) and asks and current.is_("呼ぶ", "来る"):
            current.request = True  # 呼んでくれない（か）, 来てくれへん: asking, not refusing
            current.auxes.append(tok.lemma)
        elif (
            current is not None
            and _is_negator(tok)
            and any(t.lemma in ("ほど", "程", "くらい", "ぐらい") for t in toks[max(0, i - 3) : i])
            and current.negated
        ):
            current.hedged = True  # 眠れないってほどじゃない: not as bad as that
            current.negated = False
            current.auxes.append(tok.lemma)
        elif current is not None and _is_negator(tok) and _negates_compound(current):
            current.auxes.append("not:" + _negates_compound(current))  # 飲み忘れていない
        elif (
            current is not None
            and _is_negator(tok)
            and not (tok.pos == "形容詞" and previous is not None and previous.pos in ("補助記号",))
        ):
            current.negated = not current.negated
            current.auxes.append(tok.lemma)
        elif tok.pos == "助動詞" and current is not None:
            if tok.lemma == "た":
                current.past = True
            elif tok.lemma in ("れる", "られる"):
                current.potential = True
            elif tok.lemma in ("たい", "そう"):
                current.volitional = True
            elif tok.lemma in ("てる", "でる", "とる", "ちゃう", "じゃう"):
                current.auxes.append(tok.lemma)
            current.auxes.append(tok.lemma)
        elif attaches and current is not None:
            current.auxes.append(tok.lemma)
            if tok.lemma in _REQUESTS and not current.negated:
                # 〜てください, 〜てくださいませ, 〜てくれ, 〜てほしい (not 〜てくれた, 〜てくれる)
                rest = [t for t in toks[i + 1 :] if t.pos != "補助記号"]
                polite_imperative = bool(rest) and rest[0].lemma == "ます"
                polite_imperative = polite_imperative and rest[0].cform.startswith("命令形")
                current.request = (
                    tok.cform.startswith("命令形")
                    or tok.lemma in ("欲しい", "頂戴")
                    or (tok.lemma == "下さる" and polite_imperative)
                )
            if tok.pos2 == "助動詞語幹" and tok.lemma == "そう":
                current.volitional = True
        elif tok.pos == "助詞" and tok.lemma in ("て", "で") and tok.pos2 == "接続助詞":
            if current is not None:
                current.te = True
        elif tok.pos in _CONTENT and tok.pos != "接頭辞":
            current = Unit(
                lemma=tok.lemma,
                base=tok.base,
                surface=tok.surface,
                pos=tok.pos,
                pos2=tok.pos2,
                index=i,
                potential=tok.pos == "動詞" and tok.base != tok.lemma and tok.base.endswith("る"),
            )
            if tok.pos == "動詞" and tok.cform.startswith("命令形"):
                current.request = True
            units.append(current)
        previous = tok
    # 「助けて」「来て」 said alone: the て-form at the end of an utterance is a request.
    last_content = next((t for t in reversed(toks) if t.pos not in ("補助記号", "助詞")), None)
    ends_in_te = (
        bool(units) and units[-1].te and toks[-1].lemma in ("て", "で", "よ", "ね", "や", "な")
    )
    if ends_in_te and (last_content is None or last_content.pos == "動詞"):
        units[-1].request = True
    _toiu_negation(units, toks)
    return Reading(text, tuple(units), toks)
