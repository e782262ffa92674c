"""What `sam build` puts in each function: the skill carries neither the dashboard nor LINE."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend import lambda_package

ROOT = Path(__file__).parents[2]
OURS = ("backend", "skill", "questions", "notices", "family_line")


@pytest.fixture
def skill_package(tmp_path) -> Path:
    lambda_package.main(["skill", str(tmp_path / "skill"), "--no-install"])
    return tmp_path / "skill"


def test_the_skill_package_leaves_out_the_dashboard_line_and_flask(skill_package):
    assert (skill_package / "skill/lambda_function.py").is_file()
    assert (skill_package / "backend/bootstrap.py").is_file()
    assert (skill_package / "questions/sets").is_dir()
    for absent in ("family_line", "backend/dashboard", "backend/web.py", "skill/flask_app.py"):
        assert not (skill_package / absent).exists(), absent
    assert not list(skill_package.rglob("__pycache__"))


def test_the_skill_installs_no_linebot_flask_or_sqlalchemy():
    names = {lambda_package._name(r) for r in lambda_package.requirements("skill")}
    assert "ask-sdk-core" in names
    assert not names & {"line-bot-sdk", "flask", "flask-wtf", "sqlalchemy", "apig-wsgi"}
    web = {lambda_package._name(r) for r in lambda_package.requirements("web")}
    assert "line-bot-sdk" in web
    assert not web & {"apscheduler", "gunicorn", "waitress"}  # API Gateway serves the web function


def test_the_skill_builds_from_its_package_alone(skill_package):
    code = (
        "import json, sys\n"
        "from backend.bootstrap import bootstrap\n"
        "from backend.settings import Settings\n"
        "from skill.builder import build_skill_builder\n"
        "import skill.lambda_function\n"
        "build_skill_builder(bootstrap(Settings(), uow=lambda: None), 'x').lambda_handler()\n"
        "print(json.dumps({m: getattr(sys.modules[m], '__file__', None) for m in sys.modules}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIMAMORI_")}
    env["PYTHONPATH"] = str(skill_package)
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=skill_package,
        env=env,
    )
    modules = json.loads(out.stdout.splitlines()[-1])
    ours = {m: f for m, f in modules.items() if m.split(".")[0] in OURS}
    assert "skill.family_relay" in ours
    for module, path in ours.items():  # nothing came from the repository beside the package
        assert path is None or Path(path).is_relative_to(skill_package), module
    assert not any(m.split(".")[0] in ("family_line", "linebot", "flask") for m in modules)


def test_every_function_of_the_template_has_a_make_target():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for function in ("SkillFunction", "WebFunction", "JobsFunction"):
        assert f"build-{function}:" in makefile


def test_the_jobs_package_has_everything_its_jobs_import(tmp_path):
    target = tmp_path / "jobs"
    lambda_package.main(["jobs", str(target), "--no-install"])
    assert not (target / "backend/dashboard").exists()
    code = (
        "import json, sys\n"
        "import backend.lambda_jobs, backend.channels, backend.services.alerts\n"
        "import backend.services.outbox, family_line.api, family_line.channel, family_line.inbox\n"
        "print(json.dumps({m: getattr(sys.modules[m], '__file__', None) for m in sys.modules}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIMAMORI_")}
    env["PYTHONPATH"] = str(target)
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=target,
        env=env,
    )
    modules = json.loads(out.stdout.splitlines()[-1])
    for module, path in modules.items():
        if module.split(".")[0] in OURS and path is not None:
            assert Path(path).is_relative_to(target), module
