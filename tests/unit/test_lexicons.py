"""Dialect lexicons beside the question sets: validated like the sets, used by the sets."""

from __future__ import annotations

import pytest

from questions.dialects import load_lexicon
from questions.loader import LEXICONS_DIR, QuestionSetError, load_question_set_text, load_sets

GOOD = """\
region: テスト
affirmative: [んだ]
rewrite:
  - {dialect: "まんだ", standard: "まだ"}
answers:
  good: [なんともねえ]
"""


def test_every_lexicon_in_the_package_is_valid_and_the_sets_use_theirs():
    for path in LEXICONS_DIR.glob("*.yaml"):
        load_lexicon(path)
    sets = load_sets()
    assert "岩手県南" in sets["032158"].lexicon.region
    assert "紀州・関西" in sets["303445"].lexicon.region
    assert sets["032158"].lexicon.standardise("まんだ飲んでねえ") == "まだ飲んでない"


def test_a_bad_regular_expression_is_reported_with_file_line_and_path(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace('"まんだ"', '"まん(だ"'), encoding="utf-8")
    with pytest.raises(QuestionSetError) as info:
        load_lexicon(path)
    assert f"{path}:4: rewrite[0].dialect: 正規表現が不正です" in info.value.report()


def test_an_answer_id_not_in_the_catalog_is_reported(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace("  good:", "  great:"), encoding="utf-8")
    with pytest.raises(QuestionSetError) as info:
        load_lexicon(path)
    assert (
        f"{path}:6: answers.great: 答えの id 'great' はカタログにありません" in info.value.report()
    )


def test_yes_as_a_key_is_refused_because_yaml_reads_it_as_true(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace("affirmative:", "yes:"), encoding="utf-8")
    with pytest.raises(QuestionSetError):
        load_lexicon(path)


def test_a_set_naming_a_missing_lexicon_is_an_error(tmp_path):
    text = (LEXICONS_DIR.parent / "sets" / "032158.yaml").read_text(encoding="utf-8")
    text = text.replace("lexicon: iwate_kennan", "lexicon: nowhere")
    with pytest.raises(QuestionSetError) as info:
        load_question_set_text(text, tmp_path / "032158.yaml")
    assert "lexicon: 方言辞書 nowhere.yaml がありません" in info.value.report()
