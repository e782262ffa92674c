"""Load and validate question sets, reporting the file, the path inside it and what is wrong."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from questions.codes import InvalidMunicipalityCode, validate_municipality_code
from questions.dialects import load_lexicon
from questions.instruments import Instrument, InstrumentFile
from questions.kihon import MEASURED_ITEMS, POINT_ON, item_id
from questions.lexicon import EMPTY, Lexicon
from questions.model import QuestionSet
from questions.schema import (
    Catalog,
    CatalogUse,
    ElderOverrides,
    InstrumentUse,
    Question,
    QuestionSetFile,
)

PACKAGE_DIR = Path(__file__).parent
LEXICONS_DIR = PACKAGE_DIR / "lexicons"
STANDARD_LEXICON = "standard.yaml"
CATALOG_PATH = PACKAGE_DIR / "catalog.yaml"
SETS_DIR = PACKAGE_DIR / "sets"
INSTRUMENT_PATHS = {"kihon_checklist": PACKAGE_DIR / "kihon_checklist.yaml"}
_QUESTION_KINDS = {"yes_no", "choice", "scale", "number", "blood_pressure"}
_TAGS = {"use", "question"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file: where and what."""

    path: str
    message: str
    line: int | None = None


class FileProblemsError(ValueError):
    """A file is invalid; ``report()`` lists every problem."""

    def __init__(self, file: str, problems: Sequence[Problem]) -> None:
        self.file = file
        self.problems = tuple(problems)
        super().__init__(self.report())

    def report(self) -> str:
        """Return one line per problem: ``file:line: path: message``."""
        lines = []
        for p in self.problems:
            where = f"{self.file}:{p.line}" if p.line else self.file
            lines.append(f"{where}: {p.path or '(全体)'}: {p.message}")
        return "\n".join(lines)


class QuestionSetError(FileProblemsError):
    """A question set, catalog or overrides file is invalid."""


def _path_text(loc: Iterable[Any]) -> tuple[str, list[str | int]]:
    parts: list[str | int] = []
    previous: Any = None
    for item in loc:
        if item in _TAGS or (
            item in _QUESTION_KINDS and (previous == "question" or isinstance(previous, int))
        ):
            previous = item
            continue
        if isinstance(item, str) and item.startswith("function-"):
            continue
        parts.append(item)
        previous = item
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text, parts


def _line_of(node: yaml.Node | None, parts: Sequence[str | int]) -> int | None:
    line = node.start_mark.line + 1 if node is not None else None
    for part in parts:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if pair is None:
                break
            line = pair[0].start_mark.line + 1
            node = pair[1]
            continue
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part] if part < len(node.value) else None
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


class TextDateLoader(yaml.SafeLoader):
    """A safe loader that leaves dates as text, so a bad date is reported with its path."""


TextDateLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as err:
        raise QuestionSetError(str(path), [Problem("", f"読めません: {err.strerror}")]) from err
    except UnicodeDecodeError as err:
        raise QuestionSetError(str(path), [Problem("", "UTF-8 のテキストではありません")]) from err


def _read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    return _yaml_of(_read_text(path), path)


def _yaml_of(text: str, path: Path) -> tuple[Any, yaml.Node | None]:
    """Return the data and node tree of YAML text; errors name ``path`` (maybe not a file)."""
    try:
        return yaml.load(text, Loader=TextDateLoader), yaml.compose(text, Loader=TextDateLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        message = f"YAML として読めません: {getattr(err, 'problem', None) or err}"
        raise QuestionSetError(str(path), [Problem("", message, line)]) from err


def file_code_problem(
    path: Path, code: str, folder: str, node: yaml.Node | None, also: tuple[str, ...] = ()
) -> Problem | None:
    """Return the problem of a file in ``folder`` not named after its municipality code."""
    if path.parent.name != folder or path.stem in (code, *also):
        return None
    where = _line_of(node, ["municipality_code"])
    return Problem("municipality_code", f"ファイル名 {path.name} とコードが一致しません", where)


def _validation_problems(err: ValidationError, node: yaml.Node | None) -> list[Problem]:
    problems = []
    for e in err.errors():
        text, parts = _path_text(e["loc"])
        problems.append(Problem(text, _message(e), _line_of(node, parts)))
    return problems


_MESSAGES = {
    "missing": "必須の項目がありません",
    "extra_forbidden": "この項目は使えません（綴りを確かめてください）",
    "too_short": "少なくとも {min_length} 個必要です",
    "too_long": "{max_length} 個までです",
    "literal_error": "次のどれかにしてください: {expected}",
    "string_pattern_mismatch": "形式が違います（{pattern}）",
    "string_too_short": "空にはできません",
    "int_parsing": "整数を書いてください",
    "int_type": "整数を書いてください",
    "float_parsing": "数を書いてください",
    "greater_than_equal": "{ge} 以上にしてください",
    "less_than_equal": "{le} 以下にしてください",
    "greater_than": "{gt} より大きくしてください",
    "union_tag_invalid": "kind は次のどれかにしてください: {expected_tags}",
    "union_tag_not_found": "kind を書いてください",
    "string_type": "文字で書いてください",
    "string_too_long": "{max_length} 文字までにしてください",
    "float_type": "数を書いてください",
    "int_from_float": "整数を書いてください（小数は使えません）",
    "less_than": "{lt} より小さくしてください",
    "bool_type": "true か false にしてください",
    "bool_parsing": "true か false にしてください",
    "list_type": "一覧（「- 」で始まる行）で書いてください",
    "tuple_type": "一覧（「- 」で始まる行）で書いてください",
    "dict_type": "「名前: 値」の組で書いてください",
    "model_type": "「名前: 値」の組で書いてください",
    "model_attributes_type": "「名前: 値」の組で書いてください",
    "enum": "次のどれかにしてください: {expected}",
    "date_type": "日付は 2026-11-23 のように書いてください",
    "date_parsing": "日付は 2026-11-23 のように書いてください",
    "date_from_datetime_parsing": "日付は 2026-11-23 のように書いてください",
    "none_required": "この項目は書けません",
}
UNKNOWN_PROBLEM = "値が正しくありません"


def _message(error: Any) -> str:
    template = _MESSAGES.get(error["type"])
    if template is None:
        if error["type"] in ("value_error", "assertion_error"):  # our validators: Japanese
            return (
                str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
            )
        return UNKNOWN_PROBLEM  # never pydantic's English
    try:
        return template.format(**error.get("ctx", {}))
    except (KeyError, IndexError):
        return str(error["msg"])


def _parse(model: Any, path: Path) -> Any:
    data, node = _read_yaml(path)
    try:
        return TypeAdapter(model).validate_python(data)
    except ValidationError as err:
        raise QuestionSetError(str(path), _validation_problems(err, node)) from err


@cache
def load_catalog(path: Path = CATALOG_PATH) -> dict[str, Question]:
    """Return the built-in catalog's questions by id."""
    catalog: Catalog = _parse(Catalog, path)
    by_id: dict[str, Question] = {}
    problems = []
    for i, q in enumerate(catalog.questions):
        if q.id in by_id:
            problems.append(Problem(f"questions[{i}].id", f"id {q.id!r} が重複しています"))
        by_id[q.id] = q
    if problems:
        raise QuestionSetError(str(path), problems)
    return by_id


@cache
def load_instrument(name: str = "kihon_checklist", path: Path | None = None) -> Instrument:
    """Load and validate a built-in instrument (``questions/<name>.yaml``).

    Besides the schema, each item must be No.1, 2, … in order with the id ``kc01``, ``kc02``, …,
    score on the answer ``questions.kihon`` scores, be asked by voice unless it is
    measured (No.12), and raise no same-day concern (the result is scored monthly instead).
    """
    if path is None:
        if name not in INSTRUMENT_PATHS:
            raise QuestionSetError(name, [Problem("", f"組み込みの調査票 {name!r} はありません")])
        path = INSTRUMENT_PATHS[name]
    raw: InstrumentFile = _parse(InstrumentFile, path)
    _, node = _read_yaml(path)
    problems: list[Problem] = []

    def problem(parts: list[str | int], message: str) -> None:
        text, _ = _path_text(parts)
        problems.append(Problem(text, message, _line_of(node, parts)))

    if raw.instrument != name:
        problem(["instrument"], f"{name!r} のファイルではありません（{raw.instrument!r}）")
    if len(raw.items) != len(POINT_ON):
        problem(["items"], f"項目は {len(POINT_ON)} 個です（{len(raw.items)} 個あります）")
    for i, item in enumerate(raw.items):
        if item.number != i + 1:
            problem(["items", i, "number"], f"No.{i + 1} のはずです（{item.number}）")
            continue
        expected = item_id(item.number) if item.number <= len(POINT_ON) else None
        if item.question.id != expected:
            problem(["items", i, "question", "id"], f"id は {expected!r} にしてください")
            continue
        point_on = "yes" if POINT_ON[expected] else "no"
        if item.point_on != point_on:
            problem(["items", i, "point_on"], f"No.{item.number} は {point_on!r} で1点です")
        if item.voice == (expected in MEASURED_ITEMS):
            problem(["items", i, "voice"], "声でたずねるのは、測定する項目（No.12）以外です")
        if item.question.concerning:
            problem(["items", i, "question", "concerning"], "調査票の項目には書けません")
    if problems:
        raise QuestionSetError(str(path), problems)
    return Instrument(raw.instrument, raw.title, raw.version, raw.intro, raw.items)


def _resolve_instruments(
    raw: QuestionSetFile,
    slot_ids: list[str],
    taken: set[str],
    problem: Any,
) -> tuple[tuple[InstrumentUse, ...], dict[str, Question]]:
    """Return the set's instrument uses with their slot resolved, and their items by id."""
    earliest = min(raw.slots, key=lambda s: s.start).id
    uses: list[InstrumentUse] = []
    items: dict[str, Question] = {}
    for i, use in enumerate(raw.instruments):
        if any(u.use == use.use for u in uses):
            problem(["instruments", i], f"{use.use!r} が重複しています")
            continue
        slot = use.slot or earliest
        if slot not in slot_ids:
            problem(
                ["instruments", i, "slot"],
                f"slot {slot!r} は slots にありません（{', '.join(slot_ids)}）",
            )
            continue
        use = use.model_copy(update={"slot": slot})
        for q in load_instrument(use.use).scheduled_for(use):
            if q.id in taken:
                problem(["instruments", i], f"質問 {q.id!r} は調査票の項目と同じ id です")
            items[q.id] = q
        uses.append(use)
    return tuple(uses), items


def load_question_set(path: Path | str, catalog: dict[str, Question] | None = None) -> QuestionSet:
    """Load, validate and resolve one municipality's question set file."""
    path = Path(path)
    return load_question_set_text(_read_text(path), path, catalog)


def load_question_set_text(
    text: str, path: Path | str, catalog: dict[str, Question] | None = None
) -> QuestionSet:
    """Validate and resolve a question set given as text, as if read from ``path``.

    The dashboard's editor uses it with ``questions/sets/<code>.yaml``: the problems are
    exactly those ``mimamori questions validate`` reports for a file of that text.
    """
    path = Path(path)
    catalog = load_catalog() if catalog is None else catalog
    data, node = _yaml_of(text, path)
    problems: list[Problem] = []

    def problem(parts: list[str | int], message: str) -> None:
        text, _ = _path_text(parts)
        problems.append(Problem(text, message, _line_of(node, parts)))

    try:
        raw: QuestionSetFile = TypeAdapter(QuestionSetFile).validate_python(data)
    except ValidationError as err:
        # Every problem at once: a mistyped ``use:`` too, not only after the others are fixed.
        entries = data.get("questions") if isinstance(data, dict) else None
        for i, entry in enumerate(entries if isinstance(entries, list) else ()):
            use = entry.get("use") if isinstance(entry, dict) else None
            if isinstance(use, str) and use not in catalog:
                problem(["questions", i, "use"], _unknown_use(use))
        raise QuestionSetError(str(path), _validation_problems(err, node) + problems) from err

    try:
        validate_municipality_code(raw.municipality_code)
    except InvalidMunicipalityCode as err:
        problem(["municipality_code"], err.reason)
    misnamed = file_code_problem(path, raw.municipality_code, SETS_DIR.name, node)
    if misnamed is not None:
        problems.append(misnamed)

    slot_ids = [s.id for s in raw.slots]
    if len(set(slot_ids)) != len(slot_ids):
        problem(["slots"], "slot の id が重複しています")

    resolved: list[Question] = []
    for i, entry in enumerate(raw.questions):
        if isinstance(entry, CatalogUse):
            base = catalog.get(entry.use)
            if base is None:
                problem(["questions", i, "use"], _unknown_use(entry.use))
                continue
            changes = {
                k: v
                for k, v in {
                    "schedule": entry.schedule,
                    "wording": entry.wording,
                    "concerning": entry.concerning,
                }.items()
                if v is not None
            }
            question = base.model_copy(update=changes)
        else:
            question = entry
        for slot in question.schedule.slots:
            if slot not in slot_ids:
                problem(
                    ["questions", i, "schedule", "slots"],
                    f"slot {slot!r} は slots にありません（{', '.join(slot_ids)}）",
                )
        if any(q.id == question.id for q in resolved):
            problem(["questions", i], f"質問 {question.id!r} が重複しています")
        resolved.append(question)
    instruments, items = _resolve_instruments(raw, slot_ids, {q.id for q in resolved}, problem)
    lexicon = _standard_lexicon()
    if raw.lexicon is not None:
        lexicon_path = LEXICONS_DIR / f"{raw.lexicon}.yaml"
        if not lexicon_path.is_file():
            problem(["lexicon"], f"方言辞書 {lexicon_path.name} がありません")
        else:
            lexicon = lexicon.merged(load_lexicon(lexicon_path))
    if problems:
        raise QuestionSetError(str(path), problems)
    return QuestionSet(
        municipality_code=raw.municipality_code,
        municipality_name=raw.municipality_name,
        version=raw.version,
        slots=raw.slots,
        questions=tuple(resolved),
        catalog={**catalog, **items} if items else catalog,
        instruments=instruments,
        lexicon=lexicon,
    )


def _unknown_use(use: str) -> str:
    return f"カタログに {use!r} はありません"


@cache
def _standard_lexicon() -> Lexicon:
    """Return the standard-Japanese answer phrases every set understands."""
    path = LEXICONS_DIR / STANDARD_LEXICON
    return load_lexicon(path) if path.is_file() else EMPTY


def load_sets(directory: Path = SETS_DIR) -> dict[str, QuestionSet]:
    """Load every ``<code>.yaml`` in a folder, keyed by municipality code."""
    sets = {}
    for path in sorted(directory.glob("*.yaml")):
        qset = load_question_set(path)
        sets[qset.municipality_code] = qset
    return sets


def parse_overrides(data: dict[str, Any] | None, source: str = "overrides") -> ElderOverrides:
    """Validate an elder's overrides, raising QuestionSetError naming what is wrong."""
    try:
        return ElderOverrides.model_validate(data or {})
    except ValidationError as err:
        raise QuestionSetError(source, _validation_problems(err, None)) from err
