"""The dependency direction of ARCHITECTURE.md §2 holds, and the skill's cold path stays light."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
FRAMEWORKS = ("flask", "sqlalchemy", "alembic", "boto3", "ask_sdk", "linebot", "werkzeug", "click")
PURE = ["backend/domain", "questions", "notices"]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "path",
    [p for folder in PURE for p in sorted((ROOT / folder).rglob("*.py"))],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_domain_code_imports_no_framework(path):
    for name in imported_modules(path):
        assert not name.startswith(FRAMEWORKS), f"{path} imports {name}"


@pytest.mark.parametrize(
    "path", sorted((ROOT / "backend/services").rglob("*.py")), ids=lambda p: p.name
)
def test_services_do_not_import_entry_points_or_stores(path):
    for name in imported_modules(path):
        assert not name.startswith(
            (
                "skill",
                "family_line",
                "backend.web",
                "backend.cli",
                "backend.stores",
                "flask",
                "sqlalchemy",
            )
        ), f"{path} imports {name}"


def test_the_lambda_entry_module_imports_no_linebot_dashboard_or_store():
    code = (
        "import json, sys; import skill.lambda_function; "
        "print(json.dumps(sorted(m for m in sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    modules = json.loads(out.stdout)
    for forbidden in ("linebot", "flask", "sqlalchemy", "backend.web", "backend.stores"):
        assert not any(m == forbidden or m.startswith(forbidden + ".") for m in modules), forbidden


@pytest.mark.parametrize("path", sorted((ROOT / "skill").rglob("*.py")), ids=lambda p: p.name)
def test_the_skill_never_imports_linebot_or_the_line_package(path):
    for name in imported_modules(path):
        assert not name.startswith(("linebot", "family_line")), f"{path} imports {name}"


@pytest.mark.parametrize("path", sorted((ROOT / "family_line").rglob("*.py")), ids=lambda p: p.name)
def test_the_line_package_does_not_reach_into_the_skill_or_the_stores(path):
    for name in imported_modules(path):
        assert not name.startswith(("skill", "backend.stores", "backend.web")), (
            f"{path} imports {name}"
        )


def test_building_the_skill_with_family_messages_loads_no_linebot():
    code = (
        "import json, sys; from skill.builder import build_skill; "
        "print(json.dumps(sorted(m for m in sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    modules = json.loads(out.stdout)
    assert "skill.family_relay" in modules
    assert not any(m == "linebot" or m.startswith(("linebot.", "family_line")) for m in modules)


def _modules_after(code: str, **env: str) -> list[str]:
    import os

    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(m for m in sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, **env},
    )
    return json.loads(out.stdout.splitlines()[-1])


def _loaded(modules: list[str], name: str) -> bool:
    return any(m == name or m.startswith(name + ".") for m in modules)


def test_a_built_lambda_skill_handler_still_loads_no_linebot_dashboard_or_flask(tmp_path):
    modules = _modules_after(
        "import skill.lambda_function as f\nf._handler = f._build()",
        MIMAMORI_DATABASE_URL=f"sqlite:///{tmp_path / 'cold.db'}",
        MIMAMORI_ALEXA_SKILL_ID="amzn1.ask.skill.cold",
        MIMAMORI_LINE_CHANNEL_SECRET="s",
        MIMAMORI_LINE_CHANNEL_ACCESS_TOKEN="t",
    )
    for forbidden in ("linebot", "family_line", "flask", "backend.dashboard", "backend.web"):
        assert not _loaded(modules, forbidden), forbidden


def test_the_lambda_handler_modules_import_nothing_heavy_until_invoked():
    modules = _modules_after("import backend.lambda_jobs, backend.lambda_http")
    for forbidden in ("linebot", "flask", "sqlalchemy", "boto3", "apig_wsgi", "backend.stores"):
        assert not _loaded(modules, forbidden), forbidden


@pytest.mark.parametrize("path", ["backend/lambda_jobs.py", "backend/jobs.py"])
def test_the_jobs_entry_points_are_store_agnostic(path):
    for name in imported_modules(ROOT / path):
        assert not name.startswith(("backend.stores", "sqlalchemy", "boto3")), (
            f"{path} imports {name}"
        )


def test_the_media_port_imports_boto3_only_when_s3_is_used():
    modules = _modules_after(
        "from backend.media import build_media_store\nbuild_media_store('s3://b/p')"
    )
    assert not _loaded(modules, "boto3")


def test_the_morphological_analyser_is_loaded_only_when_words_must_be_understood():
    at_import = _modules_after("import skill.lambda_function")
    assert "fugashi" not in at_import
    built = _modules_after(
        "from skill.builder import build_skill\n"
        "from backend.domain.understanding.analyzer import is_loaded\n"
        "assert not is_loaded()"
    )
    assert "fugashi" not in built
    used = _modules_after(
        "from backend.domain.understanding import understand\nunderstand('眠れませんでした')"
    )
    assert "fugashi" in used


@pytest.mark.parametrize(
    "path",
    [p for folder in ("questions", "notices") for p in sorted((ROOT / folder).rglob("*.py"))],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_question_sets_and_notices_never_import_the_backend(path):
    for name in imported_modules(path):
        assert not name.startswith("backend"), f"{path} imports {name}"


ENTRY_POINTS = {
    "skill": "skill",
    "family_line": "family_line",
    "backend/dashboard": "backend.dashboard",
    "backend/jobs.py": "backend.jobs",
}


def _entry_point_files():
    for folder, module in ENTRY_POINTS.items():
        target = ROOT / folder
        for path in sorted(target.rglob("*.py")) if target.is_dir() else [target]:
            yield pytest.param(path, module, id=str(path.relative_to(ROOT)))


@pytest.mark.parametrize(("path", "own"), list(_entry_point_files()))
def test_an_entry_point_never_imports_another(path, own):
    others = tuple(m for m in ENTRY_POINTS.values() if m != own)
    where = str(path.relative_to(ROOT))
    crossing = {
        name
        for name in imported_modules(path)
        if any(name == o or name.startswith(o + ".") for o in others)
    }
    assert not crossing, f"{where} imports {crossing}"
