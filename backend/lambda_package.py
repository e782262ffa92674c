"""Assemble one Lambda function's code for ``sam build`` (``BuildMethod: makefile``).

``python -m backend.lambda_package skill|web|jobs ARTIFACTS_DIR`` copies only the packages
the function needs and pip-installs only its libraries (for Lambda's Linux, arm64, the
runtime's Python). The skill's package carries neither the dashboard nor LINE (nor Flask):
its cold start stays short.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON_VERSION = "3.12"  # template.yaml: Runtime python3.12
PLATFORM = "manylinux2014_aarch64"  # template.yaml: Architectures arm64

# Per function: the packages copied, the paths left out, the libraries installed.
FUNCTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "skill": {
        "packages": ("backend", "questions", "notices", "skill"),
        "exclude": (
            "backend/dashboard",
            "backend/web.py",
            "backend/web_headers.py",
            "backend/server.py",
            "backend/cli",
            "backend/scheduler.py",
            "backend/talk.py",
            "backend/lambda_http.py",
            "backend/lambda_jobs.py",
            "skill/flask_app.py",
            "skill/skill-package",
            "skill/grammar",
            "skill/model_grammar.py",
        ),
        "libraries": (
            "ask-sdk-core",
            "pydantic",
            "pydantic-settings",
            "pyyaml",
            "tenacity",
            "boto3",
            # The understanding step (loaded at the first unmatched words, never at import).
            "fugashi",
            "unidic-lite",
            "jaconv",
            "kanjize",
        ),
    },
    "web": {
        "packages": ("backend", "questions", "notices", "skill", "family_line"),
        "exclude": ("backend/stores/sql/migrations", "skill/skill-package"),
        "libraries": ("*",),
    },
    "jobs": {
        "packages": ("backend", "questions", "notices", "family_line"),
        "exclude": ("backend/dashboard", "backend/stores/sql/migrations"),
        "libraries": ("*",),
    },
}
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.part")


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;]", requirement, maxsplit=1)[0].lower()


def requirements(function: str) -> list[str]:
    """Return the pinned requirements (from pyproject) the function installs."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = FUNCTIONS[function]["libraries"]
    deps = project["dependencies"]
    if wanted == ("*",):
        # EventBridge schedules run the jobs, API Gateway serves: no scheduler, no WSGI server.
        return [d for d in deps if _name(d) not in {"apscheduler", "gunicorn", "waitress"}]
    by_name = {_name(d): d for d in deps}
    missing = [name for name in wanted if name not in by_name]
    if missing:
        raise SystemExit(f"pyproject.toml lacks {', '.join(missing)}")
    return [by_name[name] for name in wanted]


def copy_code(function: str, target: Path) -> None:
    """Copy the function's packages into ``target``, leaving out what it must not carry."""
    spec = FUNCTIONS[function]
    for package in spec["packages"]:
        shutil.copytree(ROOT / package, target / package, ignore=_SKIP, dirs_exist_ok=True)
    for excluded in spec["exclude"]:
        path = target / excluded
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def install(function: str, target: Path) -> None:
    """Pip-install the function's libraries for Lambda (binary wheels only)."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--target",
        str(target),
        "--platform",
        PLATFORM,
        "--implementation",
        "cp",
        "--python-version",
        PYTHON_VERSION,
        "--only-binary=:all:",
        *requirements(function),
    ]
    subprocess.run(command, check=True)


def main(argv: list[str] | None = None) -> None:
    """Build one function's artifacts directory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("function", choices=sorted(FUNCTIONS))
    parser.add_argument("target", type=Path)
    parser.add_argument("--no-install", action="store_true", help="copy the code only")
    args = parser.parse_args(argv)
    args.target.mkdir(parents=True, exist_ok=True)
    copy_code(args.function, args.target)
    if not args.no_install:
        install(args.function, args.target)


if __name__ == "__main__":
    main()
