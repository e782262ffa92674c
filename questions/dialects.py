"""Load and validate dialect lexicons (``questions/lexicons/<name>.yaml``).

A question set names its lexicon (``lexicon: iwate_kennan``). A lexicon says how the elders of
the region say yes and no, which dialect forms mean which standard forms (regular expressions,
applied before the morphological analysis) and which whole phrases answer which answer value.
The interaction model takes its dialect samples and synonyms from the same files
(``skill/model_grammar.py``), so nothing is copied by hand.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from questions.lexicon import Lexicon, Rewrite


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RewriteEntry(_Strict):
    """One dialect form (a regular expression) and its standard Japanese."""

    dialect: str = Field(min_length=1)
    standard: str
    samples: tuple[str, ...] = ()


class LexiconFile(_Strict):
    """A lexicon as written in YAML."""

    region: str = Field(min_length=1)
    affirmative: tuple[str, ...] = ()  # whole replies meaning はい (`yes` is a YAML boolean)
    negative: tuple[str, ...] = ()
    rewrite: tuple[RewriteEntry, ...] = ()
    answers: dict[str, tuple[str, ...]] = {}
    emergency: tuple[str, ...] = ()  # whole emergency phrases, taught to Alexa as samples
    farewell: tuple[str, ...] = ()


def _problems_and_file(path: Path) -> tuple[LexiconFile, Any]:
    from questions.loader import (
        Problem,
        QuestionSetError,
        _line_of,
        _read_yaml,
        _validation_problems,
    )

    data, node = _read_yaml(path)
    try:
        parsed = LexiconFile.model_validate(data)
    except ValidationError as err:
        raise QuestionSetError(str(path), _validation_problems(err, node)) from err
    problems = []
    for i, entry in enumerate(parsed.rewrite):
        try:
            re.compile(entry.dialect)
        except re.error as err:
            where: list[str | int] = ["rewrite", i, "dialect"]
            problems.append(
                Problem(
                    f"rewrite[{i}].dialect", f"正規表現が不正です: {err}", _line_of(node, where)
                )
            )
    known = _answer_ids()
    for answer_id in parsed.answers:
        if answer_id not in known:
            problems.append(
                Problem(
                    f"answers.{answer_id}",
                    f"答えの id {answer_id!r} はカタログにありません（{', '.join(sorted(known))}）",
                    _line_of(node, ["answers", answer_id]),
                )
            )
    if problems:
        raise QuestionSetError(str(path), problems)
    return parsed, node


def _answer_ids() -> set[str]:
    from questions.loader import load_catalog

    ids: set[str] = set()
    for question in load_catalog().values():
        ids |= {o.id for o in getattr(question, "options", ())}
        ids |= set(getattr(question, "yes_ids", ())) | set(getattr(question, "no_ids", ()))
    return ids


def read_lexicon_file(path: Path) -> LexiconFile:
    """Return the validated contents of a lexicon file (raises QuestionSetError)."""
    return _problems_and_file(path)[0]


def load_lexicon(path: Path) -> Lexicon:
    """Return the lexicon in ``path`` for the understanding layer."""
    parsed = read_lexicon_file(path)
    rewrites = tuple(Rewrite(re.compile(e.dialect), e.standard, e.samples) for e in parsed.rewrite)
    return Lexicon(
        region=parsed.region,
        rewrites=rewrites,
        yes=parsed.affirmative,
        no=parsed.negative,
        answers=dict(parsed.answers),
    )
