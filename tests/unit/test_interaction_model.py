"""The ja-JP interaction model, the skill manifest and the local exact-match resolver."""

from __future__ import annotations

import ast
import itertools
import json
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from skill import const
from skill import nlu as nlu_module
from skill.nlu import (
    DEFAULT_MODEL_PATH,
    ModelResolver,
    Resolution,
    ResolvedSlot,
    date_value,
    normalize,
    number_to_digits,
)

SKILL_DIR = Path(const.__file__).parent
MANIFEST_PATH = SKILL_DIR / "skill-package" / "skill.json"
ASK_RESOURCES_PATH = SKILL_DIR / "ask-resources.json"
NUMBER = "AMAZON.NUMBER"
DATE = "AMAZON.DATE"
SEARCH_QUERY = "AMAZON.SearchQuery"
TIME = "AMAZON.TIME"
SLOT_REF = re.compile(r"\{(\w+)\}")
FORBIDDEN = re.compile(r"[0-9０-９。、，,．.！!？?「」『』()（）\"'：:；;・…~〜]")

ANSWER_IDS = {
    "good",
    "so_so",
    "bad",
    "low",
    "slept_well",
    "slept_poorly",
    "took",
    "not_yet",
    "ate",
    "ate_little",
    "not_ate",
}


@pytest.fixture(scope="module")
def model() -> dict[str, Any]:
    return json.loads(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def language_model(model: dict[str, Any]) -> dict[str, Any]:
    return model["interactionModel"]["languageModel"]


@pytest.fixture(scope="module")
def intents(language_model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {intent["name"]: intent for intent in language_model["intents"]}


@pytest.fixture(scope="module")
def types(language_model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {slot_type["name"]: slot_type for slot_type in language_model["types"]}


@pytest.fixture(scope="module")
def resolver() -> ModelResolver:
    return ModelResolver.from_package()


def _const_values(prefix: str) -> set[str]:
    return {value for name, value in vars(const).items() if name.startswith(prefix)}


def _words(slot_type: dict[str, Any]) -> list[tuple[str, str]]:
    """(value id, words) for every value name and synonym of a custom slot type."""
    return [
        (value["id"], words)
        for value in slot_type["values"]
        for words in [value["name"]["value"], *value["name"].get("synonyms", [])]
    ]


def _summary(resolution: Resolution | None) -> tuple[str, dict[str, str]] | None:
    if resolution is None:
        return None
    return resolution.intent, {
        name: slot.resolved_id or slot.value for name, slot in resolution.slots.items()
    }


# --- the model file ------------------------------------------------------------------------


def test_the_model_is_valid_json_with_the_invocation_name_mimamori(language_model):
    assert language_model["invocationName"] == "みまもり"
    assert language_model["intents"]
    assert language_model["types"]


def test_every_intent_slot_and_type_named_in_const_exists_in_the_model(intents, types):
    assert _const_values("INTENT_") <= set(intents)
    slot_names = {slot["name"] for intent in intents.values() for slot in intent.get("slots", [])}
    assert _const_values("SLOT_") <= slot_names
    assert _const_values("TYPE_") <= set(types)
    skip_ids = {value["id"] for value in types[const.TYPE_SKIP_REASON]["values"]}
    assert _const_values("SKIP_") == skip_ids


def test_every_custom_intent_slot_and_type_in_the_model_has_a_constant(intents, types):
    custom_intents = {name for name in intents if not name.startswith("AMAZON.")}
    assert custom_intents <= _const_values("INTENT_")
    slot_names = {slot["name"] for intent in intents.values() for slot in intent.get("slots", [])}
    assert slot_names <= _const_values("SLOT_")
    assert set(types) <= _const_values("TYPE_")


def test_slots_sit_on_the_intents_the_handlers_read_them_from(intents):
    def slots(intent: str) -> dict[str, str]:
        return {slot["name"]: slot["type"] for slot in intents[intent].get("slots", [])}

    assert slots(const.INTENT_ANSWER) == {const.SLOT_ANSWER: const.TYPE_ANSWER}
    assert slots(const.INTENT_NUMBER) == {
        const.SLOT_NUMBER: NUMBER,
        const.SLOT_DECIMAL: NUMBER,
        const.SLOT_HOURS: NUMBER,
    }
    assert slots(const.INTENT_BLOOD_PRESSURE) == {
        const.SLOT_SYSTOLIC: NUMBER,
        const.SLOT_DIASTOLIC: NUMBER,
    }
    assert slots(const.INTENT_SKIP) == {const.SLOT_SKIP_REASON: const.TYPE_SKIP_REASON}
    assert slots(const.INTENT_PAIR) == {const.SLOT_CODE: NUMBER}
    assert slots(const.INTENT_EMERGENCY) == {}
    assert slots(const.INTENT_WHO_IS_WATCHING) == {}
    assert slots(const.INTENT_REPLY) == {}
    assert slots(const.INTENT_TELL_FAMILY) == {const.SLOT_MEMBER: const.TYPE_FAMILY_MEMBER}
    assert slots(const.INTENT_REPLY_MESSAGE) == {const.SLOT_MESSAGE: SEARCH_QUERY}


def test_free_text_samples_carry_a_carrier_phrase_and_no_other_slot(intents):
    """AMAZON.SearchQuery needs words around it and cannot share an utterance with a slot."""
    for intent in intents.values():
        free = {s["name"] for s in intent.get("slots", []) if s["type"] == SEARCH_QUERY}
        for sample in intent.get("samples", []):
            refs = SLOT_REF.findall(sample)
            if free & set(refs):
                assert len(refs) == 1, sample
                assert SLOT_REF.sub("", sample), sample


def test_answer_values_keep_exactly_the_ids_the_question_sets_use(types):
    assert {value["id"] for value in types[const.TYPE_ANSWER]["values"]} == ANSWER_IDS


def test_synonyms_are_unique_across_values_and_slot_types(types):
    seen: dict[str, str] = {}
    duplicates = []
    for type_name, slot_type in types.items():
        for value_id, words in _words(slot_type):
            key = normalize(words)
            owner = f"{type_name}.{value_id}"
            if key in seen and seen[key] != owner:
                duplicates.append((words, seen[key], owner))
            seen.setdefault(key, owner)
    assert duplicates == []


def test_no_value_lists_a_synonym_twice(types):
    for slot_type in types.values():
        for value in slot_type["values"]:
            words = [value["name"]["value"], *value["name"]["synonyms"]]
            assert len(words) == len(set(words)), value["id"]


def test_no_utterance_is_shared_by_two_intents(intents):
    owners: dict[str, set[str]] = {}
    for name, intent in intents.items():
        phrases = [*intent.get("samples", []), *nlu_module.BUILT_IN_PHRASES.get(name, ())]
        for phrase in phrases:
            owners.setdefault(normalize(phrase), set()).add(name)
    assert {phrase: names for phrase, names in owners.items() if len(names) > 1} == {}


def test_no_intent_lists_a_sample_twice(intents):
    for name, intent in intents.items():
        samples = [normalize(s) for s in intent.get("samples", [])]
        assert len(samples) == len(set(samples)), name


def test_no_answer_synonym_equals_an_emergency_or_skip_utterance(intents, types):
    literal = {
        normalize(sample)
        for intent in (const.INTENT_EMERGENCY, const.INTENT_SKIP)
        for sample in intents[intent]["samples"]
        if not SLOT_REF.search(sample)
    }
    skip_words = {normalize(words) for _, words in _words(types[const.TYPE_SKIP_REASON])}
    answer_words = {normalize(words) for _, words in _words(types[const.TYPE_ANSWER])}
    assert answer_words & literal == set()
    assert answer_words & skip_words == set()


def test_no_sample_or_slot_value_contains_ascii_digits_or_punctuation(intents, types):
    offending = [
        sample
        for intent in intents.values()
        for sample in intent.get("samples", [])
        if FORBIDDEN.search(sample) or sample != sample.strip() or "  " in sample
    ]
    offending += [
        words
        for slot_type in types.values()
        for _, words in _words(slot_type)
        if FORBIDDEN.search(words) or words != words.strip()
    ]
    assert offending == []


def test_slot_references_are_declared_used_once_and_never_adjacent(intents):
    for name, intent in intents.items():
        declared = {slot["name"] for slot in intent.get("slots", [])}
        for sample in intent.get("samples", []):
            refs = SLOT_REF.findall(sample)
            assert set(refs) <= declared, (name, sample)
            assert len(refs) == len(set(refs)), (name, sample)
            assert "}{" not in sample, (name, sample)
            assert "{" not in SLOT_REF.sub("", sample), (name, sample)
            assert "}" not in SLOT_REF.sub("", sample), (name, sample)


def test_every_custom_intent_has_samples_and_the_built_ins_are_declared(intents):
    for name, intent in intents.items():
        if not name.startswith("AMAZON."):
            assert intent["samples"], name
    assert _const_values("INTENT_") <= set(intents)


def test_help_never_catches_tasukete(intents):
    help_samples = {normalize(s) for s in intents[const.INTENT_HELP]["samples"]}
    assert not any("助け" in s or "たすけ" in s for s in help_samples)


def test_pair_intent_has_no_bare_code_utterance(intents):
    assert "{code}" not in intents[const.INTENT_PAIR]["samples"]
    assert "{number}" in intents[const.INTENT_NUMBER]["samples"]


def test_no_sample_contains_the_invocation_name(language_model):
    name = language_model["invocationName"]
    for intent in language_model["intents"]:
        assert not any(name in sample for sample in intent.get("samples", [])), intent["name"]


def test_every_sample_resolves_back_to_its_own_intent_and_value(language_model, types, resolver):
    numbers = itertools.count(11, 11)
    mismatches = []
    for intent in language_model["intents"]:
        slot_types = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        for sample in intent.get("samples", []):
            refs = SLOT_REF.findall(sample)
            built_in = (NUMBER, DATE, SEARCH_QUERY, TIME)
            custom = [ref for ref in refs if slot_types[ref] not in built_in]
            assert len(custom) <= 1, sample
            fills = _words(types[slot_types[custom[0]]]) if custom else [("", "")]
            for value_id, words in fills:
                text, expected = sample, {}
                for ref in refs:
                    if slot_types[ref] == NUMBER:
                        number = str(next(numbers))
                        text = text.replace(f"{{{ref}}}", number)
                        expected[ref] = number
                    elif slot_types[ref] == DATE:
                        text = text.replace(f"{{{ref}}}", "12月1日")
                        expected[ref] = date_value("12月1日", date.today())
                    elif slot_types[ref] == SEARCH_QUERY:
                        text = text.replace(f"{{{ref}}}", "日曜日を楽しみにしています")
                        expected[ref] = "日曜日を楽しみにしています"
                    elif slot_types[ref] == TIME:
                        text = text.replace(f"{{{ref}}}", "朝8時")
                        expected[ref] = "08:00"
                    else:
                        text = text.replace(f"{{{ref}}}", words)
                        expected[ref] = value_id
                got = _summary(resolver.resolve(text))
                if got != (intent["name"], expected):
                    mismatches.append((text, intent["name"], expected, got))
    assert mismatches == []


# --- how elders actually answer ------------------------------------------------------------

A = const.INTENT_ANSWER
N = const.INTENT_NUMBER
BP = const.INTENT_BLOOD_PRESSURE
SK = const.INTENT_SKIP
EM = const.INTENT_EMERGENCY
WHO = const.INTENT_WHO_IS_WATCHING
PAIR = const.INTENT_PAIR
AWAY = const.INTENT_AWAY
DATE_I = const.INTENT_DATE

ELDER_PHRASES: list[tuple[str, str, dict[str, str]]] = [
    # 体調
    ("元気だよ", A, {"answer": "good"}),
    ("元気です", A, {"answer": "good"}),
    ("げんき", A, {"answer": "good"}),
    ("うん元気", A, {"answer": "good"}),
    ("はい元気です", A, {"answer": "good"}),
    ("大丈夫", A, {"answer": "good"}),
    ("大丈夫です。", A, {"answer": "good"}),
    ("変わりないよ", A, {"answer": "good"}),
    ("いつも通りです", A, {"answer": "good"}),
    ("今日は調子いいよ", A, {"answer": "good"}),
    ("絶好調", A, {"answer": "good"}),
    ("まあまあかな", A, {"answer": "so_so"}),
    ("まあまあですね", A, {"answer": "so_so"}),
    ("ぼちぼちです", A, {"answer": "so_so"}),
    ("普通だよ", A, {"answer": "so_so"}),
    ("そこそこかな", A, {"answer": "so_so"}),
    ("ちょっと腰が痛くて", A, {"answer": "bad"}),
    ("だるい", A, {"answer": "bad"}),
    ("しんどいわ", A, {"answer": "bad"}),
    ("頭が痛い", A, {"answer": "bad"}),
    ("膝が痛いです", A, {"answer": "bad"}),
    ("熱がある", A, {"answer": "bad"}),
    ("具合が悪い", A, {"answer": "bad"}),
    ("疲れた", A, {"answer": "bad"}),
    ("あんまり良くない", A, {"answer": "bad"}),
    ("さみしい", A, {"answer": "low"}),
    ("寂しいね", A, {"answer": "low"}),
    ("落ち込んでる", A, {"answer": "low"}),
    ("元気が出ない", A, {"answer": "low"}),
    ("不安なの", A, {"answer": "low"}),
    # 睡眠
    ("ぐっすり", A, {"answer": "slept_well"}),
    ("ぐっすり眠れた", A, {"answer": "slept_well"}),
    ("よく寝たよ", A, {"answer": "slept_well"}),
    ("眠れました", A, {"answer": "slept_well"}),
    ("あんまり眠れなかった", A, {"answer": "slept_poorly"}),
    ("あまり眠れなかった", A, {"answer": "slept_poorly"}),
    ("あんまり寝れなかった", A, {"answer": "slept_poorly"}),
    ("あんまり寝てない", A, {"answer": "slept_poorly"}),
    ("寝不足です", A, {"answer": "slept_poorly"}),
    ("何度も目が覚めた", A, {"answer": "slept_poorly"}),
    ("ゆうべは眠れなかった", A, {"answer": "slept_poorly"}),
    # お薬
    ("飲んだよ", A, {"answer": "took"}),
    ("飲みました", A, {"answer": "took"}),
    ("もう飲んだ", A, {"answer": "took"}),
    ("お薬は飲んだよ", A, {"answer": "took"}),
    ("まだ", A, {"answer": "not_yet"}),
    ("まだです", A, {"answer": "not_yet"}),
    ("飲み忘れた", A, {"answer": "not_yet"}),
    ("まだ飲んでない", A, {"answer": "not_yet"}),
    # 食事
    ("食べたよ", A, {"answer": "ate"}),
    ("全部食べた", A, {"answer": "ate"}),
    ("しっかり食べたよ", A, {"answer": "ate"}),
    ("少しだけ食べた", A, {"answer": "ate_little"}),
    ("ちょっとだけ", A, {"answer": "ate_little"}),
    ("半分くらい", A, {"answer": "ate_little"}),
    ("あんまり食べてない", A, {"answer": "ate_little"}),
    ("食べてない", A, {"answer": "not_ate"}),
    ("食欲がない", A, {"answer": "not_ate"}),
    ("朝ご飯を抜いた", A, {"answer": "not_ate"}),
    # 数
    # A decimal point is not a sample: the words arrive unmatched, for the backend to read.
    ("52.5キロ", const.INTENT_ANSWER, {"answer": "52.5キロ"}),
    ("52点5キロ", N, {"number": "52", "decimal": "5"}),
    ("52キロ5分", N, {"number": "52", "decimal": "5"}),
    ("五十二キロ五分", N, {"number": "52", "decimal": "5"}),
    ("五十二点五キロ", N, {"number": "52", "decimal": "5"}),
    ("５２．５キロ", const.INTENT_ANSWER, {"answer": "52.5キロ"}),
    ("52キロ500", N, {"number": "52", "decimal": "500"}),
    ("52キロ", N, {"number": "52"}),
    ("6500歩", N, {"number": "6500"}),
    ("六千五百歩くらい", N, {"number": "6500"}),
    ("一万二千歩", N, {"number": "12000"}),
    ("30分くらい", N, {"number": "30"}),
    ("1時間30分", N, {"hours": "1", "number": "30"}),
    ("2時間", N, {"hours": "2"}),
    ("36度5分", N, {"number": "36", "decimal": "5"}),
    ("123456", N, {"number": "123456"}),
    # 血圧
    ("上が135で下が85", BP, {"systolic": "135", "diastolic": "85"}),
    ("上が百三十五で下が八十五", BP, {"systolic": "135", "diastolic": "85"}),
    ("百三十五の八十五", BP, {"systolic": "135", "diastolic": "85"}),
    ("上130下80", BP, {"systolic": "130", "diastolic": "80"}),
    ("最高が140で最低が90", BP, {"systolic": "140", "diastolic": "90"}),
    # 飛ばす
    ("わからない", SK, {"reason": "unknown"}),
    ("分かりません", SK, {"reason": "unknown"}),
    ("覚えてない", SK, {"reason": "unknown"}),
    ("測ってない", SK, {"reason": "unknown"}),
    ("ちょっとわからない", SK, {"reason": "unknown"}),
    ("あとで", SK, {"reason": "later"}),
    ("あとでね", SK, {"reason": "later"}),
    ("また今度", SK, {"reason": "later"}),
    ("今はいい", SK, {"reason": "later"}),
    # 緊急
    ("助けて", EM, {}),
    ("助けて！", EM, {}),
    ("胸が痛い", EM, {}),
    ("倒れた", EM, {}),
    ("救急車を呼んで", EM, {}),
    ("息が苦しい", EM, {}),
    ("転んで動けない", EM, {}),
    # 誰が見ているの
    ("誰が見ているの", WHO, {}),
    ("誰が見てるの？", WHO, {}),
    ("私の答えは誰に届くの", WHO, {}),
    # ペアリング
    ("コードは123456", PAIR, {"code": "123456"}),
    ("ペアリングコードは一二三四五六", PAIR, {"code": "123456"}),
    ("番号は 123456 です", PAIR, {"code": "123456"}),
    # 組み込み
    ("もう一度", const.INTENT_REPEAT, {}),
    ("もう一回言って", const.INTENT_REPEAT, {}),
    ("聞こえなかった", const.INTENT_REPEAT, {}),
    ("はい", const.INTENT_YES, {}),
    ("うん", const.INTENT_YES, {}),
    ("そうです", const.INTENT_YES, {}),
    ("いいえ", const.INTENT_NO, {}),
    ("違う", const.INTENT_NO, {}),
    ("やめて", const.INTENT_STOP, {}),
    ("ストップ", const.INTENT_STOP, {}),
    ("キャンセル", const.INTENT_CANCEL, {}),
    ("どうすればいいの", const.INTENT_HELP, {}),
    ("ヘルプ", const.INTENT_HELP, {}),
    ("ホーム", const.INTENT_NAVIGATE_HOME, {}),
    # ご家族へのお返事
    ("返事をする", const.INTENT_REPLY, {}),
    ("お返事したい", const.INTENT_REPLY, {}),
    ("娘に伝えて", const.INTENT_TELL_FAMILY, {"member": "daughter"}),
    ("長男に伝えてください", const.INTENT_TELL_FAMILY, {"member": "son"}),
    ("お孫さんにメッセージを送って", const.INTENT_TELL_FAMILY, {"member": "grandchild"}),
    ("日曜日待ってるよと伝えて", const.INTENT_REPLY_MESSAGE, {"message": "日曜日待ってるよ"}),
    ("ありがとうって伝えて", const.INTENT_REPLY_MESSAGE, {"message": "ありがとう"}),
    # お薬のお知らせ
    ("薬の時間に教えて", const.INTENT_REMINDER, {}),
    ("お薬の時間になったら教えてください", const.INTENT_REMINDER, {}),
    ("お薬のお知らせはいらない", const.INTENT_REMINDER_OFF, {}),
    ("お薬のお知らせをやめて", const.INTENT_REMINDER_OFF, {}),
    ("朝8時", const.INTENT_REMINDER_TIME, {"time": "08:00"}),
    ("夜7時半にお願いします", const.INTENT_REMINDER_TIME, {"time": "19:30"}),
    ("毎日午後三時に", const.INTENT_REMINDER_TIME, {"time": "15:00"}),
]


@pytest.mark.parametrize(
    ("text", "intent", "slots"), ELDER_PHRASES, ids=[text for text, _, _ in ELDER_PHRASES]
)
def test_an_ordinary_elder_phrasing_resolves_to_the_expected_intent_and_slots(
    resolver, text, intent, slots
):
    assert _summary(resolver.resolve(text)) == (intent, slots)


@pytest.mark.parametrize("text", ["", "   ", "。"])
def test_nothing_said_resolves_to_none(resolver, text):
    assert resolver.resolve(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "今日の天気は",
        "アレクサ音楽をかけて",
        "ラジオをつけて",
        "元気じゃない",
        "胸がきゅっとします",
    ],
)
def test_words_that_match_no_sample_arrive_as_the_catch_all_slot_unmatched(resolver, text):
    intent = resolver.resolve(text).to_intent_json()
    assert intent["name"] == const.INTENT_ANSWER
    slot = intent["slots"][const.SLOT_ANSWER]
    assert slot["value"] == text
    (authority,) = slot["resolutions"]["resolutionsPerAuthority"]
    assert authority["status"]["code"] == "ER_SUCCESS_NO_MATCH"


def test_the_test_list_covers_at_least_sixty_phrasings():
    assert len(ELDER_PHRASES) >= 60


# --- normalisation and numbers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("52.5キロ", "52.5キロ"),  # kept: the published model cannot rewrite it to 52点5
        ("５２．５キロ", "52.5キロ"),
        ("元気 だよ。", "元気だよ"),
        ("誰が見てるの？!", "誰が見てるの"),
        ("はい、そうです", "はいそうです"),
        ("ｹﾞﾝｷ", "ゲンキ"),
    ],
)
def test_normalize_folds_width_spaces_punctuation_and_the_decimal_point(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("words", "digits"),
    [
        ("52", "52"),
        ("５２", "52"),
        ("五", "5"),
        ("十", "10"),
        ("十五", "15"),
        ("五十二", "52"),
        ("百", "100"),
        ("百三十五", "135"),
        ("千", "1000"),
        ("六千五百", "6500"),
        ("一万", "10000"),
        ("万", "10000"),
        ("一万二千", "12000"),
        ("三万五千六百七十八", "35678"),
        ("1万2000", "12000"),
        ("5千", "5000"),
        ("一二三四五六", "123456"),
        ("〇一二", "012"),
    ],
)
def test_number_words_become_the_digit_string_alexa_sends(words, digits):
    assert number_to_digits(words) == digits


# --- the request.intent JSON ---------------------------------------------------------------


def test_a_custom_slot_carries_an_er_success_match_resolution(resolver):
    intent = resolver.resolve("元気だよ").to_intent_json()
    assert intent["name"] == const.INTENT_ANSWER
    assert intent["confirmationStatus"] == "NONE"
    slot = intent["slots"][const.SLOT_ANSWER]
    assert slot["name"] == const.SLOT_ANSWER
    assert slot["value"] == "元気"
    assert slot["confirmationStatus"] == "NONE"
    assert slot["source"] == "USER"
    (authority,) = slot["resolutions"]["resolutionsPerAuthority"]
    assert authority["authority"].startswith("amzn1.er-authority.echo-sdk.")
    assert authority["authority"].endswith(f".{const.TYPE_ANSWER}")
    assert authority["status"] == {"code": "ER_SUCCESS_MATCH"}
    assert authority["values"] == [{"value": {"name": "元気", "id": "good"}}]


def test_the_authority_names_the_skill_id_given(resolver):
    skill_id = "amzn1.ask.skill.12345678-aaaa-bbbb-cccc-1234567890ab"
    intent = resolver.resolve("あとで").to_intent_json(skill_id=skill_id)
    authority = intent["slots"][const.SLOT_SKIP_REASON]["resolutions"]["resolutionsPerAuthority"]
    assert authority[0]["authority"] == (
        f"amzn1.er-authority.echo-sdk.{skill_id}.{const.TYPE_SKIP_REASON}"
    )
    assert authority[0]["values"][0]["value"]["id"] == const.SKIP_LATER


def test_number_slots_are_plain_and_unfilled_slots_carry_only_name_and_status(resolver):
    intent = resolver.resolve("52点5キロ").to_intent_json()
    assert intent["slots"] == {
        "number": {"name": "number", "value": "52", "confirmationStatus": "NONE", "source": "USER"},
        "decimal": {
            "name": "decimal",
            "value": "5",
            "confirmationStatus": "NONE",
            "source": "USER",
        },
        "hours": {"name": "hours", "confirmationStatus": "NONE"},
    }


def test_an_unmatched_custom_value_reports_er_success_no_match_without_values():
    resolution = Resolution(
        const.INTENT_ANSWER,
        {"answer": ResolvedSlot("answer", "ほどほどにね", None, None, const.TYPE_ANSWER)},
        ("answer",),
    )
    slot = resolution.to_intent_json()["slots"]["answer"]
    (authority,) = slot["resolutions"]["resolutionsPerAuthority"]
    assert authority["status"] == {"code": "ER_SUCCESS_NO_MATCH"}
    assert "values" not in authority


def test_an_intent_without_slots_has_no_slots_object(resolver):
    assert resolver.resolve("はい").to_intent_json() == {
        "name": const.INTENT_YES,
        "confirmationStatus": "NONE",
    }


def test_the_intent_json_deserialises_into_ask_sdk_model_objects(resolver):
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model.slu.entityresolution import StatusCode

    serializer = DefaultSerializer()
    data = resolver.resolve("ちょっと腰が痛くて").to_intent_json()
    intent = serializer.deserialize(json.dumps(data), "ask_sdk_model.intent.Intent")
    slot = intent.slots[const.SLOT_ANSWER]
    authority = slot.resolutions.resolutions_per_authority[0]
    assert authority.status.code == StatusCode.ER_SUCCESS_MATCH
    assert authority.values[0].value.id == "bad"

    data = resolver.resolve("上が135で下が85").to_intent_json()
    intent = serializer.deserialize(json.dumps(data), "ask_sdk_model.intent.Intent")
    assert intent.slots[const.SLOT_SYSTOLIC].value == "135"
    assert intent.slots[const.SLOT_DIASTOLIC].value == "85"


def test_resolution_helpers_read_ids_and_values(resolver):
    answer = resolver.resolve("まあまあかな")
    assert answer.slot_id(const.SLOT_ANSWER) == "so_so"
    numbers = resolver.resolve("1時間30分")
    assert numbers.slot_value(const.SLOT_HOURS) == "1"
    assert numbers.slot_value(const.SLOT_DECIMAL) is None


def test_the_resolver_loads_from_a_file_and_rejects_undeclared_slots(tmp_path):
    model = {
        "interactionModel": {
            "languageModel": {
                "invocationName": "てすと",
                "intents": [{"name": "X", "slots": [], "samples": ["{nope}です"]}],
                "types": [],
            }
        }
    }
    path = tmp_path / "model.json"
    path.write_text(json.dumps(model, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match="undeclared slot"):
        ModelResolver.from_file(path)


def test_the_resolver_imports_only_the_standard_library_and_the_pure_domain():
    tree = ast.parse(Path(nlu_module.__file__).read_text(encoding="utf-8"))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(
                node.module if node.module.startswith("backend") else node.module.split(".")[0]
            )
    domain = {m for m in modules if m.startswith("backend.domain.")}
    assert modules - {"__future__"} - domain <= set(sys.stdlib_module_names)


# --- manifest and ASK CLI project ----------------------------------------------------------


def test_the_manifest_declares_both_permissions_and_the_apl_interface():
    manifest = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))["manifest"]
    assert manifest["manifestVersion"] == "1.0"
    permissions = {p["name"] for p in manifest["permissions"]}
    assert permissions >= {
        "alexa::alerts:reminders:skill:readwrite",
        "alexa::devices:all:notifications:write",
    }
    custom = manifest["apis"]["custom"]
    assert custom["endpoint"]["uri"].startswith("https://")
    assert custom["endpoint"]["sslCertificateType"] == "Trusted"
    (apl,) = [i for i in custom["interfaces"] if i["type"] == "ALEXA_PRESENTATION_APL"]
    assert apl["supportedViewports"]
    for viewport in apl["supportedViewports"]:
        assert viewport["mode"] in {"HUB", "TV", "MOBILE", "PC", "AUTO"}
        assert viewport["shape"] in {"RECTANGLE", "ROUND"}
        assert viewport["minWidth"] <= viewport["maxWidth"]
        assert viewport["minHeight"] <= viewport["maxHeight"]


def test_the_manifest_publishes_mimamori_in_ja_jp_with_honest_privacy_answers():
    manifest = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))["manifest"]
    locale = manifest["publishingInformation"]["locales"]["ja-JP"]
    assert locale["name"] == "みまもり"
    assert any("みまもり" in phrase for phrase in locale["examplePhrases"])
    assert len(locale["summary"]) <= 160
    privacy = manifest["privacyAndCompliance"]
    assert privacy["usesPersonalInfo"] is True
    assert privacy["isChildDirected"] is False
    assert privacy["containsAds"] is False
    assert privacy["isExportCompliant"] is True
    assert privacy["allowsPurchases"] is False
    assert privacy["locales"]["ja-JP"]["privacyPolicyUrl"].startswith("https://")


def test_ask_resources_points_the_skill_metadata_at_the_skill_package():
    resources = json.loads(ASK_RESOURCES_PATH.read_text(encoding="utf-8"))
    src = resources["profiles"]["default"]["skillMetadata"]["src"]
    assert src == "./skill-package"
    assert (ASK_RESOURCES_PATH.parent / src / "skill.json").is_file()


# --- one grammar -----------------------------------------------------------------------------


def test_the_committed_model_is_the_one_generated_from_the_grammar_and_lexicons():
    from skill.model_grammar import generate, render

    assert DEFAULT_MODEL_PATH.read_text(encoding="utf-8") == render(generate())


def test_the_model_has_polite_emergencies_dialect_farewells_and_away_from_a_date(resolver):
    assert resolver.resolve("胸が痛いです").intent == const.INTENT_EMERGENCY
    assert resolver.resolve("救急車お願いします").intent == const.INTENT_EMERGENCY
    assert resolver.resolve("助けでけろ").intent == const.INTENT_EMERGENCY
    assert resolver.resolve("またね").intent == const.INTENT_STOP
    assert resolver.resolve("ほなまた").intent == const.INTENT_STOP
    assert resolver.resolve("んだ").intent == const.INTENT_YES
    away = resolver.resolve("明日から入院します")
    assert away.intent == const.INTENT_AWAY
    assert away.slot_id(const.SLOT_AWAY_KIND) == "hospital"
    assert away.slot_value(const.SLOT_SINCE) is not None
