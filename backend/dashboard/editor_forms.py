"""The question-set and alert-policy editors as forms (the YAML stays as the advanced view).

A form post becomes YAML text (``services.set_editor``, ``services.policy_editor``) and
goes through the same check and ``municipal_config.publish`` as the YAML editor: the same
validation, version, audit entry and refresh of the sets in force.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import login_required

from backend.dashboard import editor_texts, texts
from backend.dashboard.forms import ConfigForm
from backend.domain.errors import Conflict, NotFound
from backend.domain.versions import ConfigKind
from backend.services import municipal_config, policy_editor, set_editor
from backend.services.context import Services
from questions.loader import FileProblemsError

Editor = Callable[..., Any]  # admin's _editor(slug, code, form, status, **extra)


def form_context(kind: ConfigKind, text: str) -> dict[str, Any]:
    """Return the form the editor page shows for the text (None when it cannot show one)."""
    if kind is ConfigKind.QUESTION_SET:
        return {"set_form": set_editor.set_form(text), "editor_texts": editor_texts}
    if kind is ConfigKind.POLICY:
        return {"policy_form": policy_editor.policy_form(text), "editor_texts": editor_texts}
    return {}  # engagement: the YAML editor only


def _rows() -> list[set_editor.RowInput]:
    rows = []
    count = request.form.get("count", type=int) or 0
    for i in range(min(count, 200)):
        get = request.form.get
        rows.append(
            set_editor.RowInput(
                id=get(f"q-{i}-id", ""),
                order=get(f"q-{i}-order", ""),
                remove=bool(get(f"q-{i}-remove")),
                slots=tuple(request.form.getlist(f"q-{i}-slots")),
                every=get(f"q-{i}-every", "day"),
                weekday=get(f"q-{i}-weekday", ""),
                day=get(f"q-{i}-day", ""),
            )
        )
    return rows


def register(bp: Blueprint, services: Services, editor: Editor, me: Callable[[], Any]) -> None:
    """Add the form posts of both editors to the admin blueprint."""

    def _me() -> Any:
        return me()

    def _in_scope(kind: ConfigKind, code: str) -> municipal_config.Current:
        try:
            return municipal_config.current(services, _me(), kind, code)
        except NotFound:
            abort(404)

    def _finish(
        slug: str, code: str, kind: ConfigKind, text: str, problems: Any, context: dict[str, Any]
    ) -> Any:
        form = ConfigForm(formdata=None)
        form.text.data = text
        if problems is not None:
            return editor(slug, code, form, 400, form_problems=problems, **context)
        if request.form.get("action") != "publish":
            flash(texts.CONFIG_CHECKED, "info")
            return editor(slug, code, form, 200, **context)
        try:
            version = municipal_config.publish(services, _me(), kind, code, text)
        except FileProblemsError as err:
            return editor(slug, code, form, 400, form_problems=err, **context)
        except Conflict:
            flash(texts.CONFIG_CONFLICT, "error")
            return editor(slug, code, form, 409, **context)
        flash(texts.CONFIG_PUBLISHED.format(version=version.version), "info")
        return redirect(url_for("admin.editor", code=code, slug=slug))

    @bp.post("/<code>/questions/form")
    @login_required
    def submit_set_form(code: str) -> Any:
        kind = ConfigKind.QUESTION_SET
        current = _in_scope(kind, code)
        base = (request.form.get("base") or current.text).replace("\r\n", "\n")
        add = request.form.get("add", "") if request.form.get("action") == "add" else ""
        text, _ = set_editor.apply_set_form(base, _rows(), add)
        shown = set_editor.set_form(text)
        context = {"set_form": shown, "editor_texts": editor_texts}
        try:
            municipal_config.check_question_set(text, code)
        except FileProblemsError as err:
            if shown is not None:
                set_editor.place_set_problems(shown, err.problems)
            return _finish("questions", code, kind, text, err, context)
        if request.form.get("action") == "add":
            form = ConfigForm(formdata=None)
            form.text.data = text
            return editor("questions", code, form, 200, **context)
        return _finish("questions", code, kind, text, None, context)

    @bp.post("/<code>/policy/form")
    @login_required
    def submit_policy_form(code: str) -> Any:
        kind = ConfigKind.POLICY
        current = _in_scope(kind, code)
        names = [f.name for f in policy_editor.POLICY_FIELDS]
        values = {name: request.form.get(name, "") for name in names}
        text = policy_editor.policy_text(code, values, current.text)
        shown = policy_editor.PolicyFormState(values)
        context = {"policy_form": shown, "editor_texts": editor_texts}
        try:
            municipal_config.check_policy(text, code)
        except FileProblemsError as err:
            policy_editor.place_policy_problems(shown, err.problems)
            return _finish("policy", code, kind, text, err, context)
        return _finish("policy", code, kind, text, None, context)
