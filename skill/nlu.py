"""Turn typed Japanese text into the intent Alexa would send, using the skill's own ja-JP model.

This is an exact-match approximation of Alexa's NLU, not a reimplementation of it. Alexa
generalises from the sample utterances with a statistical model, accepts custom slot values that are
not in the list (reporting ER_SUCCESS_NO_MATCH), tolerates speech-recognition noise and may choose a
different intent for the same words. This resolver only recognises text that, once normalised, is
exactly one of the interaction model's sample utterances with its slots filled by:

- for a custom slot type, one of the type's values or synonyms (exactly, longest first);
- for AMAZON.NUMBER, ASCII digits or kanji numerals (五十二 → "52", 一万二千 → "12000");
- for AMAZON.SearchQuery, any words (normalised: without spaces or punctuation);
- for AMAZON.TIME, a clock time (8時, 朝8時, 夜7時半, 午後7時30分), sent as "HH:MM".

Besides the model's samples, a short list of Alexa's own phrasings of the built-in intents is
recognised (はい, いいえ, ストップ…). When several utterances match, the one with the most literal
(non-slot) characters wins, then the one with fewer slots, then the one defined first. Text that
matches nothing gives None, and the caller sends AMAZON.FallbackIntent, as Alexa would for
out-of-domain speech. Honest to Alexa's catch-all: text that matches no sample arrives, as on a
real device with a bare-slot sample (``{answer}``), as that slot's raw words with
ER_SUCCESS_NO_MATCH; the backend's understanding step reads them. Only an empty utterance gives
None (nothing heard: AMAZON.FallbackIntent). It serves the terminal ``mimamori talk`` command and
the tests; what a real Echo hears must still be checked in the developer console.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from backend.domain.reminders import TIME_PATTERN, hhmm, said_time
from backend.domain.understanding.dates import DATE_PATTERN, date_value

__all__ = ["ModelResolver", "Resolution", "ResolvedSlot", "date_value", "normalize"]

DEFAULT_MODEL_PATH = (
    Path(__file__).parent / "skill-package" / "interactionModels" / "custom" / "ja-JP.json"
)
SKILL_ID_PLACEHOLDER = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
NUMBER_TYPE = "AMAZON.NUMBER"
DATE_TYPE = "AMAZON.DATE"
TIME_TYPE = "AMAZON.TIME"
SEARCH_QUERY_TYPE = "AMAZON.SearchQuery"  # free text: any words between the carrier phrases
_DATE_PATTERN = DATE_PATTERN

# A few of the phrasings Alexa recognises for its built-in intents in ja-JP without any sample.
BUILT_IN_PHRASES: dict[str, tuple[str, ...]] = {
    "AMAZON.YesIntent": ("はい", "ええ", "うん"),
    "AMAZON.NoIntent": ("いいえ", "いや"),
    "AMAZON.StopIntent": ("ストップ", "やめて", "終わり", "おしまい", "終了", "終了して"),
    "AMAZON.CancelIntent": ("キャンセル",),
    "AMAZON.HelpIntent": ("ヘルプ",),
    "AMAZON.RepeatIntent": ("もう一度",),
    "AMAZON.NavigateHomeIntent": ("ホーム",),
}

_IGNORED = re.compile(r"[\s。、,，．!！?？・…「」『』()（）~〜]+|(?<![0-9])\.|\.(?![0-9])")
_PACKAGE_RESOLVER: dict[tuple[int, int], ModelResolver] = {}
_SLOT_REFERENCE = re.compile(r"\{(\w+)\}")
_KANJI_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_KANJI_MYRIAD = "万"
_NUMBER_PATTERN = "[0-9" + "".join(_KANJI_DIGITS) + "".join(_KANJI_UNITS) + _KANJI_MYRIAD + "]+"
_NUMBER_TOKEN = re.compile(r"[0-9]+|.")


def normalize(text: str) -> str:
    """Normalise text for matching: NFKC, no spaces or punctuation (a decimal point is kept).

    Nothing else is rewritten: the published model cannot turn 「52.5」 into 「52点5」 either.
    """
    text = unicodedata.normalize("NFKC", text)
    return _IGNORED.sub("", text)


def number_to_digits(text: str) -> str:
    """Return the digit string Alexa sends for a spoken number (ASCII digits or kanji numerals)."""
    text = unicodedata.normalize("NFKC", text)
    if re.fullmatch(r"[0-9]+", text):
        return text
    if not any(ch in _KANJI_UNITS or ch == _KANJI_MYRIAD for ch in text):
        # Read digit by digit (一二三四五六 → "123456"), which keeps leading zeros.
        return "".join(str(_KANJI_DIGITS.get(ch, ch)) for ch in text)
    total = 0
    section = 0
    current: int | None = None
    for token in _NUMBER_TOKEN.findall(text):
        if token.isascii() and token.isdigit():
            current = int(token) if current is None else current * 10 ** len(token) + int(token)
        elif token in _KANJI_DIGITS:
            digit = _KANJI_DIGITS[token]
            current = digit if current is None else current * 10 + digit
        elif token in _KANJI_UNITS:
            section += (1 if current is None else current) * _KANJI_UNITS[token]
            current = None
        elif token == _KANJI_MYRIAD:
            block = section + (current or 0)
            total += (block or 1) * 10_000
            section = 0
            current = None
        else:
            msg = f"not a number: {text!r}"
            raise ValueError(msg)
    return str(total + section + (current or 0))


@dataclass(frozen=True)
class ResolvedSlot:
    """One filled slot: the words heard and, for a custom type, the value they resolved to."""

    name: str
    value: str
    resolved_id: str | None
    resolved_name: str | None
    slot_type: str | None = None

    @property
    def is_custom(self) -> bool:
        """Whether the slot has a custom type, so Alexa adds entity-resolution results."""
        if self.slot_type is None:
            return self.resolved_id is not None
        return not self.slot_type.startswith("AMAZON.")

    def to_slot_json(self, skill_id: str = SKILL_ID_PLACEHOLDER) -> dict[str, Any]:
        """Return the slot object as Alexa puts it in ``request.intent.slots``."""
        data: dict[str, Any] = {
            "name": self.name,
            "value": self.value,
            "confirmationStatus": "NONE",
            "source": "USER",
        }
        if not self.is_custom:
            return data
        type_name = self.slot_type or self.name.upper()
        authority: dict[str, Any] = {
            "authority": f"amzn1.er-authority.echo-sdk.{skill_id}.{type_name}",
        }
        if self.resolved_id is None:
            authority["status"] = {"code": "ER_SUCCESS_NO_MATCH"}
        else:
            authority["status"] = {"code": "ER_SUCCESS_MATCH"}
            authority["values"] = [
                {"value": {"name": self.resolved_name or self.value, "id": self.resolved_id}}
            ]
        data["resolutions"] = {"resolutionsPerAuthority": [authority]}
        return data


@dataclass(frozen=True)
class Resolution:
    """The intent chosen for a piece of text, with its filled slots."""

    intent: str
    slots: dict[str, ResolvedSlot]
    slot_names: tuple[str, ...] = ()

    def slot_id(self, name: str) -> str | None:
        """Return the resolved value id of a custom slot, or None when it is empty or unresolved."""
        slot = self.slots.get(name)
        return None if slot is None else slot.resolved_id

    def slot_value(self, name: str) -> str | None:
        """Return the raw value of a slot, or None when it was not filled."""
        slot = self.slots.get(name)
        return None if slot is None else slot.value

    def to_intent_json(self, skill_id: str = SKILL_ID_PLACEHOLDER) -> dict[str, Any]:
        """Return the ``request.intent`` object as Alexa sends it (unfilled slots by name only)."""
        data: dict[str, Any] = {"name": self.intent, "confirmationStatus": "NONE"}
        names = list(self.slot_names) + [n for n in self.slots if n not in self.slot_names]
        if names:
            slots: dict[str, Any] = {}
            for name in names:
                slot = self.slots.get(name)
                if slot is None:
                    slots[name] = {"name": name, "confirmationStatus": "NONE"}
                else:
                    slots[name] = slot.to_slot_json(skill_id)
            data["slots"] = slots
        return data


@dataclass(frozen=True)
class _Utterance:
    intent: str
    regex: re.Pattern[str]
    slots: tuple[str, ...]
    literal_chars: int
    order: int


@dataclass(frozen=True)
class _SlotType:
    pattern: str
    values: dict[str, tuple[str, str]]  # normalised words -> (id, canonical name)


class ModelResolver:
    """Exact-match resolver over an interaction model (see the module docstring for its limits)."""

    def __init__(self, model: dict[str, Any]) -> None:
        language_model = model["interactionModel"]["languageModel"]
        self.invocation_name: str = language_model.get("invocationName", "")
        self._types = {t["name"]: _build_type(t) for t in language_model.get("types", [])}
        self._intent_slots: dict[str, dict[str, str]] = {}
        self._utterances: list[_Utterance] = []
        for intent in language_model.get("intents", []):
            name = intent["name"]
            slot_types = {s["name"]: s["type"] for s in intent.get("slots", [])}
            self._intent_slots[name] = slot_types
            samples = list(intent.get("samples", []))
            samples += [p for p in BUILT_IN_PHRASES.get(name, ()) if p not in samples]
            for sample in samples:
                self._utterances.append(self._compile(name, sample, slot_types))
        self._catch_all_slot = self._find_catch_all(language_model)

    @staticmethod
    def _find_catch_all(language_model: dict[str, Any]) -> tuple[str, str, str] | None:
        """Return the first intent with a bare custom-slot sample (``{answer}``) and its slot."""
        for intent in language_model.get("intents", []):
            slot_types = {s["name"]: s["type"] for s in intent.get("slots", [])}
            for sample in intent.get("samples", []):
                bare = _SLOT_REFERENCE.fullmatch(sample)
                if bare and not slot_types.get(bare.group(1), "AMAZON.").startswith("AMAZON."):
                    return intent["name"], bare.group(1), slot_types[bare.group(1)]
        return None

    @classmethod
    def from_file(cls, path: str | Path) -> ModelResolver:
        """Load the interaction model JSON at ``path``."""
        with Path(path).open(encoding="utf-8") as fh:
            return cls(json.load(fh))

    @classmethod
    def from_package(cls) -> ModelResolver:
        """Load the skill's own ja-JP interaction model (compiled once per version of the file)."""
        stat = DEFAULT_MODEL_PATH.stat()
        key = (stat.st_mtime_ns, stat.st_size)
        cached = _PACKAGE_RESOLVER.get(key)
        if cached is None:
            _PACKAGE_RESOLVER.clear()
            cached = _PACKAGE_RESOLVER[key] = cls.from_file(DEFAULT_MODEL_PATH)
        return cached

    @property
    def intent_names(self) -> tuple[str, ...]:
        """Names of the intents in the model, in model order."""
        return tuple(self._intent_slots)

    def resolve(self, text: str, today: date | None = None) -> Resolution | None:
        """Return the intent and slots for ``text``, or None when no utterance matches it.

        ``today`` anchors relative dates (明日, 来週の月曜) for AMAZON.DATE slots, as the
        device's date does for Alexa.
        """
        normalized = normalize(text)
        if not normalized:
            return None
        best: tuple[_Utterance, re.Match[str]] | None = None
        for utterance in self._utterances:
            match = utterance.regex.fullmatch(normalized)
            if match is None:
                continue
            if best is None or _rank(utterance) > _rank(best[0]):
                best = (utterance, match)
        if best is None:
            return self._catch_all(text, normalized)
        utterance, match = best
        slot_types = self._intent_slots[utterance.intent]
        slots: dict[str, ResolvedSlot] = {}
        for index, slot_name in enumerate(utterance.slots):
            words = match.group(f"s{index}")
            slot_type = slot_types[slot_name]
            if slot_type == NUMBER_TYPE:
                slots[slot_name] = ResolvedSlot(
                    slot_name, number_to_digits(words), None, None, slot_type
                )
            elif slot_type == DATE_TYPE:
                value = date_value(words, today or date.today())
                slots[slot_name] = ResolvedSlot(slot_name, value, None, None, slot_type)
            elif slot_type == SEARCH_QUERY_TYPE:
                slots[slot_name] = ResolvedSlot(slot_name, words, None, None, slot_type)
            elif slot_type == TIME_TYPE:
                at = said_time(words)
                value = hhmm(at) if at is not None else words
                slots[slot_name] = ResolvedSlot(slot_name, value, None, None, slot_type)
            else:
                value_id, value_name = self._types[slot_type].values[words]
                slots[slot_name] = ResolvedSlot(slot_name, words, value_id, value_name, slot_type)
        return Resolution(utterance.intent, slots, tuple(slot_types))

    def _catch_all(self, text: str, normalized: str) -> Resolution | None:
        """Return the raw words as the catch-all slot's unmatched value, as Alexa does."""
        if self._catch_all_slot is None:
            return None
        intent, slot_name, slot_type = self._catch_all_slot
        words = _IGNORED.sub("", unicodedata.normalize("NFKC", text)) or normalized
        slot = ResolvedSlot(slot_name, words, None, None, slot_type)
        return Resolution(intent, {slot_name: slot}, tuple(self._intent_slots[intent]))

    def _compile(self, intent: str, sample: str, slot_types: dict[str, str]) -> _Utterance:
        parts: list[str] = []
        slots: list[str] = []
        literal_chars = 0
        position = 0
        text = normalize(sample)
        for ref in _SLOT_REFERENCE.finditer(text):
            literal = text[position : ref.start()]
            parts.append(re.escape(literal))
            literal_chars += len(literal)
            slot_name = ref.group(1)
            if slot_name not in slot_types:
                msg = f"{intent}: sample {sample!r} uses undeclared slot {slot_name!r}"
                raise ValueError(msg)
            parts.append(f"(?P<s{len(slots)}>{self._slot_pattern(slot_types[slot_name])})")
            slots.append(slot_name)
            position = ref.end()
        literal = text[position:]
        parts.append(re.escape(literal))
        literal_chars += len(literal)
        return _Utterance(
            intent=intent,
            regex=re.compile("".join(parts)),
            slots=tuple(slots),
            literal_chars=literal_chars,
            order=len(self._utterances),
        )

    def _slot_pattern(self, slot_type: str) -> str:
        if slot_type == NUMBER_TYPE:
            return _NUMBER_PATTERN
        if slot_type == DATE_TYPE:
            return _DATE_PATTERN
        if slot_type == SEARCH_QUERY_TYPE:
            return ".+"
        if slot_type == TIME_TYPE:
            return TIME_PATTERN
        if slot_type not in self._types:
            msg = f"slot type {slot_type!r} is not supported by the local resolver"
            raise ValueError(msg)
        return self._types[slot_type].pattern


def _rank(utterance: _Utterance) -> tuple[int, int, int]:
    return (utterance.literal_chars, -len(utterance.slots), -utterance.order)


def _build_type(slot_type: dict[str, Any]) -> _SlotType:
    values: dict[str, tuple[str, str]] = {}
    for value in slot_type.get("values", []):
        name = value["name"]["value"]
        value_id = value.get("id") or name
        for words in [name, *value["name"].get("synonyms", [])]:
            values.setdefault(normalize(words), (value_id, name))
    alternatives = sorted((w for w in values if w), key=lambda w: (-len(w), w))
    pattern = "|".join(re.escape(w) for w in alternatives) if alternatives else "(?!)"
    return _SlotType(pattern=f"(?:{pattern})", values=values)
